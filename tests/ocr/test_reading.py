"""Reading the field lines: a line read as none of the closed set it belongs to (a nation, a
registered place) re-decided on the recogniser's per-frame probabilities."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from onboarding.ocr.engine import reader
from onboarding.ocr.engine.reader import Line
from tests.ocr.toy_frames import frames

# A toy recogniser alphabet: class 0 is CTC's blank.
# fmt: off
_CLASSES = ["", "保", "像", "傈", "僳", "安", "土", "±", "壮", "影", "彰", "宁", "武", "县", "民", "号", "e", "A", "1", "7",
            "公", "局", "杨", "郴", "柳", "村", "组", "东", "关", "街", "0", "2", "3", "4", "5", "6", "8", "9", "X",
            "李", "新", "鹏", "龙"]
# fmt: on
_INDEX = {c: i for i, c in enumerate(_CLASSES) if i}


def _first_pass(monkeypatch: pytest.MonkeyPatch, reads: dict[int, tuple[str, float]]) -> None:
    """The toy alphabet, and the recogniser's first pass reading each crop (known by its width) as
    ``reads`` says."""
    monkeypatch.setattr(reader, "recognize_lines", lambda crops: [reads[c.shape[1]] for c in crops])
    monkeypatch.setattr(reader, "_class_characters", lambda: _CLASSES)


def _frames(*columns: dict[str, float]) -> np.ndarray:
    """Log-probabilities per frame from each frame's probabilities (the rest spread evenly)."""
    return np.log(frames(_CLASSES, *columns).astype(np.float64))


def _score(frames: np.ndarray, text: str) -> float:
    """One label's aligned score against the whole alphabet's frames."""
    return float(reader._aligned_scores(frames, frames.max(axis=1), [[_INDEX[c] for c in text]])[0])


BLANK = {"": 0.98}


def _spelled(text: str, *, sure: float, unsure: dict[str, float]) -> np.ndarray:
    """Frames that spell ``text``, a blank between characters, each character at ``sure`` unless
    ``unsure`` gives it another probability."""
    columns: list[dict[str, float]] = [BLANK]
    for character in text:
        columns += [{character: unsure.get(character, sure)}, BLANK]
    return _frames(*columns)


def test_it_scores_the_best_path_itself_as_zero() -> None:
    frames = _frames(BLANK, {"保": 0.9}, BLANK, {"像": 0.6, "僳": 0.3}, BLANK)
    assert _score(frames, "保像") == pytest.approx(0.0)


def test_it_scores_another_character_by_its_probability_where_the_read_one_stands() -> None:
    frames = _frames(BLANK, {"保": 0.9}, BLANK, {"像": 0.6, "僳": 0.3}, BLANK)
    assert _score(frames, "保僳") == pytest.approx(np.log(0.3 / 0.6), abs=1e-6)


def test_it_leaves_frames_before_and_after_the_choice_free() -> None:
    # a label's remains (影) before the value, a stamp's stroke (±) after it
    frames = _frames({"影": 0.9}, BLANK, {"土": 0.95}, BLANK, {"±": 0.8})
    assert _score(frames, "土") == pytest.approx(0.0)


def test_it_needs_a_blank_between_a_repeated_character() -> None:
    # one 武 held over two frames is one character: 武武 must pay for a blank between them
    frames = _frames(BLANK, {"武": 0.9}, {"武": 0.9}, BLANK)
    assert _score(frames, "武") == pytest.approx(0.0)
    assert _score(frames, "武武") < -3


@dataclass
class ToyRecogniser:
    """Each crop's frames, looked up by the crop's width; the widths re-read, in order."""

    frames: dict[int, np.ndarray] = field(default_factory=dict)
    re_read: list[int] = field(default_factory=list)

    def probs(self, crop: np.ndarray) -> np.ndarray:
        self.re_read.append(crop.shape[1])
        return np.exp(self.frames[crop.shape[1]])


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> ToyRecogniser:
    recogniser = ToyRecogniser()
    monkeypatch.setattr(reader, "_frame_probs", recogniser.probs)
    monkeypatch.setattr(reader, "_character_index", lambda: _INDEX)
    return recogniser


def _crop(width: int) -> np.ndarray:
    return np.zeros((48, width, 3), dtype=np.uint8)


def test_it_chooses_the_member_the_frames_support_clearly(toy: ToyRecogniser) -> None:
    toy.frames[10] = _frames(BLANK, {"±": 0.6, "土": 0.35}, BLANK)
    assert reader.choose_reading(_crop(10), ("土", "壮", "安")) == "土"


