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

Three further measures use the same strokes:

* Weight for the glyphs' own size: mean stroke width over the glyph body's height (the line's
  extent at half ink depth). A face's boldness for its size is fixed by the face alone, so this
  needs no other field; where both this and the weight against the other fields are off (two
  measures agreeing), each may be less far off than the weight alone must be.
* The number's extent: OCR-B prints the 18 characters at a fixed pitch, so on a genuine card the
  number spans the same width in the canonical frame (482 px at half depth, within about 3 % with
  the engine's corners); a number re-typed at another size or pitch is 5-15 % off. Far beyond that the
  number has lost characters (moire, glare, a cut card) and it says nothing.
* Thinner horizontals than the card's other fields: each field's contrast and ridge depth (in
  spreads) against the median of the card's other fields. A tilted card is sampled more coarsely
  across its height, which thins and lightens every horizontal stroke of the card alike; a serif
  field stands out from its neighbours whatever the tilt. Both must point the same way.

* Ink level of the short fields (name, sex, nation): the median grey of a field's ink pixels in %
  of the card's contrast, against the card's other fields. Printed in one pass, every field's ink
  is equally dark; a bolder face fills more of its pixels with full ink, a thinner one leaves more
  of them grey once the photo blurs it. Darker must come with heavier strokes, lighter with strokes
  no heavier (each field's stroke weight is too loose alone on a glyph or two). A name far darker
  than the others (``_NAME_FAR_DARKER``) needs no heavier weight: a bold CJK face at the name's
  size fills its glyphs' counters, and the ink mask's perimeter then stops telling stroke width.
* A thin face in any field: ink lighter than the card's other fields' (in each field's own spread,
  ``_INK_SPREAD``), its horizontal strokes' ridges lighter than its vertical ones' (or its
  horizontals thinner, with the ridges agreeing in sign) and strokes no heavier, all three at
  once. A serif face's thin horizontals lose depth to the photo's blur, which both lightens the
  field's ink and its horizontal ridges; each alone spreads as far on genuine cards (a 男's
  strokes, a copy's toner), together they did not. This reads serif dates and the sex glyph.
* The back's two fields against each other: one far darker than the other with heavier strokes
  is a bold face typed in (the ink-level rule above needs three other fields to compare with).

The sex's single glyph (男 or 女) is otherwise judged by weight and ink only: its contrast and ridge,
with so few strokes, spread as far on genuine cards as a serif face moves them. A sex glyph far
darker than the others (``_NAME_FAR_DARKER``) with strokes not lighter is read as the name is.

* A bolder face in any field but the nation: strokes heavier by over a spread, and weight plus the
  ink's darkness against the other fields (each in spreads) past ``bolder``. Each alone spreads on
  genuine cards nearly as far as a bold face moves it, not both at once. (Set on pasted and clean
  photos of specimen seed 7 for each field, and of seeds 8 and 9 for the sex: on the sex, caught
  140 -> 163 of 185 with no clean photo of 181 found; on name, birth, address and the back's
  fields 7 more of 195, none of 199 clean. The nation's ink spreads too far darker on genuine cards
  for it.)

Nothing is read when the layout does not fit the card (the number, or on the back the two fields,
do not start within 3 mm of where the layout prints them): the engine's corners are then off and
every box holds other print, which made stroke measures fire on genuine cards.

Each field's expected values and spreads (``_TYPE``, ``_PER_SIZE``) were measured on genuine
specimen photos (seed sets 1000 and 2000, true corners) and ``BARS`` says how many spreads off is
evidence. On the warnings benchmark's clean photos (the engine's corners) no finding is made on
seeds 5, 7 and 12; with the true corners one photo of set 2000 trips the number's weight bar. The
short fields' ink-level bars were set looking at benchmark seeds 5 and 12 (seed 7 then caught 13
of 20). The name's far-darker bar, the thin-face and the back's ink rules (and ``_INK_SPREAD``)
were set on the engine's cards of benchmark seed 7 (its pasted, clean and other-condition photos)
and seed 5's clean photos; seeds 12 and 13 are the check (benchmark, 2026-11-26: seed 7 17 of 20
caught, 0 of 40 clean photos false; seed 12 19/20, 0/40; seed 13 17/20, 3/40, the three from the
older rules: short fields' lighter ink, contrast with ridge, thinner horizontals). On the other
codes' positives the new rules added two false findings on seed 12 (a copy's back 11 % darker, a
cut card's thin-looking date) and one on seed 13 (an occluder beside the name and sex). Stroke shapes are not read where the card's
background itself carries ink-like thin structure (screen moire, a ruled frame, an occluder's
edges) nor in a field washed out by glare: both thin or add strokes. On a card whose Quality (edge
sharpness) is low, a small or blurred card, strokes are a pixel or two wide in the photo and any
finding is dropped.

