"""MultiCardDetect's half: find every card in a photo.

Evidence: the engine's own locator, applied again. ``locate.locate_card`` picks the most card-like
quadrilateral in a photo, judged by how well the text inside it matches an ID card's layout (either
side). When it has found one card we blank that card out (its text probability set to zero, its
pixels painted with the photo's median colour, a little beyond its edges) and ask again: a second
card in the photo is then the most card-like thing left. We stop when what is left does not match a
card's layout well enough (a further card must also show its edges) or overlaps a card already
found. Using the layout score, not edges alone,
is what keeps a sheet of paper, a phone or a receipt from counting as a second card.

Before searching again we weigh the text left outside the cards found: a second ID card in the same
photo is shot from the same distance and, either side, carries about as much text as the first (on
drawn two-card photos 0.74-1.48 of the first card's text area; clutter in single-card photos
mostly under 0.4). Less than ``MIN_EXTRA_TEXT`` of it cannot be another card, and the costly search
is skipped; more (a page of text beside the card) only means the search runs and the layout decides.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine.locate import Located, locate_card
from onboarding.ocr.engine.orientation import TEXT_THRESHOLD

# The first card needs the engine's bar for "this is an ID card" (pipeline.MIN_LAYOUT_SCORE). Every
# further card must match a layout well and show its edges: on drawn specimens real second cards
# score 0.65-0.9 with edge scores 0.5+, while leftovers of the first card, paper and clutter score
# under 0.6 or are only found by the layout fallback (edge score ~0).
MIN_CARD_SCORE = 0.12
MIN_EXTRA_SCORE = 0.6
MIN_EXTRA_EDGES = 0.3
_GROW = 1.06  # blank a little beyond the found card's edges (its shadow, its rounded corners)
MIN_EXTRA_TEXT = 0.6  # text area left outside, as a share of the first card's, to look further


def _overlap(a: NDArray[np.float64], b: NDArray[np.float64], shape: tuple[int, int]) -> float:
    """Intersection over the smaller quad's area, rasterised."""
    ma = np.zeros(shape, np.uint8)
    mb = np.zeros(shape, np.uint8)
    cv2.fillPoly(ma, [np.round(a).astype(np.int32)], 1)
    cv2.fillPoly(mb, [np.round(b).astype(np.int32)], 1)
    smaller = max(1, min(int(ma.sum()), int(mb.sum())))
    return float((ma & mb).sum()) / smaller


def find_cards(
    image_bgr: NDArray[np.uint8],
    prob: NDArray[np.float32],
    *,
    max_cards: int = 3,
    min_score: float = MIN_CARD_SCORE,
    first: list[Located] | None = None,
) -> list[Located]:
    """Every card in ``image_bgr`` (the same size as the text probability map ``prob``), best first.

    Each ``Located`` is what ``locate_card`` returns for that card alone (quad in ``image_bgr``
    pixels, upright top-left first, and its side from the layout match). ``first`` is what
    ``locate_card(image_bgr, prob)`` already returned, when the caller has it (saves that search).
    """
    image = image_bgr.copy()
    remaining = prob.copy()
    fill = tuple(int(v) for v in np.median(image.reshape(-1, image.shape[2]), axis=0))
    found: list[Located] = []
    first_text = 0
    for index in range(max_cards):
        if found and int((remaining > TEXT_THRESHOLD).sum()) < MIN_EXTRA_TEXT * first_text:
            break  # not enough text left for another card
        candidates = (
            first
            if index == 0 and first is not None
            else locate_card(image, remaining, layout_search=index == 0)
        )
        if not candidates:
            break
        located = candidates[0]
        if located.orientation.score < (min_score if not found else max(min_score, MIN_EXTRA_SCORE)):
            break
        if found and located.edge_score < MIN_EXTRA_EDGES:
            break
        if any(_overlap(located.quad, other.quad, prob.shape) > 0.3 for other in found):
            break
        found.append(located)
        centre = located.quad.mean(axis=0)
        grown = np.round(centre + (located.quad - centre) * _GROW).astype(np.int32)
        before = int((remaining > TEXT_THRESHOLD).sum())
        cv2.fillPoly(remaining, [grown], 0.0)
        if len(found) == 1:
            first_text = before - int((remaining > TEXT_THRESHOLD).sum())
        cv2.fillPoly(image, [grown], fill)
    return found
