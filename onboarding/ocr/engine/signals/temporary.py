"""TempIdWarn: the card is a temporary resident ID card, 临时居民身份证 (-9104).

Evidence: the temporary card's layout, not its words. The temporary card is printed with a ruled
frame running parallel to all four edges a few millimetres inside them; the second-generation card
has no frame: its guilloche runs out to the rounded edge. For each edge we average the rectified
card's lightness along the edge's middle 70 % (so text and guilloche, which are not parallel to the
edge, average out while a ruled line adds up) and look, between 0.4 and 3 mm in from the edge, for a
valley: a thin line darker than the card on both sides of it. A frame is a valley on at least
three edges (one may be lost to glare or a finger). The card's own edge, a shadow or the table
are steps, not valleys, and the search starts inside the edge.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine.signals._common import Image8, canonical, gray

_DEPTH = 36  # canonical px (3.6 mm) in from each edge
_SEARCH = (4, 30)  # insets (px) where the frame line may lie, allowing for corner error
# Valley depth (grey levels) needed on the third-strongest edge: genuine specimens stay under 2,
# temporary cards score 35+ even when small and blurred.
FRAME_VALLEY = 12.0


def _valley_depths(profile: NDArray[np.float32]) -> NDArray[np.float32]:
    """Depth of a thin dark line at each inset: how far below the brightest pixel on both sides."""
    out = np.zeros(len(profile), np.float32)
    for i in range(5, len(profile) - 6):
        left = float(profile[i - 5 : i - 1].max())
        right = float(profile[i + 2 : i + 6].max())
        out[i] = min(left, right) - float(profile[i])
    return out


def frame_strength(card_bgr: Image8) -> float:
    """The third-strongest edge's frame-line valley depth, in grey levels."""
    g = gray(canonical(card_bgr)).astype(np.float32)
    h, w = g.shape
    xs, ys = slice(int(w * 0.15), int(w * 0.85)), slice(int(h * 0.15), int(h * 0.85))
    profiles = [
        g[:_DEPTH, xs].mean(axis=1),
        g[h - _DEPTH :, xs].mean(axis=1)[::-1],
        g[ys, :_DEPTH].mean(axis=0),
        g[ys, w - _DEPTH :].mean(axis=0)[::-1],
    ]
    best = sorted(
        float(_valley_depths(p.astype(np.float32))[_SEARCH[0] : _SEARCH[1]].max()) for p in profiles
    )
    return best[1]


def is_temporary(card_bgr: Image8) -> bool:
    return frame_strength(card_bgr) >= FRAME_VALLEY
