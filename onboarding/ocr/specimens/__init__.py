"""Drawn specimen resident ID cards (marked 样本) and phone-like photos of them, with ground truth.

Used by the engine's tests, the benchmark and the demo; never real faces or real cards. No Django
imports.

    from onboarding.ocr.specimens import specimen_photo, random_conditions
    photo, identity = specimen_photo(rng, CardSide.FRONT, today=date(2026, 1, 1))
    photo.jpeg, photo.corners, identity.contract_fields()
"""

from onboarding.ocr.specimens.card import CARD_SCALE, SPECIMEN_MARK_BOX, STAMPS, CardVariant, draw_card
from onboarding.ocr.specimens.identity import (
    NATIONS,
    Identity,
    Region,
    id_check_char,
    random_identity,
    regions,
    with_invalid_validity,
)
from onboarding.ocr.specimens.photo import (
    OCCLUDERS,
    Photo,
    PhotoConditions,
    photograph,
    random_conditions,
    specimen_photo,
)

__all__ = [
    "CARD_SCALE",
    "NATIONS",
    "OCCLUDERS",
    "SPECIMEN_MARK_BOX",
    "STAMPS",
    "CardVariant",
    "Identity",
    "Photo",
    "PhotoConditions",
    "Region",
    "draw_card",
    "id_check_char",
    "photograph",
    "random_conditions",
    "random_identity",
    "regions",
    "specimen_photo",
    "with_invalid_validity",
]
