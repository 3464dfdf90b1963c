"""ReflectWarn: light reflected off the card washes out part of it (-9107), and where.

Evidence: a specular reflection drives the sensor to (or near) saturation over a smooth blob: the
print under it, guilloche, text and colours alike, disappears, so the blob is at once very bright,
flat (no local texture) and colourless. Paper-white areas printed on the card are bright and flat
too, so a pixel counts only if it is also clearly brighter than the card's own background around
it (a copy's paper, or a card under uneven light, is not glare). The portrait is the one printed area that is white
and flat by design (the photo's white backdrop), so inside the portrait a blob counts in one of
two ways; one found there or outside the portrait is then taken whole:

* it washes out a good share of one of the figure's zones (mid-face, neck, chest), or
* it is brighter than the portrait's own backdrop (the white photo paper, read at its top and
  upper sides, where an ID photo never shows the holder) and is not bounded by the figure. The
  backdrop is the whitest thing an ID photo prints, so nothing printed in the portrait can be
  brighter than it: only added light is. Under uneven light a lit part of the backdrop can pass
  the washed-out bar too, but it stops where the figure starts, in a step to the figure's full
  colour, or runs to the photo's edge above or beside the head, where the light came from; glare
  spreads over the figure and fades into it, lightening what it leaves.

Glare is light added on top of the card, so it fades out: around a glare blob the card's paper stays
brighter than further away, over a millimetre or more (the print shows through, lighter). A white
sticker, a sheet of paper or the portrait's white backdrop is opaque and ends in a step: a couple
of pixels out (the camera's blur) the card's own paper level is back. Blobs whose surroundings show
no such halo are not glare; they are left to the occlusion check (BorderCheckWarn -9105), which
reads them as flat print.

With EnableReflectDetail, the blob's overlap with the layout names the positions: NationalEmblem,
Portrait, RecognitionField (any value field), or Others when it touches none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals._common import (
    Image8,
    background_mask,
    box_mask,
    canonical,
    local_level,
    scaled_box,
)
from onboarding.ocr.engine.types import CardSide, ReflectPosition

_SCALE = 0.5  # analysed at half the canonical frame: glare is large, detail is not needed
_BRIGHT = 245.0  # near saturation after JPEG and noise
_ABOVE_BACKGROUND = 6.0  # grey levels above the card's background median
_FLAT_STD = 2.5  # local standard deviation (7x7 at half scale) of washed-out print
_GREY_SATURATION = 25  # HSV saturation (0-255) below which a pixel is colourless
# A glare blob outside the portrait must cover this share of the card (clean specimens: <0.05 %,
# the smallest glare spots ~0.5 %).
MIN_GLARE_AREA = 0.0035
# Share of one of the portrait's figure zones (mid-face, neck, chest) a blob must wash out to count.
MIN_PORTRAIT_SHARE = 0.3
# A portrait blob brighter than the backdrop by this many grey levels (clean photos of benchmark
# seeds 5, 7, 8, 12, 201 and 202: lit parts of the backdrop up to +76, each bounded by the figure
# or running to the photo's upper edges)...
_ABOVE_BACKDROP = 15.0
# ...with at most this share of its surroundings (4-8 half-scale px out) the figure at full colour
# (lit backdrops of a glare's size on those photos: 0.29 and up; glare on the figure: 0.0-0.1)
_MAX_FIGURE_STEP = 0.15
_FIGURE_RING = (4.0, 8.0)
# ...and not running to the photo's edge (within _EDGE_PX) above or beside the head
_EDGE_PX = 5
_LIT_EDGE_DEPTH = 0.35
_MAX_AT_BACKDROP_EDGE = 10
_MIN_HIT_PX = 40  # half-scale pixels of glare inside a layout region for it to be named
_EDGE = 10  # half-scale px (2 mm) along the card's edges left out
# The halo: the paper level (a 5x5 grey maximum: text and guilloche lines gone) 10-14 half-scale px (2-2.8 mm)
# out from a blob, above the level 20-28 px out, as a share of the blob's own excess over that far
# level. Glare keeps a part of its excess there (specimens: 0.19 and up, the least on a bright
# card, where most of the fall-off is still above the washed-out bar); an opaque white thing ends
# in a step (stickers and sheets: 0.12 and below).
_HALO_NEAR = (10, 14)
_HALO_FAR = (20, 28)
MIN_HALO = 0.16
_MIN_JUDGED = 0.002  # blobs smaller than this share of the card are not worth the judgement


@dataclass(frozen=True)
class Glare:
    mask: NDArray[np.bool_]  # half-scale canonical frame
    positions: tuple[ReflectPosition, ...]

    @property
    def found(self) -> bool:
        return bool(self.positions)


def washed_out(
    card_bgr: Image8, side: CardSide, *, visible: NDArray[np.bool_] | None = None
) -> NDArray[np.bool_]:
    """Pixels (half-scale canonical frame) that are saturated, flat, colourless and above the background.

    Blobs of them that end in a step rather than fading out (``_without_steps``) are left out.
    """
    card = canonical(card_bgr, scale=_SCALE)
    g = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    mean = cv2.blur(g, (7, 7))
    std = np.sqrt(np.maximum(cv2.blur(g * g, (7, 7)) - mean * mean, 0.0))
    saturation = cv2.cvtColor(card, cv2.COLOR_BGR2HSV)[..., 1]
    seen = np.ones(g.shape, np.bool_) if visible is None else visible
    # a low percentile: where glare covers most of a cell, the print left around it sets the level
    level = local_level(g, background_mask(side, scale=_SCALE) & seen, cells=(4, 3), percentile=25.0)
    bright = np.maximum(_BRIGHT, level + _ABOVE_BACKGROUND)
    # an imprecise corner puts a strip of the (possibly white) table inside the card: not glare
    inner = np.zeros(g.shape, np.bool_)
    inner[_EDGE:-_EDGE, _EDGE:-_EDGE] = True
    washed = ((mean >= bright) & (std < _FLAT_STD) & (saturation < _GREY_SATURATION) & seen & inner).astype(
        np.uint8
    )
    opened = np.asarray(cv2.morphologyEx(washed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0)
    return _without_steps(opened, g, side, seen)


def _without_steps(
    washed: NDArray[np.bool_], g: NDArray[np.float32], side: CardSide, seen: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """``washed`` without the blobs that end in a step (opaque white things), only glare's halos left.

    The halo is judged where the blob borders the card's print: around the portrait (whose white
    backdrop ends in a step by design) or the emblem there is no telling, and blobs seen only
    there are kept.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(washed.astype(np.uint8))
    if count <= 1:
        return washed
    # the paper level: a 5x5 grey maximum removes dark text and guilloche lines thinner than that
    paper = cv2.dilate(g, np.ones((5, 5), np.uint8))
    picture = layout.PORTRAIT if side is CardSide.FRONT else layout.EMBLEM
    pad = _HALO_FAR[1] // 2 + 4  # canonical px
    around_picture = box_mask(
        g.shape, [(picture[0] - pad, picture[1] - pad, picture[2] + pad, picture[3] + pad)], _SCALE
    )
    out = washed.copy()
    reach = _HALO_FAR[1] + 1
    h, w = g.shape
    for i in range(1, count):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if area < _MIN_JUDGED * washed.size:
            continue
        y0, y1, x0, x1 = max(0, y - reach), min(h, y + bh + reach), max(0, x - reach), min(w, x + bw + reach)
        blob = labels[y0:y1, x0:x1] == i
        judged = blob & ~around_picture[y0:y1, x0:x1]
        if int(judged.sum()) < 20:
            continue
        dist = cv2.distanceTransform((~judged).astype(np.uint8), cv2.DIST_L2, 5)
        usable = seen[y0:y1, x0:x1] & ~washed[y0:y1, x0:x1] & ~around_picture[y0:y1, x0:x1]
        level = paper[y0:y1, x0:x1]
        near = usable & (dist > _HALO_NEAR[0]) & (dist <= _HALO_NEAR[1])
        far = usable & (dist > _HALO_FAR[0]) & (dist <= _HALO_FAR[1])
        if int(near.sum()) < 30 or int(far.sum()) < 30:
            continue
        far_level = float(np.median(level[far]))
        excess = float(g[y0:y1, x0:x1][blob].mean()) - far_level
        halo = (float(np.median(level[near])) - far_level) / max(excess, 1.0)
        if halo < MIN_HALO:
            out[y0:y1, x0:x1] &= ~blob
    return out


