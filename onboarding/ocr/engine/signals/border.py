"""BorderCheckWarn: the card's border is not wholly in the frame (-9101), or something covers part
of the card inside the frame (-9105); BorderCodeValue says how likely occlusion is (0-100, 50 is
the bar at which -9105 is raised).

Border evidence is geometric: the engine's card corners (found from the card's edges and, where an
edge is missing, from its known layout around the text) are compared with the photo's bounds. A
corner more than a sliver outside the frame means part of the card was not photographed.

Occlusion evidence is what the card's print should look like and does not. Over all of the card
except the portrait or emblem (which have flat areas and skin colours by design) every printed
region carries the fine guilloche background or text, in the card's own tint. We cut the rectified
card into 24-px cells and flag cells that are (a) flat: their fine-detail energy is a fraction of
the card's typical background cell, so neither guilloche nor text shows; or (b) off-colour: their
mean chroma is far from the card's background tint (a fingertip, a coloured sticker). Glare is
flat too, but it is washed out (saturated and colourless), so washed-out cells are left to
ReflectWarn. A connected group of flagged cells of a few cells' size is an occluder; measures are
relative to the card itself, so light, blur and camera change both sides of the comparison alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import (
    FloatImage,
    Image8,
    background_mask,
    box_mask,
    canonical,
    card_edge_px,
    corners_array,
)
from onboarding.ocr.engine.types import CardSide, Point

# A corner may sit this share of the card's width outside the frame before the border counts as
# cut (the corner estimate's own error, and the rounded corners that may graze the edge).
OUTSIDE_TOLERANCE = 0.01

_SCALE = 0.5
_CELL = 12  # half-scale px = 24 canonical px, about one character
_FLAT = 0.35  # fine-detail energy below this share of the card's median background cell
_OFF_COLOUR = 10.0  # Lab chroma distance from the card's background tint
# Flagged cells in one connected group at which BorderCodeValue reaches 50 and -9105 is raised
# (clean specimen photos: at most 2; the smallest occluders: 4+).
OCCLUSION_CELLS = 4


def border_incomplete(corners: Sequence[Point], photo_shape: tuple[int, ...]) -> bool:
    """True when a card corner lies outside the photo by more than the tolerance."""
    q = corners_array(corners)
    h, w = photo_shape[:2]
    tol = OUTSIDE_TOLERANCE * card_edge_px(corners)
    return bool(
        (q[:, 0] < -tol).any()
        or (q[:, 0] > w - 1 + tol).any()
        or (q[:, 1] < -tol).any()
        or (q[:, 1] > h - 1 + tol).any()
    )


@dataclass(frozen=True)
class Occlusion:
    cells: int  # flagged cells in the largest connected group
    mask: NDArray[np.bool_]  # the flagged cells (cell grid)

    @property
    def border_code_value(self) -> int:
        """0-100, 50 at ``OCCLUSION_CELLS``: a smooth, saturating function of the occluded area."""
        return round(100.0 * self.cells / (self.cells + OCCLUSION_CELLS))

    @property
    def found(self) -> bool:
        return self.cells >= OCCLUSION_CELLS


def find_occlusion(
    card_bgr: Image8,
    side: CardSide,
    *,
    visible: NDArray[np.bool_] | None = None,
    washed: NDArray[np.bool_] | None = None,
) -> Occlusion:
    """Cells of the rectified card that are flat or off-colour where the card should show its print.

    ``visible`` and ``washed`` are half-scale canonical masks: the part of the card inside the photo
    and the glare (``reflect.washed_out``), both left out of the judgement.
    """
    card = canonical(card_bgr, scale=_SCALE)
    lab = cv2.cvtColor(card, cv2.COLOR_BGR2Lab).astype(np.float32)
    lightness = lab[..., 0]
    detail = np.abs(cv2.GaussianBlur(lightness, (0, 0), 0.7) - cv2.GaussianBlur(lightness, (0, 0), 2.5))
    h, w = lightness.shape
    rows, cols = h // _CELL, w // _CELL

    def pool(values: FloatImage) -> FloatImage:
        cut = values[: rows * _CELL, : cols * _CELL].reshape(rows, _CELL, cols, _CELL)
        return np.asarray(cut.mean(axis=(1, 3)), np.float32)

    seen = np.ones((h, w), np.bool_) if visible is None else visible
    glare = np.zeros((h, w), np.bool_) if washed is None else washed
    as_float: Callable[[NDArray[np.bool_]], FloatImage] = lambda m: m.astype(np.float32)  # noqa: E731
    background = pool(as_float(background_mask(side, scale=_SCALE) & seen)) > 0.8
    by_design = box_mask(
        (h, w), [layout.PORTRAIT if side is CardSide.FRONT else layout.EMBLEM, (690, 0, 856, 70)], _SCALE
    )
    ignored = (pool(as_float(by_design)) > 0.2) | (pool(as_float(seen)) < 0.9) | (pool(as_float(glare)) > 0.3)
    if int(background.sum()) < 10:
        return Occlusion(cells=0, mask=np.zeros((rows, cols), np.bool_))

    energy = pool(detail)
    a, b = pool(lab[..., 1]), pool(lab[..., 2])
    ref_energy = float(np.median(energy[background]))
    ref_a, ref_b = float(np.median(a[background])), float(np.median(b[background]))
    flat = energy < _FLAT * max(ref_energy, 1e-3)
    off_colour = np.hypot(a - ref_a, b - ref_b) > _OFF_COLOUR
    flagged = (flat | off_colour) & ~ignored
    count, _, stats, _ = cv2.connectedComponentsWithStats(flagged.astype(np.uint8), connectivity=4)
    largest = int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0
    return Occlusion(cells=largest, mask=flagged)
