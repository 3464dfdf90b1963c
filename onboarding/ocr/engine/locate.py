"""Find the card's quadrilateral in a photo.

The text detector's probability map says where the card's printed lines are and, from their long
axes, which way the card is turned (any angle; 0/180 is settled later from the layout). We rotate the
photo so the lines are horizontal, then look for each of the card's four edges as the straightest,
most continuous intensity step in a band just outside the text block, allowing each edge its own
slope (perspective). Where no edge stands out (the card fills the frame, or its colour matches the
table) we fall back on the layout: the card's margins around its text are known.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine.layout import CARD_ASPECT, CARD_HEIGHT, CARD_WIDTH
from onboarding.ocr.engine.orientation import RING, TEXT_THRESHOLD, Orientation, match, ring_templates

Quad = NDArray[np.float64]  # 4x2: top-left, top-right, bottom-right, bottom-left (card's own frame)


@dataclass(frozen=True)
class TextBlob:
    center: tuple[float, float]
    length: float  # long side, px
    thickness: float  # short side, px
    angle: float  # direction of the long side, degrees in [0, 180)
    corners: NDArray[np.float64]  # 4x2


@dataclass(frozen=True)
class Located:
    quad: Quad  # in the coordinates of the image given to ``locate_card``, upright card's TL first
    orientation: Orientation  # side and layout match, judged on the photo's own text map
    edge_score: float  # 0..1, how well the four edges were seen (0 = layout fallback)
    source: str  # "text" or "contour": which candidate generator found it


def text_blobs(prob: NDArray[np.float32], *, min_area: int = 12) -> list[TextBlob]:
    """Connected text regions of the probability map, each as a rotated rectangle."""
    mask = (prob > TEXT_THRESHOLD).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs: list[TextBlob] = []
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] < min_area:
            continue
        x, y, w, h = stats[i, :4]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(pts)
        rw, rh = rw + 1.0, rh + 1.0
        if rw >= rh:
            length, thick, direction = rw, rh, ang
        else:
            length, thick, direction = rh, rw, ang + 90.0
        corners = cv2.boxPoints(((cx, cy), (rw, rh), ang)).astype(np.float64)
        blobs.append(TextBlob((cx, cy), length, thick, direction % 180.0, corners))
    return blobs


def text_extent_mask(shape: tuple[int, int], blobs: list[TextBlob]) -> NDArray[np.float32]:
    """The printed extent of each text line: the detector's kernels are about 40 % of the glyph
    height, so matching layouts on them would favour placements that fall between lines."""
    mask = np.zeros(shape, np.uint8)
    for b in blobs:
        a = math.radians(b.angle)
        grow_len, grow_thick = b.length + 1.2 * b.thickness, b.thickness * 2.4
        box = cv2.boxPoints((b.center, (grow_len, grow_thick), math.degrees(a)))
        cv2.fillConvexPoly(mask, box.astype(np.int32), 1)
    return mask.astype(np.float32)


def dominant_angle(blobs: list[TextBlob]) -> float | None:
    """The direction of the text lines (degrees mod 180), from the elongated blobs, length-weighted."""
    sx = sy = 0.0
    for b in blobs:
        if b.length < 2.5 * b.thickness:
            continue
        w = b.length
        a = math.radians(2 * b.angle)
        sx += w * math.cos(a)
        sy += w * math.sin(a)
    if sx == 0.0 and sy == 0.0:
        return None
    return (math.degrees(math.atan2(sy, sx)) / 2.0) % 180.0


def _best_edge(
    grad: NDArray[np.float32],
    *,
    along: tuple[float, float],
    band: tuple[float, float],
    inner: float,
    nearest: bool = True,
) -> tuple[float, float, float]:
    """Best line ``across = c + s * (along - mid)`` in ``grad`` (rows = across, cols = along).

    Returns (c, s, score); score is the mean clipped gradient along the line (0..1). Among nearly
    equal candidates the one nearest the text (``inner``) wins: card edges come before clutter.
    """
    h, w = grad.shape
    a0, a1 = along
    xs = np.linspace(a0, a1, 48)
    mid = (a0 + a1) / 2
    lo, hi = sorted(band)
    lo, hi = max(lo, 0.0), min(hi, h - 1.0)
    if hi - lo < 2:
        return inner, 0.0, 0.0
    cs = np.arange(lo, hi + 1e-6, 1.0)
    slopes = np.linspace(-0.3, 0.3, 31)
    xi = np.clip(np.round(xs).astype(np.int64), 0, w - 1)
    ys = cs[None, :, None] + slopes[:, None, None] * (xs - mid)[None, None, :]
    yi = np.clip(np.round(ys).astype(np.int64), 0, h - 1)
    samples = grad[yi, xi[None, None, :]]
    scores = samples.mean(axis=2)  # (slopes, cs)
    best = float(scores.max())
    if best <= 0:
        return inner, 0.0, 0.0
    # Nearest-to-text candidate within 95 % of the best (or simply the best). The clipped gradient
    # saturates on most real steps, so a looser margin let the portrait's or a rule's edge inside
    # the card (a slightly shorter run) win over the card's own edge further out.
    good = scores >= (0.95 if nearest else 1.0) * best
    dist = np.abs(cs - inner)
    dist_grid = np.broadcast_to(dist[None, :], scores.shape)
    masked = np.where(good, dist_grid, np.inf)
    si, ci = np.unravel_index(int(np.argmin(masked)), scores.shape)
    return float(cs[ci]), float(slopes[si]), float(scores[si, ci])


def _intersect(l1: tuple[float, float, float], l2: tuple[float, float, float]) -> tuple[float, float]:
    a1, b1, c1 = l1
    a2, b2, c2 = l2
    det = a1 * b2 - a2 * b1
    if abs(det) < 1e-9:
        raise ZeroDivisionError
    return ((b1 * c2 - b2 * c1) / det, (a2 * c1 - a1 * c2) / det)


def _groups(blobs: list[TextBlob], diag: float) -> list[list[TextBlob]]:
    """Blobs grouped by proximity and direction: one group per text block (a card, a letter...)."""
    n = len(blobs)
    if n == 0:
        return []
    thick = float(np.median([b.thickness for b in blobs]))
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    centers = np.array([b.center for b in blobs])
    reach = np.array([b.length / 2 for b in blobs])
    for i in range(n):
        bi = blobs[i]
        for j in range(i + 1, n):
            bj = blobs[j]
            gap = float(np.hypot(*(centers[i] - centers[j]))) - reach[i] - reach[j]
            link = max(6.0 * max(bi.thickness, bj.thickness, thick), 0.02 * diag)
            if gap > link:
                continue
            if bi.length >= 2.5 * bi.thickness and bj.length >= 2.5 * bj.thickness:
                d = abs(bi.angle - bj.angle)
                if min(d, 180 - d) > 15:
                    continue
            parent[find(i)] = find(j)
    groups: dict[int, list[TextBlob]] = {}
    for i, b in enumerate(blobs):
        groups.setdefault(find(i), []).append(b)
    return sorted(groups.values(), key=lambda g: -sum(b.length * b.thickness for b in g))


def _rotation(w: int, h: int, angle: float) -> tuple[NDArray[np.float64], int]:
    size = math.ceil(math.hypot(w, h)) + 2
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rot[0, 2] += (size - w) / 2
    rot[1, 2] += (size - h) / 2
    return np.asarray(rot, dtype=np.float64), size


def _edge_strength(
    gray: NDArray[np.uint8], rot: NDArray[np.float64], size: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Horizontal and vertical intensity steps (0..1) of ``gray`` turned by ``rot`` onto a square of
    ``size`` (the turned photo ends in black: its border is a step too, see ``_on_frame``)."""
    rgray = cv2.warpAffine(gray, rot, (size, size), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32)
    # Clip so one very strong partial edge cannot beat a moderate continuous one.
    cap = np.float32(60.0)
    gx = np.minimum(np.abs(cv2.Sobel(rgray, cv2.CV_32F, 1, 0, ksize=3)), cap) / cap
    gy = np.minimum(np.abs(cv2.Sobel(rgray, cv2.CV_32F, 0, 1, ksize=3)), cap) / cap
    return gx.astype(np.float32), gy.astype(np.float32)


