"""Snap the card's corners to its edges before the detectors look at it.

The detectors compare parts of the card with each other and with the layout, so they need the card
rectified to within a few pixels: a quad that is off by a few per cent puts a strip of table inside
the "card" (read as an occluder, glare or a copy's paper) and shifts every field box. We warp the
photo with the engine's quad into the canonical frame plus a margin, where the card's edges are
nearly axis-aligned, and look for each edge as the straightest strong step (card on one side,
background on the other) within a band around where the quad put it, allowing each edge its own
slight slope. A thin printed line (a ridge) is not a step, so a frame or stamp near the edge does
not capture it. Where no step stands out (the card's colour matches the table, or the card runs out
of the frame) the engine's edge is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import Image8, corners_array
from onboarding.ocr.engine.types import Point

_SCALE = 0.5  # work at half the canonical frame
_MARGIN = 0.08  # search band: this share of the card's height on each side of the quad's edge
_WIDE_MARGIN = 0.14  # the further band, searched for a much stronger step
_FAR_STRONGER = 1.5  # how much stronger (median step) a further edge must be to be taken
_MIN_STEP = 12.0  # grey levels: median step along the edge needed to move it
# px across per px along: perspective residue, and a quad turned a little off the card (a card
# lying across clutter: seed 12's clean photo 2 needed 0.064)
_SLOPES = np.linspace(-0.08, 0.08, 17)


def _step_map(img: NDArray[np.float32]) -> NDArray[np.float32]:
    """|mean of rows y+2..y+4 - mean of rows y-4..y-2| at every pixel: a step across the rows at y.

    The same whichever side the card lies on, so one map serves both edges of an orientation.
    """
    h = img.shape[0]
    padded = np.pad(img, ((4, 4), (0, 0)), mode="edge")
    below = padded[6 : 6 + h] + padded[7 : 7 + h] + padded[8 : 8 + h]
    above = padded[0:h] + padded[1 : 1 + h] + padded[2 : 2 + h]
    return np.asarray(np.abs(below - above) / 3.0, np.float32)


def _best_line(
    steps: NDArray[np.float32], *, at: float, band: float, along: tuple[float, float]
) -> tuple[float, float, float]:
    """(offset at the edge's middle, slope, step) of the strongest step line near ``at``.

    ``steps`` is ``_step_map`` of the frame with the edge running along its rows.
    """
    h, w = steps.shape
    xs = np.linspace(along[0], along[1], 40)
    mid = (along[0] + along[1]) / 2
    offsets = np.arange(max(3.0, at - band), min(h - 4.0, at + band) + 1e-6, 1.0)
    if offsets.size == 0:
        return at, 0.0, 0.0
    xi = np.clip(np.round(xs).astype(np.int64), 0, w - 1)
    ys = offsets[None, :, None] + _SLOPES[:, None, None] * (xs - mid)[None, None, :]
    yi = np.clip(np.round(ys).astype(np.int64), 0, h - 1)
    # a real edge steps the same way along its whole length: the median resists text and clutter
    score = np.median(steps[yi, xi[None, None, :]], axis=2)
    si, oi = np.unravel_index(int(np.argmax(score)), score.shape)
    return float(offsets[oi]), float(_SLOPES[si]), float(score[si, oi])


def refine_corners(photo_bgr: Image8, corners: Sequence[Point]) -> list[Point]:
    """The card's corners moved onto its visible edges (unchanged where an edge cannot be seen)."""
    w, h = layout.CARD_WIDTH * _SCALE, layout.CARD_HEIGHT * _SCALE
    m = round(_WIDE_MARGIN * layout.CARD_HEIGHT * _SCALE) + 6
    src = corners_array(corners).astype(np.float32)
    dst = np.array([[m, m], [m + w, m], [m + w, m + h], [m, m + h]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    size = (round(w + 2 * m), round(h + 2 * m))
    wide = cv2.warpPerspective(photo_bgr, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    gray = np.asarray(
        cv2.GaussianBlur(cv2.cvtColor(wide, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.0), np.float32
    )
    band = _MARGIN * h
    span_x = (m + 0.12 * w, m + 0.88 * w)
    span_y = (m + 0.15 * h, m + 0.85 * h)

    # the step across each row (horizontal edges) and each column (vertical edges), once
    across_rows = _step_map(gray)
    across_cols = _step_map(np.ascontiguousarray(gray.T))

    def edge(steps: NDArray[np.float32], at: float, along: tuple[float, float]) -> tuple[float, float, float]:
        near = _best_line(steps, at=at, band=band, along=along)
        # the engine's quad may be off by more than the band where it fitted the text rather than
        # the card's edges (then the near band holds only a weaker step, such as the portrait's
        # backdrop): a much stronger step a little further out is the card's edge
        far = _best_line(steps, at=at, band=_WIDE_MARGIN * h, along=along)
        return far if far[2] >= _FAR_STRONGER * max(near[2], _MIN_STEP) else near

    top = edge(across_rows, m, span_x)
    bottom = edge(across_rows, m + h, span_x)
    left = edge(across_cols, m, span_y)
    right = edge(across_cols, m + w, span_y)
    mx, my = sum(span_x) / 2, sum(span_y) / 2
    lines = []
    for (offset, slope, step), default, horizontal, mid in (
        (top, m, True, mx),
        (bottom, m + h, True, mx),
        (left, m, False, my),
        (right, m + w, False, my),
    ):
        if step < _MIN_STEP:
            offset, slope = default, 0.0
        # horizontal: y = offset + slope (x - mid); vertical: x = offset + slope (y - mid)
        lines.append((offset, slope, horizontal, mid))

    def meet(a: tuple[float, float, bool, float], b: tuple[float, float, bool, float]) -> tuple[float, float]:
        (c1, s1, _, m1), (c2, s2, _, m2) = a, b  # a horizontal, b vertical
        # y = c1 + s1 (x - m1), x = c2 + s2 (y - m2)
        y = (c1 + s1 * (c2 - s2 * m2 - m1)) / (1 - s1 * s2)
        return c2 + s2 * (y - m2), y

    t, bo, le, ri = lines
    snapped = np.array([meet(t, le), meet(t, ri), meet(bo, ri), meet(bo, le)], np.float32)
    back = cv2.perspectiveTransform(snapped.reshape(-1, 1, 2), np.linalg.inv(hom)).reshape(4, 2)
    return [(float(x), float(y)) for x, y in back]


def rectify(photo_bgr: Image8, corners: Sequence[Point], *, scale: float = 1.0) -> Image8:
    """The card under ``corners`` warped to the canonical frame x ``scale``."""
    w, h = round(layout.CARD_WIDTH * scale), round(layout.CARD_HEIGHT * scale)
    src = corners_array(corners).astype(np.float32)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(photo_bgr, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.uint8)
