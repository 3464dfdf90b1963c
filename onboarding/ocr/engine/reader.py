"""Rectify the located card, decide its side and orientation, and cut out the field lines.

Everything here works in the canonical frame of ``layout.py`` (856 x 540). The detector's probability
map of the rectified card is computed once; the side and the 0/180 orientation are chosen by matching
it against where each side prints text (and where it never does: the portrait, the emblem), and the
same map then gives the text lines inside each field's box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout, names, parsing, words
from onboarding.ocr.engine.models import line_probabilities, recogniser_characters, recognize_lines
from onboarding.ocr.engine.orientation import TEXT_THRESHOLD, Orientation
from onboarding.ocr.engine.types import CardSide

W, H = layout.CARD_WIDTH, layout.CARD_HEIGHT
# The card's detector map is computed at half the canonical size: the field lines stay 12+ px high.
MAP_SCALE = 0.5

Box = tuple[int, int, int, int]


def warp_card(
    image: NDArray[np.uint8], quad: NDArray[np.float64], *, scale: float = 1.0, cubic: bool = False
) -> NDArray[np.uint8]:
    """The card under ``quad`` (TL, TR, BR, BL in ``image``) warped to the canonical frame x scale."""
    w, h = round(W * scale), round(H * scale)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    flags = cv2.INTER_CUBIC if cubic else cv2.INTER_LINEAR
    out = cv2.warpPerspective(image, m, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.uint8)


def warp_around(
    image: NDArray[np.uint8],
    quad: NDArray[np.float64],
    boxes: list[Box],
    *,
    scale: float,
    paper: Paper | None,
) -> NDArray[np.uint8]:
    """``warp_card(image, quad, scale=scale, cubic=True)`` with red ink painted out against
    ``paper``, warped only around ``boxes`` (canonical; a line's height of margin on every side, more
    than ``trim_label`` and ``crop_line`` look at) and black elsewhere. The pixels warped are the
    same as the whole card's; the lines cover a third of the front and a sixth of the back, and the
    cubic warp at up to twice the canonical size and the red-ink pass were a tenth of a read."""
    w, h = round(W * scale), round(H * scale)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    to_card = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    out = np.zeros((h, w, 3), dtype=np.uint8)
    for x0, y0, x1, y1 in boxes:
        margin = (y1 - y0) + 8
        a0, b0 = max(0, int((x0 - margin) * scale)), max(0, int((y0 - margin) * scale))
        a1, b1 = min(w, int(np.ceil((x1 + margin) * scale))), min(h, int(np.ceil((y1 + margin) * scale)))
        if a1 <= a0 or b1 <= b0:
            continue
        shift = np.array([[1, 0, -a0], [0, 1, -b0], [0, 0, 1]], dtype=np.float64)
        piece = cv2.warpPerspective(
            image, shift @ to_card, (a1 - a0, b1 - b0), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
        out[b0:b1, a0:a1] = paint_out_red_ink(np.asarray(piece, dtype=np.uint8), paper)
    return out


def card_orientation(prob: NDArray[np.float32]) -> Orientation:
    """Side and orientation of a rectified card from its own (fine) text map, on glyph extents."""
    from onboarding.ocr.engine.locate import text_blobs, text_extent_mask
    from onboarding.ocr.engine.orientation import match, templates

    mask = text_extent_mask((prob.shape[0], prob.shape[1]), text_blobs(prob, min_area=6))
    tf, tb = templates(mask.shape[0], mask.shape[1])
    return match(mask, tf, tb)


def text_map(card: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The detector's text probability for a canonical card image (at MAP_SCALE)."""
    from onboarding.ocr.engine.models import text_probability

    prob = text_probability(card, max_side=round(W * MAP_SCALE))
    return prob


@dataclass(frozen=True)
class Line:
    field: str
    box: Box  # canonical-frame pixels
    min_x: float | None = None  # a label ends here: the crop's padding must not reach back into it
    label_end: float | None = None  # where a label glued to this line's start would end (card x)
    stamped: bool = False  # far taller than a text line: a stamp printed across it joined it


# The vertical centres of the printed lines in the canonical frame (the specimens and real cards put
# them within a few pixels of these). A card rectified some millimetres off is first shifted so
# that its text best fits these centres, then each piece of text goes to the nearest line.
_FRONT_CENTRES: tuple[tuple[str, float], ...] = (
    ("Name", 78),
    ("SexNation", 141),
    ("Birth", 207),
    ("Address", 265),
    ("Address", 305),
    ("Address", 345),
    ("Address", 385),
    ("IdNum", 457),
)
# The back's titles are left out: under tilt they move differently from the fields far below them.
_BACK_CENTRES: tuple[tuple[str, float], ...] = (
    ("Authority", 388),
    ("ValidDate", 462),
)
_MAX_SHIFT = 70
_SCALES = tuple(round(0.82 + 0.03 * i, 2) for i in range(13))
_FIT = 14.0  # a line centre within this of its expected place counts fully towards the shift
_TOLERANCE = 24.0  # farther than this from every expected centre: not a field line
SINGLE_LINE = frozenset({"Name", "Birth", "IdNum", "Authority", "ValidDate"})
# Text entirely left of these x is a label alone (the values start further right).
_FRONT_LABEL_END = 140
_NUMBER_LABEL_END = 275
_BACK_LABEL_END = 302
# Where the portrait starts: no value reaches it (the number line is below it).
_PORTRAIT_X = layout.PORTRAIT[0] - 12
# Where the address's rows start, and how far right of it a further row may start.
_ADDRESS_X = layout.FRONT_VALUES["Address"][0]
_ADDRESS_SLACK = 55
# Sex and nation share a row: a piece of text ending left of this is the sex.
_SEX_NATION_SPLIT = 335


