"""The fraud and quality detectors (onboarding.ocr.engine.signals) on drawn specimen photos.

Each warning code gets a generated positive and a clean negative. Cards are rectified with the
photo's ground-truth corners, as the engine does with the corners it finds, so these tests judge
the detectors alone.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from onboarding.ocr.engine import layout, signals
from onboarding.ocr.engine.signals import (
    border,
    dates,
    photocopy,
    quality,
    reflect,
    reshoot,
    tampering,
    temporary,
)
from onboarding.ocr.engine.signals._common import median_u8, photo_pixels, small_median
from onboarding.ocr.engine.types import (
    BACK_FIELDS,
    FRONT_FIELDS,
    CardConfig,
    CardSide,
    IdCardFields,
    OcrResult,
    ReflectPosition,
    WarnCode,
)
from onboarding.ocr.specimens import CardVariant, Photo, PhotoConditions, random_conditions, specimen_photo

TODAY = datetime.date(2026, 11, 25)
EVERYTHING = CardConfig(
    copy_warn=True,
    border_check_warn=True,
    reshoot_warn=True,
    detect_ps_warn=True,
    temp_id_warn=True,
    invalid_date_warn=True,
    quality=True,
    reflect_warn=True,
    enable_reflect_detail=True,
)


@dataclasses.dataclass(frozen=True)
class Shot:
    photo: Photo
    image: NDArray[np.uint8]
    card: NDArray[np.uint8]  # rectified with the ground-truth corners, canonical 856x540
    fields: IdCardFields  # what the card says (the drawn identity), as a perfect reader would read it

    @property
    def side(self) -> CardSide:
        return self.photo.side


def rectify(image: NDArray[np.uint8], corners: list[tuple[float, float]]) -> NDArray[np.uint8]:
    w, h = layout.CARD_WIDTH, layout.CARD_HEIGHT
    m = cv2.getPerspectiveTransform(np.float32(corners), np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    out = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.uint8)


def shoot(seed: int, side: CardSide, **changes: object) -> Shot:
    rng = random.Random(seed)
    conditions = dataclasses.replace(random_conditions(rng, difficulty="clean"), **changes)  # type: ignore[arg-type]
    photo, identity = specimen_photo(rng, side, conditions, today=TODAY)
    image = photo.image()
    contract = identity.contract_fields()
    printed = {
        name: value
        for name, value in contract.items()
        if name in (FRONT_FIELDS if side is CardSide.FRONT else BACK_FIELDS)
    }
    fields = IdCardFields(**{_ATTRS[name]: value for name, value in printed.items()})
    return Shot(photo, image, rectify(image, photo.corners), fields)


_ATTRS = {
    "Name": "name",
    "Sex": "sex",
    "Nation": "nation",
    "Birth": "birth",
    "Address": "address",
    "IdNum": "id_num",
    "Authority": "authority",
    "ValidDate": "valid_date",
}


@pytest.fixture(scope="session")
def shots() -> dict[str, Shot]:
    return {
        "clean_front": shoot(11, CardSide.FRONT),
        "clean_back": shoot(12, CardSide.BACK),
        "bw_copy": shoot(13, CardSide.FRONT, photocopy="bw"),
        "colour_copy": shoot(14, CardSide.BACK, photocopy="color"),
        "screen": shoot(15, CardSide.FRONT, screen=True, screen_bezel=True),
        "cut": shoot(16, CardSide.BACK, cut_border=True),
        "sticker": shoot(17, CardSide.FRONT, occluder="sticker"),
        "finger": shoot(18, CardSide.BACK, occluder="finger"),
        "glare_emblem": shoot(19, CardSide.BACK, glare=True, glare_target=ReflectPosition.NATIONAL_EMBLEM),
        "glare_field": shoot(20, CardSide.FRONT, glare=True, glare_target=ReflectPosition.RECOGNITION_FIELD),
        "temporary": shoot(21, CardSide.BACK, card=CardVariant(temporary=True)),
        "temporary_front": shoot(25, CardSide.FRONT, card=CardVariant(temporary=True)),
        "pasted_number": shoot(22, CardSide.FRONT, card=CardVariant(pasted_field="IdNum")),
        "pasted_authority": shoot(24, CardSide.BACK, card=CardVariant(pasted_field="Authority")),
    }


def detect(shot: Shot, config: CardConfig, *, fields: IdCardFields | None = None) -> OcrResult:
    result = OcrResult(side=shot.side, fields=fields or shot.fields)
    signals.run_detectors(shot.image, shot.card, shot.photo.corners, shot.side, config, result)
    return result


# --- CopyWarn --------------------------------------------------------------------------------------


def test_it_flags_a_black_and_white_copy_with_both_codes(shots: dict[str, Shot]) -> None:
    warnings = detect(shots["bw_copy"], CardConfig(copy_warn=True)).warnings
    assert WarnCode.COPY in warnings
    assert WarnCode.COPY_BLACK_WHITE in warnings


def test_it_flags_a_colour_copy_as_a_copy_but_not_black_and_white(shots: dict[str, Shot]) -> None:
    evidence = photocopy.copy_evidence(shots["colour_copy"].card, CardSide.BACK)
    assert evidence.is_copy
    assert not evidence.black_and_white


def test_it_does_not_flag_genuine_cards_as_copies(shots: dict[str, Shot]) -> None:
    for name in ("clean_front", "clean_back"):
        assert detect(shots[name], CardConfig(copy_warn=True)).warnings == [], name


# --- ReshootWarn -----------------------------------------------------------------------------------


def test_it_flags_a_screen_reshoot_from_its_spectral_peaks(shots: dict[str, Shot]) -> None:
    assert detect(shots["screen"], CardConfig(reshoot_warn=True)).warnings == [WarnCode.RESHOOT]
    assert reshoot.spectral_peak(shots["screen"].card) > reshoot.spectral_peak(shots["clean_front"].card)


def test_it_does_not_flag_a_printed_card_as_a_reshoot(shots: dict[str, Shot]) -> None:
    for name in ("clean_front", "clean_back", "bw_copy"):
        assert not reshoot.is_reshoot(shots[name].card), name


# --- BorderCheckWarn -------------------------------------------------------------------------------


def test_it_flags_a_card_cut_by_the_frame(shots: dict[str, Shot]) -> None:
    cut = shots["cut"]
    assert not cut.photo.border_complete  # the generator's truth
    assert WarnCode.BORDER_INCOMPLETE in detect(cut, CardConfig(border_check_warn=True)).warnings


def test_it_accepts_a_card_wholly_in_the_frame(shots: dict[str, Shot]) -> None:
    result = detect(shots["clean_front"], CardConfig(border_check_warn=True))
    assert result.warnings == []
    assert result.border_code_value is not None
    assert result.border_code_value < 50


@pytest.mark.parametrize("name", ["sticker", "finger"])
def test_it_flags_something_covering_the_card(shots: dict[str, Shot], name: str) -> None:
    result = detect(shots[name], CardConfig(border_check_warn=True))
    assert WarnCode.OCCLUSION in result.warnings
    assert result.border_code_value is not None
    assert result.border_code_value >= 50


def test_it_scores_occlusion_higher_on_a_covered_card(shots: dict[str, Shot]) -> None:
    clean = border.find_occlusion(shots["clean_back"].card, CardSide.BACK)
    covered = border.find_occlusion(shots["finger"].card, CardSide.BACK)
    assert covered.border_code_value > clean.border_code_value


def test_it_sees_a_card_running_into_the_frame_even_when_its_quad_stops_there() -> None:
    photo = np.full((400, 600, 3), 70, np.uint8)  # a dark table
    photo[60:340, 120:600] = (225, 230, 236)  # a pale card cut by the right border
    quad = [(120.0, 60.0), (596.0, 60.0), (596.0, 340.0), (120.0, 340.0)]
    assert border.border_incomplete(quad, photo.shape, photo_bgr=photo)
    whole = np.full((400, 600, 3), 70, np.uint8)
    whole[60:340, 120:592] = (225, 230, 236)  # the card's own edge is in the picture
    quad = [(120.0, 60.0), (592.0, 60.0), (592.0, 340.0), (120.0, 340.0)]
    assert not border.border_incomplete(quad, whole.shape, photo_bgr=whole)


def test_it_judges_the_border_from_corners_against_the_frame() -> None:
    inside = [(10.0, 10.0), (500.0, 12.0), (498.0, 320.0), (12.0, 318.0)]
    outside = [(-60.0, 10.0), (430.0, 12.0), (428.0, 320.0), (-58.0, 318.0)]
    assert not border.border_incomplete(inside, (400, 600, 3))
    assert border.border_incomplete(outside, (400, 600, 3))


# --- ReflectWarn -----------------------------------------------------------------------------------


def test_it_flags_glare_on_the_emblem_with_its_position(shots: dict[str, Shot]) -> None:
    shot = shots["glare_emblem"]
    result = detect(shot, CardConfig(reflect_warn=True, enable_reflect_detail=True))
    assert result.warnings == [WarnCode.REFLECTION]
    assert ReflectPosition.NATIONAL_EMBLEM in result.reflect_positions
    assert set(result.reflect_positions) == set(shot.photo.glare_regions)


def test_it_names_a_recognition_field_under_glare(shots: dict[str, Shot]) -> None:
    shot = shots["glare_field"]
    result = detect(shot, CardConfig(reflect_warn=True, enable_reflect_detail=True))
    assert WarnCode.REFLECTION in result.warnings
    assert ReflectPosition.RECOGNITION_FIELD in result.reflect_positions


def test_it_gives_positions_only_with_reflect_detail(shots: dict[str, Shot]) -> None:
    result = detect(shots["glare_emblem"], CardConfig(reflect_warn=True))
    assert result.warnings == [WarnCode.REFLECTION]
    assert result.reflect_positions == []


def test_it_does_not_take_the_portrait_backdrop_or_a_pale_card_for_glare(shots: dict[str, Shot]) -> None:
    for name in ("clean_front", "clean_back"):
        assert not reflect.find_glare(shots[name].card, shots[name].side).found, name


# --- DetectPsWarn ---------------------------------------------------------------------------------


def test_it_flags_a_retyped_number_by_its_typeface(shots: dict[str, Shot]) -> None:
    result = detect(shots["pasted_number"], CardConfig(detect_ps_warn=True))
    assert result.warnings == [WarnCode.PS_EDITED]
    assert any(
        "IdNum" in reason
        for reason in tampering.edit_evidence(
            shots["pasted_number"].card, CardSide.FRONT, shots["pasted_number"].fields
        ).reasons
    )


def test_it_flags_a_retyped_authority_by_its_typeface(shots: dict[str, Shot]) -> None:
    assert detect(shots["pasted_authority"], CardConfig(detect_ps_warn=True)).warnings == [WarnCode.PS_EDITED]
    shot = shots["pasted_authority"]
    reasons = tampering.edit_evidence(shot.card, shot.side, shot.fields).reasons
    assert reasons
    assert all("Authority" in reason for reason in reasons)  # the untouched ValidDate is not blamed


def test_it_does_not_flag_untouched_cards_as_edited(shots: dict[str, Shot]) -> None:
    for name in ("clean_front", "clean_back"):
        shot = shots[name]
        assert not tampering.is_edited(shot.card, shot.side, shot.fields), name
        assert not tampering.is_edited(shot.card, shot.side, shot.fields, advanced=True), name


def test_copies_screens_glare_and_occluders_are_not_edits(shots: dict[str, Shot]) -> None:
    # every other condition changes how strokes look (toner, moire, washed-out ink, a finger over a
    # field, a temporary card's ruled frame); none of them is a re-typed field
    for name, shot in shots.items():
        if name.startswith("pasted_"):
            continue
        assert WarnCode.PS_EDITED not in detect(shot, CardConfig(detect_ps_warn=True)).warnings, name


def test_a_bold_field_is_a_heavier_face_than_the_rest_of_the_card(shots: dict[str, Shot]) -> None:
    # thicken one field's strokes on a clean card (a bold face typed in its place): only it is blamed
    shot = shots["clean_front"]
    card = shot.card.copy()
    x0, y0, x1, y1 = layout.FRONT_VALUES["Address"]
    card[y0:y1, x0:x1] = cv2.erode(card[y0:y1, x0:x1], np.ones((3, 3), np.uint8))
    reasons = tampering.edit_evidence(card, shot.side, shot.fields).reasons
    assert any(reason.startswith("Address stroke weight") for reason in reasons), reasons
    assert all(reason.startswith("Address") for reason in reasons), reasons


# --- TempIdWarn ------------------------------------------------------------------------------------


def test_it_flags_a_temporary_card_by_its_frame(shots: dict[str, Shot]) -> None:
    assert detect(shots["temporary"], CardConfig(temp_id_warn=True)).warnings == [WarnCode.TEMPORARY_ID]


def test_it_flags_a_temporary_front_by_its_title_band(shots: dict[str, Shot]) -> None:
    shot = shots["temporary_front"]
    assert temporary.top_band_inked(shot.card) > temporary.TOP_BAND_INKED
    assert detect(shot, CardConfig(temp_id_warn=True)).warnings == [WarnCode.TEMPORARY_ID]


def test_it_reads_the_back_title_pitch_of_five_or_seven_characters(shots: dict[str, Shot]) -> None:
    assert temporary.back_title_pitch(shots["temporary"].card) < temporary.BACK_TITLE_PITCH
    assert temporary.back_title_pitch(shots["clean_back"].card) > temporary.BACK_TITLE_PITCH


def test_it_does_not_flag_a_second_generation_card_as_temporary(shots: dict[str, Shot]) -> None:
    for name in ("clean_front", "clean_back", "glare_emblem", "screen"):
        assert not temporary.is_temporary(shots[name].card, shots[name].side), name


# --- InvalidDateWarn -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid_date",
    ["2020.07.21-2010.07.21", "2010.02.30-2020.02.30", "2010.13.01-2020.13.01", "2010.07.21-2017.07.21"],
)
def test_it_flags_an_impossible_validity_period(shots: dict[str, Shot], valid_date: str) -> None:
    result = detect(
        shots["clean_back"], CardConfig(invalid_date_warn=True), fields=IdCardFields(valid_date=valid_date)
    )
    assert result.warnings == [WarnCode.INVALID_DATE]


def test_it_answers_the_legacy_invalid_date_code_when_asked(shots: dict[str, Shot]) -> None:
    result = OcrResult(side=CardSide.BACK, fields=IdCardFields(valid_date="2020.07.21-2010.07.21"))
    shot = shots["clean_back"]
    signals.run_detectors(
        shot.image, shot.card, shot.photo.corners, CardSide.BACK, CardConfig(invalid_date_warn=True), result,
        invalid_date_code=WarnCode.INVALID_DATE_LEGACY,
    )  # fmt: skip
    assert result.warnings == [WarnCode.INVALID_DATE_LEGACY]


@pytest.mark.parametrize(
    "valid_date", ["2010.07.21-2020.07.21", "2015.07.24-长期", "2005.03.01-2025.03.01", ""]
)
def test_it_accepts_a_possible_validity_period(valid_date: str) -> None:
    assert not dates.validity_invalid(IdCardFields(valid_date=valid_date), today=TODAY)


def test_it_checks_the_span_against_the_age_when_the_front_is_known() -> None:
    front = IdCardFields(id_num="440524198701010014")  # born 1987-01-01
    assert not dates.validity_invalid(
        IdCardFields(valid_date="2010.07.21-2020.07.21"), front=front, today=TODAY
    )
    # at 23 the card is valid for 10 years, not 20, and 长期 only from 46
    assert dates.validity_invalid(IdCardFields(valid_date="2010.07.21-2030.07.21"), front=front, today=TODAY)
    assert dates.validity_invalid(IdCardFields(valid_date="2015.07.24-长期"), front=front, today=TODAY)


def test_it_leaves_unreadable_text_to_the_reader_not_the_date_rules() -> None:
    assert not dates.validity_invalid(IdCardFields(valid_date="20l0.O7-2O"), today=TODAY)


# --- Quality ---------------------------------------------------------------------------------------


def _spearman(a: list[float], b: list[float]) -> float:
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def test_it_scores_quality_lower_as_the_photo_gets_blurrier() -> None:
    levels = [0.0, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0]
    rng = random.Random(31)
    base = random_conditions(rng, difficulty="clean")
    scores = []
    for blur in levels:
        # the same seed draws the same card and scene; only the camera's blur differs
        shot, _ = specimen_photo(
            random.Random(32), CardSide.FRONT, dataclasses.replace(base, blur=blur), today=TODAY
        )
        scores.append(float(quality.quality_score(rectify(shot.image(), shot.corners))))
    assert _spearman(levels, scores) <= -0.8, scores
    assert scores[0] >= 70
    assert scores[-1] < quality.BLUR_THRESHOLD
    assert min(scores) >= 0
    assert max(scores) <= 100


# --- MultiCardDetect -------------------------------------------------------------------------------


@pytest.mark.parametrize("second", ["other_side", "same_side"])
def test_it_finds_both_cards_in_one_photo(second: str) -> None:
    from onboarding.ocr.engine.models import text_probability
    from onboarding.ocr.engine.signals.cards import find_cards

    photo, _ = specimen_photo(
        random.Random(41),
        CardSide.FRONT,
        PhotoConditions(second_card=second, rotation=3.0),
        today=TODAY,  # type: ignore[arg-type]
    )
    image = photo.image()
    prob = text_probability(image, max_side=512)
    small = np.asarray(
        cv2.resize(image, (prob.shape[1], prob.shape[0]), interpolation=cv2.INTER_AREA), np.uint8
    )
    cards = find_cards(small, prob)
    assert len(cards) == 2
    assert {c.orientation.side for c in cards} == {photo.side, photo.second_side}
    single, _ = specimen_photo(random.Random(42), CardSide.BACK, PhotoConditions(rotation=-4.0), today=TODAY)
    image = single.image()
    prob = text_probability(image, max_side=512)
    small = np.asarray(
        cv2.resize(image, (prob.shape[1], prob.shape[0]), interpolation=cv2.INTER_AREA), np.uint8
    )
    assert len(find_cards(small, prob)) == 1


# --- Corner refinement ----------------------------------------------------------------------------


def test_it_snaps_an_imprecise_quad_back_onto_the_card_edges(shots: dict[str, Shot]) -> None:
    from onboarding.ocr.engine.signals.refine import refine_corners

    shot = shots["clean_back"]
    truth = np.array(shot.photo.corners)
    centre = truth.mean(axis=0)
    loose = centre + (truth - centre) * 1.05 + np.array([6.0, -4.0])  # 5 % too big and shifted
    refined = np.array(refine_corners(shot.image, [tuple(p) for p in loose]))
    assert np.abs(refined - truth).max() < 0.5 * np.abs(loose - truth).max()


# --- Config gating ---------------------------------------------------------------------------------


def test_it_computes_nothing_that_was_not_asked_for(
    shots: dict[str, Shot], monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[str] = []

    def spy(name: str, real: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            called.append(name)
            return real(*args, **kwargs)

        return wrapper

    for module, name in [
        (border, "find_occlusion"),
        (photocopy, "copy_evidence"),
        (reshoot, "is_reshoot"),
        (reflect, "find_glare"),
        (reflect, "washed_out"),
        (temporary, "is_temporary"),
        (dates, "validity_invalid"),
        (tampering, "is_edited"),
    ]:
        monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    monkeypatch.setattr(signals, "quality_score", spy("quality_score", signals.quality_score))
    shot = shots["bw_copy"]  # would raise warnings if anything were asked for
    result = detect(shot, CardConfig(), fields=IdCardFields(valid_date="2020.07.21-2010.07.21"))
    assert called == []
    assert result.warnings == []
    assert result.quality is None
    assert result.border_code_value is None
    assert result.reflect_positions == []
    detect(shot, EVERYTHING)
    assert {
        "find_occlusion",
        "copy_evidence",
        "is_reshoot",
        "find_glare",
        "is_temporary",
        "quality_score",
    } <= set(called)


def test_it_asks_each_detector_only_for_its_own_code(shots: dict[str, Shot]) -> None:
    # the black-and-white copy is a copy, but asking only for re-shoots must not report it
    assert detect(shots["bw_copy"], CardConfig(reshoot_warn=True, temp_id_warn=True)).warnings == []
    result = detect(shots["bw_copy"], CardConfig(quality=True))
    assert result.warnings == []
    assert result.quality is not None


# --- Through the engine: MultiCardDetect, ImageBlur, ReshootWarn at the photo's resolution --------


def _engine_photo(seed: int, side: CardSide, **changes: object) -> Photo:
    rng = random.Random(seed)
    conditions = dataclasses.replace(PhotoConditions(rotation=3.0), **changes)  # type: ignore[arg-type]
    photo, _ = specimen_photo(rng, side, conditions, today=TODAY)
    return photo


def test_the_engine_reads_the_other_side_into_other_side() -> None:
    from onboarding.ocr.engine.pipeline import recognize

    photo = _engine_photo(41, CardSide.FRONT, second_card="other_side")
    result = recognize(photo.jpeg, config=CardConfig(multi_card_detect=True))
    assert result.other_side is not None
    assert {result.side, result.other_side.side} == {CardSide.FRONT, CardSide.BACK}
    back = result.other_side if result.other_side.side is CardSide.BACK else result
    assert back.fields.valid_date
    # without the switch the second card is not looked for
    assert recognize(photo.jpeg, config=CardConfig()).other_side is None


def test_the_engine_refuses_two_cards_of_one_side() -> None:
    from onboarding.ocr.engine.pipeline import recognize
    from onboarding.ocr.errors import ErrorCode, OcrError

    photo = _engine_photo(41, CardSide.FRONT, second_card="same_side")
    with pytest.raises(OcrError) as caught:
        recognize(photo.jpeg, config=CardConfig(multi_card_detect=True))
    assert caught.value.code is ErrorCode.MULTI_CARD


def test_the_engine_finds_no_second_card_beside_a_single_card() -> None:
    from onboarding.ocr.engine.pipeline import recognize

    photo = _engine_photo(43, CardSide.BACK)
    result = recognize(photo.jpeg, config=CardConfig(multi_card_detect=True, quality=True))
    assert result.other_side is None
    assert result.quality is not None and result.quality >= quality.BLUR_THRESHOLD


def test_the_engine_refuses_a_photo_too_blurred_to_trust_as_image_blur() -> None:
    from onboarding.ocr.engine.pipeline import recognize
    from onboarding.ocr.errors import ErrorCode, OcrError

    sharp = _engine_photo(44, CardSide.FRONT)
    assert recognize(sharp.jpeg).fields.id_num  # the same card, sharp, reads
    blurred = _engine_photo(44, CardSide.FRONT, blur=8.0)
    with pytest.raises(OcrError) as caught:
        recognize(blurred.jpeg)
    assert caught.value.code is ErrorCode.IMAGE_BLUR


def test_a_small_card_too_blurred_to_read_is_answered_too_small() -> None:
    """Blur is measured per millimetre of card: on a card a fifth of the frame wide a slight defocus
    is already past reading, and the user's fix is to move closer (IdCardTooSmall), not to hold
    still; the same defocus on a card filling the frame reads."""
    from onboarding.ocr.engine.pipeline import recognize
    from onboarding.ocr.errors import ErrorCode, OcrError

    small = _engine_photo(45, CardSide.FRONT, card_fraction=0.2, blur=1.6)
    with pytest.raises(OcrError) as caught:
        recognize(small.jpeg)
    assert caught.value.code is ErrorCode.ID_CARD_TOO_SMALL
    assert recognize(_engine_photo(45, CardSide.FRONT, blur=1.6).jpeg).fields.id_num


def test_it_judges_a_reshoot_at_the_photo_resolution_of_a_large_card() -> None:
    # a card filling most of the frame: shrinking it to 512 px would average its fine moiré away
    from onboarding.ocr.engine.signals._common import card_edge_px

    shot = shoot(15, CardSide.FRONT, screen=True, screen_bezel=False, card_fraction=0.9)
    width = card_edge_px(shot.photo.corners)
    assert width > layout.CARD_WIDTH
    assert reshoot.spectral_peak(shot.card, card_px=width) > reshoot.spectral_peak(shot.card) + 1.0
    assert reshoot.is_reshoot(shot.card, card_px=width)
    clean = shoot(11, CardSide.FRONT, card_fraction=0.9)
    assert not reshoot.is_reshoot(clean.card, card_px=card_edge_px(clean.photo.corners))


def test_it_keeps_a_period_with_a_day_that_does_not_exist_for_invalid_date_warn() -> None:
    from onboarding.ocr.engine.parsing import parse_valid_date

    text, factor = parse_valid_date("有效期限2010.02.30-2030.02.30")
    assert text == "2010.02.30-2030.02.30"
    assert factor < 1.0
    assert dates.validity_invalid(IdCardFields(valid_date=text))
    assert parse_valid_date("2010.13.01-2030.13.01") == ("", 0.0)  # no month 13: a misread


@pytest.mark.parametrize("shape", [(17, 9, 40), (3, 5, 7), (40,), (12, 41)])
def test_the_detectors_fast_median_is_numpys_median(shape: tuple[int, ...]) -> None:
    values = np.random.default_rng(sum(shape)).random(shape).astype(np.float32) * 255
    values.flat[::5] = 17.0  # ties, as steps and print levels have
    assert np.array_equal(small_median(values, axis=-1), np.median(values, axis=-1))
    assert float(small_median(values, axis=None)) == float(np.median(values))


def test_the_detectors_histogram_median_is_numpys_median() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 7, 1000, 1001):
        channel = rng.integers(100, 160, size=size, dtype=np.uint8)
        assert median_u8(channel) == float(np.median(channel))


@pytest.mark.parametrize("shape", [(540, 864), (324, 512), (128, 128), (405, 675), (6, 8)])
def test_the_reshoot_checks_power_spectrum_is_opencvs_complex_one(shape: tuple[int, int]) -> None:
    image = np.random.default_rng(shape[1]).random(shape).astype(np.float32) - np.float32(0.5)
    dft = cv2.dft(image, flags=cv2.DFT_COMPLEX_OUTPUT)
    expected = dft[..., 0] ** 2 + dft[..., 1] ** 2
    got = reshoot._power(image)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-5 * float(expected.max()))


@pytest.mark.parametrize(
    "corners",
    [
        [(300.0, 200.0), (900.0, 220.0), (880.0, 600.0), (290.0, 580.0)],  # well inside: the shortcut
        [(-40.0, 100.0), (560.0, 90.0), (580.0, 470.0), (-30.0, 480.0)],  # cut by the left edge
        [(700.0, 600.0), (1300.0, 620.0), (1290.0, 990.0), (690.0, 980.0)],  # past two edges
    ],
)
def test_the_border_bands_know_which_pixels_the_photo_holds(corners: list[tuple[float, float]]) -> None:
    shape = (960, 1280, 3)
    src = np.array(corners, np.float32)
    size = (476, 320)
    dst = np.array([[25, 25], [451, 25], [451, 295], [25, 295]], np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    full = np.full(shape[:2], 255, np.uint8)
    expected = cv2.warpPerspective(full, hom, size, flags=cv2.INTER_NEAREST, borderValue=0)
    assert np.array_equal(photo_pixels(hom, size, shape), expected)


@pytest.mark.parametrize("q", [0.0, 1.0, 50.0, 99.0, 100.0])
def test_the_copy_checks_chroma_percentile_is_numpys(q: float) -> None:
    rng = np.random.default_rng(int(q) + 5)
    for shape, spread in (((1, 1), 3.0), ((2, 3), 3.0), ((120, 200), 1.0), ((270, 428), 15.0)):
        a = np.clip(rng.normal(128, spread, shape), 0, 255).astype(np.uint8)
        b = np.clip(rng.normal(131, spread, shape), 0, 255).astype(np.uint8)
        da = a.astype(np.float32) - np.float32(np.median(a))
        db = b.astype(np.float32) - np.float32(np.median(b))
        expected = float(np.percentile(np.hypot(da, db), q))
        assert photocopy.chroma_percentile(a, b, q) == pytest.approx(expected, rel=1e-6, abs=1e-6)