_Edge = tuple[float, float, float]  # (offset, slope, score) as ``_best_edge`` returns it


def _on_frame(
    edge: _Edge, along: tuple[float, float], rot: NDArray[np.float64], shape: tuple[int, int], *, rows: bool
) -> bool:
    """Whether most of ``edge`` (in the photo turned by ``rot``: a line across rows if ``rows``, else
    across columns) runs along the border of the photo (``shape``) rather than inside it."""
    c, slope, _ = edge
    a = np.linspace(along[0], along[1], 24)
    across = c + slope * (a - (along[0] + along[1]) / 2)
    points = np.stack([a, across] if rows else [across, a], axis=1)
    inv = cv2.invertAffineTransform(rot)
    x, y = (points @ inv[:, :2].T + inv[:, 2]).T
    h, w = shape
    margin = 4.0  # the Sobel step of the frame's border, blurred by the turn
    near = (x < margin) | (y < margin) | (x > w - 1 - margin) | (y > h - 1 - margin)
    return bool(near.mean() > 0.5)


def _beyond_frame(
    edges: list[_Edge], framed: list[bool], lines: list[tuple[float, float, float]] | None = None
) -> list[_Edge]:
    """The edges, with one found on the photo's border (the card cut by the frame) put where the
    card's proportions put it when that is further out: one card height (or width) from its
    opposite edge, parallel to it or, for the top or bottom, turned as the text lines show the
    perspective turning (``_far_slope``). Edges are (top, bottom, left, right) in the frame where
    the text lines run along the card's long side; ``lines`` are the text lines there as
    (offset at the edges' middle, slope, weight).

    A cut card squeezed between its visible edges and the frame does not read (its layout no longer
    fits); restored to its size it reads what is in the frame, and its quad reaching past the frame
    is BorderCheckWarn's evidence.
    """
    if sum(framed) != 1:
        return edges  # a corner out of the frame too: no two parallel edges to measure the card by
    i = framed.index(True)
    opposite = edges[i ^ 1]
    across = edges[2:] if i < 2 else edges[:2]
    span = abs(across[1][0] - across[0][0])
    distance = span / CARD_ASPECT if i < 2 else span * CARD_ASPECT
    sign = -1.0 if i % 2 == 0 else 1.0  # top / left lie before their opposite edge
    offset = opposite[0] + sign * distance
    slope = opposite[1]
    if i < 2 and lines:
        slope = _far_slope(opposite, offset, lines)
    out = list(edges)
    if sign * (offset - edges[i][0]) > 0:
        out[i] = (offset, slope, edges[i][2])
    return out


