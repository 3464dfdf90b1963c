"""Drawn specimen card photos (marked 样本) for people who want to try the flow without a real card.

A seed picks one holder; both sides drawn from the same seed show the same person, so the two links on
the upload page make a matching pair. The holder is an adult whose card is valid today and not about
to expire, so a clean read of the pair can pass every rule.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings

from onboarding.identity import age_on
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens import Identity, random_conditions, random_identity, specimen_photo

MAX_SEED = 2**31 - 1
# Validity left on a specimen card beyond the "expiring soon" warning window.
_SPARE_DAYS = 60


def specimen_identity(*, seed: int, today: datetime.date) -> Identity:
    """The holder drawn for ``seed``: an adult (minimum age and up) with a card valid well past today."""
    rng = random.Random(seed)  # noqa: S311 (reproducible drawings, not security)
    comfortably_valid = today + datetime.timedelta(days=settings.KYC_EXPIRING_WITHIN_DAYS + _SPARE_DAYS)
    person = random_identity(rng, today=today, valid_on=comfortably_valid)
    for _ in range(500):
        adult = settings.KYC_MIN_AGE <= age_on(person.birth, today) <= 80
        if adult and person.valid_from <= today and person.is_valid_on(comfortably_valid):
            return person
        person = random_identity(rng, today=today, valid_on=comfortably_valid)
    return person  # the loop ends after a handful of draws in practice


def specimen_jpeg(
    *, seed: int, side: CardSide, today: datetime.date, identity: Identity | None = None
) -> bytes:
    """A clean phone-like 1280x960 photo of one side of the specimen card for ``seed``."""
    person = identity or specimen_identity(seed=seed, today=today)
    # A different stream per side, so the two photos are not taken at the same angle.
    rng = random.Random(f"{seed}:{side}")  # noqa: S311 (reproducible drawings, not security)
    conditions = random_conditions(rng, difficulty="clean")
    photo, _ = specimen_photo(rng, side, conditions, today=today, identity=person)
    return photo.jpeg
