"""An authority whose place is read as no registered place: the registered place that explains every
frame between the label and 公安 (anchored alignment), if one clearly does."""

from __future__ import annotations

import numpy as np
import pytest

from onboarding.ocr.engine import parsing, reader
from onboarding.ocr.engine.reader import Line
from tests.ocr.toy_frames import frames

# A toy recogniser alphabet: class 0 is CTC's blank.
_CLASSES = list(" 成咸丰易县公安局签发机关单")
_CLASSES[0] = ""
_INDEX = {c: i for i, c in enumerate(_CLASSES) if i}
_PLACES = ("咸丰县", "丰县", "单县")


def _probs(*columns: dict[str, float]) -> np.ndarray:
    return frames(_CLASSES, *columns)


BLANK = {"": 0.98}
# 咸丰县公安局 printed small, read 成丰易公安局: 咸 at 0.30 beside 成, 县 at 0.06 beside 易
MISREAD = _probs(
    {"签": 0.9},
    BLANK,
    {"发": 0.9},
    BLANK,
    {"机": 0.9},
    BLANK,
    {"关": 0.9},
    BLANK,
    {"成": 0.61, "咸": 0.3},
    BLANK,
    {"丰": 0.85},
    BLANK,
    {"易": 0.55, "县": 0.06},
    BLANK,
    {"公": 0.98},
    BLANK,
    {"安": 0.99},
    BLANK,
    {"局": 0.8},
)


@pytest.fixture(autouse=True)
def toy_alphabet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_class_characters", lambda: _CLASSES)
    monkeypatch.setattr(reader, "_character_index", lambda: _INDEX)
    columns = sorted({0} | {_INDEX[ch] for p in _PLACES for ch in p})
    column_of = {k: i for i, k in enumerate(columns)}
    labels = [[column_of[_INDEX[ch]] for ch in p] for p in _PLACES]
    monkeypatch.setattr(reader, "_place_labels", lambda: (_PLACES, columns, labels))


def test_an_anchored_label_must_explain_every_frame() -> None:
    frames = np.log(MISREAD[8:14].astype(np.float64))  # 成 丰 易 and the blanks between
    best = frames.max(axis=1)
    labels = [[_INDEX[c] for c in "咸丰县"], [_INDEX[c] for c in "丰县"]]
    free = reader._aligned_scores(frames, best, labels)
    anchored = reader._aligned_scores(frames, best, labels, anchored=True)
    assert free[1] > free[0]  # free frames before it: the shorter 丰县 hides the unexplained 成
    assert anchored[0] > anchored[1] + 3  # all frames: 咸丰县 explains them, 丰县 cannot


def test_it_finds_the_registered_place_before_the_bureau() -> None:
    assert reader.place_before_bureau(MISREAD) == "咸丰县"
    # no 公 read: no end to the place
    assert reader.place_before_bureau(MISREAD[:14]) is None


def test_it_finds_nothing_where_no_place_is_supported() -> None:
    unknown = _probs({"成": 0.97}, BLANK, {"易": 0.97}, BLANK, {"公": 0.98}, {"安": 0.99})
    assert reader.place_before_bureau(unknown) is None


def test_a_doubtful_unregistered_authority_is_re_decided_and_stays_doubtful(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader, "recognize_lines", lambda crops: [("签发机关成丰易公安局", 0.8)])
    monkeypatch.setattr(reader, "_frame_probs", lambda crop: MISREAD)
    out = reader.read_lines([np.zeros((48, 40, 3), dtype=np.uint8)], [Line("Authority", (0, 0, 40, 10))])
    assert out[0][0] == "签发机关咸丰县公安局"
    assert out[0][1] < 0.55  # below the least sure character's read: a choice, shown as doubtful


def test_only_a_place_read_as_no_registered_one_is_looked_up() -> None:
    assert parsing.unregistered_authority_place("签发机关成丰易公安局") == "成丰易"
    assert parsing.unregistered_authority_place("咸丰县公安局") is None
    assert parsing.unregistered_authority_place("成丰易") is None  # no 公安: no place to speak of
    assert "咸丰县" in parsing.registered_places()
