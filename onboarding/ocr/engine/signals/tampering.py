"""DetectPsWarn: signs that a field was edited, i.e. re-typed or pasted over the card (-9106).

A genuine card's fields are printed in one pass by one machine in the typefaces of the layout: one
sans-serif face of one weight for the text fields, a monoline OCR face for the number. A field typed
again in an image editor (or a printed slip pasted on) is almost never in exactly that face, so we
measure, on the rectified card, two properties of each field's strokes that a typeface fixes and
that the photo's scale, light and focus change much less than a change of face does:

* Stroke weight, relative to the card's other fields: ink area over half the ink's perimeter is the
  mean stroke width; dividing by the median of the card's other fields cancels the photo's scale
  and blur. Each field's genuine ratio is a property of the layout (the OCR-B number prints heavier
  than the text fields), so a field far above its ratio is a bold face typed in its place, and a
  number far below it is the number re-typed in an ordinary face.
* Stroke contrast, within the field, measured two ways: (a) the thickness of its horizontal strokes
  (vertical ink runs) over the width of its vertical ones (horizontal ink runs), at half the field's
  peak ink depth on a 2x upsampled crop; (b) the ink depth along the centre lines (Hessian ridges)
  of horizontal strokes over that of vertical ones. A sans-serif or monoline face has nearly even
  strokes; a serif (Song/Ming-style) face has thin horizontals, which are both thinner and, once
  the photo's blur spreads them, lighter, so both ratios drop. Being ratios inside one field they
  need no reference and are insensitive to scale and light. (a) alone must be far off; where a
  field has strokes enough for (b) to be steady, (a) and (b) agreeing may each be less far off.

Each field's expected values and spreads (``_TYPE``) were measured on genuine specimen photos (seed
set 1000, true corners) and ``BARS`` says how many spreads off is evidence. Stroke shapes are not
read where the card's background itself carries ink-like thin structure (screen moire, a ruled
frame, an occluder's edges) nor in a field washed out by glare: both thin or add strokes. On a
card whose Quality (edge sharpness) is low, a small or blurred card, strokes are a pixel or two wide
in the photo and any finding is dropped.

Evidence about the *patch* rather than the type was measured and left out: the residual texture
(smoothness) and the median level of a band just around each field's ink against a band further
out, compared with the card's other fields. After a phone photo resamples the card, a pasted patch's
blur, noise and JPEG history mostly fall to the camera's own, and the genuine spread across fields
(guilloche density, glare, stamps) overlapped most pasted fields. A JPEG 8x8 grid check was not
tried: the engine gets the photo decoded and the card resampled, so the patch's grid is not
aligned with anything it sees. ``advanced`` (CardWarnType=Advanced) applies ``ADVANCED_BARS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals import reflect
from onboarding.ocr.engine.signals._common import FloatImage, Image8, background_mask, canonical, scaled_box
from onboarding.ocr.engine.signals.quality import quality_score
from onboarding.ocr.engine.types import CardSide, IdCardFields

# Per field: (stroke weight over the card's other fields' median, its spread; stroke contrast, its
# spread; ridge-depth contrast, its spread), all natural logs. Medians and 1.48 x MAD (+0.01) over
# 80 genuine specimen photos of the realistic mix (angles, light, blur, noise, JPEG 60-95) rectified
# with their true corners (seed set 1000). The ridge contrast is trusted only where a field holds
# enough strokes for it to be stable (None: not used).
_TYPE: dict[str, tuple[float, float, float, float, tuple[float, float] | None]] = {
    "Name": (0.00, 0.089, -0.08, 0.121, None),
    "Sex": (0.02, 0.113, -0.17, 0.115, None),
    "Nation": (-0.13, 0.047, -0.03, 0.066, None),
    "Birth": (0.05, 0.045, -0.14, 0.046, (-0.088, 0.044)),
    "Address": (-0.06, 0.047, -0.12, 0.068, (-0.074, 0.036)),
    "IdNum": (0.33, 0.037, 0.01, 0.034, (0.0, 0.025)),
    "Authority": (-0.04, 0.049, -0.11, 0.081, (-0.064, 0.044)),
    "ValidDate": (0.04, 0.049, -0.12, 0.036, (-0.081, 0.052)),
}

# 性别 is one glyph, 男 or 女, whose strokes differ more between the two than any face change moves
# them: once it is read, that glyph's own norms apply (same measurement, same calibration set).
_SEX_TYPE: dict[str, tuple[float, float, float, float, tuple[float, float] | None]] = {
    "女": (0.056, 0.065, -0.107, 0.095, (-0.072, 0.081)),
    "男": (-0.05, 0.1, -0.243, 0.164, (-0.21, 0.127)),
}


@dataclass(frozen=True)
class _Bars:
    """How many spreads off a field must be (calibrated so no genuine photo of set 1000 trips)."""

    weight: float = 6.5
    # the back has two fields whose weights are compared directly, a tighter measure
    back_weight: float = 4.8
    contrast: float = 6.0
    # both contrasts at once (two measurements of the same thing agreeing) need less of each
    both_contrasts: float = 4.0


BARS = _Bars()
ADVANCED_BARS = _Bars(weight=6.0, back_weight=4.5, contrast=5.5, both_contrasts=3.5)
# Background ink-like structure (black-hat p99 over the ink's depth) above which stroke shapes are
# not read: screen moire, a temporary card's ruled frame or an occluder's edges look like thin
# strokes. Genuine and pasted specimens stay under 0.24.
_BUSY_BACKGROUND = 0.3
# Below this Quality (0-100, the engine's edge-sharpness score) strokes are a pixel or two wide in the
# photo (a small or blurred card): their weight and contrast say more about the photo than the face,
# so no evidence is read. No edited specimen of the calibration set was caught below 60.
_MIN_QUALITY = 55
# A field with more than this share of its box washed out by glare keeps only part of its strokes.
_MAX_WASHED = 0.02
# A field whose peak ink depth is below this many grey levels is faint or missing: no evidence.
_MIN_DEPTH = 10.0


@dataclass(frozen=True)
class _Field:
    stroke: float  # mean stroke width, canonical px
    contrast: float  # log(horizontal-stroke thickness / vertical-stroke width)
    ridge: float | None  # log(ink depth on horizontal strokes' ridges / on vertical strokes' ridges)


def _ridge_contrast(depth: FloatImage, peak: float) -> float | None:
    """How much lighter horizontal strokes are than vertical ones, along the strokes' centre lines.

    Ridges are found with the Hessian of the (slightly smoothed) ink depth: a horizontal stroke
    curves strongly across y and little across x. Thin strokes lose depth to the photo's blur, so a
    face with thin horizontals (serif) shows lighter horizontal ridges than a face with even ones.
    """
    smooth = cv2.GaussianBlur(depth, (0, 0), 1.0)
    dxx = cv2.Sobel(smooth, cv2.CV_32F, 2, 0, ksize=3)
    dyy = cv2.Sobel(smooth, cv2.CV_32F, 0, 2, ksize=3)
    ink = smooth > 0.2 * peak
    horizontal = ink & (dyy < -0.02 * peak) & (np.abs(dxx) < 0.25 * np.abs(dyy))
    vertical = ink & (dxx < -0.02 * peak) & (np.abs(dyy) < 0.25 * np.abs(dxx))
    if int(horizontal.sum()) < 15 or int(vertical.sum()) < 15:
        return None
    return float(np.log(float(np.median(smooth[horizontal])) / float(np.median(smooth[vertical]))))


def _run_lengths(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Lengths of the runs of True along each row."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask
    # zero padding closes every run inside its row, so flat starts and ends pair up in order
    steps = np.diff(padded, axis=1).ravel()
    return np.asarray(np.flatnonzero(steps == -1) - np.flatnonzero(steps == 1), np.int64)


def _thin_half(runs: NDArray[np.int64]) -> float:
    """Mean of the shorter half of the runs: the strokes' thickness across their direction."""
    ordered = np.sort(runs)
    return float(ordered[: max(len(ordered) // 2, 1)].mean())


def _measure(card: Image8, side: CardSide) -> tuple[dict[str, _Field], bool]:
    """Each field's stroke measurements, and whether the background is too busy for shapes."""
    # glare thins or erases strokes (and so fakes a light or high-contrast face): skip those fields
    washed = reflect.washed_out(card, side)
    washed_scale = washed.shape[1] / layout.CARD_WIDTH
    g: FloatImage = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    h, w = g.shape
    bg = background_mask(side)
    # card-wide levels from every other pixel: the same statistics at a quarter of the cost
    every_other = (slice(None, None, 2), slice(None, None, 2))
    bg_sample = bg[every_other]
    level = float(np.median(g[every_other][bg_sample]))
    dark = float(np.percentile(g[every_other], 0.5))
    # ink is what is much darker than its surroundings (a black-hat), so a shadow across the card
    # or uneven light does not turn background into ink
    black_hat = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, np.ones((15, 15), np.uint8))
    ink_all = (black_hat > 0.45 * (level - dark)).astype(np.uint8)
    busy = float(np.percentile(black_hat[every_other][bg_sample], 99)) > _BUSY_BACKGROUND * max(
        level - dark, 1.0
    )
    boxes = layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES
    fields: dict[str, _Field] = {}
    for name, (x0, y0, x1, y1) in boxes.items():
        xa, ya, xb, yb = max(0, x0 - 12), max(0, y0 - 8), min(w, x1 + 12), min(h, y1 + 8)
        ink = ink_all[ya:yb, xa:xb]
        if int(ink.sum()) < 30:
            continue
        wx0, wy0, wx1, wy1 = scaled_box((xa, ya, xb, yb), washed_scale)
        if float(washed[wy0:wy1, wx0:wx1].mean()) > _MAX_WASHED:
            continue
        eroded = cv2.erode(ink, np.ones((3, 3), np.uint8))
        perimeter = max(int(ink.sum()) - int(eroded.sum()), 1)
        depth: FloatImage = np.asarray(black_hat[ya:yb, xa:xb], np.float32)
        peak = float(np.percentile(depth, 99.5))
        if peak < _MIN_DEPTH:
            continue
        # strokes at half their peak depth on a 2x crop: a full-width-at-half-maximum, which blur
        # widens far less than it widens a fixed-threshold mask
        up = cv2.resize(depth, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC) > 0.5 * peak
        across = _run_lengths(up)  # horizontal runs: widths of vertical strokes
        down = _run_lengths(np.ascontiguousarray(up.T))  # vertical runs: thickness of horizontals
        if len(across) < 20 or len(down) < 20:
            continue
        fields[name] = _Field(
            stroke=2.0 * float(ink.sum()) / perimeter,
            contrast=float(np.log(_thin_half(down) / _thin_half(across))),
            ridge=_ridge_contrast(depth, peak),
        )
    return fields, busy


@dataclass(frozen=True)
class EditEvidence:
    reasons: tuple[str, ...]

    @property
    def edited(self) -> bool:
        return bool(self.reasons)


def edit_evidence(
    card_bgr: Image8, side: CardSide, fields: IdCardFields, *, advanced: bool = False
) -> EditEvidence:
    """The typeface checks above on the rectified card; ``reasons`` names the fields that were off.

    The layout says where each field is; of ``fields`` (what was read) only the sex is used, to
    pick the norms of its one glyph.
    """
    card = canonical(card_bgr)
    measured, busy = _measure(card, side)
    bars = ADVANCED_BARS if advanced else BARS
    reasons: list[str] = []
    for name, field in measured.items():
        others = [f.stroke for other, f in measured.items() if other != name]
        norms = _SEX_TYPE.get(fields.sex.strip(), _TYPE[name]) if name == "Sex" else _TYPE[name]
        expected_weight, weight_spread, expected_contrast, contrast_spread, ridge_norm = norms
        if others:
            weight = (
                float(np.log(field.stroke / float(np.median(others)))) - expected_weight
            ) / weight_spread
            bar = bars.back_weight if side is CardSide.BACK else bars.weight
            # a heavier face anywhere; for the number (OCR-B, heavier than the text) a lighter one too
            if weight > bar or (name == "IdNum" and weight < -bar):
                reasons.append(f"{name} stroke weight {weight:+.1f} spreads")
        if busy:
            continue
        contrast = (field.contrast - expected_contrast) / contrast_spread
        if contrast < -bars.contrast:
            reasons.append(f"{name} stroke contrast {contrast:+.1f} spreads")
        elif ridge_norm is not None and field.ridge is not None and contrast < -bars.both_contrasts:
            ridge = (field.ridge - ridge_norm[0]) / ridge_norm[1]
            if ridge < -bars.both_contrasts:
                reasons.append(f"{name} stroke contrast {contrast:+.1f} and ridge depth {ridge:+.1f} spreads")
    # the sharpness gate costs more than the checks: ask it only when there is something to excuse
    if reasons and quality_score(card) < _MIN_QUALITY:
        return EditEvidence(())
    return EditEvidence(tuple(reasons))


def is_edited(card_bgr: Image8, side: CardSide, fields: IdCardFields, *, advanced: bool = False) -> bool:
    return edit_evidence(card_bgr, side, fields, advanced=advanced).edited