# Most the far edge's slope may differ from its opposite's (a 30 degree tilt across the card's
# width turns it by ~0.15 at the benchmark's keystone).
_MAX_SLOPE_TURN = 0.25


def _far_slope(opposite: _Edge, offset: float, lines: list[tuple[float, float, float]]) -> float:
    """The slope of a card edge at ``offset`` that the frame hides, from its opposite edge and the
    card's text lines: lines that are parallel on the card meet at one point in the photo, so
    their slope changes linearly with where they cross the card's middle. A fit of slope against
    offset (the seen edge weighing as much as all the text) is extrapolated to ``offset``."""
    total = sum(w for _, _, w in lines)
    if total <= 0:
        return opposite[1]
    data = np.array([(c, s, w) for c, s, w in lines] + [(opposite[0], opposite[1], total)])
    c, s, w = data[:, 0], data[:, 1], data[:, 2]
    cm = float((w * c).sum() / w.sum())
    sm = float((w * s).sum() / w.sum())
    var = float((w * (c - cm) ** 2).sum())
    if var <= 0:
        return opposite[1]
    trend = float((w * (c - cm) * (s - sm)).sum()) / var
    turn = sm + trend * (offset - cm) - opposite[1]
    return opposite[1] + float(np.clip(turn, -_MAX_SLOPE_TURN, _MAX_SLOPE_TURN))


def _text_lines(
    group: list[TextBlob], rot: NDArray[np.float64], mx: float
) -> list[tuple[float, float, float]]:
    """The group's long text lines in the frame turned by ``rot``: (row where each crosses column
    ``mx``, slope, length)."""
    out = []
    for b in group:
        if b.length < 4 * b.thickness:
            continue  # a short piece's direction is not measured well
        a = math.radians(b.angle)
        dx, dy = rot[:, :2] @ np.array([math.cos(a), math.sin(a)])
        if abs(dx) < 1e-6:
            continue
        cx, cy = rot[:, :2] @ np.array(b.center) + rot[:, 2]
        slope = float(dy / dx)
        out.append((float(cy + slope * (mx - cx)), slope, b.length))
    return out


