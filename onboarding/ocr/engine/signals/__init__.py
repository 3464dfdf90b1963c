"""Fraud and quality signals of IDCardOCR: one detector per Config switch (no Django imports).

The engine calls ``run_detectors`` once, after it has rectified the card. Every detector runs only
when its switch asks for it, so a plain read pays nothing. Detectors look at the decoded photo
(``photo_bgr``), at the rectified card (``card_bgr``, the canonical 856x540 frame or a multiple of
it) and at the fields already read (``result.fields``); they fill ``result`` in place:

============================  ===========================================  ====================
Config switch                 evidence (module)                            result
============================  ===========================================  ====================
CopyWarn                      chroma, lost guilloche, toner specks (photocopy) -9102, -9108
ReshootWarn                   periodic spectral peaks: moiré (reshoot)     -9103
BorderCheckWarn               corners vs frame; flat/off-colour cells      -9101, -9105,
                              (border)                                     border_code_value
ReflectWarn (+ReflectDetail)  saturated flat colourless blobs (reflect)    -9107, positions
DetectPsWarn (+Advanced)      per-field patch and typeface consistency     -9106
                              (tampering)
TempIdWarn                    title layout, ruled frame (temporary)        -9104
InvalidDateWarn               validity period rules (dates)                -9109 / -9100
Quality                       edge width of strong edges (quality)         quality 0-100
============================  ===========================================  ====================

What the engine (``pipeline.recognize``) does with the rest:

* Quality / ImageBlur: ``edge_sharpness(card)`` is measured once on every read (a few ms); below
  ``BLUR_THRESHOLD`` Quality the photo is refused as FailedOperation.ImageBlur, otherwise the same
  measure is passed on (``sharpness``) for Quality and CopyWarn.
* MultiCardDetect: ``find_cards(small, prob)`` (module ``cards``) takes the downscaled photo and
  text-probability map of the engine's coarse pass and returns every card found, best first, each a
  ``Located`` with its side. A further card must show its edges and read as a card: of the same side
  it is FailedOperation.MultiCardError; of the other side it is read too and put in
  ``result.other_side`` (InvalidDateWarn then checks the back's period against the front's birth).
* The image detectors compare parts of the card, so they look at it snapped to its own edges
  (``snap_card``: ``refine`` then a fresh rectification, ~8 ms). The engine starts that on its pool
  as soon as it knows the card's upright quad, in the gaps the recogniser leaves while the lines are
  read, and hands it over as ``snapped``; called without it, ``run_detectors`` makes it itself.
* ``corners`` are in ``photo_bgr``'s pixels: the engine passes its working copy and the quad in
  that copy's pixels. ``invalid_date_code`` stays -9109 in the engine; ``api.contract`` maps it to
  the service's ``OCR_INVALID_DATE_WARN_CODE`` (-9109 or the legacy -9100) for every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import workers
from onboarding.ocr.engine.signals import (
    border,
    dates,
    photocopy,
    refine,
    reflect,
    reshoot,
    tampering,
    temporary,
)
from onboarding.ocr.engine.signals._common import card_edge_px, visible_mask
from onboarding.ocr.engine.signals.cards import find_cards
from onboarding.ocr.engine.signals.quality import BLUR_THRESHOLD, edge_sharpness, quality_score, score_of
from onboarding.ocr.engine.types import CardConfig, CardSide, IdCardFields, OcrResult, Point, WarnCode

__all__ = [
    "BLUR_THRESHOLD",
    "SnappedCard",
    "edge_sharpness",
    "find_cards",
    "quality_score",
    "run_detectors",
    "score_of",
    "snap_card",
    "wants_image_checks",
]


# The image detectors' codes in the order they are reported (as when they ran one after another).
_IMAGE_WARNINGS = (
    WarnCode.BORDER_INCOMPLETE,
    WarnCode.OCCLUSION,
    WarnCode.COPY,
    WarnCode.COPY_BLACK_WHITE,
    WarnCode.RESHOOT,
    WarnCode.REFLECTION,
    WarnCode.PS_EDITED,
    WarnCode.TEMPORARY_ID,
)


class SnappedCard(NamedTuple):
    """The card's corners moved onto its own edges (photo pixels), and the card rectified from them."""

    corners: list[Point]
    card_bgr: NDArray[np.uint8]


def wants_image_checks(config: CardConfig) -> bool:
    """Whether ``config`` asks for a detector that looks at the card's image (not only its text)."""
    return (
        config.border_check_warn
        or config.copy_warn
        or config.reshoot_warn
        or config.reflect_warn
        or config.detect_ps_warn
        or config.temp_id_warn
    )