def field_lines(prob: NDArray[np.float32], side: CardSide) -> list[Line]:
    """Text lines (canonical boxes) of each field of an upright card, labels possibly included.

    The detector's connected regions are registered on the side's line centres, sorted into lines,
    and split into pieces at wide gaps (sex | nation); single-line fields keep their best line.
    """
    mask = (prob > TEXT_THRESHOLD).astype(np.uint8)
    sy, sx = mask.shape[0] / H, mask.shape[1] / W
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    centres = _FRONT_CENTRES if side is CardSide.FRONT else _BACK_CENTRES
    boxes: list[Box] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < 6 or h < 2:
            continue
        boxes.append((int(x / sx), int(y / sy), int(np.ceil((x + w) / sx)), int(np.ceil((y + h) / sy))))
    kx, dx = _horizontal_fit(boxes, side)

    def lx(x: float) -> float:
        """A card x in the layout's frame (the card may be located some millimetres off)."""
        return (x - dx) / kx

    boxes = [
        b
        for b in boxes
        # the portrait and the specimen mark
        if not (side is CardSide.FRONT and lx((b[0] + b[2]) / 2) >= _PORTRAIT_X and b[1] < 400)
    ]
    scale, shift = _vertical_fit(boxes, centres)
    # Text lines are wide; their typical height tells a line a stamp has joined (far taller).
    line_heights = [b[3] - b[1] for b in boxes if b[2] - b[0] >= 1.5 * (b[3] - b[1])]
    typical = float(np.median(line_heights)) if line_heights else H / 1.8
    tall = 1.8 * typical
    per_line: dict[int, list[Box]] = {}
    for box in boxes:
        cy = ((box[1] + box[3]) / 2 - shift) / scale
        k = min(range(len(centres)), key=lambda j: abs(centres[j][1] - cy))
        name, centre = centres[k]
        if abs(centre - cy) > _TOLERANCE and box[3] - box[1] > tall:
            # A stamp printed across a line moves the joined box's centre off the line's: the
            # line is the one place the box spans (with half a line to spare), if it spans only one.
            top = (box[1] + typical / 2 - shift) / scale
            bottom = (box[3] - typical / 2 - shift) / scale
            spanned = [j for j, (_, c) in enumerate(centres) if top <= c <= bottom]
            if len(spanned) == 1:
                k = spanned[0]
                name, centre = centres[k]
                cy = centre
        if not name or abs(centre - cy) > _TOLERANCE:
            continue
        if side is CardSide.FRONT:
            label_end = _NUMBER_LABEL_END if name == "IdNum" else _FRONT_LABEL_END
        else:
            label_end = _BACK_LABEL_END
        if lx(box[2]) <= label_end:
            continue
        per_line.setdefault(k, []).append(box)
    lines: list[Line] = []
    # A speck (a dot of the background print, the tail of a label's colon) is far shorter than the
    # card's text; read alone it becomes a stray character. The lower quartile, not the median:
    # a stamp merged with a line makes that line's box tall, and the back has only two lines.
    heights = [b[3] - b[1] for members in per_line.values() for b in members]
    min_height = 0.5 * float(np.percentile(heights, 25)) if heights else 0.0
    address_rows = 0
    for k, members in sorted(per_line.items()):
        name, centre = centres[k]
        found = _lines(members)
        if name in SINGLE_LINE:
            # Something printed near the line (a stamp, the table): keep the line nearest its place.
            found = [
                min(found, key=lambda ln: abs(((_union(ln)[1] + _union(ln)[3]) / 2 - shift) / scale - centre))
            ]
        for line in found:
            pieces = [p for p in _pieces(line) if _union(p)[3] - _union(p)[1] >= min_height]
            if name in SINGLE_LINE:
                # A one-line value has no wide gaps: what lies far to its right is something else.
                pieces = pieces[:1]
            if name == "Address" and pieces:
                # The address's further rows start at its column; a row starting well right of it
                # is a stamp's remains or print under the card, not the address.
                if address_rows and lx(_union(pieces[0])[0]) > _ADDRESS_X + _ADDRESS_SLACK:
                    continue
                address_rows += 1
            for piece in pieces:
                box = _union(piece)
                field = name
                if name == "SexNation":
                    if lx(box[2]) <= _SEX_NATION_SPLIT:
                        field = "Sex"
                    elif lx(box[0]) >= _SEX_NATION_SPLIT - 60:
                        field = "Nation"
                end = _label_end(field, lx(box[0]), side)
                lines.append(
                    Line(
                        field,
                        box,
                        label_end=None if end is None else end * kx + dx,
                        stamped=box[3] - box[1] > 3.6 * min_height,
                    )
                )
    return _address_column(lines)


def _address_column(lines: list[Line]) -> list[Line]:
    """The address lines without pieces lying wholly left of where the other lines start.

    Address lines are printed left-aligned in one column, which the widest line shows, so a piece
    ending before the column starts is the 住址 label (or a speck beside it) that the vertical fit
    put on a line of its own when the card was rectified a little askew (read, it glues 主址 into
    the middle of the value), or print beside a card located too wide.
    """
    address = [ln for ln in lines if ln.field == "Address"]
    if len(address) < 2:
        return lines
    column = max(address, key=lambda ln: ln.box[2] - ln.box[0]).box[0]
    return [ln for ln in lines if ln.field != "Address" or ln.box[2] > column + 2]


def _vertical_fit(boxes: list[Box], centres: tuple[tuple[str, float], ...]) -> tuple[float, float]:
    """The vertical map ``observed = scale * layout + shift`` that best fits the text's line centres
    to the layout's (a located card may be some millimetres off, or a little too tall or short)."""
    if not boxes:
        return 1.0, 0.0
    cys = np.array([(b[1] + b[3]) / 2 for b in boxes])
    # Wide lines count more, but not so much that the address block alone decides.
    weights = np.array([min(b[2] - b[0], 150) for b in boxes], dtype=np.float64)
    expected = np.array([c for _, c in centres])
    # Every (scale, shift) at once: scales x shifts x boxes x centres is some 10^5 numbers.
    scales = np.array(_SCALES)[:, None]
    shifts = np.arange(-_MAX_SHIFT, _MAX_SHIFT + 1, 2, dtype=np.float64)[None, :]
    placed = scales[:, :, None, None] * expected + shifts[:, :, None, None]
    residual = np.abs(cys[:, None] - placed).min(axis=3)
    scores = (weights * np.clip(1 - residual / _FIT, 0, None)).sum(axis=2)
    # Prefer the identity among equals: most cards are located right.
    scores -= 0.5 * (np.abs(shifts) / _MAX_SHIFT + np.abs(scales - 1.0) * 5)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return float(scales[i, 0]), float(shifts[0, j])


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into text lines: a box joins a line when they overlap by half the smaller height."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        for line in lines:
            u = _union(line)
            overlap = min(u[3], b[3]) - max(u[1], b[1])
            if overlap >= 0.5 * min(u[3] - u[1], b[3] - b[1]):
                line.append(b)
                break
        else:
            lines.append([b])
    return lines


def _pieces(line: list[Box]) -> list[list[Box]]:
    """A line split where the horizontal gap exceeds three line heights."""
    ordered = sorted(line, key=lambda b: b[0])
    # The smallest height: a tall blot beside the line (a thumb, a coin's rim) must not widen the gap.
    height = min(b[3] - b[1] for b in ordered)
    pieces: list[list[Box]] = [[ordered[0]]]
    for b in ordered[1:]:
        if b[0] - max(p[2] for p in pieces[-1]) > 3 * height:
            pieces.append([b])
        else:
            pieces[-1].append(b)
    return pieces


def _label_end(field: str, x0: float, side: CardSide) -> int | None:
    """Where the label of a line starting at layout x ``x0`` ends; None: no label there."""
    if side is CardSide.BACK:
        end = _BACK_LABEL_END
    elif field == "IdNum":
        end = _NUMBER_LABEL_END
    elif field == "Nation" or (field == "SexNation" and x0 > _SEX_NATION_SPLIT - 80):
        end = layout.FRONT_LABELS["民族"][2]
    else:
        end = _FRONT_LABEL_END
    return end if x0 < end + 10 else None


# Where the detector puts the number line (front) and 中华人民共和国 (back) on a rectified card:
# lines of fixed length that tell a horizontal offset and scale (measured on drawn specimens).
_FRONT_ANCHOR = (311.0, 782.0)
_BACK_ANCHOR = (282.0, 777.0)