def _edge_quad(gray: NDArray[np.uint8], group: list[TextBlob], angle: float) -> list[tuple[Quad, float]]:
    """The card around a text group, with its edge score: edges searched just outside the text
    block, layout fallback; a card cut by the frame comes twice (see below)."""
    h, w = gray.shape
    rot, size = _rotation(w, h, angle)
    pts = np.concatenate([b.corners for b in group]) @ rot[:, :2].T + rot[:, 2]
    tx0, ty0 = pts.min(axis=0)
    tx1, ty1 = pts.max(axis=0)
    tw, th = tx1 - tx0, ty1 - ty0
    if tw < 8 or th < 8:
        return []
    gxn, gyn = _edge_strength(gray, rot, size)
    # Margins between the text block and the card edge are 5-30 % of the block (front/back layouts).
    span_x = (tx0 + 0.05 * tw, tx1 - 0.05 * tw)
    span_y = (ty0 + 0.05 * th, ty1 - 0.05 * th)
    top = _best_edge(gyn, along=span_x, band=(ty0 - 0.45 * th, ty0 - 0.01 * th), inner=ty0)
    bottom = _best_edge(gyn, along=span_x, band=(ty1 + 0.01 * th, ty1 + 0.45 * th), inner=ty1)
    gxt = np.ascontiguousarray(gxn.T)
    left = _best_edge(gxt, along=span_y, band=(tx0 - 0.45 * tw, tx0 - 0.01 * tw), inner=tx0)
    right = _best_edge(gxt, along=span_y, band=(tx1 + 0.01 * tw, tx1 + 0.45 * tw), inner=tx1)
    framed = [
        _on_frame(top, span_x, rot, (h, w), rows=True),
        _on_frame(bottom, span_x, rot, (h, w), rows=True),
        _on_frame(left, span_y, rot, (h, w), rows=False),
        _on_frame(right, span_y, rot, (h, w), rows=False),
    ]
    edges = [top, bottom, left, right]
    mx, my = sum(span_x) / 2, sum(span_y) / 2
    lines = _text_lines(group, rot, mx)
    extended = _beyond_frame(edges, framed, lines)
    variants = [edges] if extended == edges else [edges, extended]
    block = (tx0, ty0, tx1, ty1)
    for widened in _past_inner_edges((gxt, gyn), edges, framed, block, (mx, my), rot, (h, w)):
        variants.append(_beyond_frame(widened, framed, lines))
    inv = cv2.invertAffineTransform(rot)
    found: list[tuple[Quad, float]] = []
    # The card as its edges show it and, when one edge is the frame's, as its proportions extend it
    # past the frame: a strongly foreshortened card may read only squeezed (its far edge's slope is
    # not its opposite's), a small-margined one only extended. Reading decides.
    for sides in variants:
        quad = _quad_of(sides, mx, my)
        score = min(e[2] for e in sides)
        if quad is None:
            continue
        if not _plausible(quad):
            # Layout fallback: the text block covers about 87 % x 80 % of the card, centred.
            cw, ch = tw / 0.87, th / 0.80
            cw = max(cw, ch * CARD_ASPECT * 0.95)
            cx, cy = (tx0 + tx1) / 2, (ty0 + ty1) / 2
            quad = np.array(
                [
                    [cx - cw / 2, cy - ch / 2],
                    [cx + cw / 2, cy - ch / 2],
                    [cx + cw / 2, cy + ch / 2],
                    [cx - cw / 2, cy + ch / 2],
                ]
            )
            score = 0.0
        found.append((np.asarray(quad @ inv[:, :2].T + inv[:, 2], dtype=np.float64), score))
    return found


# A front's text without its number line spans at least this share of the card's width (name to
# address, ~43 % on the layout): a card edge is looked for no further out than that puts it.
_MIN_TEXT_SHARE = 0.38
# Edges across a cut this share of the card's proportional span apart, or more, fit a card that
# reaches the frame (the slack is the edges' and the perspective's error).
_SPAN_SLACK = 0.97


def _past_inner_edges(
    grads: tuple[NDArray[np.float32], NDArray[np.float32]],
    edges: list[_Edge],
    framed: list[bool],
    block: tuple[float, float, float, float],
    middle: tuple[float, float],
    rot: NDArray[np.float64],
    shape: tuple[int, int],
) -> list[list[_Edge]]:
    """A cut card's edges with one of the two across its cut moved out to the card's own edge,
    where the two found lie too close together for the card's proportions to reach the frame.

    A front cut at its number line shows only the text left of the portrait: the edge beyond that
    text found first is the portrait's, and the card squeezed to it neither reads nor reaches past
    the frame (seed 101's cut fronts). Its proportions say how far apart the two edges must be at
    least (the part in the frame is no longer than the card); each edge in turn is looked for from
    there out, and each found gives a variant (reading decides). ``grads`` are the turned photo's
    steps across columns (transposed) and across rows; ``block`` the text's (x0, y0, x1, y1);
    ``middle`` the (x, y) at which the edges' offsets are given (``_quad_of``'s ``mx``, ``my``)."""
    if sum(framed) != 1:
        return []
    i = framed.index(True)
    seen = abs(edges[i][0] - edges[i ^ 1][0])  # the card's extent in the frame, across the cut
    pair = (2, 3) if i < 2 else (0, 1)
    least = seen * CARD_ASPECT if i < 2 else seen / CARD_ASPECT
    if abs(edges[pair[1]][0] - edges[pair[0]][0]) >= _SPAN_SLACK * least:
        return []  # the edges found fit a card that reaches the frame
    grad = grads[0] if i < 2 else grads[1]
    # Measured along the whole part in the frame, not just beside the text: the card's edge runs all
    # of it, the portrait's box (its far side too) stops short of the card's top.
    near, far = sorted((edges[i ^ 1][0], edges[i][0]))
    along = (near + 0.03 * seen, far - 0.03 * seen)
    lo, hi = (block[0], block[2]) if i < 2 else (block[1], block[3])
    most = (hi - lo) / _MIN_TEXT_SHARE
    out: list[list[_Edge]] = []
    for moved, kept, outward in ((pair[1], pair[0], 1.0), (pair[0], pair[1], -1.0)):
        start = edges[kept][0] + outward * _SPAN_SLACK * least
        end = (lo if outward > 0 else hi) + outward * most
        edge = _best_edge(grad, along=along, band=(start, end), inner=start)
        rows = i >= 2
        if edge[2] < 0.25 or _on_frame(edge, along, rot, shape, rows=rows):
            continue  # no edge out there, or only the photo's border (a corner out of the frame)
        # (_best_edge gives the offset at the middle of ``along``: moved to the other edges' reference)
        c, slope, score = edge
        reference = middle[1] if i < 2 else middle[0]
        widened = list(edges)
        widened[moved] = (c + slope * (reference - sum(along) / 2), slope, score)
        out.append(widened)
    return out


