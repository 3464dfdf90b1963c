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

The engine's quad can also be turned a few degrees off the card (fitted to the text block or a
shadow's edge): the further band is searched at steeper slopes too, a step there far stronger than
any near the quad needs only the card's print inside it (a grained table outside is as busy as the
print), and once an edge was found at a slope the near band cannot reach, the card is snapped again
from the turned-back quad, where the other edges come within reach.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout, workers
from onboarding.ocr.engine.signals._common import Image8, corners_array, photo_pixels, small_median
from onboarding.ocr.engine.types import Point

_SCALE = 0.5  # work at half the canonical frame
_MARGIN = 0.08  # search band: this share of the card's height on each side of the quad's edge
_WIDE_MARGIN = 0.14  # the further band, searched for a much stronger step
_FAR_STRONGER = 1.5  # how much stronger (median step) a further edge must be to be taken
# a steeper step this many times stronger than the edge chosen at the usual slopes needs only the
# card's print inside it (a quad turned off the card on a grained table: seed 201's clean photo 14, 92 against 15)
_FAR_STRONGEST = 4.0
_MIN_STEP = 12.0  # grey levels: median step along the edge needed to move it
_SAME_EDGE = 3.0  # half-scale px between two lines' middles that are the same edge
# px across per px along: perspective residue, and a quad turned a little off the card (a card
# lying across clutter: seed 12's clean photo 2 needed 0.064)
_SLOPES = np.linspace(-0.08, 0.08, 17)
# the further band's steeper slopes: a quad turned further off the card (seed 201's clean photos 14
# and 22: about 7 degrees, fitted to a shadow's edge or a sheet beside the card)
_STEEP_SLOPES = np.concatenate([np.linspace(-0.16, -0.09, 8), np.linspace(0.09, 0.16, 8)])
# steps are grey levels: past this a steeper line _FAR_STRONGEST times stronger cannot exist, so
# strong near edges (most cards) skip the steeper search
_STEEPER_POSSIBLE = 255.0
# a quad that took in more than the card can be skewed off the card's edge by more than one
# fitted to it
_DEEP_SLOPES = np.linspace(-0.3, 0.3, 61)
_DEEP = 0.4  # how far inside the quad (share of the card's height) a deeper edge is looked for
_STRIP = (3, 15)  # half-scale px beside a line where the card's print is looked for
_CARD_DETAIL = 0.5  # fine detail (median) of the card's print, as a share of the quad's middle
# log ratio of the quad's side ratio to the card's beyond which it took in more than the card:
# a 30 degree tilt foreshortens one side by 13 %
_SHAPE_TOLERANCE = 0.16
# a card's edge seen: the fine detail outside it under this share of the card's (a sheet with text
# on it lying right up to the card's edge: 0.51; the card's own print past a line on it: 0.8-1)
_OUTSIDE_DETAIL = 0.6

_FRAME = 0.015  # share of the photo's size from a frame border within which an edge lies along it
_Line = tuple[float, float, float]  # (offset at the edge's middle, slope, step)


class _Side(NamedTuple):
    """Where one of the quad's edges is searched: the step map across it and the print's detail
    map (both turned so the edge runs along rows), its offset, which way is into the card, and
    the span along it that is sampled."""

    steps: NDArray[np.float32]
    dmap: NDArray[np.float32]
    at: float
    inward: float
    along: tuple[float, float]


# rows y-4..y-2 against rows y+2..y+4 (one filter pass: some 20 times faster than numpy slices here)
_STEP_KERNEL = np.array([-1, -1, -1, 0, 0, 0, 1, 1, 1], np.float32).reshape(-1, 1) / np.float32(3.0)


def _step_map(img: NDArray[np.float32]) -> NDArray[np.float32]:
    """|mean of rows y+2..y+4 - mean of rows y-4..y-2| at every pixel: a step across the rows at y
    (the edge rows repeated beyond the frame).

    The same whichever side the card lies on, so one map serves both edges of an orientation.
    """
    steps = cv2.filter2D(img, cv2.CV_32F, _STEP_KERNEL, borderType=cv2.BORDER_REPLICATE)
    return np.asarray(np.abs(steps), np.float32)


