"""BorderCheckWarn: the card's border is not wholly in the frame (-9101), or something covers part
of the card inside the frame (-9105); BorderCodeValue says how likely occlusion is (0-100, 50 is
the bar at which -9105 is raised).

Border evidence is geometric: the engine's card corners (found from the card's edges and, where an
edge is missing, from its known layout around the text) are compared with the photo's bounds. A
corner more than a sliver outside the frame means part of the card was not photographed. A quad
that took in something beside the card (a receipt lying next to it and running out of the photo)
reaches the frame too; there the card's own edges decide (``card_cut``).

Occlusion evidence is what the card's print should look like and does not. Over all of the card
except the portrait or emblem (which have flat areas and skin colours by design) every printed
region carries the fine guilloche background or text, in the card's own tint. We cut the rectified
card into 24-px cells and flag cells that are (a) flat: their fine-detail energy is a fraction of
the card's typical background cell, so neither guilloche nor text shows; or (b) off-colour: their
mean chroma is far from the card's background tint (a fingertip, a coloured sticker) while they
carry no more fine detail than the guilloche (coloured ink, such as a stamp or a temporary card's
red title, is off the tint too, but its strokes are detailed). Glare is flat too, but it is washed
out (saturated and colourless) and fades out around it, so washed-out blobs with such a halo, and
the halo itself, are left to ReflectWarn; a white sticker or sheet is washed out as well, but ends
in a step, so ``reflect.washed_out`` does not hand it over and it is judged here as flat print.
A connected group of flagged cells of a few cells' size is an occluder; measures are
relative to the card itself, so light, blur and camera change both sides of the comparison alike.
Over the portrait, where flat and skin-coloured cells are normal, the evidence is the card's edge
instead: a finger holding the card, or a sheet over a corner, runs on past the edge, so the same
off-tint colour is found just inside and just outside it. And the portrait always shows a face:
its mid-face blank (colourless, without detail, as light as the card's paper, and not glare) is
paper or a sticker lying over it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals import refine
from onboarding.ocr.engine.signals._common import (
    FloatImage,
    Image8,
    background_mask,
    box_mask,
    canonical,
    card_edge_px,
    corners_array,
    median_u8,
    photo_pixels,
    scaled_box,
)
from onboarding.ocr.engine.types import CardSide, Point

# A corner may sit this share of the card's width outside the frame before the border counts as
# cut (the corner estimate's own error, and the rounded corners that may graze the edge).
OUTSIDE_TOLERANCE = 0.01
# A quad edge this share of the photo's size from a frame border lies along it (a locator that
# stopped at the frame put the edge within ~1 px of it on every cut-border positive of seeds 5, 7,
# 12 and 60; a clean card whose own edge lay 18 px inside the frame was taken for a cut one at
# 0.015); the card's margin "continues" past it when the frame's last pixels are within this Lab
# distance of the margin.
_TOUCH = 0.006
_CONTINUES = 14.0
# A quad edge along the frame whose snapped edge lies on average this share of the card's size
# inside the frame was not the card's edge (the card's own edge is in the picture).
_MOVED_AWAY = 0.1
_DEPTHS = (0.025, 0.05, 0.1)  # share of the card's size inside the edge where the margin is sampled

_SCALE = 0.5
_CELL = 12  # half-scale px = 24 canonical px, about one character
_FLAT = 0.35  # fine-detail energy below this share of the card's median background cell
_OFF_COLOUR = 10.0  # Lab chroma distance from the card's background tint
_INKED = 1.0  # fine-detail energy above the card's median background cell: printed strokes
FACELESS = 0.5  # share of the mid-face blank (colourless, flat, paper-light) that is an occluder
_BLANK_CHROMA = 8.0
_BLANK_DETAIL = 2.0
# Flagged cells in one connected group at which BorderCodeValue reaches 50 and -9105 is raised
# (clean specimen photos: at most 2; the smallest occluders: 4+).
OCCLUSION_CELLS = 4
# Edge segments (24 px each) crossed by an occluder that alone raise -9105.
CROSSING_SEGMENTS = 2
_BAND = (25, 50)  # canonical px inside / outside the edge compared (clear of corner error)
_SAME = 10.0  # chroma distance under which inside and outside are the same thing
_FOREIGN = 15.0  # chroma (a*, b*) distance from the card's tint of something that is not the card
# How far (half-scale px, ~2.4 mm) around glare the print is still lightened by its halo.
_HALO_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (25, 25))


def border_incomplete(
    corners: Sequence[Point],
    photo_shape: tuple[int, ...],
    *,
    photo_bgr: Image8 | None = None,
    snapped: Sequence[Point] | None = None,
) -> bool:
    """True when a card corner lies outside the photo, or the card runs on into the frame's edge.

    A locator that cannot see a cut-off part of the card may stop its quad at the frame; then an
    edge of the quad lies along the frame's border. That alone also happens when a whole card just
    fills the frame, so with ``photo_bgr`` we look at the photo's last pixels beyond that edge: the
    card's margin continuing there (the same colour as just inside the edge) means it was cut;
    anything else (the table, the card's rim or shadow) means its edge is in the picture.
    ``snapped`` is ``refine.refine_corners(photo_bgr, corners)`` when the caller has made it.
    """
    q = corners_array(corners)
    h, w = photo_shape[:2]
    tol = OUTSIDE_TOLERANCE * card_edge_px(corners)
    if bool(
        (q[:, 0] < -tol).any()
        or (q[:, 0] > w - 1 + tol).any()
        or (q[:, 1] < -tol).any()
        or (q[:, 1] > h - 1 + tol).any()
    ):
        return True
    if photo_bgr is None:
        return False
    running = [i for i in range(4) if _runs_into_frame(photo_bgr, q, i)]
    if not running:
        return False
    # A quad that took in the table or a sheet of paper beside the card can reach the frame too,
    # and what lies there continues to the frame as well. The card's own edges decide: snapped
    # onto them (``refine``: a step with the card's print on its inside), an edge that stays along
    # the frame is where the card was cut; one that moved well inside it is the card's edge.
    on_edges = corners_array(snapped if snapped is not None else refine.refine_corners(photo_bgr, corners))
    h, w = photo_bgr.shape[:2]
    size = card_edge_px(corners)
    for i in running:
        ends = on_edges[[i, (i + 1) % 4]]
        away = {
            "left": ends[:, 0],
            "right": w - 1 - ends[:, 0],
            "top": ends[:, 1],
            "bottom": h - 1 - ends[:, 1],
        }[_frame_border(q, i, photo_bgr.shape) or "left"]
        if float(away.mean()) < _MOVED_AWAY * size:
            return True
    return False


def card_cut(located: Sequence[Point], snapped: Sequence[Point], photo_bgr: Image8) -> bool:
    """Whether the card runs out of the photo, judged from the engine's quad and the snapped one.

    The engine's quad of a cut card reaches past the frame, or stops at it, where the snapped one
    may have moved onto a line inside the card; so either may show the cut. But where the snapped
    quad shows the card's own edge (a step with the card's print inside, little outside) on every
    side whose end the engine's quad put on or past the photo's border, the card lies wholly in
    the photo: the engine's quad took in something beside it that runs out of the photo, such as
    a sheet of paper. ``snapped`` is ``refine.refine_corners(photo_bgr, located)`` (``snap_card``'s).
    """
    if border_incomplete(snapped, photo_bgr.shape, photo_bgr=photo_bgr):
        return True
    if not border_incomplete(located, photo_bgr.shape, photo_bgr=photo_bgr, snapped=snapped):
        return False
    seen = refine.edges_in_view(photo_bgr, snapped)
    return not all(seen[i] for i in refine.sides_at_the_frame(located, photo_bgr.shape))


def _frame_border(q: NDArray[np.float64], i: int, shape: tuple[int, ...]) -> str | None:
    """The frame border (left, right, top, bottom) quad edge ``i`` lies along, if any."""
    h, w = shape[:2]
    p0, p1 = q[i], q[(i + 1) % 4]
    near = _TOUCH * max(h, w)
    borders = (
        (p0[0] < near and p1[0] < near, "left"),
        (p0[0] > w - 1 - near and p1[0] > w - 1 - near, "right"),
        (p0[1] < near and p1[1] < near, "top"),
        (p0[1] > h - 1 - near and p1[1] > h - 1 - near, "bottom"),
    )
    return next((name for along, name in borders if along), None)


def _runs_into_frame(photo_bgr: Image8, q: NDArray[np.float64], i: int) -> bool:
    """Whether quad edge ``i`` lies along a frame border with the card's margin continuing past it."""
    h, w = photo_bgr.shape[:2]
    p0, p1 = q[i], q[(i + 1) % 4]
    name = _frame_border(q, i, photo_bgr.shape)
    if name is not None:
        centre = q.mean(axis=0)
        # sample points along the middle 60 % of the edge: on the frame's last pixels, and inside
        # the edge (the card's margin, or the print where the margin was cut off)
        t = np.linspace(0.2, 0.8, 24)[:, None]
        edge_pts = p0 + (p1 - p0) * t
        inward = centre - (p0 + p1) / 2
        inward /= max(float(np.linalg.norm(inward)), 1e-6)
        size = card_edge_px([tuple(pt) for pt in q])
        frame_pts = edge_pts.copy()
        if name == "left":
            frame_pts[:, 0] = 1
        elif name == "right":
            frame_pts[:, 0] = w - 2
        elif name == "top":
            frame_pts[:, 1] = 1
        else:
            frame_pts[:, 1] = h - 2

        def colours(pts: NDArray[np.float64]) -> NDArray[np.float32]:
            xs = np.clip(np.round(pts[:, 0]).astype(np.int64), 0, w - 1)
            ys = np.clip(np.round(pts[:, 1]).astype(np.int64), 0, h - 1)
            px = photo_bgr[ys, xs].reshape(-1, 1, 3)
            return np.asarray(cv2.cvtColor(px, cv2.COLOR_BGR2Lab).reshape(-1, 3), np.float32)

        frame = colours(frame_pts)
        # a cut card's print runs on to the frame: at one of a few depths inside the edge the
        # same paper is found as on the frame's last pixels (at another a line of text may sit)
        for depth in _DEPTHS:
            difference = np.linalg.norm(frame - colours(edge_pts + inward * depth * size), axis=1)
            if float(np.median(difference)) < _CONTINUES:
                return True
    return False


@dataclass(frozen=True)
class Occlusion:
    cells: int  # flagged cells in the largest connected group
    mask: NDArray[np.bool_]  # the flagged cells (cell grid)
    crossing: int = 0  # edge segments where something off-colour runs from the card out past its edge
    faceless: float = 0.0  # share of the portrait's mid-face that is blank paper-white

    @property
    def evidence(self) -> float:
        # two crossing segments (~5 mm of edge) weigh as much as the whole cell bar, and so does a
        # face covered over
        covered_face = OCCLUSION_CELLS if self.faceless >= FACELESS else 0
        return self.cells + self.crossing * OCCLUSION_CELLS / CROSSING_SEGMENTS + covered_face

    @property
    def border_code_value(self) -> int:
        """0-100, 50 at the bar: a smooth, saturating function of the occluded area."""
        return round(100.0 * self.evidence / (self.evidence + OCCLUSION_CELLS))

    @property
    def found(self) -> bool:
        return self.evidence >= OCCLUSION_CELLS


def edge_crossings(
    photo_bgr: Image8, corners: Sequence[Point], side: CardSide, *, washed: NDArray[np.bool_] | None = None
) -> int:
    """Edge segments where what lies just inside the card (off the card's tint) continues outside it.

    A finger holding the card, or a sheet lying over a corner, crosses the card's edge: the same
    colour is found on both sides of the edge, and it is not the card's. The bands compared sit
    25-50 px (canonical) in and out, beyond the reach of an imprecise corner. A white sheet is
    not off-tint, but it is flat (no guilloche) or washed-out white (``washed``, as for glare), and
    unlike glare, which lives on the card's laminate, it goes on past the edge.
    """
    margin = _BAND[1]
    scale = _SCALE
    w, h = round(layout.CARD_WIDTH * scale), round(layout.CARD_HEIGHT * scale)
    m = round(margin * scale)
    src = corners_array(corners).astype(np.float32)
    dst = np.array([[m, m], [m + w, m], [m + w, m + h], [m, m + h]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    size = (w + 2 * m, h + 2 * m)
    wide = cv2.warpPerspective(photo_bgr, hom, size, flags=cv2.INTER_AREA, borderValue=(0, 0, 0))
    inside_photo = photo_pixels(hom, size, photo_bgr.shape)
    # 8-bit Lab: the bands are cast to float segment by segment, and the tint's medians come from
    # histograms (np.median's partition of the card's pixels was a tenth of this function's time)
    lab = cv2.cvtColor(wide, cv2.COLOR_BGR2Lab)
    card_lab = lab[m : m + h, m : m + w]
    bg = background_mask(side, scale=scale)
    tint_px = card_lab[bg] if bg.any() else card_lab.reshape(-1, 3)
    tint = np.array([median_u8(tint_px[:, c]) for c in range(3)], np.float32)
    a, b = round(_BAND[0] * scale), round(_BAND[1] * scale)
    seg = _CELL
    crossings = 0
    # (inside band, outside band) per edge, as slices of the wide frame, and the edge's length
    strips = [
        (
            lab[m + a : m + b, m : m + w],
            lab[m - b : m - a, m : m + w],
            inside_photo[m - b : m - a, m : m + w],
            True,
        ),
        (
            lab[m + h - b : m + h - a, m : m + w],
            lab[m + h + a : m + h + b, m : m + w],
            inside_photo[m + h + a : m + h + b, m : m + w],
            True,
        ),
        (
            lab[m : m + h, m + a : m + b],
            lab[m : m + h, m - b : m - a],
            inside_photo[m : m + h, m - b : m - a],
            False,
        ),
        (
            lab[m : m + h, m + w - b : m + w - a],
            lab[m : m + h, m + w + a : m + w + b],
            inside_photo[m : m + h, m + w + a : m + w + b],
            False,
        ),
    ]
    white = np.zeros((h, w), np.bool_) if washed is None else washed
    # fine detail (guilloche) of the lightness: every band of a card has it, a sheet of paper not
    light = lab[..., 0].astype(np.float32)
    detail = np.abs(cv2.GaussianBlur(light, (0, 0), 0.7) - cv2.GaussianBlur(light, (0, 0), 2.5))
    card_detail = float(np.median(detail[m : m + h, m : m + w][bg])) if bg.any() else 1.0
    detail_bands = [
        detail[m + a : m + b, m : m + w],
        detail[m + h - b : m + h - a, m : m + w],
        detail[m : m + h, m + a : m + b],
        detail[m : m + h, m + w - b : m + w - a],
    ]
    white_bands = [white[a:b, :], white[h - b : h - a, :], white[:, a:b], white[:, w - b : w - a]]
    for (inner, outer, seen, horizontal), white_band, detail_band in zip(
        strips, white_bands, detail_bands, strict=True
    ):
        # every strip as (across, along[, channel]); 24-px segments along the edge, the corners
        # left out (rounded, and shared by two edges), each segment's statistics at once
        if not horizontal:
            inner, outer, seen = inner.swapaxes(0, 1), outer.swapaxes(0, 1), seen.swapaxes(0, 1)
            white_band, detail_band = white_band.T, detail_band.T
        count = len(range(seg, inner.shape[1] - 2 * seg, seg))
        if count == 0:
            continue
        i_px, o_px = _segments(inner, seg, count), _segments(outer, seg, count)
        i_mean, o_mean = i_px.mean(axis=(1, 2)), o_px.mean(axis=(1, 2))
        seen_ok = (
            _segments(seen, seg, count).mean(axis=(1, 2)) >= 250
        )  # outside the photo: nothing to compare
        # chroma only: light and shadow change lightness across a card, not its hue
        foreign = (
            (np.linalg.norm(i_mean[:, 1:] - tint[1:], axis=1) > _FOREIGN)
            | (_segments(white_band, seg, count).mean(axis=(1, 2)) > 0.5)
            | (_segments(detail_band, seg, count).mean(axis=(1, 2)) < _FLAT * card_detail)
        )
        # the same thing on both sides: its hue carries over, its shading may not quite
        same = (np.linalg.norm(i_mean[:, 1:] - o_mean[:, 1:], axis=1) < _SAME) & (
            np.abs(i_mean[:, 0] - o_mean[:, 0]) < 2.5 * _SAME
        )
        uniform = i_px[..., 0].reshape(count, -1).std(axis=1) < 18.0  # no print showing through
        run = 0
        for hit in (seen_ok & foreign & same & uniform).tolist():
            run = run + 1 if hit else 0
            if run >= CROSSING_SEGMENTS:
                crossings += 1
    return crossings


def _segments(strip: NDArray[np.generic], seg: int, count: int) -> NDArray[np.float32]:
    """``count`` consecutive ``seg``-px pieces along axis 1 from ``seg`` on: (piece, across, seg[, ch])."""
    part = strip[:, seg : seg + count * seg].astype(np.float32)
    return part.reshape(part.shape[0], count, seg, *part.shape[2:]).swapaxes(0, 1)


def find_occlusion(
    card_bgr: Image8,
    side: CardSide,
    *,
    visible: NDArray[np.bool_] | None = None,
    washed: NDArray[np.bool_] | None = None,
    photo_bgr: Image8 | None = None,
    corners: Sequence[Point] | None = None,
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
        # each cell's mean: area resampling by a whole factor averages exactly the cell's pixels
        # (the same figures to float rounding, ~7x faster than numpy's mean over two axes)
        cut = values[: rows * _CELL, : cols * _CELL]
        return np.asarray(cv2.resize(cut, (cols, rows), interpolation=cv2.INTER_AREA), np.float32)

    seen = np.ones((h, w), np.bool_) if visible is None else visible
    glare = np.zeros((h, w), np.bool_) if washed is None else washed
    if glare.any():
        # glare fades out over a few millimetres (its halo, see reflect): the print there is
        # lightened and loses contrast, which is not something covering it
        glare = np.asarray(cv2.dilate(glare.astype(np.uint8), _HALO_KERNEL) > 0)
    as_float: Callable[[NDArray[np.bool_]], FloatImage] = lambda m: m.astype(np.float32)  # noqa: E731
    background = pool(as_float(background_mask(side, scale=_SCALE) & seen)) > 0.8
    x0, y0, x1, y1 = layout.PORTRAIT if side is CardSide.FRONT else layout.EMBLEM
    slack = _CELL  # half a cell's worth of rectification error (canonical px) around the picture
    by_design = box_mask(
        (h, w), [(x0 - slack, y0 - slack, x1 + slack, y1 + slack), (690, 0, 856, 70)], _SCALE
    )
    ignored = (pool(as_float(by_design)) > 0.2) | (pool(as_float(seen)) < 0.9) | (pool(as_float(glare)) > 0.3)
    # The outermost ring of cells is where an imprecise corner puts the table inside the card (or
    # the card's rim): occluders big enough to matter reach further in than one cell.
    ignored[0, :] = ignored[-1, :] = True
    ignored[:, 0] = ignored[:, -1] = True
    if int(background.sum()) < 10:
        return Occlusion(cells=0, mask=np.zeros((rows, cols), np.bool_))

    # contrast scales with the light falling on the card: relative detail is what print leaves
    energy = pool(detail) / np.maximum(pool(lightness), 20.0)
    a, b = pool(lab[..., 1]), pool(lab[..., 2])
    ref_energy = float(np.median(energy[background]))
    ref_a, ref_b = float(np.median(a[background])), float(np.median(b[background]))
    flat = energy < _FLAT * max(ref_energy, 1e-3)
    off_colour = np.hypot(a - ref_a, b - ref_b) > _OFF_COLOUR
    # the labels are printed in blue-grey by design: off the tint, but not an occluder
    label_boxes = list((layout.FRONT_LABELS if side is CardSide.FRONT else layout.BACK_LABELS).values())
    labels = pool(as_float(box_mask((h, w), label_boxes, _SCALE))) > 0.3
    # coloured ink (a stamp, a temporary card's red title) is off the tint too, but it is print:
    # strokes carry more fine detail than the guilloche, a finger or a sticker far less
    inked = energy > _INKED * max(ref_energy, 1e-3)
    flagged = (flat | (off_colour & ~labels & ~inked)) & ~ignored
    count, _, stats, _ = cv2.connectedComponentsWithStats(flagged.astype(np.uint8), connectivity=4)
    largest = int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0
    crossing = (
        0 if photo_bgr is None or corners is None else edge_crossings(photo_bgr, corners, side, washed=washed)
    )
    faceless = (
        _faceless(lab, lightness, detail, background_mask(side, scale=_SCALE) & seen, glare)
        if side is CardSide.FRONT
        else 0.0
    )
    return Occlusion(cells=largest, mask=flagged, crossing=crossing, faceless=faceless)


def _faceless(
    lab: FloatImage,
    lightness: FloatImage,
    detail: FloatImage,
    background: NDArray[np.bool_],
    glare: NDArray[np.bool_],
) -> float:
    """Share of the portrait's mid-face that is colourless, flat and as light as the card's paper.

    An ID photo always shows a face there (skin has colour, eyes and mouth have detail); paper or a
    white sticker over it is blank. Glare (and its halo) is blank too, but it is ReflectWarn's.
    """
    if not background.any():
        return 0.0
    x0, y0, x1, y1 = layout.PORTRAIT
    pw, ph = x1 - x0, y1 - y0
    zone = scaled_box(
        (round(x0 + 0.36 * pw), round(y0 + 0.28 * ph), round(x1 - 0.36 * pw), round(y0 + 0.52 * ph)), _SCALE
    )
    ys, xs = slice(zone[1], zone[3]), slice(zone[0], zone[2])
    paper = float(np.percentile(lightness[background], 75))
    chroma = np.hypot(lab[ys, xs, 1] - 128.0, lab[ys, xs, 2] - 128.0)
    blank = (chroma < _BLANK_CHROMA) & (lightness[ys, xs] > paper - 10.0) & (detail[ys, xs] < _BLANK_DETAIL)
    blank &= ~glare[ys, xs]
    return float(blank.mean())
