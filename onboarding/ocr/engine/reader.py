"""Rectify the located card, decide its side and orientation, and cut out the field lines.

Everything here works in the canonical frame of ``layout.py`` (856 x 540). The detector's probability
map of the rectified card is computed once; the side and the 0/180 orientation are chosen by matching
it against where each side prints text (and where it never does: the portrait, the emblem), and the
same map then gives the text lines inside each field's box.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
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


# Rows of the front, by the vertical centre of their text in the canonical frame: boundaries half-way
# between the rows' printed centres, so a card rectified 15 px off still sorts its lines right.
_FRONT_ROWS: tuple[tuple[str, int, int], ...] = (
    ("Name", 0, 106),
    ("SexNation", 106, 170),
    ("Birth", 170, 231),
    ("Address", 231, 415),
    ("IdNum", 415, H),
)
_BACK_ROWS: tuple[tuple[str, int, int], ...] = (
    ("Authority", 330, 428),
    ("ValidDate", 428, H),
)
# Text entirely left of these x is a label alone (the values start further right).
_FRONT_LABEL_END = 140
_NUMBER_LABEL_END = 275
_BACK_LABEL_END = 300
# Where the portrait starts: no value reaches it (the number line is below it).
_PORTRAIT_X = layout.PORTRAIT[0] - 12
# Sex and nation share a row: a piece of text ending left of this is the sex.
_SEX_NATION_SPLIT = 335


def field_lines(prob: NDArray[np.float32], side: CardSide) -> list[Line]:
    """Text lines (canonical boxes) of each field of an upright card, labels possibly included.

    The detector's connected regions are sorted into the side's rows by their vertical centre, rows
    are split into lines by height and into pieces at wide gaps (sex | nation).
    """
    mask = (prob > TEXT_THRESHOLD).astype(np.uint8)
    sy, sx = mask.shape[0] / H, mask.shape[1] / W
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rows = _FRONT_ROWS if side is CardSide.FRONT else _BACK_ROWS
    per_row: dict[str, list[Box]] = {}
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < 6 or h < 2:
            continue
        box = (int(x / sx), int(y / sy), int(np.ceil((x + w) / sx)), int(np.ceil((y + h) / sy)))
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        name = _row_of(cy, rows)
        if name is None:
            continue
        if side is CardSide.FRONT:
            if name == "IdNum":
                if box[2] <= _NUMBER_LABEL_END:
                    continue
            elif box[2] <= _FRONT_LABEL_END or cx >= _PORTRAIT_X:
                continue
        elif box[2] <= _BACK_LABEL_END:
            continue
        per_row.setdefault(name, []).append(box)
    lines: list[Line] = []
    for name, boxes in per_row.items():
        for line in _lines(boxes):
            for piece in _pieces(line):
                box = _union(piece)
                field = name
                if name == "SexNation":
                    if box[2] <= _SEX_NATION_SPLIT:
                        field = "Sex"
                    elif box[0] >= _SEX_NATION_SPLIT - 60:
                        field = "Nation"
                lines.append(Line(field, box))
    return lines


def _row_of(cy: float, rows: tuple[tuple[str, int, int], ...]) -> str | None:
    for name, r0, r1 in rows:
        if r0 <= cy < r1:
            return name
    return None


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
    height = max(b[3] - b[1] for b in ordered)
    pieces: list[list[Box]] = [[ordered[0]]]
    for b in ordered[1:]:
        if b[0] - max(p[2] for p in pieces[-1]) > 3 * height:
            pieces.append([b])
        else:
            pieces[-1].append(b)
    return pieces


def crop_line(card: NDArray[np.uint8], box: Box, *, scale: float = 1.0) -> NDArray[np.uint8]:
    """The line ``box`` from a card image at ``scale`` x canonical, padded like the detector's boxes."""
    x0, y0, x1, y1 = box
    # The detector's regions are its shrunk text kernels; grow them back as RapidOCR's unclip does,
    # and give single characters (sex, nation) room: the recogniser needs context at the sides.
    h = y1 - y0
    pad_y = max(3, round(0.3 * h))
    pad_x = max(4, round(0.45 * h))
    if x1 - x0 < 2 * h:
        pad_x = max(pad_x, round(0.9 * h))
    ch, cw = card.shape[:2]
    a0 = max(0, round((x0 - pad_x) * scale))
    b0 = max(0, round((y0 - pad_y) * scale))
    a1 = min(cw, round((x1 + pad_x) * scale))
    b1 = min(ch, round((y1 + pad_y) * scale))
    return np.ascontiguousarray(card[b0:b1, a0:a1])
