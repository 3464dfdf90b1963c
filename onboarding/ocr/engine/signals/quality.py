"""Quality: how sharp the card's print is, 0-100 (lower is blurrier).

Evidence: the width of the card's strongest edges. On every strong edge (the text strokes, the
portrait's or emblem's outlines) the peak gradient divided by the intensity step across the edge is
about one over the edge's width in pixels: a defocused or shaken photo spreads each step over more
pixels. The ratio does not depend on the card's contrast or exposure (a dim card is not a blurred
card), and taking it at gradient maxima of strong steps keeps sensor noise and JPEG blocking, which
add weak gradients everywhere, out of it (unlike Laplacian-variance or re-blur measures, which
noise pushes back up). It is measured on the rectified card at the canonical scale, so a card that
is small in the photo scores lower: its print really is softer per millimetre.
"""

from __future__ import annotations

import cv2
import numpy as np

from onboarding.ocr.engine.signals._common import Image8, canonical, gray

# Below this Quality the engine answers FailedOperation.ImageBlur. On drawn specimens (1280x960
# photos) clean photos score 80-100; with the card filling 35-80 % of the frame a Gaussian blur of
# 1.4 photo px scores about 55-75, 2.8 px 25-50, and 6 px or more under 10 (the bigger the card in
# the frame, the more blur it takes: what counts is blur per millimetre of card).
BLUR_THRESHOLD = 20

# Edge sharpness (1 / edge width in canonical px) that maps to Quality 100 and 0. The lower end is
# the floor of the measure itself: a step spread wider than the 13 px window reads as ~0.09.
_SHARP = 0.30
_FLAT = 0.09
_WINDOW = 13
_MIN_STEP = 60.0  # grey levels: text on the card's background, even in a dim photo


def edge_sharpness(card_bgr: Image8) -> float:
    """Upper quartile over strong edges of gradient / local step: about 1 / edge width in canonical px."""
    g = gray(canonical(card_bgr)).astype(np.float32)
    g = np.asarray(
        cv2.GaussianBlur(g, (3, 3), 0.8), np.float32
    )  # the same slight smoothing for all: tames noise
    gx = np.asarray(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), np.float32) / np.float32(8.0)
    gy = np.asarray(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3), np.float32) / np.float32(8.0)
    mag = cv2.magnitude(gx, gy)
    kernel = np.ones((_WINDOW, _WINDOW), np.uint8)
    step = cv2.dilate(g, kernel) - cv2.erode(g, kernel)
    peak = mag >= cv2.dilate(mag, np.ones((3, 3), np.uint8))
    sel = peak & (step > _MIN_STEP)
    if int(sel.sum()) < 50:  # no strong edge at all: nothing on the card is in focus
        return 0.0
    return float(np.percentile(mag[sel] / step[sel], 75))


def quality_score(card_bgr: Image8) -> int:
    """Quality 0-100 of the rectified card (lower is blurrier); ``BLUR_THRESHOLD`` is the ImageBlur bar."""
    return score_of(edge_sharpness(card_bgr))


def score_of(sharpness: float) -> int:
    """Quality 0-100 from ``edge_sharpness`` (for a caller that has measured it already)."""
    score = (sharpness - _FLAT) / (_SHARP - _FLAT) * 100.0
    return round(min(100.0, max(0.0, score)))
