"""Occlusion (-9105) against glare (-9107): a white sticker is not glare, glare is not an occluder.

A clean specimen card is rectified with its true corners and something is put on it in the card's
own frame: opaque things (a white or coloured sticker) end in a step, glare is light added on top
that fades out. Coloured ink (a temporary card's red title) is print, not an occluder. The last
test is -9101's: a card cut by the frame through a line of its print.
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
from onboarding.ocr.engine.signals import border, reflect
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens import random_conditions, specimen_photo

TODAY = datetime.date(2026, 11, 25)

Card = NDArray[np.uint8]


def clean_card(seed: int, side: CardSide) -> Card:
    rng = random.Random(seed)
    conditions = dataclasses.replace(random_conditions(rng, difficulty="clean"), blur=0.0, lighting="even")
    photo, _ = specimen_photo(rng, side, conditions, today=TODAY)
    w, h = layout.CARD_WIDTH, layout.CARD_HEIGHT
    hom = cv2.getPerspectiveTransform(np.float32(photo.corners), np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    card = cv2.warpPerspective(
        photo.image(), hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(card, np.uint8)


def with_sticker(card: Card, centre: tuple[int, int], colour: tuple[int, int, int]) -> Card:
    """An opaque rectangle (about 15 x 9 mm), slightly turned, with a hard edge."""
    out = card.copy()
    pts = cv2.boxPoints((centre, (150.0, 90.0), 12.0)).astype(np.int32)
    cv2.fillPoly(out, [pts], colour, cv2.LINE_AA)
    return np.asarray(cv2.GaussianBlur(out, (0, 0), 0.8), np.uint8)


def with_glare(card: Card, centre: tuple[int, int], radius: float) -> Card:
    """A reflection: a near-white ellipse whose strength falls off smoothly over the print."""
    strength = np.zeros(card.shape[:2], np.float32)
    cv2.ellipse(strength, centre, (round(radius), round(radius * 0.7)), 20, 0, 360, 1.0, -1, cv2.LINE_AA)
    strength = np.clip(cv2.GaussianBlur(strength, (0, 0), radius * 0.25) * 1.25, 0, 1)[..., None]
    return np.asarray(card * (1 - strength) + 252 * strength, np.uint8)


def judged(card: Card, side: CardSide) -> tuple[bool, bool]:
    """(occlusion found, glare found), the washed-out mask shared as the engine shares it."""
    washed = reflect.washed_out(card, side)
    occlusion = border.find_occlusion(card, side, washed=washed)
    glare = reflect.find_glare(card, side, washed_mask=washed)
    return occlusion.found, glare.found


@pytest.fixture(scope="module")
def front() -> Card:
    return clean_card(31, CardSide.FRONT)


@pytest.fixture(scope="module")
def back() -> Card:
    return clean_card(32, CardSide.BACK)


def test_the_clean_cards_raise_neither(front: Card, back: Card) -> None:
    assert judged(front, CardSide.FRONT) == (False, False)
    assert judged(back, CardSide.BACK) == (False, False)


@pytest.mark.parametrize(("side", "centre"), [(CardSide.FRONT, (330, 200)), (CardSide.BACK, (560, 390))])
def test_a_white_sticker_is_an_occluder_not_glare(
    front: Card, back: Card, side: CardSide, centre: tuple[int, int]
) -> None:
    card = front if side is CardSide.FRONT else back
    covered = with_sticker(card, centre, (252, 252, 252))
    # as bright, flat and colourless as glare: the washed-out test alone cannot tell them apart
    half = (centre[1] // 2, centre[0] // 2)
    mask = reflect.washed_out(covered, side) | reflect.washed_out(with_glare(card, centre, 90.0), side)
    assert mask[half]
    assert judged(covered, side) == (True, False)


@pytest.mark.parametrize(("side", "centre"), [(CardSide.FRONT, (330, 200)), (CardSide.BACK, (560, 390))])
def test_glare_is_glare_not_an_occluder(
    front: Card, back: Card, side: CardSide, centre: tuple[int, int]
) -> None:
    card = front if side is CardSide.FRONT else back
    assert judged(with_glare(card, centre, 90.0), side) == (False, True)


def test_a_small_glare_spot_is_still_glare(front: Card) -> None:
    assert judged(with_glare(front, (300, 330), 70.0), CardSide.FRONT) == (False, True)


@pytest.fixture(scope="module")
def dim_front(front: Card) -> Card:
    """The front under dimmer light: the portrait's white backdrop is below the washed-out bar."""
    return np.asarray(front * 0.88, np.uint8)


