"""The specimen generator: valid identities, contract formats, ground truth of photo conditions."""

from __future__ import annotations

import random
import re
from datetime import date

import cv2
import numpy as np
import pytest
from stdnum.cn import ric

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide, ReflectPosition, WarnCode
from onboarding.ocr.specimens import (
    CARD_SCALE,
    NATIONS,
    SPECIMEN_MARK_BOX,
    CardVariant,
    Identity,
    PhotoConditions,
    draw_card,
    id_check_char,
    random_conditions,
    random_identity,
    specimen_photo,
)

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="session")
def identities() -> list[Identity]:
    rng = random.Random(20261125)
    return [random_identity(rng, today=TODAY) for _ in range(400)]


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_it_generates_numbers_that_pass_checksum_and_region_lookup(identities: list[Identity]) -> None:
    for person in identities:
        number = person.id_num
        assert ric.validate(number) == number  # length, checksum, birth date and region for the year
        assert ric.get_birth_place(number)["province"] == person.region.province
        assert number[-1] == id_check_char(number[:17])
        assert ric.get_birth_date(number) == person.birth
        assert (int(number[14:17]) % 2 == 1) == (person.sex == "男")
        assert person.address.startswith(person.region.province)


def test_it_computes_the_mod_11_2_check_character() -> None:
    # The contract's own example numbers: weights 7 9 10 5 8 ..., "10X98765432"[sum % 11].
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_it_formats_the_contract_fields(identities: list[Identity]) -> None:
    for person in identities:
        fields = person.contract_fields()
        assert set(fields) == {"Name", "Sex", "Nation", "Birth", "Address", "IdNum", "Authority", "ValidDate"}
        assert 2 <= len(fields["Name"]) <= 10
        assert fields["Sex"] in {"男", "女"}
        assert fields["Nation"] in NATIONS and not fields["Nation"].endswith("族")
        b = person.birth
        assert fields["Birth"] == f"{b.year}/{b.month}/{b.day}"
        assert re.fullmatch(r"\d{4}/[1-9]\d?/[1-9]\d?", fields["Birth"])
        assert 10 <= len(fields["Address"]) <= 40 and "\n" not in fields["Address"]
        assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}-(\d{4}\.\d{2}\.\d{2}|长期)", fields["ValidDate"])
        assert fields["Authority"].endswith(("公安局", "分局"))
        assert 1 <= _age_on(b, TODAY) <= 90


def test_it_spans_validity_by_age_at_issue(identities: list[Identity]) -> None:
    for person in identities:
        age = _age_on(person.birth, person.valid_from)
        assert person.valid_from > person.birth
        if age >= 46:
            assert person.valid_to is None
        else:
            assert person.valid_to is not None
            years = person.valid_to.year - person.valid_from.year
            assert years == (5 if age < 16 else 10 if age <= 25 else 20)
    assert any(p.is_valid_on(TODAY) for p in identities)
    assert any(not p.is_valid_on(TODAY) for p in identities)


def test_it_mixes_in_minority_names_and_nations(identities: list[Identity]) -> None:
    assert any("·" in p.name for p in identities)
    assert sum(p.nation != "汉" for p in identities) > 20
    assert any(len(p.nation) >= 3 for p in identities)


def test_it_forces_a_valid_card_when_asked() -> None:
    rng = random.Random(7)
    for _ in range(100):
        assert random_identity(rng, today=TODAY, valid_on=TODAY).is_valid_on(TODAY)


def _red_pixels(img: np.ndarray, box: layout.Box) -> int:
    x0, y0, x1, y1 = (v * CARD_SCALE for v in box)
    b, g, r = (img[y0:y1, x0:x1, k].astype(int) for k in range(3))
    return int(((r > 170) & (g < 140) & (b < 140)).sum())


@pytest.mark.parametrize("side", [CardSide.FRONT, CardSide.BACK])
def test_it_marks_every_card_as_specimen(identities: list[Identity], side: CardSide) -> None:
    img = draw_card(identities[0], side, rng=random.Random(1))
    assert img.shape == (layout.CARD_HEIGHT * CARD_SCALE, layout.CARD_WIDTH * CARD_SCALE, 3)
    assert _red_pixels(img, SPECIMEN_MARK_BOX) > 1500
    # ... and not over the fields
    boxes = layout.FRONT_VALUES if side is CardSide.FRONT else layout.BACK_VALUES
    for box in boxes.values():
        assert _red_pixels(img, box) < 50


def test_it_prints_the_stamp_over_the_chosen_field(identities: list[Identity]) -> None:
    variant = CardVariant(stamp="复印无效", stamp_field="Name")
    img = draw_card(identities[1], CardSide.FRONT, rng=random.Random(2), variant=variant)
    assert _red_pixels(img, layout.FRONT_VALUES["Name"]) > 300


def test_it_refuses_a_pasted_field_from_the_other_side(identities: list[Identity]) -> None:
    with pytest.raises(ValueError, match="Authority"):
        draw_card(
            identities[0], CardSide.FRONT, rng=random.Random(1), variant=CardVariant(pasted_field="Authority")
        )


