"""CopyWarn: the card is a photocopy (-9102), and a black-and-white one (-9108).

Evidence, in the rectified card:

* Colour. A genuine card is printed in colour everywhere: the tinted guilloche, the blue-grey
  labels, the portrait or the red and gold emblem. A black-and-white copy has no chroma at all.
  We measure the spread of chroma (CIELAB a*, b*) around the card's own median colour, so a colour
  cast of the light or of the camera's white balance, which shifts every pixel alike, does not
  count as colour.
* The security background. A card's background is a dense pattern of fine, light guilloche lines.
  Copiers drop light tints to paper white (that is what makes a copy "clean"), so on a copy the
  background between fields is flat paper with a few surviving lines. We measure how far the
  background dips below its local maximum (a morphological top-hat), relative to the card's text
  contrast, and divide by the sharpness of the card's strong edges: a blurred genuine photo loses
  its fine lines too, but it loses its sharp edges with them, whereas a sharp copy keeps sharp text
  over an empty background.
* Toner specks: isolated dark dots on the flat background. A dot counts only if nothing else dark
  is near it, so the regular dot lattice of a screen or a printed texture is not taken for specks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine.signals._common import (
    FloatImage,
    Image8,
    background_mask,
    canonical,
    counted_percentile,
    median_u8,
)
from onboarding.ocr.engine.signals.quality import edge_sharpness
from onboarding.ocr.engine.types import CardSide

# 99th percentile of chroma distance from the card's median colour: genuine specimen photos score
# 15-80, black-and-white copies under 2 (JPEG chroma noise).
BW_CHROMA = 6.0
# Background dip (median of the top-hat, % of text contrast) per unit of edge sharpness: genuine
# 14-29, copies 3-16 with a tail where noise fills the background.
COPY_TEXTURE = 11.5
COPY_TEXTURE_WITH_SPECKS = 18.0
MIN_SPECKS = 10


@dataclass(frozen=True)
class CopyEvidence:
    chroma: float
    texture: float
    specks: int

    @property
    def black_and_white(self) -> bool:
        return self.chroma < BW_CHROMA

    @property
    def is_copy(self) -> bool:
        if self.black_and_white:
            return True
        if self.texture < COPY_TEXTURE:
            return True
        return self.texture < COPY_TEXTURE_WITH_SPECKS and self.specks >= MIN_SPECKS


def copy_evidence(card_bgr: Image8, side: CardSide, *, sharpness: float | None = None) -> CopyEvidence:
    """Measure chroma spread, background texture and toner specks on the rectified card.

    ``sharpness`` is ``quality.edge_sharpness`` of the card when the caller has measured it already.
    """
    card = canonical(card_bgr)
    # chroma is judged at half scale: colour areas are large, and a quarter of the pixels is enough
    lab: Image8 = np.asarray(
        cv2.cvtColor(cv2.resize(card, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2Lab),
        np.uint8,
    )
    chroma = chroma_percentile(lab[..., 1], lab[..., 2], 99.0)

    mask = background_mask(side)
    g = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    smooth = cv2.GaussianBlur(g, (0, 0), 1.0)
    # medians and percentiles from every other pixel of every other row: the same figures for a
    # quarter of the sorting
    sub = (slice(None, None, 2), slice(None, None, 2))
    level = float(np.median(smooth[sub][mask[sub]]))
    contrast = max(level - float(np.percentile(smooth[sub], 1)), 20.0)
    dip = cv2.dilate(smooth, np.ones((11, 11), np.uint8)) - smooth
    dip_pct = float(np.median(dip[sub][mask[sub]])) / contrast * 100.0
    if sharpness is None:
        sharpness = edge_sharpness(card)
    texture = dip_pct / max(sharpness, 0.05)

    return CopyEvidence(chroma=chroma, texture=texture, specks=_isolated_specks(g, mask, contrast))


def chroma_percentile(a: NDArray[np.uint8], b: NDArray[np.uint8], q: float) -> float:
    """``np.percentile`` (linear) of each pixel's distance in (a, b) from the channels' medians.

    Counted over the distinct (a, b) pairs of a 2-D histogram, a few thousand on a card, instead of
    sorting every pixel's distance: the same figure (to float rounding) for a third of the time.
    """
    ma, mb = np.float32(median_u8(a)), np.float32(median_u8(b))
    counts = np.bincount((a.astype(np.int32) << 8 | b).ravel(), minlength=1 << 16)
    pairs = np.flatnonzero(counts)
    distance = np.hypot((pairs >> 8).astype(np.float32) - ma, (pairs & 255).astype(np.float32) - mb)
    order = np.argsort(distance, kind="stable")
    return counted_percentile(distance[order], counts[pairs][order], q)


def _isolated_specks(g: FloatImage, mask: NDArray[np.bool_], contrast: float) -> int:
    black_hat = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, np.ones((5, 5), np.uint8))
    dark = ((black_hat > 0.25 * contrast) & mask).astype(np.uint8)
    # labelled only where there is something dark (a clean card has nothing): most of the time
    x, y, w, h = cv2.boundingRect(dark)
    if not w or not h:
        return 0
    count, _, stats, centroids = cv2.connectedComponentsWithStats(dark[y : y + h, x : x + w])
    if count <= 1:
        return 0
    centroids = centroids + np.array([x, y], np.float64)  # back to the whole card's pixels
    # Dark pixels within 7 px of each blob's centre: a lone speck has only its own few pixels.
    density = cv2.boxFilter(dark.astype(np.float32), -1, (15, 15), normalize=False)
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float32)
    cx = np.clip(np.round(centroids[1:, 0]).astype(np.int64), 0, dark.shape[1] - 1)
    cy = np.clip(np.round(centroids[1:, 1]).astype(np.int64), 0, dark.shape[0] - 1)
    lone = (areas <= 12) & (density[cy, cx] <= areas + 2)
    return int(lone.sum())