def with_light(card: Card, strength: NDArray[np.float32]) -> Card:
    """Uneven light: ``strength`` (0-1 per pixel) adds up to 45 grey levels."""
    lit = card.astype(np.float32) + 45.0 * strength[..., None]
    return np.asarray(np.clip(lit, 0, 255), np.uint8)


@pytest.mark.parametrize("centre", [(760, 330), (640, 330)])
def test_glare_on_the_portrait_beside_its_figure_zones_is_glare(
    dim_front: Card, centre: tuple[int, int]
) -> None:
    # on a shoulder, clear of the mid-face, neck and chest zones: brighter than the backdrop and
    # fading into the figure rather than stopping at it
    assert judged(with_glare(dim_front, centre, 60.0 if centre[0] > 700 else 50.0), CardSide.FRONT) == (
        False,
        True,
    )


def test_a_lit_part_of_the_portrait_backdrop_is_not_glare(dim_front: Card) -> None:
    yy, xx = np.mgrid[0 : dim_front.shape[0], 0 : dim_front.shape[1]].astype(np.float32)
    # light from the left, over the backdrop from the photo's top down to the shoulders: it runs
    # to the photo's edge above and beside the head
    from_the_left = np.clip(1 - (xx - 560) / 70, 0, 1) * ((xx >= 556) & (yy < 330))
    # a lit patch low beside the neck: it stops where the figure starts
    beside_the_neck = np.clip(1 - np.hypot(xx - 560, yy - 300) / 100, 0, 1)
    for strength in (from_the_left, beside_the_neck):
        lit = with_light(dim_front, strength.astype(np.float32))
        assert reflect.washed_out(lit, CardSide.FRONT).sum() > 400  # past the washed-out bar
        assert judged(lit, CardSide.FRONT) == (False, False)


def test_a_coloured_sticker_is_an_occluder(front: Card) -> None:
    assert judged(with_sticker(front, (330, 200), (90, 230, 250)), CardSide.FRONT)[0]


def test_red_print_across_the_top_is_not_an_occluder(front: Card) -> None:
    # a temporary card prints its title in red along the top: ink strokes, not a flat cover
    titled = front.copy()
    for k in range(12):
        x = 190 + k * 26
        cv2.rectangle(titled, (x, 14), (x + 18, 36), (40, 40, 200), 2)
        cv2.line(titled, (x + 2, 25), (x + 16, 25), (40, 40, 200), 2)
    assert not border.find_occlusion(titled, CardSide.FRONT).found
    # the same place covered by a flat red label is an occluder
    covered = front.copy()
    cv2.rectangle(covered, (190, 40), (500, 100), (40, 40, 200), -1)
    assert border.find_occlusion(covered, CardSide.FRONT).found


# --- BorderCheckWarn -9101 (in the same module: its frame check shares border.py) -----------------


def test_a_card_cut_through_a_line_of_print_still_runs_into_the_frame() -> None:
    photo = np.full((400, 600, 3), 70, np.uint8)  # a dark table
    photo[60:340, 120:600] = (225, 230, 236)  # a pale card cut by the right border
    photo[60:340, 580:590] = (30, 30, 30)  # its margin cut off: a line of print runs just inside
    quad = [(120.0, 60.0), (596.0, 60.0), (596.0, 340.0), (120.0, 340.0)]
    assert border.border_incomplete(quad, photo.shape, photo_bgr=photo)
    whole = np.full((400, 600, 3), 70, np.uint8)
    whole[60:340, 120:592] = (225, 230, 236)  # the card's own edge is in the picture
    whole[60:340, 570:580] = (30, 30, 30)
    quad = [(120.0, 60.0), (592.0, 60.0), (592.0, 340.0), (120.0, 340.0)]
    assert not border.border_incomplete(quad, whole.shape, photo_bgr=whole)


def test_a_sheet_over_the_face_is_an_occluder(front: Card) -> None:
    # the portrait is left out of the cell test (flat backdrop, skin by design); its mid-face is not
    covered = front.copy()
    cv2.rectangle(covered, (560, 60), (800, 215), (236, 238, 240), -1)  # paper-white, over the eyes
    occlusion = border.find_occlusion(covered, CardSide.FRONT)
    assert occlusion.faceless >= border.FACELESS
    assert occlusion.found
    assert border.find_occlusion(front, CardSide.FRONT).faceless < border.FACELESS