def _horizontal_fit(boxes: list[Box], side: CardSide) -> tuple[float, float]:
    """(scale, shift) with ``card x = scale * layout x + shift``, from the side's fixed-length line;
    the identity unless the card is clearly off (print positions vary by ~10 px)."""
    if side is CardSide.FRONT:
        ref = _FRONT_ANCHOR
        found = [b for b in boxes if (b[1] + b[3]) / 2 > 380 and b[2] - b[0] > 250]
    else:
        ref = _BACK_ANCHOR
        found = [b for b in boxes if (b[1] + b[3]) / 2 < 160 and b[2] - b[0] > 250]
    if not found:
        return 1.0, 0.0
    anchor = max(found, key=lambda b: b[2] - b[0])
    scale = (anchor[2] - anchor[0]) / (ref[1] - ref[0])
    shift = anchor[0] - ref[0] * scale
    if not (0.85 <= scale <= 1.3 and abs(shift) <= 220):
        return 1.0, 0.0
    if abs(shift) <= 14 and abs(scale - 1) <= 0.05:
        return 1.0, 0.0
    return scale, shift


def trim_label(card: NDArray[np.uint8], line: Line, side: CardSide, *, scale: float = 1.0) -> Line:
    """``line`` without the printed label glued to its start, found by colour: labels are printed
    in blue, values in black. Where no blue is seen, by the gap after the label (``_trim_at_gap``)."""
    end = line.label_end
    if end is None:
        return line
    x0, y0, x1, y1 = line.box
    a0, a1 = round(x0 * scale), round(min(x1, end + 60) * scale)
    b0, b1 = round(y0 * scale), round(y1 * scale)
    band = card[b0:b1, a0:a1].astype(np.int16)
    if band.size == 0:
        return line
    blue, red = band[:, :, 0], band[:, :, 2]
    grey = band.sum(axis=2) / 3
    paper = float(np.percentile(grey, 90))
    ink = grey < 0.8 * paper
    bluish = ink & (blue - red > np.maximum(25, 0.25 * grey))
    black = ink & ~bluish & (grey < 0.55 * paper)
    blue_cols = np.nonzero(bluish.sum(axis=0) >= 2)[0]
    black_cols = np.nonzero(black.sum(axis=0) >= 2)[0]
    ink_cols = ink.sum(axis=0) >= 2
    gap = max(2, round(0.25 * (b1 - b0)))
    if len(black_cols) == 0:
        return line
    # The value starts at the first black column right of the label's last blue column.
    last_blue = int(blue_cols[blue_cols < black_cols[-1]].max(initial=-1))
    pad = round(0.15 * (b1 - b0))
    if last_blue < 0:
        return _trim_at_gap(line, ink_cols, a0=a0, scale=scale, end=end, gap=gap, pad=pad)
    # In shade or a yellow light the label's last strokes can look black: the label runs on
    # through every inked column until the clear gap that parts it from the value.
    x, blank = last_blue, 0
    while x + 1 < len(ink_cols) and blank < gap:
        x += 1
        blank = 0 if ink_cols[x] else blank + 1
    if blank >= gap:
        last_blue = x - blank
    after = black_cols[black_cols > last_blue]
    if len(after) == 0:
        return line
    return _cut_before(line, label_stop=a0 + last_blue + 1, start=a0 + int(after[0]), pad=pad, scale=scale)


def _cut_before(line: Line, *, label_stop: int, start: int, pad: int, scale: float) -> Line:
    """``line`` starting ``pad`` before its value's first inked column ``start`` (no further left
    than ``label_stop``, where the label ends), both in px at ``scale``; unchanged if nothing of
    the line would be left."""
    _, y0, x1, y1 = line.box
    new_x0 = max(label_stop, start - pad)
    if new_x0 / scale >= x1 - 4:
        return line
    return Line(line.field, (int(new_x0 / scale), y0, x1, y1), min_x=label_stop / scale, stamped=line.stamped)


# A line starting this far (canonical px) left of its label's end holds the label's first character.
_HOLDS_LABEL = 30
# Where the gap between a label and its value is looked for: canonical px around the label's end.
_GAP_WINDOW = (-20, 30)
# The fields whose label could pass for part of the value (Han characters before Han characters).
# The others' values are digits or one character, which the parsers tell from a label's, and the
# number's OCR-B digits are spaced as wide as its gap after the label on a tilted card.
_GAP_FIELDS = frozenset({"Name", "Address", "Authority"})


def _trim_at_gap(
    line: Line, ink_cols: NDArray[np.bool_], *, a0: int, scale: float, end: float, gap: int, pad: int
) -> Line:
    """``line`` (its band's inked columns ``ink_cols`` from ``a0``, at ``scale``) without its label
    where colour cannot tell the label (a small card's blue blurred to grey, a black-and-white
    copy): cut at the widest clear gap of at least ``gap`` columns near where the layout ends
    the label, if the line starts well inside the label. (The label's own letter-spacing, 姓 名,
    lies further left, outside that window.)"""
    if line.field not in _GAP_FIELDS or line.box[0] > end - _HOLDS_LABEL:
        return line
    lo = max(0, round((end + _GAP_WINDOW[0]) * scale) - a0)
    hi = min(len(ink_cols), round((end + _GAP_WINDOW[1]) * scale) - a0)
    widest, widest_start, run = 0, 0, 0
    for x in range(lo, hi):
        run = 0 if ink_cols[x] else run + 1
        if run > widest:
            widest, widest_start = run, x - run + 1
    if widest < gap:
        return line
    after = np.nonzero(ink_cols[widest_start + widest :])[0]
    if not len(after):
        return line
    start = a0 + widest_start + widest + int(after[0])
    return _cut_before(line, label_stop=a0 + widest_start, start=start, pad=pad, scale=scale)


def crop_line(card: NDArray[np.uint8], line: Line, *, scale: float = 1.0) -> NDArray[np.uint8]:
    """The line from a card image at ``scale`` x canonical, padded like the detector's boxes."""
    x0, y0, x1, y1 = line.box
    # The detector's regions are its shrunk text kernels; grow them back as RapidOCR's unclip does,
    # and give single characters (sex, nation) room: the recogniser needs context at the sides.
    h = y1 - y0
    pad_y = max(3, round(0.3 * h))
    pad_x = max(4, round(0.45 * h))
    if x1 - x0 < 2 * h:
        pad_x = max(pad_x, round(0.9 * h))
    ch, cw = card.shape[:2]
    left = x0 - pad_x if line.min_x is None else max(x0 - pad_x, line.min_x)
    if line.stamped and line.label_end is not None:
        # Washing the stamp out takes a pale (photocopied) label half away, leaving 许名 for 姓名:
        # on such a line the crop starts where the layout ends the label.
        left = max(left, line.label_end)
    a0 = max(0, round(left * scale))
    b0 = max(0, round((y0 - pad_y) * scale))
    a1 = min(cw, round((x1 + pad_x) * scale))
    b1 = min(ch, round((y1 + pad_y) * scale))
    if line.stamped:
        crop = _to_ink_rows(_without_pale_ink(card[b0:b1, a0:a1]), pad=round(pad_y * scale))
    else:
        kernel = (round(y0 * scale), max(round(y0 * scale) + 1, round(y1 * scale)))
        b0, b1 = _text_rows(card, (a0, a1), (b0, b1), kernel, scale=scale)
        crop = card[b0:b1, a0:a1]
    return _trim_to_ink(np.ascontiguousarray(crop), pad=round(pad_x * scale))