def _scores(
    steps: NDArray[np.float32],
    offsets: NDArray[np.float64],
    along: tuple[float, float],
    slopes: NDArray[np.float64],
) -> NDArray[np.float32]:
    """The median step along each line (slope by offset at the edge's middle).

    ``steps`` is ``_step_map`` of the frame with the edge running along its rows.
    """
    h, w = steps.shape
    xs = np.linspace(along[0], along[1], 40)
    mid = (along[0] + along[1]) / 2
    xi = np.clip(np.round(xs).astype(np.int64), 0, w - 1)
    ys = offsets[None, :, None] + slopes[:, None, None] * (xs - mid)[None, None, :]
    yi = np.clip(np.round(ys).astype(np.int64), 0, h - 1)
    # a real edge steps the same way along its whole length: the median resists text and clutter
    return small_median(steps[yi, xi[None, None, :]], axis=2)


def _lines(
    steps: NDArray[np.float32],
    offsets: NDArray[np.float64],
    along: tuple[float, float],
    slopes: NDArray[np.float64] = _SLOPES,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(best slope, its median step) of the step lines at each offset (middle of the edge)."""
    score = _scores(steps, offsets, along, slopes)
    best = np.argmax(score, axis=0)
    return slopes[best], score[best, np.arange(offsets.size)]


def _offsets(steps: NDArray[np.float32], at: float, band: float) -> NDArray[np.float64]:
    return np.arange(max(3.0, at - band), min(steps.shape[0] - 4.0, at + band) + 1e-6, 1.0)


def _strongest(
    score: NDArray[np.float32], offsets: NDArray[np.float64], slopes: NDArray[np.float64]
) -> tuple[float, float, float]:
    """(offset, slope, step) of the highest score (of equal ones, the first offset's first slope)."""
    i, k = np.unravel_index(int(np.argmax(score.T)), score.T.shape)
    return float(offsets[i]), float(slopes[k]), float(score[k, i])


def _best_line(
    steps: NDArray[np.float32],
    *,
    at: float,
    band: float,
    along: tuple[float, float],
    slopes: NDArray[np.float64] = _SLOPES,
) -> tuple[float, float, float]:
    """(offset at the edge's middle, slope, step) of the strongest step line near ``at``."""
    offsets = _offsets(steps, at, band)
    if offsets.size == 0:
        return at, 0.0, 0.0
    return _strongest(_scores(steps, offsets, along, slopes), offsets, slopes)


class _Frame(NamedTuple):
    """The photo warped with a quad into the half-scale canonical frame plus a margin: where each
    of the quad's edges is searched, and how much fine print the card shows."""

    hom: NDArray[np.float64]
    sides: list[_Side]  # top, bottom, left, right
    card_detail: float  # median fine detail of the quad's middle


def _frame(photo_bgr: Image8, corners: Sequence[Point]) -> _Frame:
    w, h = layout.CARD_WIDTH * _SCALE, layout.CARD_HEIGHT * _SCALE
    m = round(_WIDE_MARGIN * layout.CARD_HEIGHT * _SCALE) + 6
    src = corners_array(corners).astype(np.float32)
    dst = np.array([[m, m], [m + w, m], [m + w, m + h], [m, m + h]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    size = (round(w + 2 * m), round(h + 2 * m))
    wide = cv2.warpPerspective(photo_bgr, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    sharp = cv2.cvtColor(wide, cv2.COLOR_BGR2GRAY).astype(np.float32)
    gray = np.asarray(cv2.GaussianBlur(sharp, (0, 0), 1.0), np.float32)
    span_x = (m + 0.12 * w, m + 0.88 * w)
    span_y = (m + 0.15 * h, m + 0.85 * h)
    # the step across each row (horizontal edges) and each column (vertical edges), once
    across_rows = _step_map(gray)
    across_cols = _step_map(np.ascontiguousarray(gray.T))
    # the card's fine print (guilloche, text) against what lies around it: a sheet of paper, a
    # table and a screen's bezel are flat at this scale. The middle of the quad is the card's.
    detail = np.abs(cv2.GaussianBlur(sharp, (0, 0), 0.7) - cv2.GaussianBlur(sharp, (0, 0), 2.5))
    centre = detail[round(m + 0.25 * h) : round(m + 0.75 * h), round(m + 0.25 * w) : round(m + 0.75 * w)]
    card_detail = max(float(np.median(centre)), 0.5)
    detail_t = np.ascontiguousarray(detail.T)
    sides = [
        _Side(across_rows, detail, m, 1.0, span_x),
        _Side(across_rows, detail, m + h, -1.0, span_x),
        _Side(across_cols, detail_t, m, 1.0, span_y),
        _Side(across_cols, detail_t, m + w, -1.0, span_y),
    ]
    return _Frame(np.asarray(hom, np.float64), sides, card_detail)


def _detail_beside(
    dmap: NDArray[np.float32],
    line: _Line,
    along: tuple[float, float],
    towards: float,
    within: NDArray[np.bool_] | None = None,
) -> float:
    """The median fine detail in the strip beside ``line``, on the side ``towards``; with
    ``within``, of the strip's pixels inside the photo only, and NaN (unknown) when under half of
    them are (beyond the photo the warp repeats its border: no detail to read there)."""
    offset, slope = line[0], line[1]
    xs = np.linspace(along[0], along[1], 40)
    depths = np.arange(_STRIP[0], _STRIP[1], 1.0) * towards
    ys = offset + slope * (xs - (along[0] + along[1]) / 2)[None, :] + depths[:, None]
    yi = np.clip(np.round(ys).astype(np.int64), 0, dmap.shape[0] - 1)
    xi = np.clip(np.round(xs).astype(np.int64), 0, dmap.shape[1] - 1)
    values = dmap[yi, xi[None, :]]
    if within is not None:
        shown = within[yi, xi[None, :]]
        if 2 * int(shown.sum()) < shown.size:
            return float("nan")
        values = values[shown]
    return float(small_median(values, axis=None))


def _textured(
    dmap: NDArray[np.float32], line: _Line, along: tuple[float, float], towards: float, card_detail: float
) -> bool:
    """Whether the strip beside ``line`` (on the side ``towards``) carries the card's fine print."""
    return _detail_beside(dmap, line, along, towards) >= _CARD_DETAIL * card_detail


def _card_edge(
    dmap: NDArray[np.float32], line: _Line, along: tuple[float, float], inward: float, card_detail: float
) -> bool:
    # the card's edge has its print on the inside only; a line of text or the portrait's frame has
    # print on both sides or on the outside, a sheet's edge on neither
    return _textured(dmap, line, along, inward, card_detail) and not _textured(
        dmap, line, along, -inward, card_detail
    )


def edges_in_view(photo_bgr: Image8, corners: Sequence[Point]) -> list[bool]:
    """For each of the quad's sides (top, bottom, left, right): whether the card's own edge is seen
    there (the quad snapped already): a step with the card's print on its inside and, of what the
    photo shows outside it, clearly less fine detail than the card's print."""
    frame = _frame(photo_bgr, corners)
    rows, cols = frame.sides[0].steps.shape
    in_photo = photo_pixels(frame.hom, (cols, rows), photo_bgr.shape) > 0
    seen = []
    for side in frame.sides:
        within = in_photo if side.steps.shape == in_photo.shape else in_photo.T
        offsets = np.arange(side.at - 2.0, side.at + 3.0, 1.0)
        slopes, score = _lines(side.steps, offsets, side.along)
        i = int(np.argmax(score))
        line = (float(offsets[i]), float(slopes[i]), float(score[i]))
        inside = _detail_beside(side.dmap, line, side.along, side.inward)
        outside = _detail_beside(side.dmap, line, side.along, -side.inward, within)
        # print inside; outside (what the photo shows of it), clearly less than the card's print
        seen.append(
            line[2] >= _MIN_STEP
            and inside >= _CARD_DETAIL * frame.card_detail
            and outside < _OUTSIDE_DETAIL * frame.card_detail
        )
    return seen


def refine_corners(photo_bgr: Image8, corners: Sequence[Point], *, again: int = 2) -> list[Point]:
    """The card's corners moved onto its visible edges (unchanged where an edge cannot be seen).

    ``again``: when the quad had to shrink onto deeper edges, snap it once more from there (the
    shrunken quad is near the card, so the near band then fits its edges and their slopes).
    """
    h = layout.CARD_HEIGHT * _SCALE
    hom, sides, card_detail = _frame(photo_bgr, corners)
    band = _MARGIN * h

    def textured(dmap: NDArray[np.float32], line: _Line, along: tuple[float, float], towards: float) -> bool:
        return _textured(dmap, line, along, towards, card_detail)

    def card_edge(dmap: NDArray[np.float32], line: _Line, along: tuple[float, float], inward: float) -> bool:
        return _card_edge(dmap, line, along, inward, card_detail)

    def strongest_edge(
        steps: NDArray[np.float32],
        dmap: NDArray[np.float32],
        offsets: NDArray[np.float64],
        along: tuple[float, float],
        inward: float,
    ) -> _Line | None:
        """The strongest step line at ``offsets`` that has the card's print on its inside only."""
        offsets = offsets[(offsets >= 3.0) & (offsets <= steps.shape[0] - 4.0)]
        if offsets.size < 3:
            return None
        slopes, score = _lines(steps, offsets, along, _DEEP_SLOPES)
        found: _Line | None = None
        for i in range(1, offsets.size - 1):
            if score[i] < _MIN_STEP or score[i] < score[i - 1] or score[i] < score[i + 1]:
                continue
            line = (float(offsets[i]), float(slopes[i]), float(score[i]))
            if (found is None or line[2] > found[2]) and card_edge(dmap, line, along, inward):
                found = line
        return found

    def edge(side: _Side) -> _Line:
        """The edge chosen around ``side.at``."""
        steps, dmap, at, inward, along = side
        near = _best_line(steps, at=at, band=band, along=along)
        # the engine's quad may be off by more than the band where it fitted the text rather than
        # the card's edges (then the near band holds only a weaker step, such as the portrait's
        # backdrop): a much stronger step a little further out is the card's edge, if the card's
        # print goes on up to it (a photocopy's sheet or a screen's bezel around the card do not)
        far = _best_line(steps, at=at, band=_WIDE_MARGIN * h, along=along)
        chosen = near
        # (with no step at all near the quad, print inside the further step is enough: what lies
        # outside it may be a textured table)
        if far[2] >= _FAR_STRONGER * max(near[2], _MIN_STEP) and (
            card_edge(dmap, far, along, inward)
            if near[2] >= _MIN_STEP
            else textured(dmap, far, along, inward)
        ):
            chosen = far
        # A quad turned a few degrees off the card: its edge is steeper than the near band's
        # slopes. Taken where it is far stronger than the edge chosen at the usual slopes, with the
        # card's print inside (a grained table outside is as busy as the print), or where it is
        # the near band's line at a slope the near band cannot reach (its best is its steepest).
        strongest = max(near[2], far[2] if chosen is far else 0.0, _MIN_STEP)
        at_steepest = chosen is near and bool(np.isclose(abs(near[1]), _SLOPES[-1]))
        if _FAR_STRONGEST * strongest <= _STEEPER_POSSIBLE or at_steepest:
            steep = _best_line(steps, at=at, band=_WIDE_MARGIN * h, along=along, slopes=_STEEP_SLOPES)
            if (steep[2] >= _FAR_STRONGEST * strongest and textured(dmap, steep, along, inward)) or (
                at_steepest
                and abs(steep[0] - near[0]) <= _SAME_EDGE
                and steep[2] > near[2]
                and card_edge(dmap, steep, along, inward)
            ):
                chosen = steep
        if chosen[2] < _MIN_STEP:
            chosen = (at, 0.0, 0.0)
        return chosen

    def deeper_edge(side: _Side) -> _Line | None:
        """A deeper candidate for the edge around ``side.at``, should the quad prove too big.

        A quad that took in a sheet of paper behind the card (or the table) reaches past the
        card's edge by more than the band: deeper in, the card's edge is a step with the card's
        print inside it and none outside. The strongest such step is the candidate. (Searched only
        for a quad of the wrong shape or an edge along the frame: most of refine's time otherwise.)
        """
        steps, dmap, at, inward, along = side
        return strongest_edge(steps, dmap, at + inward * np.arange(band + 2.0, _DEEP * h, 1.0), along, inward)

    mids = tuple(sum(side.along) / 2 for side in sides)

    def quad(lines: Sequence[_Line]) -> NDArray[np.float32]:
        (t, ts, _), (bo, bs, _), (le, ls, _), (ri, rs, _) = lines

        def meet(c1: float, s1: float, m1: float, c2: float, s2: float, m2: float) -> tuple[float, float]:
            # horizontal y = c1 + s1 (x - m1), vertical x = c2 + s2 (y - m2)
            y = (c1 + s1 * (c2 - s2 * m2 - m1)) / (1 - s1 * s2)
            return c2 + s2 * (y - m2), y

        mx, my = mids[0], mids[2]
        snapped = np.array(
            [
                meet(t, ts, mx, le, ls, my),
                meet(t, ts, mx, ri, rs, my),
                meet(bo, bs, mx, ri, rs, my),
                meet(bo, bs, mx, le, ls, my),
            ],
            np.float32,
        )
        back = cv2.perspectiveTransform(snapped.reshape(-1, 1, 2), np.linalg.inv(hom)).reshape(4, 2)
        return np.asarray(back, np.float32)

    # The four edges are independent searches (numpy, which releases the GIL): one per core.
    lines = workers.side_by_side([functools.partial(edge, side) for side in sides])
    best = quad(lines)
    if again and max(abs(line[1]) for line in lines) > _SLOPES[-1] + 1e-9:
        # the quad was turned off the card: from the edges found, the other edges come into reach
        return refine_corners(photo_bgr, [(float(x), float(y)) for x, y in best], again=again - 1)
    # The card's shape is known (85.6 x 54 mm): a quad far longer or shorter than that, seen at
    # any tilt a photo is taken at, took in something beside the card. Of the deeper candidates,
    # the set that brings the shape back nearest the card's is taken, if it does bring it back.
    error = _shape_error(best)
    if error > _SHAPE_TOLERANCE:
        candidates = [deeper_edge(side) for side in sides]
        deeper = [i for i, line in enumerate(candidates) if line is not None]
        for k in range(1, 1 << len(deeper)):
            trial = list(lines)
            for bit, i in enumerate(deeper):
                if k >> bit & 1:
                    trial[i] = candidates[i] or trial[i]
            candidate = quad(trial)
            if _shape_error(candidate) < min(error, _SHAPE_TOLERANCE):
                best, error = candidate, _shape_error(candidate)
        if again and error < _SHAPE_TOLERANCE:
            return refine_corners(photo_bgr, [(float(x), float(y)) for x, y in best], again=again - 1)
        if error > _SHAPE_TOLERANCE:
            best = _past_the_frame(best, photo_bgr.shape)
    else:
        # A quad that took in a sheet of paper lying beside the card and running out of the photo
        # stops at the frame, a little long for a card but within the tolerance (seeds 5 and 201:
        # read as a cut card). An edge along the frame is tried deeper in, kept there if the card's
        # edge found there brings the shape nearer the card's. A card that is really cut shows no
        # such edge (the card's print goes on outside any line within it) or comes out too short.
        for i in _along_the_frame(best, photo_bgr.shape):
            inner = deeper_edge(sides[i])
            if inner is None:
                continue
            trial = list(lines)
            trial[i] = inner
            candidate = quad(trial)
            candidate_error = _shape_error(candidate)
            if candidate_error < error:
                best, error, lines = candidate, candidate_error, trial
    return [(float(x), float(y)) for x, y in best]


# the quad's corners at the ends of each of refine's sides (top, bottom, left, right)
_SIDE_CORNERS = ((0, 1), (3, 2), (0, 3), (1, 2))


def _along_the_frame(q: NDArray[np.float32], shape: tuple[int, ...]) -> list[int]:
    """Which of the quad's sides (top, bottom, left, right) lie along a border of the photo."""
    return [i for i, (along, _) in enumerate(_sides_by_the_frame(q, shape)) if along]


def sides_at_the_frame(corners: Sequence[Point], shape: tuple[int, ...]) -> list[int]:
    """Which of the quad's sides (top, bottom, left, right) have an end on or past the photo's border."""
    return [
        i for i, (_, touching) in enumerate(_sides_by_the_frame(corners_array(corners), shape)) if touching
    ]


def _sides_by_the_frame(q: NDArray[np.floating[Any]], shape: tuple[int, ...]) -> list[tuple[bool, bool]]:
    """For each side (top, bottom, left, right): whether it lies along a border of the photo (both
    ends on or past it), and whether either end lies on or past any border."""
    h, w = shape[:2]
    near = _FRAME * max(h, w)
    found = []
    for a, b in _SIDE_CORNERS:
        ends = q[[a, b]]
        past = np.stack(
            [ends[:, 0] < near, ends[:, 0] > w - 1 - near, ends[:, 1] < near, ends[:, 1] > h - 1 - near]
        )
        found.append((bool(past.all(axis=1).any()), bool(past.any())))
    return found


def _past_the_frame(q: NDArray[np.float32], shape: tuple[int, ...]) -> NDArray[np.float32]:
    """A quad too short for a card, stopped by the frame, extended past it to the card's shape.

    A locator that cannot see a cut-off part of the card stops its quad at the frame: the part in
    the picture, rectified as if it were the whole card, puts the portrait or a margin where the
    layout expects the guilloche. The card's known shape says how far it goes on past the frame;
    the detectors then leave out the part the photo does not show.
    """
    along = _along_the_frame(q, shape)
    out = q.astype(np.float64)

    ratio = layout.CARD_WIDTH / layout.CARD_HEIGHT
    long = float(np.linalg.norm(out[1] - out[0]) + np.linalg.norm(out[2] - out[3])) / 2
    short = float(np.linalg.norm(out[3] - out[0]) + np.linalg.norm(out[2] - out[1])) / 2
    if long < ratio * short:  # too narrow: the left or right edge was cut
        grow = ratio * short / max(long, 1e-3)
        if 2 in along:  # left edge: move it away from the right one
            out[0], out[3] = out[1] + (out[0] - out[1]) * grow, out[2] + (out[3] - out[2]) * grow
        elif 3 in along:
            out[1], out[2] = out[0] + (out[1] - out[0]) * grow, out[3] + (out[2] - out[3]) * grow
    else:  # too low: the top or bottom edge was cut
        grow = long / ratio / max(short, 1e-3)
        if 0 in along:
            out[0], out[1] = out[3] + (out[0] - out[3]) * grow, out[2] + (out[1] - out[2]) * grow
        elif 1 in along:
            out[3], out[2] = out[0] + (out[3] - out[0]) * grow, out[1] + (out[2] - out[1]) * grow
    return np.asarray(out, np.float32)


def _shape_error(q: NDArray[np.float32]) -> float:
    """How far (log ratio) the quad's long-to-short side ratio in the photo is from the card's."""
    long = float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    short = float(np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return abs(float(np.log(max(long, 1e-3) / max(short, 1e-3) / (layout.CARD_WIDTH / layout.CARD_HEIGHT))))


def rectify(photo_bgr: Image8, corners: Sequence[Point], *, scale: float = 1.0) -> Image8:
    """The card under ``corners`` warped to the canonical frame x ``scale``."""
    w, h = round(layout.CARD_WIDTH * scale), round(layout.CARD_HEIGHT * scale)
    src = corners_array(corners).astype(np.float32)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(photo_bgr, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.uint8)
