"""Small image helpers shared by the detectors: canonical frames, layout boxes, colour spaces."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide, Point

Image8 = NDArray[np.uint8]
FloatImage = NDArray[np.float32]


def canonical(card_bgr: Image8, *, scale: float = 1.0) -> Image8:
    """The rectified card resized to the canonical 856x540 frame times ``scale`` (area-averaged)."""
    size = (round(layout.CARD_WIDTH * scale), round(layout.CARD_HEIGHT * scale))
    if card_bgr.shape[1] == size[0] and card_bgr.shape[0] == size[1]:
        return card_bgr
    interpolation = cv2.INTER_AREA if card_bgr.shape[1] > size[0] else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(card_bgr, size, interpolation=interpolation), np.uint8)


def small_median(values: NDArray[np.float32], axis: int | None = -1) -> NDArray[np.float32]:
    """``np.median`` along ``axis`` by sorting: the same figures, several times faster for the
    short rows the detectors take medians of (numpy sorts small float32 rows with SIMD; its
    median's partition does not). For one long array ``np.median`` is the faster."""
    if axis is None:
        values, axis = values.ravel(), -1
    ordered = np.sort(values, axis=axis)
    n = ordered.shape[axis]
    upper = np.take(ordered, n // 2, axis=axis)
    if n % 2:
        return np.asarray(upper)
    return np.asarray((np.take(ordered, n // 2 - 1, axis=axis) + upper) / 2)


def counted_percentile(levels: NDArray[np.generic], counts: NDArray[np.integer], q: float) -> float:
    """``np.percentile`` (linear) of data given as ascending ``levels`` with their ``counts`` (zero
    counts allowed): the detectors' percentiles from histograms, without sorting every pixel."""
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1])
    k = q / 100.0 * (n - 1)
    lo = int(np.floor(k))
    # the order statistics lo and lo + 1, counted from 0
    a = float(levels[np.searchsorted(cumulative, lo, side="right")])
    b = float(levels[np.searchsorted(cumulative, min(lo + 1, n - 1), side="right")])
    t = k - lo
    # numpy's lerp, to the last bit
    return a + (b - a) * t if t < 0.5 else b - (b - a) * (1.0 - t)


_LEVELS_U8 = np.arange(256)


def percentile_u8(values: NDArray[np.generic], q: float) -> float:
    """``np.percentile(values, q)`` (linear) of 8-bit values from their histogram."""
    return counted_percentile(_LEVELS_U8, np.bincount(values.ravel(), minlength=256), q)


def median_u8(channel: NDArray[np.generic]) -> float:
    """``np.median`` of 8-bit values from their histogram: the same figure for a tenth of the time."""
    return percentile_u8(channel, 50.0)


def gray(image_bgr: Image8) -> Image8:
    return np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY), np.uint8)


def scaled_box(box: layout.Box, scale: float) -> tuple[int, int, int, int]:
    """A canonical-frame box in a frame ``scale`` times the canonical one."""
    return (round(box[0] * scale), round(box[1] * scale), round(box[2] * scale), round(box[3] * scale))


def box_mask(shape: tuple[int, int], boxes: Sequence[layout.Box], scale: float) -> NDArray[np.bool_]:
    """A boolean mask (rows, cols) that is True inside any of ``boxes`` (canonical units)."""
    mask = np.zeros(shape, np.bool_)
    for box in boxes:
        x0, y0, x1, y1 = scaled_box(box, scale)
        mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = True
    return mask


def corners_array(corners: Sequence[Point]) -> NDArray[np.float64]:
    return np.asarray(corners, np.float64).reshape(4, 2)


def card_edge_px(corners: Sequence[Point]) -> float:
    """The card's longer side in photo pixels (mean of top and bottom edges)."""
    q = corners_array(corners)
    return float((np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2)


# Where a card carries print that is not background: every field, label, the portrait or emblem,
# the titles, and a strip along the top right (the issuing print's mark sits there on specimens).
_FRONT_PRINT: tuple[layout.Box, ...] = (
    *layout.FRONT_VALUES.values(),
    *layout.FRONT_LABELS.values(),
    layout.PORTRAIT,
    (690, 0, 856, 70),
)
_BACK_PRINT: tuple[layout.Box, ...] = (
    *layout.BACK_VALUES.values(),
    *layout.BACK_LABELS.values(),
    layout.EMBLEM,
    layout.BACK_TITLE,
    layout.BACK_SUBTITLE,
    (690, 0, 856, 70),
)


def print_boxes(side: CardSide) -> tuple[layout.Box, ...]:
    return _FRONT_PRINT if side is CardSide.FRONT else _BACK_PRINT


def background_mask(
    side: CardSide, *, scale: float = 1.0, pad: int = 10, margin: int = 20
) -> NDArray[np.bool_]:
    """Where the card shows only its printed security background (guilloche), per the layout."""
    h, w = round(layout.CARD_HEIGHT * scale), round(layout.CARD_WIDTH * scale)
    grown = [(b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad) for b in print_boxes(side)]
    mask = ~box_mask((h, w), grown, scale)
    m = round(margin * scale)
    mask[:m] = False
    mask[h - m :] = False
    mask[:, :m] = False
    mask[:, w - m :] = False
    return mask


def visible_mask(
    corners: Sequence[Point] | None, photo_shape: tuple[int, ...], *, scale: float = 1.0
) -> NDArray[np.bool_]:
    """Which pixels of the rectified card (canonical frame x ``scale``) lie inside the photo.

    A card cut by the frame is rectified with its missing part filled by repeated edge pixels;
    no detector should read evidence there.
    """
    h, w = round(layout.CARD_HEIGHT * scale), round(layout.CARD_WIDTH * scale)
    if corners is None:
        return np.ones((h, w), np.bool_)
    src = corners_array(corners).astype(np.float32)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    return np.asarray(photo_pixels(hom, (w, h), photo_shape) > 0)


def photo_pixels(hom: NDArray[Any], size: tuple[int, int], shape: tuple[int, ...]) -> Image8:
    """255 where a frame of ``size`` warped from a photo of ``shape`` by ``hom`` (INTER_NEAREST)
    takes its pixel from inside the photo, 0 where from beyond it."""
    w, h = size
    frame = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32).reshape(-1, 1, 2)
    back = cv2.perspectiveTransform(frame, np.linalg.inv(hom)).reshape(4, 2)
    if (back >= 0).all() and (back[:, 0] <= shape[1] - 1).all() and (back[:, 1] <= shape[0] - 1).all():
        # the usual case, a card well inside the photo: the frame maps to a convex quad inside it,
        # so every pixel is the photo's (warping a full mask costs more than the rest of the check)
        return np.full((h, w), 255, np.uint8)
    full = np.full(shape[:2], 255, np.uint8)
    return np.asarray(cv2.warpPerspective(full, hom, size, flags=cv2.INTER_NEAREST, borderValue=0), np.uint8)


def local_level(
    values: FloatImage, mask: NDArray[np.bool_], *, cells: tuple[int, int] = (8, 5), percentile: float = 50.0
) -> FloatImage:
    """A smooth map of a percentile of ``values`` under ``mask``, per coarse cell (uneven light)."""
    h, w = values.shape
    cols, rows = cells
    overall = float(np.percentile(values[mask] if mask.any() else values, percentile))
    grid = np.full((rows, cols), overall, np.float32)
    for r in range(rows):
        for c in range(cols):
            ys = slice(r * h // rows, (r + 1) * h // rows)
            xs = slice(c * w // cols, (c + 1) * w // cols)
            cell = values[ys, xs][mask[ys, xs]]
            if cell.size >= 50:
                grid[r, c] = float(np.percentile(cell, percentile))
    return np.asarray(cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
