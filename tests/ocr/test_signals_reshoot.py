"""ReshootWarn's tile measure (moire_texture): bent, chirped or blurred moiré still counts.

The whole-card spectral peak misses moiré whose bands bend across the card (a curved or tilted
screen, the lens), because their energy spreads over many bins; the tile measure finds it as long
as most of the card is locally periodic, and stays low for printed cards, copies and a temporary card's ruled frame.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals import reshoot
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens import CardVariant, random_conditions, specimen_photo

W, H = layout.CARD_WIDTH, layout.CARD_HEIGHT


def _paper(seed: int) -> NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    return np.float32(200) + rng.normal(0, 3, (H, W)).astype(np.float32)


def _bgr(grey: NDArray[np.float32]) -> NDArray[np.uint8]:
    g = np.clip(grey, 0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(g, cv2.COLOR_GRAY2BGR), np.uint8)


def _bent_moire(grey: NDArray[np.float32], *, period: float, angle: float, bend: float) -> None:
    """Add bands whose phase wanders by ``bend`` radians across the card, as a curved screen's do."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    u = x * np.cos(angle) + y * np.sin(angle)
    v = -x * np.sin(angle) + y * np.cos(angle)
    grey += 10 * np.sin(2 * np.pi * u / period + bend * np.sin(v / 90.0))


def test_bent_moire_is_found_by_the_tiles_where_the_whole_card_peak_is_weak() -> None:
    grey = _paper(1)
    _bent_moire(grey, period=9.0, angle=0.6, bend=6.0)
    card = _bgr(grey)
    assert reshoot.moire_texture(card, card_px=W) > reshoot.MOIRE_TEXTURE
    assert reshoot.is_reshoot(card, card_px=W)
    # the same bands straight give the whole card one sharp peak: bending is what smears it
    straight = _paper(1)
    _bent_moire(straight, period=9.0, angle=0.6, bend=0.0)
    assert reshoot.spectral_peak(_bgr(straight), card_px=W) > reshoot.spectral_peak(card, card_px=W) + 1.0


def test_plain_paper_is_not_moire() -> None:
    assert reshoot.moire_texture(_bgr(_paper(2)), card_px=W) < reshoot.MOIRE_TEXTURE


def _rectified(seed: int, **changes: object) -> tuple[NDArray[np.uint8], float]:
    rng = random.Random(seed)
    conditions = dataclasses.replace(random_conditions(rng, difficulty="clean"), **changes)  # type: ignore[arg-type]
    photo, _ = specimen_photo(rng, CardSide.BACK, conditions, today=datetime.date(2026, 11, 25))
    src = np.float32(photo.corners)
    dst = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    card = cv2.warpPerspective(photo.image(), cv2.getPerspectiveTransform(src, dst), (W, H))
    return np.asarray(card, np.uint8), float(np.linalg.norm(src[1] - src[0]))


@pytest.mark.parametrize(
    "changes",
    [{}, {"photocopy": "bw"}, {"card": CardVariant(temporary=True)}],
    ids=["printed", "photocopy", "temporary (ruled frame)"],
)
def test_printed_cards_are_not_moire(changes: dict[str, object]) -> None:
    card, width = _rectified(31, **changes)
    assert reshoot.moire_texture(card, card_px=width) < reshoot.MOIRE_TEXTURE
    assert not reshoot.is_reshoot(card, card_px=width)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_soft_small_reshoot_is_flagged(seed: int) -> None:
    # a small card on a screen, slightly blurred: a few photo pixels per screen pixel
    card, width = _rectified(seed, screen=True, card_fraction=0.4, blur=1.1)
    assert reshoot.is_reshoot(card, card_px=width)


def test_is_reshoot_is_either_measure_over_its_threshold() -> None:
    # a strictly periodic lattice on the axes: the whole-card peak, not the tiles, catches it
    grey = _paper(4)
    grey[:, ::3] -= 40
    grey[::3, :] -= 40
    card = _bgr(grey)
    assert reshoot.spectral_peak(card, card_px=W) > reshoot.RESHOOT_PEAK
    assert reshoot.is_reshoot(card, card_px=W)


@pytest.mark.parametrize(("h", "w"), [(320, 512), (375, 600), (333, 540)])
def test_the_far_frequency_mask_keeps_periods_shorter_than_the_bar(h: int, w: int) -> None:
    far = reshoot._far.__wrapped__(h, w)
    yy, xx = np.mgrid[0:h, 0:w]
    radius = np.hypot((yy - h // 2) / h, (xx - w // 2) / w)
    assert np.array_equal(far, radius > reshoot._MIN_RADIUS)
    assert not far[h // 2, w // 2] and far[0, 0]  # the centre (frequency 0) out, the corners in
