"""A doubtful address character re-decided by the words it makes with its neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from onboarding.ocr.engine import reader, words
from tests.ocr.toy_frames import frames

# A toy recogniser alphabet: class 0 is CTC's blank.
_CLASSES = list(" 杨郴柳都桥村5组石镇新民街道郁和平衡94号绍7")
_CLASSES[0] = ""
BLANK = {"": 0.98}


def _probs(*columns: dict[str, float]) -> np.ndarray:
    return frames(_CLASSES, *columns)


@pytest.fixture(autouse=True)
def toy_alphabet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_class_characters", lambda: _CLASSES)


def test_the_word_list_knows_place_words_and_not_misreads() -> None:
    assert words.makes_word("杨", "柳", "村")
    assert words.makes_word("", "石", "桥")  # the word after it
    assert words.makes_word("新", "民", "")  # the word before it
    assert not words.makes_word("杨", "郴", "村")
    assert not words.makes_word("", "郴", "")
    assert len(words.two_character_words()) > 100_000


def test_a_doubtful_address_character_goes_to_the_rival_that_makes_a_word() -> None:
    # 杨柳村 on a small blurred card, read 杨郴村: 郴 0.30, 都 0.22, 桥 0.14, 柳 0.12
    probs = _probs(
        BLANK,
        {"杨": 0.94},
        BLANK,
        {"郴": 0.30, "都": 0.22, "桥": 0.14, "柳": 0.12},
        BLANK,
        {"村": 0.99},
        BLANK,
    )
    assert reader.address_reading(probs, "杨郴村") == "杨柳村"


def test_a_sure_character_or_one_that_makes_a_word_itself_stays() -> None:
    # 郴 at 0.75: above the doubt, however odd 杨郴 is
    sure = _probs(BLANK, {"杨": 0.94}, BLANK, {"郴": 0.75, "柳": 0.2}, BLANK, {"村": 0.99}, BLANK)
    assert reader.address_reading(sure, "杨郴村") is None
    # 石桥 and 石镇: both doubtful, 桥 makes a word with 石 as 镇 does not, and 桥 is read better anyway
    both = _probs(BLANK, {"石": 0.95}, BLANK, {"桥": 0.40, "镇": 0.35}, BLANK, {"村": 0.99}, BLANK)
    assert reader.address_reading(both, "石桥村") is None
    # a rival far below the read loses even with a word: 柳 at 0.03 against 郴 at 0.45
    far = _probs(BLANK, {"杨": 0.94}, BLANK, {"郴": 0.45, "柳": 0.03}, BLANK, {"村": 0.99}, BLANK)
    assert reader.address_reading(far, "杨郴村") is None


def test_digits_and_a_text_not_the_path_are_left_alone() -> None:
    probs = _probs(BLANK, {"5": 0.4}, BLANK, {"组": 0.99}, BLANK)
    assert reader.address_reading(probs, "5组") is None
    # the line's text came from another read than these frames: nothing to re-decide
    other = _probs(BLANK, {"杨": 0.94}, BLANK, {"郴": 0.30, "柳": 0.12}, BLANK, {"村": 0.99}, BLANK)
    assert reader.address_reading(other, "杨郴村5") is None


def test_a_doubtful_character_before_a_house_number_goes_to_a_street_word() -> None:
    # 和平街949号 wrapped after 和平, its next line read 衡949号: 衡 0.59 beside 街 0.17
    probs = _probs(
        BLANK, {"衡": 0.59, "街": 0.17}, BLANK, {"9": 0.99}, BLANK, {"4": 0.99}, BLANK, {"号": 0.99}
    )
    assert reader.address_reading(probs, "衡94号") == "街94号"
    # with no number beside it, 衡 stands
    alone = _probs(BLANK, {"和": 0.99}, BLANK, {"衡": 0.59, "街": 0.17}, BLANK)
    assert reader.address_reading(alone, "和衡") is None


def test_a_character_after_a_number_that_no_address_word_is_doubted_more() -> None:
    # 新民村7组 on a small blurred card, read 7绍: 绍 0.84, 组 0.15
    probs = _probs(BLANK, {"村": 0.99}, BLANK, {"7": 0.99}, BLANK, {"绍": 0.84, "组": 0.15}, BLANK)
    assert reader.address_reading(probs, "村7绍") == "村7组"
    # sure of it, it stands; so does a doubtful character with no number before it
    sure = _probs(BLANK, {"村": 0.99}, BLANK, {"7": 0.99}, BLANK, {"绍": 0.95, "组": 0.04}, BLANK)
    assert reader.address_reading(sure, "村7绍") is None
    alone = _probs(BLANK, {"新": 0.99}, BLANK, {"绍": 0.84, "组": 0.15}, BLANK)
    assert reader.address_reading(alone, "新绍") is None