def test_it_is_deterministic_for_a_fixed_seed() -> None:
    a, person_a = specimen_photo(random.Random(42), CardSide.FRONT, today=TODAY)
    b, person_b = specimen_photo(random.Random(42), CardSide.FRONT, today=TODAY)
    assert person_a == person_b
    assert a.jpeg == b.jpeg and a.corners == b.corners
    c, _ = specimen_photo(random.Random(43), CardSide.FRONT, today=TODAY)
    assert c.jpeg != a.jpeg


def _inside(photo_corners: list[tuple[float, float]], size: tuple[int, int]) -> list[bool]:
    w, h = size
    return [0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in photo_corners]


def test_it_keeps_the_card_in_the_frame_under_realistic_conditions() -> None:
    rng = random.Random(5)
    for side in (CardSide.FRONT, CardSide.BACK) * 4:
        photo, _ = specimen_photo(rng, side, random_conditions(rng), today=TODAY)
        assert photo.size == (1280, 960) and photo.image().shape == (960, 1280, 3)
        assert all(_inside(photo.corners, photo.size)) and photo.border_complete
        assert photo.expected_warnings() == set()
        # corners run clockwise from the card's top-left: positive signed area in image coordinates
        pts = np.array(photo.corners)
        area = 0.5 * float(np.sum(pts[:, 0] * np.roll(pts[:, 1], -1) - np.roll(pts[:, 0], -1) * pts[:, 1]))
        assert area > 0.015 * 1280 * 960  # never a speck: the card fills 30-100 % of the frame


def test_it_puts_the_card_where_the_corners_say() -> None:
    photo, _ = specimen_photo(
        random.Random(9), CardSide.FRONT, PhotoConditions(rotation=30, tilt=20), today=TODAY
    )
    img = photo.image()
    quad = np.array(photo.corners, np.float32)
    target = np.array([[0, 0], [856, 0], [856, 540], [0, 540]], np.float32)
    card = cv2.warpPerspective(img, cv2.getPerspectiveTransform(quad, target), (856, 540))
    # the 样本 stamp is where the layout puts it once the card is rectified by the ground-truth corners
    x0, y0, x1, y1 = SPECIMEN_MARK_BOX
    stamp = card[y0:y1, x0:x1].astype(int)
    assert ((stamp[..., 2] > 150) & (stamp[..., 1] < 150)).sum() > 200


def test_it_cuts_the_border_when_asked() -> None:
    rng = random.Random(11)
    for _ in range(4):
        photo, _ = specimen_photo(
            rng, CardSide.BACK, PhotoConditions(cut_border=True, card_fraction=0.8), today=TODAY
        )
        assert not all(_inside(photo.corners, photo.size))
        assert not photo.border_complete
        assert WarnCode.BORDER_INCOMPLETE in photo.expected_warnings()


def test_it_records_glare_occluders_and_second_cards() -> None:
    rng = random.Random(12)
    glare, _ = specimen_photo(
        rng,
        CardSide.BACK,
        PhotoConditions(glare=True, glare_target=ReflectPosition.NATIONAL_EMBLEM),
        today=TODAY,
    )
    assert ReflectPosition.NATIONAL_EMBLEM in glare.glare_regions
    assert WarnCode.REFLECTION in glare.expected_warnings()
    sticker, _ = specimen_photo(rng, CardSide.FRONT, PhotoConditions(occluder="sticker"), today=TODAY)
    assert sticker.occluder_box is not None and sticker.occluded_fields
    assert sticker.border_complete and WarnCode.OCCLUSION in sticker.expected_warnings()
    two, _ = specimen_photo(rng, CardSide.FRONT, PhotoConditions(second_card="other_side"), today=TODAY)
    assert two.second_side is CardSide.BACK and two.second_corners is not None
    assert all(_inside(two.second_corners, two.size))


def test_it_scans_small_and_flat() -> None:
    photo, _ = specimen_photo(random.Random(13), CardSide.FRONT, PhotoConditions(scan=True), today=TODAY)
    xs = [x for x, _ in photo.corners]
    assert 420 <= max(xs) - min(xs) <= 480
    assert all(_inside(photo.corners, photo.size))


@pytest.mark.parametrize(
    ("conditions", "codes"),
    [
        (PhotoConditions(photocopy="bw"), {WarnCode.COPY, WarnCode.COPY_BLACK_WHITE}),
        (PhotoConditions(photocopy="color"), {WarnCode.COPY}),
        (PhotoConditions(screen=True, screen_bezel=True), {WarnCode.RESHOOT}),
        (PhotoConditions(card=CardVariant(temporary=True)), {WarnCode.TEMPORARY_ID}),
        (PhotoConditions(card=CardVariant(pasted_field="IdNum")), {WarnCode.PS_EDITED}),
    ],
)
def test_it_states_the_expected_warnings(conditions: PhotoConditions, codes: set[WarnCode]) -> None:
    photo, _ = specimen_photo(random.Random(14), CardSide.FRONT, conditions, today=TODAY)
    assert photo.expected_warnings() == codes
    quad = np.array(photo.corners, np.float32)
    target = np.array([[0, 0], [856, 0], [856, 540], [0, 540]], np.float32)
    card = cv2.warpPerspective(photo.image(), cv2.getPerspectiveTransform(quad, target), (856, 540)).astype(
        int
    )
    spread = float(np.abs(card[20:-20, 20:-20, 2] - card[20:-20, 20:-20, 0]).mean())
    if conditions.photocopy == "bw":
        assert spread < 4  # a black-and-white copy has no colour left
    else:
        assert spread > 4
