"""Which side a rectified card shows and which way up, from where its text lies.

The detector's text mask, warped into the canonical frame, is matched against each side's layout:
where text must be (labels, fixed titles, the start of each value) and where it never is (the
portrait, the emblem, the blank bands). The same score ranks candidate card quadrilaterals: only a
quad that really frames an ID card gives a map that matches one of the layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide

# Probability above which a detector pixel counts as text (RapidOCR's DB threshold).
TEXT_THRESHOLD = 0.3

W, H = layout.CARD_WIDTH, layout.CARD_HEIGHT
Box = tuple[int, int, int, int]


def _template(boxes_pos: list[Box], boxes_neg: list[Box], shape: tuple[int, int]) -> NDArray[np.float32]:
    t = np.zeros(shape, dtype=np.float32)
    sy, sx = shape[0] / H, shape[1] / W
    pos = np.zeros(shape, dtype=bool)
    for x0, y0, x1, y1 in boxes_pos:
        pos[round(y0 * sy) : round(y1 * sy), round(x0 * sx) : round(x1 * sx)] = True
    neg = np.zeros(shape, dtype=bool)
    for x0, y0, x1, y1 in boxes_neg:
        neg[round(y0 * sy) : round(y1 * sy), round(x0 * sx) : round(x1 * sx)] = True
    t[pos] = 1.0 / max(1, int(pos.sum()))
    t[neg & ~pos] = -1.0 / max(1, int((neg & ~pos).sum()))
    return t


def _head(box: Box, width: int) -> Box:
    return (box[0], box[1], min(box[2], box[0] + width), box[3])


# Where text must be (labels, fixed titles, the first characters of each value) and must not be.
_FRONT_POS: list[Box] = [
    *layout.FRONT_LABELS.values(),
    _head(layout.FRONT_VALUES["Name"], 60),
    _head(layout.FRONT_VALUES["Sex"], 40),
    _head(layout.FRONT_VALUES["Birth"], 200),
    (*_head(layout.FRONT_VALUES["Address"], 300)[:3], layout.FRONT_VALUES["Address"][1] + 45),
    (300, 430, 800, 480),
]
_FRONT_NEG: list[Box] = [
    (layout.PORTRAIT[0] + 20, layout.PORTRAIT[1] + 20, layout.PORTRAIT[2] - 20, layout.PORTRAIT[3] - 20),
    (20, 5, 830, 40),
    (20, 500, 830, 535),
]
_BACK_POS: list[Box] = [
    (300, 70, 760, 130),
    (300, 165, 760, 245),
    *layout.BACK_LABELS.values(),
    _head(layout.BACK_VALUES["Authority"], 120),
    _head(layout.BACK_VALUES["ValidDate"], 300),
]
_BACK_NEG: list[Box] = [
    (20, 270, 830, 345),
    (20, 500, 830, 535),
    (20, 280, 150, 520),
]


@lru_cache(maxsize=256)
def templates(h: int, w: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    return _template(_FRONT_POS, _FRONT_NEG, (h, w)), _template(_BACK_POS, _BACK_NEG, (h, w))


# The margin around a card, as a fraction of its size, that must be free of text: a card lies on a
# table, so a placement whose surroundings are full of text is a piece of something bigger.
RING = 0.12
RING_WEIGHT = 0.6


@lru_cache(maxsize=256)
def ring_templates(h: int, w: int) -> tuple[NDArray[np.float32], NDArray[np.float32], int, int]:
    """``templates(h, w)`` inside a negative ring; returns (front, back, ring_y, ring_x)."""
    my, mx = max(1, round(RING * h)), max(1, round(RING * w))
    out = []
    for t in templates(h, w):
        big = np.full(
            (h + 2 * my, w + 2 * mx), -RING_WEIGHT / ((h + 2 * my) * (w + 2 * mx) - h * w), np.float32
        )
        big[my : my + h, mx : mx + w] = t
        out.append(big)
    return out[0], out[1], my, mx


@dataclass(frozen=True)
class Orientation:
    side: CardSide
    flipped: bool  # the warped card was upside down
    score: float  # template match of the chosen hypothesis
    margin: float  # lead over the best hypothesis of the other side


def orient(prob: NDArray[np.float32]) -> Orientation:
    """Which side this is and whether it is upside down, from where its text lies."""
    mask = (prob > TEXT_THRESHOLD).astype(np.float32)
    tf, tb = templates(mask.shape[0], mask.shape[1])
    return match(mask, tf, tb)


def match(mask: NDArray[np.float32], tf: NDArray[np.float32], tb: NDArray[np.float32]) -> Orientation:
    """The best of front/back x upright/upside-down for a text mask shaped like the templates."""
    flipped_mask = mask[::-1, ::-1]
    scores = {
        (CardSide.FRONT, False): float((mask * tf).sum()),
        (CardSide.FRONT, True): float((flipped_mask * tf).sum()),
        (CardSide.BACK, False): float((mask * tb).sum()),
        (CardSide.BACK, True): float((flipped_mask * tb).sum()),
    }
    (side, flipped), best = max(scores.items(), key=lambda kv: kv[1])
    other = max(v for (s, _), v in scores.items() if s is not side)
    return Orientation(side=side, flipped=flipped, score=best, margin=best - other)