def _quad_of(edges: list[_Edge], mx: float, my: float) -> Quad | None:
    """The corners where (top, bottom, left, right) meet; each edge's offset is at ``mx`` (top,
    bottom) or ``my`` (left, right)."""
    top, bottom, left, right = edges
    lt = (top[1], -1.0, top[0] - top[1] * mx)
    lb = (bottom[1], -1.0, bottom[0] - bottom[1] * mx)
    ll = (-1.0, left[1], left[0] - left[1] * my)
    lr = (-1.0, right[1], right[0] - right[1] * my)
    try:
        return np.array([_intersect(lt, ll), _intersect(lt, lr), _intersect(lb, lr), _intersect(lb, ll)])
    except ZeroDivisionError:
        return None


def _contour_quads(gray: NDArray[np.uint8], limit: int = 6) -> list[Quad]:
    """Card-shaped quadrilaterals among the photo's edge contours (largest first)."""
    h, w = gray.shape
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 30, 90)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    min_area = 0.04 * w * h
    quads: list[tuple[float, Quad]] = []
    for c in contours:
        area = cv2.contourArea(c)
        if area < min_area:
            continue
        hull = cv2.convexHull(c)
        peri = cv2.arcLength(hull, True)
        approx = cv2.approxPolyDP(hull, 0.03 * peri, True)
        if len(approx) == 4:
            q = approx.reshape(4, 2).astype(np.float64)
        else:
            rect = cv2.minAreaRect(hull)
            if cv2.contourArea(hull) < 0.9 * rect[1][0] * rect[1][1]:
                continue
            q = cv2.boxPoints(rect).astype(np.float64)
        q = _fit_sides(_order(q), _on_hull(np.asarray(c, dtype=np.int32)))
        if _plausible(_order(q)):
            quads.append((float(cv2.contourArea(q.astype(np.float32))), q))
    quads.sort(key=lambda t: -t[0])
    out: list[Quad] = []
    for _, q in quads:
        if all(
            np.abs(q.mean(axis=0) - o.mean(axis=0)).max() > 4 or abs(_area(q) / _area(o) - 1) > 0.05
            for o in out
        ):
            out.append(q)
        if len(out) >= limit:
            break
    return out


def _on_hull(contour: NDArray[np.int32]) -> NDArray[np.float64]:
    """The contour points on its convex hull's boundary: the card's outline, not the portrait's or a
    text line's edges inside it, which the edge map's contour often takes in."""
    points = contour.reshape(-1, 2).astype(np.float64)
    vertices = np.sort(cv2.convexHull(contour, returnPoints=False).ravel())
    if len(vertices) < 3:
        return points[:0]
    # Each point against the hull side between the hull vertices around it (contour order).
    seg = (np.searchsorted(vertices, np.arange(len(points)), side="right") - 1) % len(vertices)
    a = points[vertices[seg]]
    ab = points[vertices[(seg + 1) % len(vertices)]] - a
    rel = points - a
    dist = np.abs(ab[:, 0] * rel[:, 1] - ab[:, 1] * rel[:, 0]) / np.maximum(
        np.hypot(ab[:, 0], ab[:, 1]), 1e-9
    )
    return np.asarray(points[dist < 1.5], dtype=np.float64)