def find_glare(
    card_bgr: Image8,
    side: CardSide,
    *,
    visible: NDArray[np.bool_] | None = None,
    washed_mask: NDArray[np.bool_] | None = None,
) -> Glare:
    """The washed-out blobs of the rectified card and the layout positions they touch.

    ``washed_mask`` is ``washed_out(card_bgr, side, visible=visible)`` when already computed.
    """
    if washed_mask is None:
        washed_mask = washed_out(card_bgr, side, visible=visible)
    washed = washed_mask.astype(np.uint8)
    portrait = box_mask(washed.shape, [layout.PORTRAIT], _SCALE) if side is CardSide.FRONT else None
    zones = _figure_zones(_SCALE) if side is CardSide.FRONT else []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(washed)
    min_area = MIN_GLARE_AREA * washed.size
    keep = np.zeros(washed.shape, np.bool_)
    photo: _PortraitPhoto | None = None
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        blob = labels[y : y + h, x : x + w] == i
        outside = area if portrait is None else int((blob & ~portrait[y : y + h, x : x + w]).sum())
        on_figure = max((float((blob & z[y : y + h, x : x + w]).sum()) / z.sum() for z in zones), default=0.0)
        found = outside >= min_area or on_figure >= MIN_PORTRAIT_SHARE
        if not found and portrait is not None and area - outside >= min_area:
            photo = photo or _PortraitPhoto.of(card_bgr, washed_mask)
            found = photo.lit_beyond_backdrop(labels == i)
        if found:
            keep[y : y + h, x : x + w] |= blob
    return Glare(mask=keep, positions=_positions(keep, side) if keep.any() else ())