def _grey_levels(
    crop: NDArray[np.uint8], *, ink_percentile: float
) -> tuple[NDArray[np.float32], float, float]:
    """(grey crop, paper level, ink level): the paper is the crop's bright majority, the ink its
    darkest ``ink_percentile`` per cent (lower where a stamp or the table may fill much of it).

    The grey is the channels' mean to the nearest level, and the levels are read off its histogram:
    a tenth of the time of float means and np.percentile, on every line of every card."""
    grey = cv2.transform(crop, _CHANNEL_MEAN)
    below = np.cumsum(np.bincount(grey.ravel(), minlength=256))
    paper, ink = np.searchsorted(below, [0.9 * below[-1], ink_percentile / 100 * below[-1]])
    return grey.astype(np.float32), float(paper), float(ink)


_CHANNEL_MEAN = np.full((1, 3), 1 / 3, dtype=np.float32)


def _black_text(crop: NDArray[np.uint8], *, ink_percentile: float) -> NDArray[np.bool_] | None:
    """The crop's pixels nearer its ink than its paper (``_grey_levels``), or None where the two are
    too close to tell apart."""
    grey, paper, ink = _grey_levels(crop, ink_percentile=ink_percentile)
    if paper - ink < 40:
        return None
    return np.asarray(grey < ink + 0.35 * (paper - ink))


def _ink_bands(
    crop: NDArray[np.uint8], *, ink_percentile: float, gap: int
) -> tuple[list[tuple[int, int]], NDArray[np.int64]]:
    """The crop's bands of black-text rows, (first row, last row + 1), rows at most ``gap`` apart
    in one band, with each row's count of black pixels; no bands where ink and paper are too close
    to tell apart."""
    black = _black_text(crop, ink_percentile=ink_percentile)
    if black is None:
        return [], np.zeros(crop.shape[0], dtype=np.int64)
    per_row = black.sum(axis=1)
    rows = np.nonzero(per_row >= max(2, 0.02 * crop.shape[1]))[0]
    runs = np.split(rows, np.nonzero(np.diff(rows) > gap)[0] + 1) if len(rows) else []
    return [(int(r[0]), int(r[-1]) + 1) for r in runs], per_row


def _to_ink_rows(crop: NDArray[np.uint8], *, pad: int) -> NDArray[np.uint8]:
    """The crop cut to the rows of its black text plus ``pad``: once a stamp is washed out, the
    line a stamp made tall shrinks back to the text, which the recogniser then sees at full size."""
    if crop.size == 0:
        return crop
    bands, per_row = _ink_bands(crop, ink_percentile=0.3, gap=2)
    if not bands:
        return crop
    # The text is the heaviest band (the padding may reach a neighbour's edge).
    top, bottom = max(bands, key=lambda band: int(per_row[band[0] : band[1]].sum()))
    return np.ascontiguousarray(crop[max(0, top - pad) : min(crop.shape[0], bottom + pad)])


# The recogniser sees a line at 48 px high, so its cost grows with width / height. The detector's
# shrunk kernels make crops as tall as 1.6x their kernel, which leaves the text 0.64-0.98 of the crop's
# height (benchmark seed 11), its strokes clipped at the top where the kernel was short. Cut to the
# text's own rows with this share, a line reaches the recogniser whole and a front's lines ~17 % narrower.
_INK_SHARE = 0.7
# In canonical card pixels (856 x 540): the widest ink-free gap inside one line of text, and the
# tallest line's ink (fonts of 30-36 px; the address's lines are ~40 apart, ~10 px of paper between).
_BAND_GAP = 4
_BAND_MAX = 48


def _text_rows(
    card: NDArray[np.uint8],
    columns: tuple[int, int],
    rows: tuple[int, int],
    kernel: tuple[int, int],
    *,
    scale: float,
) -> tuple[int, int]:
    """The rows (top, bottom) to cut a line at: its band of ink, looked for half the padded crop's
    height (``rows``) beyond it, with margins that make the ink _INK_SHARE of the height. Inked rows
    _BAND_GAP apart are one band (a character's parts leave a few ink-free rows between them, lines
    ~10 canonical px); the band is the one overlapping the detector's kernel most.
    Where the ink gives no plausible height (a flat crop, two lines run together): ``rows``."""
    (a0, a1), (b0, b1) = columns, rows
    reach = (b1 - b0) // 2
    w0, w1 = max(0, b0 - reach), min(card.shape[0], b1 + reach)
    window = card[w0:w1, a0:a1]
    if window.size == 0:
        return rows
    bands, _ = _ink_bands(window, ink_percentile=2, gap=max(2, round(_BAND_GAP * scale)))
    if not bands:
        return rows
    top, bottom = max(
        ((w0 + start, w0 + end) for start, end in bands),
        key=lambda band: min(band[1], kernel[1]) - max(band[0], kernel[0]),
    )
    if min(bottom, kernel[1]) <= max(top, kernel[0]):
        return rows
    if not 0.4 * (b1 - b0) <= bottom - top <= _BAND_MAX * scale:
        return rows
    pad = math.ceil((bottom - top) * (1 / _INK_SHARE - 1) / 2)
    return max(0, top - pad), min(card.shape[0], bottom + pad)