def _fit_sides(quad: Quad, points: NDArray[np.float64]) -> Quad:
    """Each side of ``quad`` refitted to the contour points along it, corners where the lines meet.

    The polygon's vertices are contour points on the card's rounded corners (or a bounding
    rectangle's corners when the polygon did not simplify to four), so they sit inside the true
    corners, by a lot under perspective; the straight runs of the contour between them do not.
    """
    lines = []
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        length = float(np.linalg.norm(b - a))
        if length < 8:
            return quad
        d = (b - a) / length
        n = np.array([-d[1], d[0]])
        rel = points - a
        t, off = rel @ d, rel @ n
        # Away from the corners (rounded on a card), near the side; the second fit keeps the
        # straight run within 2.5 px of the first.
        sel = (t > 0.15 * length) & (t < 0.85 * length) & (np.abs(off) < max(4.0, 0.06 * length))
        if sel.sum() < 0.3 * length:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(points[sel].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        sel &= np.abs((points - np.array([x0, y0])) @ np.array([-vy, vx], dtype=np.float64)) < 2.5
        if sel.sum() < 0.3 * length:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(points[sel].astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        # a x + b y + c = 0 with (a, b) the normal
        lines.append((float(-vy), float(vx), float(vy * x0 - vx * y0)))
    try:
        fitted = np.array([_intersect(lines[k - 1], lines[k]) for k in range(4)])
    except ZeroDivisionError:
        return quad
    shortest = min(float(np.linalg.norm(quad[(k + 1) % 4] - quad[k])) for k in range(4))
    if not _plausible(_order(fitted)) or float(np.linalg.norm(fitted - quad, axis=1).max()) > 0.2 * shortest:
        return quad
    return fitted


def _area(q: Quad) -> float:
    return float(abs(cv2.contourArea(q.astype(np.float32))))


def _order(q: Quad) -> Quad:
    """Clockwise (in image coordinates) starting so that the first edge is a long one."""
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]
    if np.linalg.norm(q[1] - q[0]) < np.linalg.norm(q[2] - q[1]):
        q = np.roll(q, -1, axis=0)
    return q


_SCORE_W, _SCORE_H = CARD_WIDTH // 4, CARD_HEIGHT // 4


def _judge(mask: NDArray[np.float32], quad: Quad) -> tuple[Quad, Orientation]:
    """How well the text under and around ``quad`` matches a card layout; the quad turned upright."""
    tf, tb, my, mx = ring_templates(_SCORE_H, _SCORE_W)
    dst = np.array(
        [[mx, my], [mx + _SCORE_W, my], [mx + _SCORE_W, my + _SCORE_H], [mx, my + _SCORE_H]], dtype=np.float32
    )
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    size = (_SCORE_W + 2 * mx, _SCORE_H + 2 * my)
    warped = cv2.warpPerspective(mask, m, size, flags=cv2.INTER_LINEAR)
    o = match(np.asarray(warped, dtype=np.float32), tf, tb)
    if o.flipped:
        quad = np.roll(quad, -2, axis=0)
    return quad, o


# Card widths tried by the layout search, as fractions of the photo's diagonal, and the aspects a
# card shows under tilt (foreshortening of up to ~30°).
_SEARCH_WIDTHS = tuple(float(0.16 * 1.1**i) for i in range(19))
_SEARCH_ASPECTS = (1.40, CARD_ASPECT, 1.80)
_SEARCH_SCALE = 0.35
# The search first runs at this scale, then refines its best few (width, template) at _SEARCH_SCALE.
_SEARCH_COARSE_SCALE = 0.2
_SEARCH_REFINED = 3
_SEARCH_COARSE_MIN_WIDTH = 32  # px on the coarse canvas
# A text or contour candidate matching the layout this well is taken without the (costlier) search.
CONFIDENT_LAYOUT = 0.6
COVERAGE_WEIGHT = 0.4


def _layout_search(mask: NDArray[np.float32], angle: float, gray: NDArray[np.uint8]) -> Located | None:
    """Slide each side's layout template over the text mask turned by ``angle``: the best placement
    frames the card even when its text touches other text (a letter, a receipt) on the table.

    Coarse to fine: every width, aspect and template on a small canvas, then the best placement's
    neighbouring widths (every aspect, its template) of the few best at the search scale."""
    h, w = mask.shape
    rot, size = _rotation(w, h, angle)
    # Small placements lose their layout on the small canvas: they are searched at full scale.
    diag = math.hypot(w, h) * _SEARCH_COARSE_SCALE
    split = sum(frac * diag < _SEARCH_COARSE_MIN_WIDTH for frac in _SEARCH_WIDTHS)
    found = _place_layout(mask, rot, size, _SEARCH_SCALE, range(split), range(4))[:1]
    coarse = _place_layout(mask, rot, size, _SEARCH_COARSE_SCALE, range(split, len(_SEARCH_WIDTHS)), range(4))
    for _, width, template, _ in coarse[:_SEARCH_REFINED]:
        near = range(max(0, width - 1), min(len(_SEARCH_WIDTHS), width + 2))
        found += _place_layout(mask, rot, size, _SEARCH_SCALE, near, (template,))[:1]
    if not found:
        return None
    rect = max(found, key=lambda p: p[0])[3]
    refined, edge = _refine_edges(gray, rot, size, rect, band=0.2)
    inv = cv2.invertAffineTransform(rot)
    quad = np.asarray(refined @ inv[:, :2].T + inv[:, 2], dtype=np.float64)
    q, o = _judge(mask, _order(quad))
    return Located(q, o, edge, "layout")


def _place_layout(
    mask: NDArray[np.float32],
    rot: NDArray[np.float64],
    size: int,
    f: float,
    widths: Iterable[int],
    templates: Iterable[int],
) -> list[tuple[float, int, int, Quad]]:
    """The best placement of each layout template (front, back, each either way up) and width on the
    mask turned by ``rot`` and scaled by ``f``, over the given indices of _SEARCH_WIDTHS, best first:
    (score, width index, template index, the card's rectangle in the turned map's pixels)."""
    rot_small = rot * f
    canvas_size = max(8, round(size * f))
    canvas = cv2.warpAffine(mask, rot_small, (canvas_size, canvas_size), flags=cv2.INTER_AREA)
    # Room for the text-free ring of a card that fills the frame.
    pad = round(RING * canvas_size * 0.8)
    canvas = cv2.copyMakeBorder(canvas, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    diag = math.hypot(*mask.shape) * f
    integral = cv2.integral(canvas, sdepth=cv2.CV_64F)
    total = max(float(canvas.sum()), 1.0)
    wanted = tuple(templates)
    best: dict[tuple[int, int], tuple[float, int, int, int, int]] = {}
    for wi in widths:
        cw = round(_SEARCH_WIDTHS[wi] * diag)
        if cw >= canvas_size - 2:
            break
        for aspect in _SEARCH_ASPECTS:
            ch = round(cw / aspect)
            if ch < 6:
                continue
            tf, tb, my, mx = ring_templates(ch, cw)
            # A card explains most of the text around it: a placement covering only part of it (the
            # back's two titles alone look like a small back) loses to the whole card.
            rh, rw = canvas.shape[0] - tf.shape[0] + 1, canvas.shape[1] - tf.shape[1] + 1
            inside = (
                integral[my + ch : my + ch + rh, mx + cw : mx + cw + rw]
                - integral[my : my + rh, mx + cw : mx + cw + rw]
                - integral[my + ch : my + ch + rh, mx : mx + rw]
                + integral[my : my + rh, mx : mx + rw]
            )
            coverage = (COVERAGE_WEIGHT * inside / total).astype(np.float32)
            for ti, t in enumerate((tf, tb, tf[::-1, ::-1], tb[::-1, ::-1])):
                if ti not in wanted:
                    continue
                res = cv2.matchTemplate(canvas, np.ascontiguousarray(t), cv2.TM_CCORR) + coverage
                _, value, _, loc = cv2.minMaxLoc(res)
                if (wi, ti) not in best or value > best[wi, ti][0]:
                    best[wi, ti] = (float(value), loc[0] + mx - pad, loc[1] + my - pad, cw, ch)
    placements = []
    for (wi, ti), (value, x, y, cw, ch) in best.items():
        rect = np.array([[x, y], [x + cw, y], [x + cw, y + ch], [x, y + ch]], dtype=np.float64) / f
        placements.append((value, wi, ti, rect))
    return sorted(placements, key=lambda p: -p[0])


def _refine_edges(
    gray: NDArray[np.uint8], rot: NDArray[np.float64], size: int, rect: Quad, *, band: float
) -> tuple[Quad, float]:
    """Move each side of an axis-aligned ``rect`` (rotated frame) onto the card's edge nearby.

    The photo's border, where the layout puts the card past it, is no card edge: squeezed onto it a
    cut card's layout no longer fits (a front's number line below the frame, a corner out of it).
    One such side is put where the card's proportions put it (``_beyond_frame``), two keep the
    layout's sides."""
    gxn, gyn = _edge_strength(gray, rot, size)
    x0, y0 = rect[0]
    x1, y1 = rect[2]
    cw, ch = x1 - x0, y1 - y0
    span_x = (x0 + 0.1 * cw, x1 - 0.1 * cw)
    span_y = (y0 + 0.1 * ch, y1 - 0.1 * ch)
    top = _best_edge(gyn, along=span_x, band=(y0 - band * ch, y0 + band * ch), inner=y0, nearest=False)
    bottom = _best_edge(gyn, along=span_x, band=(y1 - band * ch, y1 + band * ch), inner=y1, nearest=False)
    gxt = np.ascontiguousarray(gxn.T)
    left = _best_edge(gxt, along=span_y, band=(x0 - band * cw, x0 + band * cw), inner=x0, nearest=False)
    right = _best_edge(gxt, along=span_y, band=(x1 - band * cw, x1 + band * cw), inner=x1, nearest=False)
    mx, my = sum(span_x) / 2, sum(span_y) / 2
    edges: list[_Edge] = []
    framed: list[bool] = []
    for (c, s, score), fallback, horizontal, outward in (
        (top, y0, True, -1.0),
        (bottom, y1, True, 1.0),
        (left, x0, False, -1.0),
        (right, x1, False, 1.0),
    ):
        # A weak edge is no evidence: keep the layout's side. Nor is the photo's own border (the
        # turned photo ends in black there) where the layout puts the card past it: the card was
        # cut by the frame, and is extended past it below.
        along = span_x if horizontal else span_y
        on_frame = _on_frame((c, s, score), along, rot, gray.shape[:2], rows=horizontal)
        framed.append(outward * (fallback - c) > 0 and on_frame)
        if on_frame and not framed[-1]:
            # Nor is the border beyond where the layout puts the card's side: the card's own edge is
            # inside the photo, weaker than the border's black step (a card on a grey cloth beside
            # a receipt was framed out to the photo's border, 120-230 px past its edge). The band
            # is searched again on the card's side of the border.
            grad, extent = (gyn, ch) if horizontal else (gxt, cw)
            inner_end = fallback - outward * band * extent
            c, s, score = _best_edge(
                grad, along=along, band=(c - outward * 6, inner_end), inner=fallback, nearest=False
            )
        if score < 0.25:
            c, s = fallback, 0.0
        edges.append((c, s, score))
    if sum(framed) == 1:
        edges = _beyond_frame(edges, framed)  # by the card's proportions, from its other edges
    else:
        # A corner out of the frame: no two parallel edges to measure the card by; the layout's sides.
        edges = [
            (f, 0.0, e[2]) if out else e for e, f, out in zip(edges, (y0, y1, x0, x1), framed, strict=True)
        ]
    sides = [
        (s, -1.0, c - s * mx) if horizontal else (-1.0, s, c - s * my)
        for (c, s, _), horizontal in zip(edges, (True, True, False, False), strict=True)
    ]
    lt, lb, ll, lr = sides
    try:
        quad = np.array([_intersect(lt, ll), _intersect(lt, lr), _intersect(lb, lr), _intersect(lb, ll)])
    except ZeroDivisionError:
        return rect, 0.0
    if not _plausible(quad):
        return rect, 0.0
    return quad, min(top[2], bottom[2], left[2], right[2])


def locate_card(
    image_bgr: NDArray[np.uint8], prob: NDArray[np.float32], *, layout_search: bool = True
) -> list[Located]:
    """Card-like quads in ``image_bgr`` (same size as ``prob``), most card-like first (maybe none).

    ``layout_search``: where neither the text's edges nor a contour frame a card, slide the layout
    over the text (``_layout_search``, the costly part: a card touching other text needs it)."""
    h, w = prob.shape
    gray = np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    blobs = text_blobs(prob)
    if len(blobs) < 3:
        return []
    diag = math.hypot(w, h)
    mask = text_extent_mask((h, w), blobs)
    found: list[Located] = []
    for group in _groups(blobs, diag)[:4]:
        if len(group) < 3:
            continue
        angle = dominant_angle(group)
        if angle is None:
            continue
        for quad, score in _edge_quad(gray, group, angle):
            q, o = _judge(mask, _order(quad))
            found.append(Located(q, o, score, "text"))
    for quad in _contour_quads(gray):
        q, o = _judge(mask, _order(quad))
        found.append(Located(q, o, 1.0, "contour"))
    if not layout_search or (found and max(f.orientation.score for f in found) >= CONFIDENT_LAYOUT):
        return _distinct(found, diag)
    angles: list[float] = []
    for group in _groups(blobs, diag)[:3]:
        a = dominant_angle(group)
        if a is not None and all(min(abs(a - b), 180 - abs(a - b)) > 4 for b in angles):
            angles.append(a)
    for a in angles[:2]:
        found_layout = _layout_search(mask, a, gray)
        if found_layout is not None:
            found.append(found_layout)
    return _distinct(found, diag)


def _distinct(found: list[Located], diag: float) -> list[Located]:
    found = sorted(found, key=lambda f: -(f.orientation.score + 0.1 * f.edge_score))
    distinct: list[Located] = []
    for f in found:
        if all(np.abs(f.quad - d.quad).max() > 0.03 * diag for d in distinct):
            distinct.append(f)
    return distinct


def _plausible(quad: Quad) -> bool:
    """Convex, not tiny, and with an aspect an ID-1 card can show under up to ~30° of tilt."""
    top = np.linalg.norm(quad[1] - quad[0])
    bottom = np.linalg.norm(quad[2] - quad[3])
    left = np.linalg.norm(quad[3] - quad[0])
    right = np.linalg.norm(quad[2] - quad[1])
    if min(top, bottom, left, right) < 4:
        return False
    aspect = (top + bottom) / (left + right)
    return bool(1.2 <= aspect <= 2.1 and cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)))
