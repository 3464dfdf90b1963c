"""A doubtful name character re-decided by what names are made of (surnames, given-name characters)."""

from __future__ import annotations

import numpy as np
import pytest

from onboarding.ocr.engine import names, parsing, reader
from onboarding.ocr.engine.reader import Line
from tests.ocr.toy_frames import frames

# A toy recogniser alphabet: class 0 is CTC's blank.
_CLASSES = list(" 美黄子品磊享李联鹏龙雷雪·艾力姓名迟曾管凤倩情诸葛立")
_CLASSES[0] = ""


def _probs(*columns: dict[str, float]) -> np.ndarray:
    return frames(_CLASSES, *columns)


BLANK = {"": 0.98}


@pytest.fixture(autouse=True)
def toy_alphabet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_class_characters", lambda: _CLASSES)


def test_the_prior_knows_surnames_and_how_common_given_name_characters_are() -> None:
    assert names.surname_prior("李") > names.surname_prior("享")
    assert names.surname_prior("黄") > names.surname_prior("美")
    assert names.given_prior("磊") > names.given_prior("品") + 2
    assert names.given_prior("晓") > names.given_prior("境") + 5
    assert names.given_prior("𠀀") < names.given_prior("品")  # never seen: below the rarest
    # one of the hundred commonest surnames, another listed one, and no surname
    assert names.surname_prior("曾") > names.surname_prior("管") > names.surname_prior("享")


def test_a_doubtful_surname_goes_to_a_far_commoner_rival() -> None:
    # 曾凤 read 管凤: 管 0.65 beside 曾 0.13; both are surnames, 曾 some thirty times as common
    probs = _probs(BLANK, {"管": 0.65, "曾": 0.13}, BLANK, {"凤": 0.9}, BLANK)
    assert reader.name_reading(probs, "管凤") == "曾凤"


def test_a_character_read_at_0_86_is_still_re_decided() -> None:
    # 诸葛倩立 read 诸葛情立: 情 0.86 beside 倩 0.13, and 情 is next to no given name's character
    probs = _probs(
        BLANK, {"诸": 0.99}, BLANK, {"葛": 0.98}, BLANK, {"情": 0.86, "倩": 0.13}, BLANK, {"立": 0.99}, BLANK
    )
    assert reader.name_reading(probs, "诸葛情立") == "诸葛倩立"


def test_a_doubtful_name_character_goes_to_the_name_like_rival() -> None:
    # 黄子磊 printed small and blurred, read 美子品: 美 0.57 beside 黄 0.41, 品 0.37 beside 磊 0.33
    probs = _probs(
        BLANK, {"美": 0.57, "黄": 0.41}, BLANK, {"子": 0.99}, BLANK, {"品": 0.37, "磊": 0.33}, BLANK
    )
    assert reader.name_reading(probs, "美子品") == "黄子磊"


def test_a_rival_peaking_a_frame_off_counts() -> None:
    # 李鹏龙 read 享联龙: 鹏 has its weight in the blank frame after 联's
    probs = _probs(
        BLANK, {"享": 0.54, "李": 0.38}, BLANK, {"联": 0.5, "": 0.35}, {"鹏": 0.1, "": 0.85}, {"龙": 0.99}
    )
    assert reader.name_reading(probs, "享联龙") == "李鹏龙"


def test_a_character_read_surely_or_with_no_real_rival_stays() -> None:
    # 雷 at 0.83: the recogniser's word stands, however rare 雷 is in given names
    sure = _probs(BLANK, {"李": 0.99}, BLANK, {"子": 0.99}, BLANK, {"雷": 0.83, "雪": 0.11}, BLANK)
    assert reader.name_reading(sure, "李子雷") is None
    # 品 doubtful, but 磊 has next to nothing there: nothing to choose from
    alone = _probs(BLANK, {"李": 0.99}, BLANK, {"子": 0.99}, BLANK, {"品": 0.6, "磊": 0.01}, BLANK)
    assert reader.name_reading(alone, "李子品") is None


def test_a_label_is_not_the_surname() -> None:
    # 姓名 read before the value: the surname is the first character after it
    probs = _probs(
        {"姓": 0.9}, BLANK, {"名": 0.9}, BLANK, {"享": 0.54, "李": 0.4}, BLANK, {"龙": 0.99}, BLANK
    )
    assert reader.name_reading(probs, "姓名享龙") == "姓名李龙"


def test_a_double_surname_is_left_as_read() -> None:
    # 尉迟天军 read 附迟天军: 迟 is no given name's character, but it ends a double surname
    four = _probs(
        BLANK, {"美": 0.5}, BLANK, {"迟": 0.6, "雪": 0.3}, BLANK, {"子": 0.99}, BLANK, {"品": 0.4, "磊": 0.35}
    )
    assert reader.name_reading(four, "美迟子品") == "美迟子磊"
    # 于晨刚俊 read 于展刚俊: 展 ends no double surname, so it is a given name's
    single = _probs(
        BLANK,
        {"李": 0.99},
        BLANK,
        {"雷": 0.5, "雪": 0.4},
        BLANK,
        {"子": 0.99},
        BLANK,
        {"品": 0.4, "磊": 0.35},
    )
    assert reader.name_reading(single, "李雷子品") == "李雪子磊"


def test_a_transliterated_name_or_a_single_character_is_left_as_read() -> None:
    dotted = _probs({"艾": 0.6, "美": 0.3}, BLANK, {"力": 0.99}, {"·": 0.9}, {"品": 0.5, "磊": 0.45}, BLANK)
    assert reader.name_reading(dotted, "艾力·品") is None
    single = _probs(BLANK, {"品": 0.5, "磊": 0.45}, BLANK)
    assert reader.name_reading(single, "品") is None


def test_it_works_only_on_the_path_it_was_given() -> None:
    probs = _probs(BLANK, {"美": 0.57, "黄": 0.41}, BLANK, {"子": 0.99}, BLANK)
    assert reader.name_reading(probs, "美子品") is None  # the text is not this path's


def test_a_re_decided_name_is_read_as_doubtful(monkeypatch: pytest.MonkeyPatch) -> None:
    probs = _probs(
        BLANK, {"美": 0.57, "黄": 0.41}, BLANK, {"子": 0.99}, BLANK, {"品": 0.37, "磊": 0.33}, BLANK
    )
    passes: list[int] = []

    def frame_probs(crop: np.ndarray) -> np.ndarray:
        passes.append(crop.shape[1])
        return probs

    reads = {10: ("美子品", 0.64), 11: ("李鹏龙", 0.99)}
    monkeypatch.setattr(reader, "recognize_lines", lambda crops: [reads[c.shape[1]] for c in crops])
    monkeypatch.setattr(reader, "_frame_probs", frame_probs)
    crops = [np.zeros((48, w, 3), dtype=np.uint8) for w in (10, 11)]
    out = reader.read_lines(crops, [Line("Name", (0, 0, 10, 10)), Line("Name", (0, 0, 11, 10))])
    assert out[0][0] == "黄子磊"
    assert out[0][1] < 0.37  # below the least sure character's read: a guess, shown as doubtful
    assert out[1] == ("李鹏龙", 0.99)
    assert passes == [10]  # the sure name costs no further pass


def test_a_name_dot_is_one_between_two_characters() -> None:
    assert parsing.has_name_dot("买买提·艾力")
    assert parsing.has_name_dot("古丽.努尔")
    assert not parsing.has_name_dot("李鹏,龙")  # a speck read as a comma is no dot
    assert not parsing.has_name_dot("·李鹏龙")