Known gaps: a short field (above all a name) re-typed in a face whose ink is as dark as the card's
and whose strokes are as heavy, at a size within a few percent of the layout's, shows nothing
these measures resolve. Glyph size against the labels' and the other fields' (the line's height at half depth)
separated most such edits with the true corners, but with the engine's corners a few pixels of
misregistration or a neighbouring line in the box moved it as far on genuine cards; it was
measured and left out.

Evidence about the *patch* rather than the type was measured and left out: the residual texture
(smoothness) and the median level of a band just around each field's ink against a band further
out, compared with the card's other fields. After a phone photo resamples the card, a pasted patch's
blur, noise and JPEG history mostly fall to the camera's own, and the genuine spread across fields
(guilloche density, glare, stamps) overlapped most pasted fields. A JPEG 8x8 grid check was not
tried: the engine gets the photo decoded and the card resampled, so the patch's grid is not
aligned with anything it sees (with the upload's bytes, the file's quantisation tables and the
blockiness of each field's box in the photo's own 8x8 grid could be compared; that needs the bytes
passed to ``run_detectors``). The generator's pastes are JPEG-compressed on the card drawn at
twice the canonical size, so their grid would fall on a 4-px period of the rectified card; that is
the generator's pipeline, not a real edit's (made on the photo, in the photo's own grid), and it
was not used.

Two pasted fields of seed 7 are still missed: a serif validity date on a blurred card (Quality
under the gate) and a serif birth date whose whole card's print is lighter than the portrait's
dark hair by more than the ink threshold allows (``dark`` is the card's 0.5th grey percentile, so
no field box holds ink). ``advanced`` (CardWarnType=Advanced) applies ``ADVANCED_BARS``.

Cost: the glare mask (``reflect.washed_out``) is only made when a field box holds a pixel bright
enough for it, or passed in by a caller that has made it; the black-hat runs on 8-bit grey and the
percentiles come from histograms (``_common.percentile_u8``), with the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals import reflect
from onboarding.ocr.engine.signals._common import (
    FloatImage,
    Image8,
    background_mask,
    canonical,
    percentile_u8,
    scaled_box,
)
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
    """How many spreads off a field must be (calibrated so no genuine photo of the sets named above
    trips)."""

    weight: float = 6.5
    # the back has two fields whose weights are compared directly, a tighter measure
    back_weight: float = 4.8
    contrast: float = 6.0
    # both contrasts at once (two measurements of the same thing agreeing) need less of each
    both_contrasts: float = 4.0
    # stroke weight off both the other fields' and the field's own glyph size (in spreads, each)
    both_weights: float = 4.0
    # the number's extent off the layout's (natural log)
    number_width: float = 0.05
    # contrast plus half the ridge depth, each below the card's other fields' (in spreads)
    relative_serif: float = 8.0
    # a short field's ink level off the others' (times _INK_BARS), with its stroke weight (spreads)
    # agreeing: above ink_weight when darker, under a third of it when lighter
    ink_level: float = 1.0
    ink_weight: float = 1.5
    # a thin face: ink lighter than the others' by this many _INK_SPREADs, with its horizontals'
    # ridges (or stroke contrast) agreeing and strokes no heavier
    thin_ink: float = 2.0
    thin_ridge: float = 4.0
    thin_contrast: float = 3.0
    # the back's two fields: one darker than the other by this much (% of contrast) with heavier strokes
    back_darker: float = 10.0
    # a field's stroke weight plus its ink's darkness against the others' (each in spreads)
    bolder: float = 5.0


# Per field: log(mean stroke width / glyph height) and its spread: how bold the face is for its size,
# a property of the face alone (same calibration as _TYPE, seed sets 1000 and 2000, true corners).
_PER_SIZE: dict[str, tuple[float, float]] = {
    "Name": (-2.403, 0.081),
    "Nation": (-2.376, 0.068),
    "Birth": (-2.315, 0.066),
    "Address": (-2.384, 0.064),
    "IdNum": (-2.094, 0.055),
    "Authority": (-2.442, 0.04),
    "ValidDate": (-2.266, 0.079),
}
# Each field's ink level (% of contrast) less the card's other fields' median, on genuine cards
# (seed sets 1000 and 2000, benchmark seeds 5 and 12): the number's OCR-B ink is darker.
_INK_LEVEL = {
    "Name": 0.5,
    "Sex": -1.6,
    "Nation": 4.7,
    "Birth": -0.5,
    "Address": 1.6,
    "IdNum": -13.3,
    "Authority": 1.2,
    "ValidDate": -1.2,
}
# How far (% of contrast) a short field's ink may be darker, or lighter, than the others' on a
# genuine card, with the stroke weight agreeing (None: not read). The sex glyph's ink spreads as far
# lighter on genuine cards as a thin face moves it, and the nation's darker side is left to weight.
_INK_BARS: dict[str, tuple[float | None, float | None]] = {
    "Name": (10.0, 10.0),
    "Sex": (10.0, None),
    "Nation": (None, 7.0),
}
_SHORT_FIELDS = tuple(_INK_BARS)
# Strokes heavier than this (spreads) before a field's weight and ink are added up: a genuine field
# far darker but no heavier is the photo's light, not a face.
_HEAVIER = 1.0
# The nation's ink spreads darker on genuine cards as far as a bold face moves it (the bar that
# caught 4 more pasted nations of 40 also found 3 of 40 clean ones): left to its other rules.
_NOT_BOLDER = ("Nation",)
# A name darker than the card's other fields by more than this (% of contrast) is a heavier face
# whatever its stroke weight reads: a bold CJK face at the name's size fills its glyphs' counters,
# so the ink mask's perimeter no longer tells stroke width, but the ink's level still shows it.
_NAME_FAR_DARKER = 18.0
# Each field's spread (1.48 x MAD, % of contrast) of its ink level against the others' on genuine
# cards (benchmark seeds 5 and 7, the engine's corners): how far lighter is evidence of a thin face.
_INK_SPREAD = {
    "Name": 3.8,
    "Sex": 3.4,
    "Nation": 3.1,
    "Birth": 2.1,
    "Address": 2.7,
    "IdNum": 2.9,
    "Authority": 3.3,
    "ValidDate": 3.3,
}
# Where the number's and the back fields' first line starts (canonical px, at half ink depth) on a
# genuine card, and how far the print's drift and the engine's corners may move it.
_LINE_START = {"IdNum": 308.0, "Authority": 325.0, "ValidDate": 325.0}
_MAX_DRIFT = 30.0
# The number's 18 characters span this many canonical px on a genuine card (at half ink depth).
_NUMBER_WIDTH = float(np.exp(6.172))
_NUMBER_WIDTH_LOST = 0.15
# Spreads beyond which a stroke measure has lost its strokes rather than seen a face: another face
# moves the weight for the glyph size up to about 13 spreads and the contrast to about 10 (the
# benchmark's pasted fields, seeds 5, 7 and 12); far beyond, the glyph height was cut short (a cut
# card's edge, moire) or the horizontal strokes hidden (an occluder's edge along the line).
_PER_SIZE_LOST = 20.0
_CONTRAST_LOST = 15.0

BARS = _Bars()
ADVANCED_BARS = _Bars(
    weight=6.0,
    back_weight=4.5,
    contrast=5.5,
    both_contrasts=3.5,
    both_weights=3.7,
    relative_serif=7.0,
    bolder=4.5,
)
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
    height: float | None = None  # glyph body height at half the ink's depth, canonical px
    width: float | None = None  # the (first) line's extent at half the ink's depth, canonical px
    left: float | None = None  # where that line starts, canonical px from the card's left edge
    ink_level: float = 0.0  # median grey of the field's ink pixels, in % of the card's contrast


def _crossings(profile: FloatImage, level: float) -> tuple[float, float] | None:
    """The first and last positions (sub-pixel, linearly interpolated) where ``profile`` reaches ``level``."""
    above = np.flatnonzero(profile >= level)
    if len(above) == 0:
        return None
    a, b = int(above[0]), int(above[-1])
    lo = (
        a - (float(profile[a]) - level) / max(float(profile[a] - profile[a - 1]), 1e-3) if a > 0 else float(a)
    )
    last = len(profile) - 1
    hi = (
        b + (float(profile[b]) - level) / max(float(profile[b] - profile[b + 1]), 1e-3)
        if b < last
        else float(b)
    )
    return lo, hi


def _runs(flags: NDArray[np.bool_], *, gap: int) -> list[tuple[int, int]]:
    """Runs of True (first, last index), joined across gaps of up to ``gap``."""
    on = np.flatnonzero(flags)
    runs: list[tuple[int, int]] = []
    for i in on.tolist():
        if runs and i - runs[-1][1] <= gap + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _extent(
    depth8: NDArray[np.uint8], ink: NDArray[np.uint8], *, every_line: bool
) -> tuple[float, float, float] | None:
    """The glyph body height (median over text lines), the first line's width and start, at half depth.

    Lines are rows where the ink is at least 8 % of the fullest row's, joined over 3-px gaps and at
    least 10 px tall; without ``every_line`` only the line holding the most ink is kept. The extents
    are where the line's depth profile (the deepest pixel per row or column) crosses half of the
    line's peak depth: the outer edges of its top, bottom, first and last strokes, which blur moves
    far less than it moves a mask's edge.
    """
    rows = ink.sum(axis=1).astype(np.float32)
    if float(rows.max()) <= 0:
        return None
    lines = [(a, b) for a, b in _runs(rows > 0.08 * float(rows.max()), gap=3) if b - a >= 9]
    if not lines:
        return None
    if not every_line:
        lines = [max(lines, key=lambda r: float(rows[r[0] : r[1] + 1].sum()))]
    heights: list[float] = []
    width: float | None = None
    left = 0.0
    for a, b in lines:
        cols = ink[a : b + 1].sum(axis=0).astype(np.float32)
        spans = _runs(cols > 0.1 * float(cols.max()), gap=30)
        c0, c1 = max(0, spans[0][0] - 3), min(ink.shape[1], spans[-1][1] + 4)
        sub8 = depth8[max(0, a - 3) : min(ink.shape[0], b + 4), c0:c1]
        peak = percentile_u8(sub8, 99.5)
        sub = sub8.astype(np.float32)
        # a stroke is long along its direction, a speck of toner or dirt is not: averaging along the
        # profile's direction keeps strokes' depth and sinks specks below the half-depth level
        down = _crossings(np.asarray(cv2.blur(sub, (9, 1)).max(axis=1), np.float32), 0.5 * peak)
        columns = np.asarray(cv2.blur(sub, (1, 9)).max(axis=0), np.float32)
        across = _crossings(columns, 0.5 * peak)
        if down is None or across is None:
            continue
        heights.append(down[1] - down[0])
        if width is None:
            width, left = across[1] - across[0], c0 + across[0]
    if not heights or width is None:
        return None
    return float(np.median(heights)), width, left


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


def _field_box(box: layout.Box, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A layout box with the margin the print's drift and the engine's corners need."""
    x0, y0, x1, y1 = box
    return max(0, x0 - 12), max(0, y0 - 8), min(shape[1], x1 + 12), min(shape[0], y1 + 8)


def _may_be_washed(card: Image8, side: CardSide) -> bool:
    """Whether any field box holds a pixel bright enough for ``reflect.washed_out`` to call washed.

    That mask needs its 7x7 mean (half scale) at ``reflect._BRIGHT`` or more, so where no field box
    reaches it, the mask (its flatness, colour, background level and step tests, two thirds of this
    detector's time) is empty in every box and need not be made.
    """
    small = cv2.cvtColor(canonical(card, scale=reflect._SCALE), cv2.COLOR_BGR2GRAY)
    mean = cv2.blur(small.astype(np.float32), (7, 7))
    scale = small.shape[1] / layout.CARD_WIDTH
    boxes = layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES
    for box in boxes.values():
        x0, y0, x1, y1 = scaled_box(_field_box(box, card.shape), scale)
        if float(mean[y0:y1, x0:x1].max(initial=0.0)) >= reflect._BRIGHT:
            return True
    return False


def _measure(
    card: Image8, side: CardSide, washed: NDArray[np.bool_] | None = None
) -> tuple[dict[str, _Field], bool]:
    """Each field's stroke measurements, and whether the background is too busy for shapes."""
    # glare thins or erases strokes (and so fakes a light or high-contrast face): skip those fields
    if washed is None and _may_be_washed(card, side):
        washed = reflect.washed_out(card, side)
    g8: Image8 = np.asarray(cv2.cvtColor(card, cv2.COLOR_BGR2GRAY), np.uint8)
    bg = background_mask(side)
    # card-wide levels from every other pixel: the same statistics at a quarter of the cost
    every_other = (slice(None, None, 2), slice(None, None, 2))
    bg_sample = bg[every_other]
    level = percentile_u8(g8[every_other][bg_sample], 50.0)
    dark = percentile_u8(g8[every_other], 0.5)
    # ink is what is much darker than its surroundings (a black-hat), so a shadow across the card
    # or uneven light does not turn background into ink (made on the 8-bit grey, exact and 7x
    # cheaper than on floats)
    black_hat: Image8 = np.asarray(
        cv2.morphologyEx(g8, cv2.MORPH_BLACKHAT, np.ones((15, 15), np.uint8)), np.uint8
    )
    ink_all = (black_hat > 0.45 * (level - dark)).astype(np.uint8)
    busy = percentile_u8(black_hat[every_other][bg_sample], 99) > _BUSY_BACKGROUND * max(level - dark, 1.0)
    boxes = layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES
    fields: dict[str, _Field] = {}
    for name, box in boxes.items():
        xa, ya, xb, yb = _field_box(box, g8.shape)
        ink = ink_all[ya:yb, xa:xb]
        if int(ink.sum()) < 30:
            continue
        if washed is not None:
            wx0, wy0, wx1, wy1 = scaled_box((xa, ya, xb, yb), washed.shape[1] / layout.CARD_WIDTH)
            if float(washed[wy0:wy1, wx0:wx1].mean()) > _MAX_WASHED:
                continue
        eroded = cv2.erode(ink, np.ones((3, 3), np.uint8))
        perimeter = max(int(ink.sum()) - int(eroded.sum()), 1)
        depth8 = black_hat[ya:yb, xa:xb]
        peak = percentile_u8(depth8, 99.5)
        if peak < _MIN_DEPTH:
            continue
        depth: FloatImage = depth8.astype(np.float32)
        # strokes at half their peak depth on a 2x crop: a full-width-at-half-maximum, which blur
        # widens far less than it widens a fixed-threshold mask
        up = cv2.resize(depth, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC) > 0.5 * peak
        across = _run_lengths(up)  # horizontal runs: widths of vertical strokes
        down = _run_lengths(np.ascontiguousarray(up.T))  # vertical runs: thickness of horizontals
        if len(across) < 20 or len(down) < 20:
            continue
        extent = _extent(depth8, ink, every_line=name == "Address")
        fields[name] = _Field(
            stroke=2.0 * float(ink.sum()) / perimeter,
            contrast=float(np.log(_thin_half(down) / _thin_half(across))),
            ridge=_ridge_contrast(depth, peak),
            height=extent[0] if extent else None,
            width=extent[1] if extent else None,
            left=xa + extent[2] if extent else None,
            ink_level=100.0 * percentile_u8(g8[ya:yb, xa:xb][ink > 0], 50.0) / max(level - dark, 1.0),
        )
    return fields, busy


@dataclass(frozen=True)
class EditEvidence:
    reasons: tuple[str, ...]

    @property
    def edited(self) -> bool:
        return bool(self.reasons)


def _registered(measured: dict[str, _Field], side: CardSide) -> bool:
    """Whether the layout's boxes hold the fields: the number (front) or a back field starts where
    the layout prints it, within the print's drift. If not, the engine's corners are off and every
    box holds parts of other print, so nothing measured says anything about a face."""
    anchors = ("IdNum",) if side is CardSide.FRONT else ("Authority", "ValidDate")
    return any(
        measured[name].left is not None
        and abs(float(measured[name].left or 0.0) - _LINE_START[name]) < _MAX_DRIFT
        for name in anchors
        if name in measured
    )


def _judge(measured: dict[str, _Field], busy: bool, side: CardSide, sex: str, bars: _Bars) -> list[str]:
    """The reasons (fields found off, and how far) from a card's measurements."""
    if not _registered(measured, side):
        return []
    reasons: list[str] = []
    for name, field in measured.items():
        others = [f.stroke for other, f in measured.items() if other != name]
        norms = _SEX_TYPE.get(sex.strip(), _TYPE[name]) if name == "Sex" else _TYPE[name]
        expected_weight, weight_spread, expected_contrast, contrast_spread, ridge_norm = norms
        weight = 0.0
        if others:
            weight = (
                float(np.log(field.stroke / float(np.median(others)))) - expected_weight
            ) / weight_spread
            bar = bars.back_weight if side is CardSide.BACK else bars.weight
            # a heavier face anywhere; for the number (OCR-B, heavier than the text) a lighter one too
            if weight > bar or (name == "IdNum" and weight < -bar):
                reasons.append(f"{name} stroke weight {weight:+.1f} spreads")
        if name in _PER_SIZE and field.height:
            expected, spread = _PER_SIZE[name]
            per_size = (float(np.log(field.stroke / field.height)) - expected) / spread
            if bars.both_weights < min(weight, per_size) and per_size < _PER_SIZE_LOST:
                reasons.append(
                    f"{name} stroke weight {weight:+.1f} and per glyph height {per_size:+.1f} spreads"
                )
        if name == "IdNum" and field.width is not None:
            off = float(np.log(field.width / _NUMBER_WIDTH))
            # a number retyped at another size is a few percent off; one far shorter or longer has
            # lost characters (moire, glare, a cut card) or taken in other print: not a face's doing
            if bars.number_width < abs(off) < _NUMBER_WIDTH_LOST:
                reasons.append(f"IdNum width {field.width:.0f} px, {off:+.1%} off the layout's")
        # one glyph (男 or 女) has too few strokes for its contrast to tell a face: weight only
        if busy or name == "Sex":
            continue
        contrast = (field.contrast - expected_contrast) / contrast_spread
        if contrast < -_CONTRAST_LOST:
            continue
        if contrast < -bars.contrast:
            reasons.append(f"{name} stroke contrast {contrast:+.1f} spreads")
        elif ridge_norm is not None and field.ridge is not None and contrast < -bars.both_contrasts:
            ridge = (field.ridge - ridge_norm[0]) / ridge_norm[1]
            if ridge < -bars.both_contrasts:
                reasons.append(f"{name} stroke contrast {contrast:+.1f} and ridge depth {ridge:+.1f} spreads")
    if not busy:
        reasons += _thinner_horizontals(measured, bars)
        reasons += _thin_face(measured, sex, bars)
    if side is CardSide.BACK:
        # The back's two fields are compared with each other: when one is already found lighter or
        # thinner, the other looks darker for that alone (the finding stands, the blame would not),
        # so its darker-ink rules are read only while nothing else is found.
        if not reasons and not busy:
            reasons += _ink_of_back_fields(measured, bars)
        return reasons or _bolder_face(measured, sex, bars)
    reasons += _ink_of_short_fields(measured, sex, bars, busy=busy)
    named = {reason.split(" ", 1)[0] for reason in reasons}  # each reason starts with its field
    return reasons + [r for r in _bolder_face(measured, sex, bars) if r.split(" ", 1)[0] not in named]


def _ink_offsets(measured: dict[str, _Field]) -> dict[str, float]:
    """Each field's ink level less its layout norm and less the median of the card's other fields'
    (% of contrast; positive is lighter)."""
    level = {name: f.ink_level - _INK_LEVEL[name] for name, f in measured.items()}
    return {
        name: value - float(np.median([v for other, v in level.items() if other != name]))
        for name, value in level.items()
        if len(level) > 1
    }


def _weights(measured: dict[str, _Field], sex: str) -> dict[str, float]:
    """Each field's stroke weight against the card's other fields', in spreads off its norm."""
    out: dict[str, float] = {}
    for name, field in measured.items():
        others = [f.stroke for other, f in measured.items() if other != name]
        if not others:
            continue
        norms = _SEX_TYPE.get(sex.strip(), _TYPE[name]) if name == "Sex" else _TYPE[name]
        out[name] = (float(np.log(field.stroke / float(np.median(others)))) - norms[0]) / norms[1]
    return out


def _bolder_face(measured: dict[str, _Field], sex: str, bars: _Bars) -> list[str]:
    """A field set in a bolder face: heavier strokes and darker ink together.

    Printed in one pass, every field's ink is as dark as the others'; a bolder face fills more of its
    pixels with full ink and its strokes are wider. Each measure alone spreads on genuine cards nearly
    as far as a bold face moves it (a few glyphs, a shadow across a field), both at once did not: the
    evidence is their sum in spreads, with the strokes heavier by more than a spread.
    """
    offsets = _ink_offsets(measured)
    weights = _weights(measured, sex)
    reasons: list[str] = []
    for name in measured:
        if name in _NOT_BOLDER or name not in offsets or name not in weights:
            continue
        weight, darker = weights[name], -offsets[name]
        if weight > _HEAVIER and weight + darker / _INK_SPREAD[name] > bars.bolder:
            reasons.append(
                f"{name} strokes heavier ({weight:+.1f}) and ink darker by {darker:.0f} % of contrast together"
            )
    return reasons


def _thin_face(measured: dict[str, _Field], sex: str, bars: _Bars) -> list[str]:
    """A field set in a thinner face (serif horizontals, a light weight): three measures agreeing.

    After the photo's blur a thin stroke is lighter as well as thinner, so the field's ink is lighter
    than the card's other fields' (printed in one pass, one ink); its horizontal strokes' ridges are
    lighter than its vertical ones' (or its horizontals thinner); and its strokes are no heavier than
    the others' (a bold face's ink is not lighter). Each alone spreads on genuine cards as far as an
    edit moves it (the sex's one glyph, a copy's toner, glare nearby), all three at once did not.
    Not read on a busy background, whose thin structure greys the ink and fakes ridges.
    """
    offsets = _ink_offsets(measured)
    weights = _weights(measured, sex)
    reasons: list[str] = []
    for name, field in measured.items():
        if name not in offsets or name not in weights:
            continue
        lighter = offsets[name] / _INK_SPREAD[name]
        norms = _SEX_TYPE.get(sex.strip(), _TYPE[name]) if name == "Sex" else _TYPE[name]
        contrast = (field.contrast - norms[2]) / norms[3]
        ridge = None
        if norms[4] is not None and field.ridge is not None:
            ridge = (field.ridge - norms[4][0]) / norms[4][1]
        thin = (ridge is not None and ridge < -bars.thin_ridge) or (
            contrast < -bars.thin_contrast and ridge is not None and ridge < 0
        )
        if lighter > bars.thin_ink and thin and weights[name] < 1.0:
            reasons.append(
                f"{name} thin face: ink lighter by {lighter:.1f} spreads, ridge "
                f"{ridge if ridge is not None else float('nan'):+.1f}, contrast {contrast:+.1f}"
            )
    return reasons


def _ink_of_back_fields(measured: dict[str, _Field], bars: _Bars) -> list[str]:
    """The back's two fields, printed in one pass: one far darker with heavier strokes is a bold face.

    With only two fields the comparison is between them; the darker one is named (the lighter one
    could be a thin face, which ``_thin_face`` reads from its own ridges).
    """
    if len(measured) < 2:
        return []
    offsets = _ink_offsets(measured)
    weights = _weights(measured, "")
    return [
        f"{name} ink darker than the other field's by {-offsets[name]:.0f} % of contrast, strokes heavier ({weights[name]:+.1f})"
        for name in measured
        if offsets.get(name, 0.0) < -bars.back_darker and weights.get(name, 0.0) > bars.ink_weight
    ]


def _ink_of_short_fields(measured: dict[str, _Field], sex: str, bars: _Bars, *, busy: bool) -> list[str]:
    """Name, sex and nation: a few glyphs, too few strokes for weight or contrast alone.

    Printed in one pass, every field's ink is as dark as the others' (in % of the card's contrast,
    so light and exposure cancel). A bolder face fills more of its pixels with full ink, a thinner
    one (serif horizontals, a light weight) leaves more of them grey after the photo's blur. A short
    field whose ink is far darker while its strokes are also heavier than the others', or far
    lighter while they are not heavier, was set in another face. Lighter is not read on a busy
    background (moire, a ruled frame), whose thin dark structure greys the ink mask.
    """
    reasons: list[str] = []
    level = {name: f.ink_level - _INK_LEVEL[name] for name, f in measured.items()}
    for name in _SHORT_FIELDS:
        field = measured.get(name)
        others = [v for other, v in level.items() if other != name]
        # a median of at least three: glare takes out fields and lightens the ink around it
        if field is None or len(others) < 3:
            continue
        lighter = level[name] - float(np.median(others))
        norms = _SEX_TYPE.get(sex.strip(), _TYPE[name]) if name == "Sex" else _TYPE[name]
        strokes = [f.stroke for other, f in measured.items() if other != name]
        weight = (float(np.log(field.stroke / float(np.median(strokes)))) - norms[0]) / norms[1]
        darker_bar, lighter_bar = _INK_BARS[name]
        if darker_bar is not None and lighter < -darker_bar * bars.ink_level and weight > bars.ink_weight:
            reasons.append(
                f"{name} ink darker by {-lighter:.0f} % of contrast and strokes heavier ({weight:+.1f})"
            )
        elif (
            name in ("Name", "Sex")
            and lighter < -_NAME_FAR_DARKER * bars.ink_level
            and weight > -bars.ink_weight
        ):
            reasons.append(
                f"{name} ink darker by {-lighter:.0f} % of contrast, strokes not lighter ({weight:+.1f})"
            )
        elif (
            lighter_bar is not None
            and not busy
            and lighter > lighter_bar * bars.ink_level
            and weight < bars.ink_weight / 3
        ):
            reasons.append(
                f"{name} ink lighter by {lighter:.0f} % of contrast, strokes not heavier ({weight:+.1f})"
            )
    return reasons


def _contrasts(measured: dict[str, _Field]) -> dict[str, tuple[float, float | None]]:
    """Each field's stroke contrast and (where its norms have one) ridge depth, in spreads; not the
    sex's one glyph."""
    out: dict[str, tuple[float, float | None]] = {}
    for name, field in measured.items():
        if name == "Sex":
            continue
        _, _, expected_contrast, contrast_spread, ridge_norm = _TYPE[name]
        ridge = None
        if ridge_norm is not None and field.ridge is not None:
            ridge = (field.ridge - ridge_norm[0]) / ridge_norm[1]
        out[name] = ((field.contrast - expected_contrast) / contrast_spread, ridge)
    return out


def _thinner_horizontals(measured: dict[str, _Field], bars: _Bars) -> list[str]:
    """A field whose horizontal strokes are thinner and lighter than the card's other fields'.

    The photo's own anisotropy (a tilted card is sampled more coarsely across its height, which
    thins and lightens every horizontal stroke) moves all fields of the card alike, so each field
    is compared with the median of the others, in spreads: a serif face shows in both measures.
    """
    z = _contrasts(measured)
    reasons: list[str] = []
    for name, (contrast, ridge) in z.items():
        others = [c for other, (c, _) in z.items() if other != name]
        other_ridges = [r for other, (_, r) in z.items() if other != name and r is not None]
        if not others or ridge is None or not other_ridges:
            continue
        by_contrast = float(np.median(others)) - contrast
        by_ridge = float(np.median(other_ridges)) - ridge
        score = by_contrast + 0.5 * by_ridge
        if score > bars.relative_serif and by_contrast > 0 and by_ridge > 0:
            reasons.append(
                f"{name} horizontals thinner than the card's: contrast {-by_contrast:+.1f}, ridge {-by_ridge:+.1f} spreads"
            )
    return reasons


def edit_evidence(
    card_bgr: Image8,
    side: CardSide,
    fields: IdCardFields,
    *,
    advanced: bool = False,
    washed: NDArray[np.bool_] | None = None,
) -> EditEvidence:
    """The typeface checks above on the rectified card; ``reasons`` names the fields that were off.

    The layout says where each field is; of ``fields`` (what was read) only the sex is used, to
    pick the norms of its one glyph. ``washed`` is ``reflect.washed_out``'s mask of the card if the
    caller has made it already (otherwise it is made here, where a field box is bright enough).
    """
    card = canonical(card_bgr)
    measured, busy = _measure(card, side, washed)
    reasons = _judge(measured, busy, side, fields.sex, ADVANCED_BARS if advanced else BARS)
    # the sharpness gate costs more than the checks: ask it only when there is something to excuse
    if reasons and quality_score(card) < _MIN_QUALITY:
        return EditEvidence(())
    return EditEvidence(tuple(reasons))


def is_edited(
    card_bgr: Image8,
    side: CardSide,
    fields: IdCardFields,
    *,
    advanced: bool = False,
    washed: NDArray[np.bool_] | None = None,
) -> bool:
    return edit_evidence(card_bgr, side, fields, advanced=advanced, washed=washed).edited