def test_it_chooses_nothing_when_no_member_is_supported(toy: ToyRecogniser) -> None:
    # 保像 (傈僳 printed, tiny and blurred): no nation's characters have any weight there
    toy.frames[10] = _frames(BLANK, {"保": 0.97}, BLANK, {"像": 0.97}, BLANK)
    assert reader.choose_reading(_crop(10), ("傈僳", "安", "土")) is None


def test_a_whole_line_choice_must_explain_every_character_read(toy: ToyRecogniser) -> None:
    # 傈僳 read 保像: anywhere in the line 土 (one character, weight beside 保) fits best, but it
    # leaves 像 unexplained; over the whole line (the label's 民 allowed) only 傈僳 explains both
    toy.frames[10] = _frames(
        {"民": 0.9}, BLANK, {"保": 0.75, "土": 0.2, "傈": 0.04}, BLANK, {"像": 0.85, "僳": 0.1}, BLANK
    )
    assert reader.choose_reading(_crop(10), ("傈僳", "土")) == "土"
    assert reader.choose_reading(_crop(10), ("傈僳", "土"), whole_line="民族", forced=True) == "傈僳"


def test_a_nation_read_as_none_of_the_56_becomes_the_likeliest_of_them_held_doubtful(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    _first_pass(monkeypatch, {10: ("保像", 0.6)})
    toy.frames[10] = _frames(BLANK, {"保": 0.8, "傈": 0.1}, BLANK, {"像": 0.8, "僳": 0.1}, BLANK)
    ((text, confidence),) = reader.read_lines([_crop(10)], [Line("Nation", (0, 0, 10, 10))])
    assert text == "傈僳"
    assert confidence <= 0.6 * 0.3


def test_a_nation_line_read_as_nothing_stays_empty(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    _first_pass(monkeypatch, {10: ("民族", 0.9)})
    toy.frames[10] = _frames({"民": 0.9}, BLANK, BLANK, BLANK)
    ((text, _),) = reader.read_lines([_crop(10)], [Line("Nation", (0, 0, 10, 10))])
    assert text == "民族"  # the label only: the parser makes it an empty nation


def test_it_chooses_nothing_between_two_members_supported_alike(
    toy: ToyRecogniser,
) -> None:
    toy.frames[10] = _frames(BLANK, {"影": 0.5, "彰": 0.2, "宁": 0.2}, {"武": 0.9}, {"县": 0.9})
    assert reader.choose_reading(_crop(10), ("彰武县", "宁武县")) is None


def test_it_re_decides_only_lines_read_as_none_of_their_set(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    reads = {11: ("汉", 0.99), 12: ("±", 0.73), 13: ("影武县公安局", 0.85), 14: ("李明", 0.99)}
    _first_pass(monkeypatch, reads)
    toy.frames[12] = _frames(BLANK, {"±": 0.6, "土": 0.35}, BLANK)
    toy.frames[13] = _frames(
        BLANK,
        {"影": 0.6, "彰": 0.3, "宁": 0.01},
        {"武": 0.9},
        {"县": 0.9},
        {"公": 0.9},
        {"安": 0.9},
        {"局": 0.9},
    )
    lines = [
        Line("Nation", (0, 0, 11, 10)),
        Line("Nation", (0, 0, 12, 10)),
        Line("Authority", (0, 0, 13, 10)),
        Line("Name", (0, 0, 14, 10)),
    ]
    out = reader.read_lines([_crop(11), _crop(12), _crop(13), _crop(14)], lines)
    assert [text for text, _ in out] == ["汉", "土", "彰武县公安局", "李明"]
    assert out[1][1] < 0.73  # a choice made, not a read: its confidence is lowered
    # one more recogniser pass for each re-decided line (the authority's also serving to check its
    # characters), none for the lines read as expected and surely
    assert toy.re_read == [12, 13]


def test_a_line_is_as_sure_as_its_least_sure_value_character(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    # 傈僳 read 保像 (像 at 0.45) after the label's 民 (0.3): the label is not the value
    monkeypatch.setattr(reader, "_class_characters", lambda: _CLASSES)
    probs = np.exp(_frames({"民": 0.3}, BLANK, {"保": 0.95}, BLANK, {"像": 0.45}, BLANK))
    assert reader.weakest_character(probs, "Nation") == pytest.approx(0.45)
    assert reader.weakest_character(probs, "Name") == pytest.approx(0.3)  # 民 may be a name's
    assert reader.weakest_character(probs[:2], "Nation") is None  # only the label


def test_only_a_doubtful_line_is_checked_character_by_character(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    # 杨郴村 for 杨柳村: ten sure characters hide 郴 in the mean; 3 address characters at 0.95 hide
    # nothing; a name is looked at from a smaller shortfall (3 at 0.95), not when read at 0.99
    reads = {
        20: ("杨郴村5组14号东关街", 0.93),
        21: ("东关街", 0.95),
        22: ("李新龙", 0.95),
        23: ("李新龙", 0.99),
    }
    _first_pass(monkeypatch, reads)
    toy.frames[20] = _spelled("杨郴村5组14号东关街", sure=0.99, unsure={"郴": 0.35})
    toy.frames[22] = _spelled("李新龙", sure=0.99, unsure={"新": 0.86})
    lines = [
        Line("Address", (0, 0, 20, 10)),
        Line("Address", (0, 0, 21, 10)),
        Line("Name", (0, 0, 22, 10)),
        Line("Name", (0, 0, 23, 10)),
    ]
    out = reader.read_lines([_crop(20), _crop(21), _crop(22), _crop(23)], lines)
    assert out[0] == ("杨郴村5组14号东关街", pytest.approx(0.35))
    assert out[1] == ("东关街", 0.95)
    assert out[2] == ("李新龙", pytest.approx(0.86))  # as doubtful as its least sure character
    assert out[3] == ("李新龙", 0.99)
    assert toy.re_read == [20, 22]


def test_a_doubtful_line_loses_a_stray_guess_at_its_end(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    # 号e for 号: e is the recogniser's best guess (0.08) on a frame of nothing
    reads = {
        40: ("号e", 0.54),
        41: ("号A", 0.7),
        42: ("号e", 0.54),
        43: ("号1", 0.5),
        44: ("号7", 0.6),
        45: ("号1", 0.5),
    }
    _first_pass(monkeypatch, reads)
    toy.frames[40] = _frames(BLANK, {"号": 0.99}, BLANK, {"e": 0.08, "": 0.07}, BLANK)
    toy.frames[41] = _frames(BLANK, {"号": 0.99}, BLANK, {"A": 0.45}, BLANK)  # read, if doubtfully
    toy.frames[42] = toy.frames[40]
    # a digit guessed at 0.09 goes, one read at 0.4 stays (an address may end in a number)
    toy.frames[43] = _frames(BLANK, {"号": 0.99}, BLANK, {"1": 0.09, "": 0.08}, BLANK)
    toy.frames[44] = _frames(BLANK, {"号": 0.99}, BLANK, {"7": 0.4}, BLANK)
    # the line alone reads 号: the 1 came from the batch's padding
    toy.frames[45] = _frames(BLANK, {"号": 0.99}, BLANK, BLANK)
    lines = [Line("Address", (0, 0, w, 10)) for w in (40, 41)] + [Line("IdNum", (0, 0, 42, 10))]
    lines += [Line("Address", (0, 0, w, 10)) for w in (43, 44, 45)]
    out = reader.read_lines([_crop(w) for w in range(40, 46)], lines)
    # (a number's X is the parser's to judge)
    assert [text for text, _ in out] == ["号", "号A", "号e", "号", "号7", "号"]
    assert out[0][1] <= 0.54  # no surer than the line was


def test_a_doubtful_digit_of_the_number_counts_a_tenth(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    # the check character catches ten misread digits in eleven: 0.45 leaves a doubt of 0.05
    _first_pass(monkeypatch, {30: ("11010719510121083X", 0.97)})
    toy.frames[30] = _spelled("11010719510121083X", sure=0.99, unsure={"8": 0.45})
    out = reader.read_lines([_crop(30)], [Line("IdNum", (0, 0, 30, 10))])
    assert out[0][1] == pytest.approx(1 - 0.55 / 11)


def _reference(frames: np.ndarray, text: str) -> float:
    """The same score, state by state in plain loops (free prefix, CTC states, free suffix)."""
    best = frames.max(axis=1)
    ext = [0]
    for c in text:
        ext += [_INDEX[c], 0]
    never = -1e9
    prefix, states, suffix = 0.0, [never] * len(ext), never
    for t in range(frames.shape[0]):
        new = []
        for k, cls in enumerate(ext):
            came = max(states[k], states[k - 1] if k else prefix)
            if k == 1:
                came = max(came, prefix)
            if k >= 3 and cls != 0 and cls != ext[k - 2]:
                came = max(came, states[k - 2])
            new.append(came + frames[t, cls])
        suffix = max(suffix, states[-1], states[-2]) + best[t]
        prefix += best[t]
        states = new
    return max(states[-1], states[-2], suffix) - float(best.sum())


def test_it_scores_labels_of_different_lengths_at_once_as_the_plain_recursion_does() -> None:
    frames = _frames(BLANK, {"彰": 0.5, "影": 0.4}, {"武": 0.9}, BLANK, {"县": 0.7, "±": 0.2}, BLANK)
    labels = ["彰武县", "影武", "县", "武武", "土", "宁武县", "武县县"]
    together = reader._aligned_scores(frames, frames.max(axis=1), [[_INDEX[c] for c in t] for t in labels])
    assert together == pytest.approx([_reference(frames, t) for t in labels])
    assert together[0] == pytest.approx(0.0)  # 彰武县 is the best path
    assert together[1] == pytest.approx(np.log(0.4 / 0.5))


def test_it_takes_an_authority_read_surely_as_read(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    # 影武县 is no registered county; read this surely it may be a new one: no second look
    monkeypatch.setattr(reader, "recognize_lines", lambda crops: [("影武县公安局", 0.99)])
    toy.frames[13] = _frames(BLANK, {"影": 0.6, "彰": 0.3}, {"武": 0.9}, {"县": 0.9})
    out = reader.read_lines([_crop(13)], [Line("Authority", (0, 0, 13, 10))])
    assert out == [("影武县公安局", 0.99)]
    assert toy.re_read == []


def test_a_line_that_is_all_label_reads_as_nothing_instead_of_failing() -> None:
    # A stamped line whose label, by the layout, ends past the line's own end crops to nothing
    # (seen on a heavily blurred front); the recogniser must answer "" for it, not raise.
    card = np.full((810, 1284, 3), 235, dtype=np.uint8)
    line = Line("Nation", (310, 116, 379, 138), label_end=401.0, stamped=True)
    crop = reader.crop_line(card, line, scale=1.5)
    assert crop.size == 0
    assert reader.read_lines([crop], [line]) == [("", 0.0)]


def test_a_doubtful_line_is_read_again_at_full_precision_and_stays_doubtful(
    monkeypatch: pytest.MonkeyPatch, toy: ToyRecogniser
) -> None:
    # the 8-bit pass read 李新龙, unsure of its middle character; the second look (the float
    # recogniser's frames) reads 李鹏龙: its text is taken, no surer than the first pass was
    _first_pass(monkeypatch, {50: ("李新龙", 0.6), 51: ("杨柳村", 0.99)})
    toy.frames[50] = _spelled("李鹏龙", sure=0.99, unsure={"鹏": 0.7})
    toy.frames[51] = _spelled("杨郴村", sure=0.99, unsure={})
    lines = [Line("Address", (0, 0, 50, 10)), Line("Address", (0, 0, 51, 10))]
    out = reader.read_lines([_crop(50), _crop(51)], lines)
    assert out[0] == ("李鹏龙", pytest.approx(0.6))
    assert out[1] == ("杨柳村", 0.99)  # a sure line gets no second look
    assert toy.re_read == [50]


def _address_card(scale: float) -> np.ndarray:
    """A blank card at ``scale`` with two address lines of block 'characters' (canonical rows
    251-279 and 291-319), the first of characters in two parts with a 3 px gap between them."""
    card = np.full((round(540 * scale), round(856 * scale), 3), 235, dtype=np.uint8)
    for x in range(160, 520, 36):
        for top, bottom in ((251, 262), (265, 279), (291, 319)):
            card[round(top * scale) : round(bottom * scale), round(x * scale) : round((x + 28) * scale)] = 20
    return card


def _inked_rows(crop: np.ndarray) -> np.ndarray:
    return np.nonzero((crop.mean(axis=2) < 100).any(axis=1))[0]


@pytest.mark.parametrize("kernel", [(160, 258, 520, 270), (160, 254, 520, 284)])
def test_a_line_is_cut_whole_with_paper_around_it_however_tall_its_kernel(kernel: tuple[int, ...]) -> None:
    # A short kernel (the detector's, shrunk) would clip the strokes with the old fixed padding, and
    # a tall one runs into the next line; the crop is the line's own ink with paper above and below.
    scale = 1.5
    crop = reader.crop_line(_address_card(scale), Line("Address", kernel), scale=scale)  # type: ignore[arg-type]
    rows = _inked_rows(crop)
    assert rows[0] > 0 and rows[-1] < crop.shape[0] - 1  # paper above and below: nothing clipped
    assert rows[-1] - rows[0] + 1 == round(279 * scale) - round(251 * scale)  # both parts, not the next line
    assert (rows[-1] - rows[0] + 1) / crop.shape[0] == pytest.approx(reader._INK_SHARE, abs=0.05)
