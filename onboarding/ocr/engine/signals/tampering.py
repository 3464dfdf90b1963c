"""DetectPsWarn: signs that a field was edited, i.e. re-typed or pasted over the card (-9106).

A genuine card's fields are printed in one pass by one machine: the same typeface and weight, the
nominal type size for each field, the number in a fixed pitch across a fixed width. A field typed
again in an image editor (or a printed slip pasted on) rarely matches all of that, so we measure,
on the rectified card, each field's typography against the card's other fields and against the
layout, all relative to the card itself so the photo's scale, blur and light cancel out:

* Stroke weight: ink area over half the ink's perimeter is the mean stroke width. Every field of a
  genuine card is in the same weight, so one field much heavier than the median of the others is a
  bold face typed in its place.
* The number's width: the 18 characters of 公民身份号码 are printed at a fixed pitch, so their
  extent on the card is the same on every card; a re-typed number in any other font or size is
  wider or narrower.
* Type size from known content (back side): with the text already read, each field's ink width
  divided by its expected advance (a CJK character is one em, a digit about half) gives the em it
  was printed at; 签发机关 and 有效期限 are printed at the same size, so their ems must agree.

Noise and compression inconsistencies (a patch with its own JPEG history) are classic evidence too,
but after a phone photo resamples the card they fall below the camera's own noise, so they are
left out of the basic check. ``advanced`` (CardWarnType=Advanced) tightens the bars and adds the
background check: the guilloche under a pasted patch is usually smoother than the card's elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import FloatImage, Image8, background_mask, canonical
from onboarding.ocr.engine.types import CardSide, IdCardFields

# Ink extent of the 18-character number in the canonical frame: drawn specimens 474-483 px with
# exact corners; the engine's corners add up to ~3 % of scale error. Re-typed numbers of another
# size land under 462 or over 519.
NUMBER_WIDTH = (458.0, 508.0)
# A field this much heavier than the card's other fields (median) is in another weight. Genuine
# specimens reach ~1.3 only on very dense names under blur.
HEAVIER = 1.4
# em(签发机关) / em(有效期限): genuine specimens 0.94-1.01 with exact corners (a few long names
# lower); the engine's corners and faint strokes add ~5 % of noise. Below 0.8 the measurement itself
# failed (faint or glared text), which is not evidence of anything.
BACK_EM_RATIO = (0.88, 1.06)
_EM_RATIO_MEASURABLE = 0.8
# An authority longer than this many ems is printed smaller to fit its line, by design.
_LONG_AUTHORITY = 15.0
_ADVANCED_HEAVIER = 1.3
_ADVANCED_SMOOTHER = 0.75  # background line depth under a field over the card's


@dataclass(frozen=True)
class _Field:
    width: float
    stroke: float
    background: float
    clipped: bool  # ink reaches the end of the search window: the width is not the field's


def _runs(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, flag in enumerate(flags.tolist()):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(flags)))
    return out


def _measure(card: Image8, side: CardSide) -> dict[str, _Field]:
    g: FloatImage = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    h, w = g.shape
    bg = background_mask(side)
    level = float(np.median(g[bg]))
    dark = float(np.percentile(g, 0.5))
    # ink is what is much darker than its surroundings (a black-hat), so a shadow across the card
    # or uneven light does not turn background into ink
    black_hat = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, np.ones((15, 15), np.uint8))
    ink_all = (black_hat > 0.45 * (level - dark)).astype(np.uint8)
    near_ink = cv2.dilate(ink_all, np.ones((9, 9), np.uint8)) > 0
    smooth = cv2.GaussianBlur(g, (0, 0), 0.8)
    depth = cv2.dilate(smooth, np.ones((9, 9), np.uint8)) - smooth
    card_depth = max(float(np.median(depth[bg & ~near_ink])), 0.3) if (bg & ~near_ink).any() else 0.3
    boxes = layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES
    fields: dict[str, _Field] = {}
    for name, (x0, y0, x1, y1) in boxes.items():
        xa, ya, xb, yb = max(0, x0 - 12), max(0, y0 - 8), min(w, x1 + 12), min(h, y1 + 8)
        ink = ink_all[ya:yb, xa:xb]
        if int(ink.sum()) < 30:
            continue
        columns = _runs(ink.mean(axis=0) > 0.02)
        width = float(columns[-1][1] - columns[0][0]) if columns else 0.0
        clipped = bool(columns) and (columns[0][0] == 0 or columns[-1][1] == ink.shape[1])
        eroded = cv2.erode(ink, np.ones((3, 3), np.uint8))
        perimeter = max(int(ink.sum()) - int(eroded.sum()), 1)
        under = ~near_ink[ya:yb, xa:xb]
        background = float(np.median(depth[ya:yb, xa:xb][under])) / card_depth if under.sum() > 100 else 1.0
        fields[name] = _Field(
            width=width, stroke=2.0 * float(ink.sum()) / perimeter, background=background, clipped=clipped
        )
    return fields


def _advance(text: str) -> float:
    """Expected advance of ``text`` in ems: CJK one em, digits and Latin about half."""
    units = 0.0
    for ch in text:
        if ch.isdigit() or ch in "Xx":
            units += 0.55
        elif ch == ".":
            units += 0.25
        elif ch in "-–—~":
            units += 0.35
        elif not ch.isspace():
            units += 1.0
    return units


@dataclass(frozen=True)
class EditEvidence:
    reasons: tuple[str, ...]

    @property
    def edited(self) -> bool:
        return bool(self.reasons)


def edit_evidence(
    card_bgr: Image8, side: CardSide, fields: IdCardFields, *, advanced: bool = False
) -> EditEvidence:
    """The typography checks above on the rectified card; ``reasons`` names what was off."""
    measured = _measure(canonical(card_bgr), side)
    reasons: list[str] = []
    number = measured.get("IdNum")
    if number is not None and not number.clipped and not NUMBER_WIDTH[0] <= number.width <= NUMBER_WIDTH[1]:
        reasons.append(f"IdNum width {number.width:.0f}")
    strokes = {name: f.stroke for name, f in measured.items() if name != "IdNum"}
    heavier = _ADVANCED_HEAVIER if advanced else HEAVIER
    for name, stroke in strokes.items():
        others = [s for other, s in strokes.items() if other != name]
        if others and stroke > heavier * float(np.median(others)):
            reasons.append(f"{name} stroke")
    if side is CardSide.BACK:
        authority, valid = measured.get("Authority"), measured.get("ValidDate")
        units_a, units_v = _advance(fields.authority), _advance(fields.valid_date)
        measurable = authority is not None and valid is not None and not (authority.clipped or valid.clipped)
        if (
            measurable
            and authority is not None
            and valid is not None
            and 0 < units_a <= _LONG_AUTHORITY
            and units_v > 0
        ):
            ratio = (authority.width / units_a) / max(valid.width / units_v, 1e-6)
            if ratio >= _EM_RATIO_MEASURABLE and not BACK_EM_RATIO[0] <= ratio <= BACK_EM_RATIO[1]:
                reasons.append(f"back em ratio {ratio:.3f}")
    if advanced:
        reasons.extend(
            f"{name} background" for name, f in measured.items() if f.background < _ADVANCED_SMOOTHER
        )
    return EditEvidence(tuple(reasons))


def is_edited(card_bgr: Image8, side: CardSide, fields: IdCardFields, *, advanced: bool = False) -> bool:
    return edit_evidence(card_bgr, side, fields, advanced=advanced).edited