def _without_pale_ink(crop: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The crop with everything paler than the text's ink turned to paper.

    A stamp that survives without_red_ink (a grey one, or a red one photocopied in black and white)
    is printed translucent, so it stays well above the black text's darkness; where it crosses the
    text the text stays dark. Used only on lines a stamp has joined, where the recogniser would
    otherwise read the stamp's characters and lose the value's under them.
    """
    if crop.size == 0:
        return crop
    grey, paper, ink = _grey_levels(crop, ink_percentile=0.3)  # a stamped crop is mostly paper and stamp
    if ink > 0.5 * paper:
        # No black text at all, only the stamp (a piece of it apart from the line): all paper.
        return np.ascontiguousarray(np.full_like(crop, round(paper)))
    if paper - ink < 60:
        return crop  # too flat to tell ink from stamp from paper
    cut = ink + 0.5 * (paper - ink)
    level = np.clip((grey - ink) / (cut - ink), 0.0, 1.0) * (paper - ink) + ink
    out = np.repeat(level[:, :, None], 3, axis=2)
    return np.ascontiguousarray(out.astype(np.uint8))


def _trim_to_ink(crop: NDArray[np.uint8], *, pad: int) -> NDArray[np.uint8]:
    """The crop cut to its black text plus ``pad``: a stamp's pale remains or the table beside a
    short value then do not reach the recogniser."""
    if crop.size == 0:
        return crop
    black = _black_text(crop, ink_percentile=2)
    if black is None:
        return crop  # too flat to tell ink from paper: leave it to the recogniser
    cols = np.nonzero(black.sum(axis=0) >= 2)[0]
    if len(cols) == 0:
        return crop
    a0 = max(0, int(cols[0]) - pad)
    a1 = min(crop.shape[1], int(cols[-1]) + 1 + pad)
    if a1 - a0 < 0.5 * crop.shape[1]:
        return crop  # most of the line would go: the threshold is wrong here, not the line
    return np.ascontiguousarray(crop[:, a0:a1])


# A line re-decided among a closed set (below): the member chosen must explain the recogniser's frames
# almost as well as its own best path does (natural log of the likelihood ratio), and clearly better
# than the runner-up.
_CHOICE_MIN = -4.5
_CHOICE_MARGIN = 3.0
# An authority read this surely (its characters' summed shortfall from certainty, len x (1 - mean
# score)) is taken as read even if its place is not registered: a new county, a renamed district.
_AUTHORITY_SURE = 0.15
# The chosen member's score: the line's, lowered like the parsers' other guesses.
_CHOICE_FACTOR = 0.8
# A member taken though no member is clearly supported (a Nation must be one of the 56): as doubtful
# as a nation read as none of them is held by the parser (``parsing.parse_nation``).
_FORCED_FACTOR = 0.3


# A line's characters are looked at one by one (one more recogniser pass) when its mean could hide
# one below this (the summed shortfall from certainty, len x (1 - mean), exceeds 1 - this): the mean
# hides one doubtful character among ten sure ones (杨郴村 for 杨柳村 read at 0.93 on a card 380 px
# long). The review page shows a field below 0.8 as doubtful. Lines read surer (most of them, on a
# card of fair size) cost nothing more.
_DOUBTFUL = 0.8
# A name is looked at so from a smaller shortfall: its prior (``name_reading``) can settle a single
# character read at 0.86 (诸葛情立 for 诸葛倩立, the line's mean 0.98), and a name is short.
_NAME_SHORTFALL = 0.05
# Characters whose doubt says nothing about the value: each field's printed label (stripped by the
# parsers), the printed 年月日 of the birth date, the stamps' and the specimen mark's characters.
_NOT_VALUE = {
    "Name": "姓名",
    "Sex": "性别",
    "Nation": "民族",
    "SexNation": "性别民族",
    "Birth": "出生年月日",
    "Address": "住址",
    "IdNum": "公民身份号码",
    "Authority": "签发机关",
    "ValidDate": "有效期限",
}
_CHECK_SURVIVAL = 1 / 11
_STAMP_CHARS = frozenset("复印无效禁止再次仅供件样本")


def read_lines(crops: list[NDArray[np.uint8]], lines: list[Line]) -> list[tuple[str, float]]:
    """The recogniser's (text, score) for each line's crop, where a line belongs to a closed set
    and was read as none of it re-decided among the set's members on the recogniser's own
    per-frame probabilities (one more recogniser pass on that line's crop).

    Two such sets: the 56 nations (土 read ±), and the registered places an
    authority's place is one character off when the register alone cannot tell which (影武县:
    彰武县, 宁武县, 成武县...). The crop usually does tell: the other candidates' characters have
    almost no probability where the misread one stands. Where it does not (傈僳 printed tiny and
    blurred, read 保像: no nation's characters have weight there) the read is left to the parsers.

    A doubtful line (``_DOUBTFUL``) is read again by the float recogniser, whose text it takes
    (the first pass may run on the 8-bit copy, and its misreads gather on doubtful characters).
    A line's score is the recogniser's mean over its characters, lowered to its least sure value
    character where that is lower (``weakest_character``): a field is as doubtful as its most
    doubtful character, which is where a small blurred card's misreads are (黄子磊 read 美子品).
    A doubtful name's doubtful characters are then re-decided by what names are made of
    (``name_reading``), and a doubtful address's by the words they make with their neighbours
    (``address_reading``), on the frames already computed. A doubtful line loses a stray guess at
    its end (``stray_tail``).
    """
    reads = recognize_lines(crops)
    for i, (line, (text, score)) in enumerate(zip(lines, reads, strict=True)):
        probs: NDArray[np.float32] | None = None
        if text and len(text) * (1 - score) > (_NAME_SHORTFALL if line.field == "Name" else 1 - _DOUBTFUL):
            probs = _frame_probs(crops[i])
            # The 8-bit recogniser's doubtful characters are where quantisation costs most (李新龙
            # for 李鹏龙, which the float one reads): the line is read again at full precision,
            # and stays as doubtful as either read was.
            second, second_score = _decoded(probs)
            if second:
                text, score = second, min(score, second_score)
                reads[i] = (text, score)
            if line.field in _STRAY_FIELDS and (stray := stray_tail(probs, text)):
                text = text[:-stray]
                reads[i] = (text, score)
            weakest = weakest_character(probs, line.field)
            if weakest is not None and line.field == "IdNum":
                # A misread digit keeps the check character right about one time in eleven, and a
                # number whose check fails is held low by the parsers: the doubt left is a tenth.
                weakest = 1 - (1 - weakest) * _CHECK_SURVIVAL
            if weakest is not None:
                reads[i] = (text, min(score, weakest))
        if line.field == "Name" and probs is not None:
            named = name_reading(probs, text)
            if named is not None:
                # A guess the name's make-up decided: never surer than the doubt it settled.
                reads[i] = (named, reads[i][1] * _CHOICE_FACTOR)
        if line.field == "Address" and probs is not None:
            worded = address_reading(probs, text)
            if worded is not None:
                # a guess the words around it decided: never surer than the doubt it settled
                reads[i] = (worded, reads[i][1] * _CHOICE_FACTOR)
        if line.field == "Nation":
            nations = parsing.nation_choices(text)
            if nations:
                probs = _frame_probs(crops[i]) if probs is None else probs
                nation = choose_reading(crops[i], nations, probs=probs)
                if nation is not None:
                    reads[i] = (nation, score * _CHOICE_FACTOR)
                elif parsing.parse_nation(text)[0]:
                    # Something read, still none of the 56: the one that spells the whole line best
                    # (a shorter one may not leave a read character unexplained), as doubtful as the
                    # read was. (A line read as nothing stays empty: there is nothing to go on.)
                    nation = choose_reading(crops[i], nations, probs=probs, whole_line="民族", forced=True)
                    if nation is not None:
                        reads[i] = (nation, score * _FORCED_FACTOR)
        elif line.field == "Authority" and len(text) * (1 - score) >= _AUTHORITY_SURE:
            places = parsing.authority_place_choices(text)
            if places:
                place = choose_reading(crops[i], tuple(name for _, name in places), probs=probs)
                as_read = {name: read for read, name in places}
                if place is not None and as_read[place] in text:
                    reads[i] = (text.replace(as_read[place], place, 1), score * _CHOICE_FACTOR)
            elif (head := parsing.unregistered_authority_place(text)) is not None and head in text:
                probs = _frame_probs(crops[i]) if probs is None else probs
                place = place_before_bureau(probs)
                if place is not None:
                    reads[i] = (text.replace(head, place, 1), reads[i][1] * _CHOICE_FACTOR)
    return reads


def _best_path(probs: NDArray[np.float32]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The recogniser's best path over ``probs``: each frame's class, and the frames where the
    path's characters start (CTC: a class that is no blank and not the frame before's)."""
    best = probs.argmax(axis=1)
    starts = np.nonzero((best != 0) & np.concatenate([[True], best[1:] != best[:-1]]))[0]
    return best, starts


def place_before_bureau(probs: NDArray[np.float32]) -> str | None:
    """The registered place that best explains every frame of an authority line between its label
    and 公安 (成丰易 for 咸丰县: 咸 at 0.30 beside 成, 县 at 0.06 beside 易), if it does so well enough
    and clearly better than any other; None otherwise, or when the line has no 公 to end the place.

    The place must account for all those frames: a shorter place inside them (丰县) leaves a read
    character unexplained."""
    characters = _class_characters()
    best, starts = _best_path(probs)
    bureau = next((t for t in starts if characters[best[t]] == "公"), None)
    if bureau is None:
        return None
    first = next((t for t in starts if t < bureau and characters[best[t]] not in "签发机关"), None)
    if first is None:
        return None
    places, columns, labels = _place_labels()
    frames = probs[first:bureau]
    log_probs = np.log(np.maximum(frames[:, columns], 1e-12))
    scores = _aligned_scores(log_probs, np.log(np.maximum(frames.max(axis=1), 1e-12)), labels, anchored=True)
    order = np.argsort(-scores)
    if scores[order[0]] < _CHOICE_MIN or scores[order[0]] - scores[order[1]] < _CHOICE_MARGIN:
        return None
    return places[int(order[0])]


@lru_cache(maxsize=1)
def _place_labels() -> tuple[tuple[str, ...], list[int], list[list[int]]]:
    """The registered places the recogniser can spell, the recogniser's columns of their characters
    (and the blank), and each place as indices into those columns."""
    index = _character_index()
    places = tuple(p for p in parsing.registered_places() if all(ch in index for ch in p))
    columns = sorted({0} | {index[ch] for p in places for ch in p})
    column_of = {k: i for i, k in enumerate(columns)}
    return places, columns, [[column_of[index[ch]] for ch in p] for p in places]


def weakest_character(probs: NDArray[np.float32], field: str) -> float | None:
    """The lowest probability among the value characters of the recogniser's best path over
    ``probs`` (each character's at the frame it starts, as the recogniser's own mean counts it);
    None when the path spells no value character. Labels, stamps and anything that is no CJK
    character, digit, X or name dot (a speck read as a comma) are not the value."""
    if not len(probs):
        return None
    characters = _class_characters()
    best, starts = _best_path(probs)
    skip = _NOT_VALUE.get(field, "")
    values = [
        float(probs[t, best[t]])
        for t in starts
        if _is_value_character(ch := characters[best[t]]) and ch not in skip and ch not in _STAMP_CHARS
    ]
    return min(values) if values else None


# A character at a line's end that is none of a value's (no CJK character, digit, X or name dot) and
# that the recogniser gives less than this is its guess on a frame of nothing: 号e for 号 (e at 0.08);
# a digit, which an address may end in, only below the second bar (室1, 1 at 0.09).
_STRAY = 0.3
_STRAY_DIGIT = 0.15
# Characters a batch read may add after what the line alone reads (``recognize_lines`` pads every
# crop on the right to the batch's widest): 室1 in a batch where the line alone reads 室.
_PADDING_STRAYS = 2
# The fields whose values end in a CJK character or a digit.
_STRAY_FIELDS = frozenset({"Name", "Address", "Authority"})


def stray_tail(probs: NDArray[np.float32], text: str) -> int:
    """How many characters at the end of ``text`` (a batch's read of the line whose own frames
    are ``probs``) are strays: read only beside the batch's padding, or guesses (``_STRAY``)."""
    characters = _class_characters()
    best, starts = _best_path(probs)
    path = [(characters[best[t]], float(probs[t, best[t]])) for t in starts]
    alone = "".join(ch for ch, _ in path)
    extra = text[len(alone) :]
    stray = 0
    if alone and text.startswith(alone) and len(extra) <= _PADDING_STRAYS and not any(map(_is_han, extra)):
        stray = len(extra)
    for ch, p in reversed(path):
        if stray >= len(text) - 1 or text[-1 - stray] != ch:
            break  # the text is not this path's (or nothing would be left): leave it as read
        if p >= _stray_bar(ch):
            break
        stray += 1
    return stray


def _stray_bar(ch: str) -> float:
    """The probability below which ``ch`` at a line's end is a stray (0: never)."""
    if ch.isdigit():
        return _STRAY_DIGIT
    return 0.0 if _is_value_character(ch) else _STRAY


# A name character the recogniser gives less than this is re-decided among the characters it gives
# at least _RIVAL at the same place, each scored log P(recogniser) + _NAME_PRIOR_WEIGHT x log
# P(names): 品 (0.37) loses to 磊 (0.33), 享 (0.54) to the surname 李 (0.38), 境 (0.51) to 晓 (0.27),
# 情 (0.86) to 倩 (0.13), 管 (0.65) to the commoner surname 曾 (0.13); 雷 (0.83) keeps its place
# beside 雪 (0.11). Tuned on the small cards of seeds 3, 21 and a set of small cards: 3 names
# right, none made wrong (weights 1.0 and more began to make some wrong); the bar was raised from
# 0.8 on fresh seeds 40-42 (two names right) and checked on 43-45.
_NAME_DOUBT = 0.9
_RIVAL = 0.02
_NAME_PRIOR_WEIGHT = 0.7
# A name of more value characters than this is not a Han name of surname and given name.
_NAME_MAX_CHARACTERS = 4


def name_reading(probs: NDArray[np.float32], text: str) -> str | None:
    """``text`` (the recogniser's best path over ``probs``, a Name line) with each doubtful name
    character re-decided by the name prior (``names``): the first is a surname, the rest a given
    name's; what is not a Han character (a speck read as a comma) is left as it is. None when
    nothing changes, or when the line is not a plain Han name as read (one character, a
    transliterated name with its dot, more than four characters)."""
    characters = _class_characters()
    runs = _path_runs(probs)
    chosen = [characters[k] for _, _, k in runs]
    if "".join(chosen) != text or parsing.has_name_dot(text):
        return None
    skip = _NOT_VALUE["Name"]
    value = [j for j, ch in enumerate(chosen) if _is_han(ch) and ch not in skip and ch not in _STAMP_CHARS]
    if not 2 <= len(value) <= _NAME_MAX_CHARACTERS:
        return None
    # A double surname (欧阳, 尉迟) is taken as read: the prior knows single ones. So is one that
    # may be misread, in a name of four whose second character ends one (尉迟天军 read 附迟天军).
    second = chosen[value[1]]
    double = chosen[value[0]] + second in names.DOUBLE_SURNAMES or (
        len(value) == 4 and any(surname[1] == second for surname in names.DOUBLE_SURNAMES)
    )
    first = 2 if double else 0
    for place, j in enumerate(value):
        t0, t1, k = runs[j]
        if place < first or float(probs[t0 : t1 + 1, k].max()) >= _NAME_DOUBT:
            continue
        support, rivals = _han_rivals(probs, t0, t1)
        prior = names.surname_prior if place == 0 else names.given_prior
        scores = [np.log(float(support[c])) + _NAME_PRIOR_WEIGHT * prior(characters[c]) for c in rivals]
        if scores:
            chosen[j] = characters[rivals[int(np.argmax(scores))]]
    named = "".join(chosen)
    return None if named == text else named


def _path_runs(probs: NDArray[np.float32]) -> list[tuple[int, int, int]]:
    """(first frame, last frame, class) of each character of the best path over ``probs``."""
    best, starts = _best_path(probs)
    runs = []
    for t0 in starts.tolist():
        t1 = t0
        while t1 + 1 < len(best) and best[t1 + 1] == best[t0]:
            t1 += 1
        runs.append((t0, t1, int(best[t0])))
    return runs


def _han_rivals(probs: NDArray[np.float32], t0: int, t1: int) -> tuple[NDArray[np.float32], list[int]]:
    """Each class's peak over a path character's frames ``t0``-``t1`` and one either side (a rival
    may peak a frame off), and the Han classes whose peak reaches ``_RIVAL``."""
    characters = _class_characters()
    support = probs[max(0, t0 - 1) : t1 + 2].max(axis=0)
    return support, [int(c) for c in np.nonzero(support >= _RIVAL)[0] if c and _is_han(characters[c])]


# An address character the recogniser gives less than this is re-decided among its rivals by
# whether it makes a word with the character before or after it (``words``), or is one of the
# words that stand beside an address's numbers (和平街949号, 5组, 12栋, 1702室) with a digit
# beside it: a rival that makes a word, where the character read does not, gains _WORD_BONUS of
# log-likelihood (a 4.5-fold ratio); a number's word beside a number gains _NUMBER_WORD_BONUS (a
# 12-fold ratio). 郴 (0.30) loses to 柳 (0.12) in 杨_村 (杨柳 is a word; 都 at 0.22 and 桥 at 0.14
# make none there either); 衡 (0.59) to 街 (0.17) in 和平_949号.
_ADDRESS_DOUBT = 0.7
_WORD_BONUS = 1.5
_NUMBER_WORD_BONUS = 2.5
_BESIDE_NUMBERS = frozenset("路街道巷弄里村组队号栋幢楼单元层室区期座户排")
# What follows a number in an address is almost always one of those words, so a character there
# that is none is doubted up to this: 绍 (0.84) loses to 组 (0.15) in 新民村7_.
_AFTER_NUMBER_DOUBT = 0.9


def _address_bonus(before: str, ch: str, after: str) -> float:
    """Log-likelihood a rival gains for making a word with a neighbour, or for standing beside a
    number as address words do."""
    if (before.isdigit() or after.isdigit()) and ch in _BESIDE_NUMBERS:
        return _NUMBER_WORD_BONUS
    return _WORD_BONUS if words.makes_word(before, ch, after) else 0.0


def address_reading(probs: NDArray[np.float32], text: str) -> str | None:
    """``text`` (the recogniser's best path over ``probs``, an Address line) with each doubtful
    Han character re-decided by what words it makes with its neighbours; None when nothing changes
    (or ``text`` is not that path)."""
    characters = _class_characters()
    runs = _path_runs(probs)
    chosen = [characters[k] for _, _, k in runs]
    if "".join(chosen) != text:
        return None
    for j, (t0, t1, k) in enumerate(runs):
        before = chosen[j - 1] if j else ""
        after = chosen[j + 1] if j + 1 < len(chosen) else ""
        doubt = (
            _AFTER_NUMBER_DOUBT if before.isdigit() and chosen[j] not in _BESIDE_NUMBERS else _ADDRESS_DOUBT
        )
        if not _is_han(chosen[j]) or float(probs[t0 : t1 + 1, k].max()) >= doubt:
            continue
        support, rivals = _han_rivals(probs, t0, t1)
        scores = [np.log(float(support[c])) + _address_bonus(before, characters[c], after) for c in rivals]
        if scores:
            chosen[j] = characters[rivals[int(np.argmax(scores))]]
    read = "".join(chosen)
    return None if read == text else read


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _is_value_character(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or ch.isdigit() or ch in "Xx·"


def choose_reading(
    crop: NDArray[np.uint8],
    choices: tuple[str, ...],
    *,
    probs: NDArray[np.float32] | None = None,
    whole_line: str | None = None,
    forced: bool = False,
) -> str | None:
    """The member of ``choices`` the recogniser's frames for ``crop`` (``probs`` when already
    computed) support best, if it is supported well enough and clearly better than the others
    (``forced``: in any case); None otherwise.

    Each member is aligned CTC-wise (best path) anywhere in the line, the frames before and after
    it free (a label's or a stamp's remains), and scored against the recogniser's own best path.
    ``whole_line``: the frames outside the member may spell only these characters (a label's),
    so a member must explain every other character the recogniser saw.
    """
    index = _character_index()
    known = [c for c in choices if c and all(ch in index for ch in c)]
    if not known or not crop.size:
        return None
    if probs is None:
        probs = _frame_probs(crop)
    # Only the columns of the members' characters (and the blank) are needed, not all 18 000.
    columns = sorted({0} | {index[ch] for c in known for ch in c})
    column_of = {k: i for i, k in enumerate(columns)}
    log_probs = np.log(np.maximum(probs[:, columns], 1e-12))
    best = np.log(np.maximum(probs.max(axis=1), 1e-12))
    free = None
    if whole_line is not None:
        outside = [0, *(index[ch] for ch in whole_line if ch in index)]
        free = np.log(np.maximum(probs[:, outside].max(axis=1), 1e-12))
    scores = _aligned_scores(log_probs, best, [[column_of[index[ch]] for ch in c] for c in known], free=free)
    order = np.argsort(-scores)
    top = float(scores[order[0]])
    if forced:
        return known[int(order[0])]
    if top < _CHOICE_MIN:
        return None
    if len(known) > 1 and top - float(scores[order[1]]) < _CHOICE_MARGIN:
        return None
    return known[int(order[0])]


_NEVER = -1e9


def _aligned_scores(
    log_probs: NDArray[np.float64],
    best: NDArray[np.float64],
    labels: list[list[int]],
    *,
    anchored: bool = False,
    free: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """For each label (columns of ``log_probs``, 0 the blank): log P(the best CTC path spelling it
    somewhere in the line, the frames around it free; ``anchored``: over all the frames) minus
    log P(the recogniser's best path, whose
    per-frame log-probabilities are ``best``). 0 when the best path spells it, negative otherwise.
    ``free``: what each frame outside the label may score (default ``best``: anything).
    All labels at once: a Viterbi pass over the frames on (label, state) arrays."""
    outside = best if free is None else free
    count, longest = len(labels), max(len(label) for label in labels)
    states = 2 * longest + 1  # blank, c1, blank, c2, ..., blank
    # A padding state emits a column of impossibilities (appended to log_probs).
    padded = np.concatenate([log_probs, np.full((log_probs.shape[0], 1), _NEVER)], axis=1)
    ext = np.full((count, states), padded.shape[1] - 1, dtype=np.int64)
    ext[:, 0::2] = 0
    for k, label in enumerate(labels):
        ext[k, 1 : 2 * len(label) : 2] = label
        ext[k, 2 * len(label) + 1 :] = padded.shape[1] - 1
    # A character may follow the one two states back directly unless it repeats it.
    skip = np.zeros((count, states), dtype=bool)
    skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]
    last_char = np.array([2 * len(label) - 1 for label in labels])
    rows = np.arange(count)
    alive = np.full((count, states), _NEVER)
    free_before, free_after = 0.0, np.full(count, _NEVER)
    for t in range(padded.shape[0]):
        step = np.concatenate([np.full((count, 1), free_before), alive[:, :-1]], axis=1)
        jump = np.where(skip, np.concatenate([np.full((count, 2), _NEVER), alive[:, :-2]], axis=1), _NEVER)
        step[:, 1] = np.maximum(step[:, 1], free_before)  # the first character with no blank before it
        ended = np.maximum(alive[rows, last_char], alive[rows, last_char + 1])
        free_after = np.maximum(free_after, ended) + outside[t]
        alive = np.maximum(np.maximum(alive, step), jump) + padded[t][ext]
        # anchored: the label starts at the first frame and ends at the last, none free
        free_before = _NEVER if anchored else free_before + float(outside[t])
    ended = np.maximum(alive[rows, last_char], alive[rows, last_char + 1])
    if anchored:
        return np.asarray(ended - float(best.sum()), dtype=np.float64)
    return np.asarray(np.maximum(ended, free_after) - float(best.sum()), dtype=np.float64)


def _frame_probs(crop: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The float recogniser's per-frame probabilities over its characters for one line crop: a
    second look is taken at full precision, whatever the first pass ran at."""
    return line_probabilities(crop, precise=True)


def _decoded(probs: NDArray[np.float32]) -> tuple[str, float]:
    """(text, score) of the best path over ``probs``, as RapidOCR decodes a line: each character
    once where its run starts, blanks dropped, the score the mean of those frames' probabilities."""
    best, starts = _best_path(probs)
    if not starts.size:
        return "", 0.0
    characters = _class_characters()
    text = "".join(characters[int(best[t])] for t in starts)
    return text, float(probs[starts, best[starts]].mean())


@lru_cache(maxsize=1)
def _class_characters() -> list[str]:
    """The recogniser's output classes in order (0 is CTC's blank)."""
    return recogniser_characters()


@lru_cache(maxsize=1)
def _character_index() -> dict[str, int]:
    """The recogniser's output classes by character (0 is CTC's blank)."""
    return {c: i for i, c in enumerate(recogniser_characters()) if i}


@dataclass(frozen=True)
class Paper:
    """The card's paper, against which red ink is painted out: its grey level and its colour (BGR)."""

    level: float
    colour: tuple[int, int, int]


def without_red_ink(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The card with red ink (a 复印无效 / 禁止复印 stamp, the 样本 mark) painted over with paper,
    keeping the black text, which stays dark where the translucent stamp crosses it."""
    channels = _channels(image)
    red = _red_mask(*channels)
    if cv2.countNonZero(red) < 0.002 * red.size:
        return image
    total = _grey_sum(*channels)
    return _painted(image, red, total, _paper(channels, total))


def red_ink_paper(card: NDArray[np.uint8]) -> Paper | None:
    """The paper to paint red ink over with, measured on the whole card; None when there is (almost)
    no red ink on it. Measured once, it serves every piece warped from the same card."""
    channels = _channels(card)
    if cv2.countNonZero(_red_mask(*channels)) < 0.002 * channels[0].size:
        return None
    return _paper(channels, _grey_sum(*channels))


def paint_out_red_ink(image: NDArray[np.uint8], paper: Paper | None) -> NDArray[np.uint8]:
    """``image`` (the card or a piece of it) with its red ink, but not the dark text under a
    translucent stamp, painted over with ``paper`` (from ``red_ink_paper``)."""
    if paper is None:
        return image
    channels = _channels(image)
    return _painted(image, _red_mask(*channels), _grey_sum(*channels), paper)


# OpenCV's saturating channel arithmetic and histograms instead of NumPy's int16 copies, sorts and
# boolean gathers: the same result at a tenth of the cost (this runs on every candidate).
_Channels = tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]


def _channels(image: NDArray[np.uint8]) -> _Channels:
    b, g, r = (np.asarray(ch, dtype=np.uint8) for ch in cv2.split(image))
    return b, g, r


def _paper(channels: _Channels, total: NDArray[np.uint16]) -> Paper:
    """The paper's grey level (90th percentile) and colour (median of the pixels near it)."""
    level = _percentile_of_counts(_histogram(total, 766, None), 90) / 3
    light = (total >= 3 * 0.9 * level).view(np.uint8)
    if not cv2.countNonZero(light):
        return Paper(level, (255, 255, 255))
    bb, gg, rr = (int(_median_of_counts(_histogram(ch, 256, light))) for ch in channels)
    return Paper(level, (bb, gg, rr))


def _painted(
    image: NDArray[np.uint8], red: NDArray[np.uint8], total: NDArray[np.uint16], paper: Paper
) -> NDArray[np.uint8]:
    """``image`` with the red pixels (grown by one: JPEG smears the stamp's colour) that are not
    dark text painted with the paper's colour."""
    red = np.asarray(cv2.dilate(red, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    stamp = cv2.bitwise_and(red, (total > 3 * 0.45 * paper.level).view(np.uint8))
    out = image.copy()
    x, y, w, h = cv2.boundingRect(stamp)
    if w == 0:
        return out
    roi = out[y : y + h, x : x + w]
    cv2.copyTo(np.full_like(roi, np.array(paper.colour, dtype=np.uint8)), stamp[y : y + h, x : x + w], roi)
    return out


def _red_mask(b: NDArray[np.uint8], g: NDArray[np.uint8], r: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return (np.asarray(cv2.subtract(r, cv2.max(b, g))) > 30).view(np.uint8)


def _grey_sum(b: NDArray[np.uint8], g: NDArray[np.uint8], r: NDArray[np.uint8]) -> NDArray[np.uint16]:
    """Three times the grey level, exact in 16 bits."""
    return np.asarray(cv2.add(cv2.add(b, g, dtype=cv2.CV_16U), r, dtype=cv2.CV_16U), dtype=np.uint16)


def _histogram(
    values: NDArray[np.uint8] | NDArray[np.uint16], bins: int, mask: NDArray[np.uint8] | None
) -> NDArray[np.int64]:
    """Counts of each integer value 0..bins-1 of a single-channel 8- or 16-bit image (under mask)."""
    hist = cv2.calcHist([values], [0], mask, [bins], [0, bins])
    return np.asarray(hist, dtype=np.int64).ravel()


def _order_statistic(cumulative: NDArray[np.int64], k: int) -> int:
    """The k-th smallest value (0-based) given cumulative counts per value."""
    return int(np.searchsorted(cumulative, k, side="right"))


def _percentile_of_counts(counts: NDArray[np.int64], q: float) -> float:
    """``np.percentile`` (linear interpolation) of the values the histogram counts."""
    cumulative = np.cumsum(counts)
    position = q / 100 * (int(cumulative[-1]) - 1)
    lo = int(np.floor(position))
    v_lo = _order_statistic(cumulative, lo)
    v_hi = _order_statistic(cumulative, min(lo + 1, int(cumulative[-1]) - 1))
    return v_lo + (v_hi - v_lo) * (position - lo)


def _median_of_counts(counts: NDArray[np.int64]) -> float:
    """``np.median`` of the values the histogram counts."""
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1])
    return (_order_statistic(cumulative, (n - 1) // 2) + _order_statistic(cumulative, n // 2)) / 2