@dataclass(frozen=True)
class _PortraitPhoto:
    """The front's portrait at half scale: its grey, where it shows full colour, its backdrop level."""

    grey: NDArray[np.float32]
    figure: NDArray[np.bool_]  # the figure at full colour: far darker than the backdrop, or coloured
    backdrop_edge: NDArray[np.bool_]  # the photo's edge above and beside the head
    level: float  # the backdrop's grey level
    judged: NDArray[np.bool_]  # inside the photo's frame and not washed out: where the figure is looked for

    @classmethod
    def of(cls, card_bgr: Image8, washed: NDArray[np.bool_]) -> _PortraitPhoto:
        x0, y0, x1, y1 = scaled_box(layout.PORTRAIT, _SCALE)
        small = canonical(card_bgr, scale=_SCALE)[y0:y1, x0:x1]
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
        h, w = grey.shape
        # the top band and the upper sides: an ID photo's backdrop above and beside the head
        backdrop = np.zeros(grey.shape, np.bool_)
        backdrop[: round(0.08 * h), :] = True
        backdrop[: h // 2, : round(0.12 * w)] = True
        backdrop[: h // 2, round(0.88 * w) :] = True
        # 3 px in from the photo's frame: a slightly loose quad's strip of the card is not the photo
        inside = np.zeros(grey.shape, np.bool_)
        inside[3:-3, 3:-3] = True
        level = float(np.median(grey[backdrop & inside]))
        saturation = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[..., 1]
        figure = (grey < level - 50.0) | (saturation > 50)
        # the photo's top edge and its sides down to the ears (_LIT_EDGE_DEPTH of its height)
        edge = np.zeros(grey.shape, np.bool_)
        edge[:_EDGE_PX, :] = True
        edge[: round(_LIT_EDGE_DEPTH * h), :_EDGE_PX] = True
        edge[: round(_LIT_EDGE_DEPTH * h), -_EDGE_PX:] = True
        return cls(grey, figure, edge, level, inside & ~washed[y0:y1, x0:x1])

    def lit_beyond_backdrop(self, blob_on_card: NDArray[np.bool_]) -> bool:
        """Whether a washed blob (a card-sized half-scale mask) is brighter than the backdrop and
        not bounded by the figure (see the module's note)."""
        x0, y0, x1, y1 = scaled_box(layout.PORTRAIT, _SCALE)
        blob = blob_on_card[y0:y1, x0:x1]
        if not blob.any() or float(self.grey[blob].mean()) < self.level + _ABOVE_BACKDROP:
            return False
        if int((blob & self.backdrop_edge).sum()) > _MAX_AT_BACKDROP_EDGE:
            # a blob running to the photo's edge above or beside the head is a lit part of the
            # backdrop itself (a corner under uneven light); glare there is left to the zones
            return False
        dist = cv2.distanceTransform((~blob).astype(np.uint8), cv2.DIST_L2, 5)
        ring = (dist > _FIGURE_RING[0]) & (dist <= _FIGURE_RING[1]) & self.judged
        return bool(ring.any()) and float(self.figure[ring].mean()) <= _MAX_FIGURE_STEP


def _figure_zones(scale: float) -> list[NDArray[np.bool_]]:
    """Where an ID photo always shows the holder, never the backdrop: mid-face, neck, chest."""
    x0, y0, x1, y1 = layout.PORTRAIT
    w, h = x1 - x0, y1 - y0
    face: layout.Box = (
        round(x0 + 0.36 * w),
        round(y0 + 0.28 * h),
        round(x1 - 0.36 * w),
        round(y0 + 0.52 * h),
    )
    chest: layout.Box = (round(x0 + 0.25 * w), round(y0 + 0.84 * h), round(x1 - 0.25 * w), y1)
    neck: layout.Box = (
        round(x0 + 0.43 * w),
        round(y0 + 0.55 * h),
        round(x1 - 0.43 * w),
        round(y0 + 0.75 * h),
    )
    shape = (round(layout.CARD_HEIGHT * scale), round(layout.CARD_WIDTH * scale))
    return [box_mask(shape, [zone], scale) for zone in (face, neck, chest)]


def _positions(mask: NDArray[np.bool_], side: CardSide) -> tuple[ReflectPosition, ...]:
    def hits(boxes: list[layout.Box]) -> bool:
        for box in boxes:
            x0, y0, x1, y1 = scaled_box(box, _SCALE)
            if int(mask[y0:y1, x0:x1].sum()) >= _MIN_HIT_PX:
                return True
        return False

    found: list[ReflectPosition] = []
    if side is CardSide.BACK and hits([layout.EMBLEM]):
        found.append(ReflectPosition.NATIONAL_EMBLEM)
    if side is CardSide.FRONT and hits([layout.PORTRAIT]):
        found.append(ReflectPosition.PORTRAIT)
    values = layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES
    if hits(list(values.values())):
        found.append(ReflectPosition.RECOGNITION_FIELD)
    if not found:
        found.append(ReflectPosition.OTHERS)
    return tuple(found)