def snap_card(photo_bgr: NDArray[np.uint8], corners: Sequence[Point]) -> SnappedCard:
    """What the image detectors look at: a caller with a core to spare starts it early (~8 ms)."""
    snapped = refine.refine_corners(photo_bgr, corners)
    return SnappedCard(snapped, refine.rectify(photo_bgr, snapped))


def run_detectors(
    photo_bgr: NDArray[np.uint8],
    card_bgr: NDArray[np.uint8],
    corners: Sequence[Point],
    side: CardSide,
    config: CardConfig,
    result: OcrResult,
    *,
    invalid_date_code: int = WarnCode.INVALID_DATE,
    sharpness: float | None = None,
    snapped: SnappedCard | None = None,
) -> None:
    """Fill ``result.warnings``, ``quality``, ``border_code_value`` and ``reflect_positions`` as asked.

    ``corners`` are the card's corners in ``photo_bgr`` (clockwise from the card's top-left);
    ``invalid_date_code`` is -9109 or the legacy -9100 (the service's setting); ``sharpness`` is
    ``quality.edge_sharpness`` of the card when the caller has already measured it; ``snapped`` is
    ``snap_card(photo_bgr, corners)`` when the caller has made it already.
    """
    warnings: list[int] = []
    image_checks = wants_image_checks(config)
    located = corners  # the engine's own quad: a cut card's quad may reach past the frame
    if image_checks:
        # the detectors compare parts of the card: give them the card snapped to its own edges
        corners, card_bgr = snapped or snap_card(photo_bgr, corners)

    def border_light_and_typeface() -> list[int]:
        found: list[int] = []
        half_visible: NDArray[np.bool_] | None = None
        washed: NDArray[np.bool_] | None = None
        if config.border_check_warn or config.reflect_warn:
            # shared by occlusion and glare (and the typeface checks)
            half_visible = visible_mask(corners, photo_bgr.shape, scale=0.5)
            washed = reflect.washed_out(card_bgr, side, visible=half_visible)
        if config.border_check_warn:
            assert half_visible is not None and washed is not None
            if border.card_cut(located, corners, photo_bgr):
                found.append(WarnCode.BORDER_INCOMPLETE)
            occlusion = border.find_occlusion(
                card_bgr, side, visible=half_visible, washed=washed, photo_bgr=photo_bgr, corners=corners
            )
            result.border_code_value = occlusion.border_code_value
            if occlusion.found:
                found.append(WarnCode.OCCLUSION)
        if config.reflect_warn:
            assert half_visible is not None and washed is not None
            glare = reflect.find_glare(card_bgr, side, visible=half_visible, washed_mask=washed)
            if glare.found:
                found.append(WarnCode.REFLECTION)
                if config.enable_reflect_detail:
                    result.reflect_positions = list(glare.positions)
        if config.detect_ps_warn and tampering.is_edited(
            card_bgr, side, result.fields, advanced=config.advanced_warn
        ):
            found.append(WarnCode.PS_EDITED)
        return found

    def copy_screen_and_title() -> list[int]:
        found: list[int] = []
        if config.copy_warn:
            evidence = photocopy.copy_evidence(card_bgr, side, sharpness=sharpness)
            if evidence.is_copy:
                found.append(WarnCode.COPY)
                if evidence.black_and_white:
                    found.append(WarnCode.COPY_BLACK_WHITE)
        if config.reshoot_warn and reshoot.is_reshoot(card_bgr, card_px=card_edge_px(corners)):
            found.append(WarnCode.RESHOOT)
        if config.temp_id_warn and temporary.is_temporary(card_bgr, side):
            found.append(WarnCode.TEMPORARY_ID)
        return found

    # Two groups of about equal cost (measured: ~25 ms of CPU each), one per core; each sets only
    # its own result fields.
    groups = [copy_screen_and_title, border_light_and_typeface]
    found = [code for group in workers.side_by_side(groups) for code in group]
    warnings += sorted(found, key=_IMAGE_WARNINGS.index)
    if config.invalid_date_warn:
        front, back = _front_and_back(side, result)
        if back is not None and dates.validity_invalid(back, front=front):
            warnings.append(int(invalid_date_code))
    if config.quality:
        result.quality = score_of(sharpness) if sharpness is not None else quality_score(card_bgr)
    result.warnings.extend(int(code) for code in warnings if int(code) not in result.warnings)


def _front_and_back(side: CardSide, result: OcrResult) -> tuple[IdCardFields | None, IdCardFields | None]:
    other = result.other_side
    if side is CardSide.BACK:
        return (other.fields if other is not None and other.side is CardSide.FRONT else None), result.fields
    if other is not None and other.side is CardSide.BACK:
        return result.fields, other.fields
    return result.fields, None
