"""The engine's pipeline: decode, locate, rectify, orient, read, parse, crop."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import models, parsing, reader, words, workers
from onboarding.ocr.engine.decode import decode_image, work_copy
from onboarding.ocr.engine.layout import CARD_HEIGHT, CARD_WIDTH, PORTRAIT
from onboarding.ocr.engine.locate import CONFIDENT_LAYOUT, Located, locate_card
from onboarding.ocr.engine.models import detector_size, text_probability
from onboarding.ocr.engine.orientation import Orientation
from onboarding.ocr.engine.signals import (
    BLUR_THRESHOLD,
    SnappedCard,
    edge_sharpness,
    find_cards,
    run_detectors,
    score_of,
    snap_card,
    wants_image_checks,
)
from onboarding.ocr.engine.signals.cards import MIN_EXTRA_EDGES
from onboarding.ocr.engine.types import (
    BACK_FIELDS,
    FRONT_FIELDS,
    CardConfig,
    CardSide,
    IdCardFields,
    OcrResult,
    Point,
)
from onboarding.ocr.errors import ErrorCode, OcrError

# The photo is searched for text at this longer side: card text stays 8+ px high down to a card
# filling 30 % of the frame, and the detector costs ~40 ms here on two cores.
LOCATE_MAX_SIDE = 512
LOCATE_FINE_MAX_SIDE = 1024
# Below this many photo pixels on the card's short side the number line's digits are too small
# to read reliably (measured on generated specimens).
MIN_CARD_SHORT_SIDE = 130
# Layout matches (see orientation.py) below which there is no ID card: on the photo's coarse map
# and on the rectified card's own map.
MIN_LAYOUT_SCORE = 0.12
MIN_CARD_LAYOUT_SCORE = 0.15
# Candidates scoring within this of the best are re-judged on their own rectified map.
CLOSE_CANDIDATES = 0.25
# A card whose own map matches a layout this well is read before rectifying runners-up that are
# not close on the coarse map (they get their turn if it does not read).
CONFIDENT_CARD = 0.7
# Candidates rectified and read at most, per search (coarse, then fine).
MAX_CANDIDATES = 3
# Cards shorter than this in the photo (long side, photo pixels) carry every recogniser misread
# measured on seeds 3, 11 and 21 (13 wrong fields of 198 below, none of 1282 above) and on a set of
# small cards (47 of 642 below): their fields' confidence is capped, so a reviewer looks at them.
SMALL_CARD_LONG_SIDE = 400
SMALL_CARD_MAX_CONFIDENCE = 0.9
# A front whose number was not read: the number line is the front's most legible, so the card was
# most likely rectified or cut wrong, and no field of it reads as more than doubtful (a quad that
# stopped at the portrait's edge, under a 25° tilt, read 吕平伟 as 平伟 at 0.9999 on seed 57).
NO_NUMBER_MAX_CONFIDENCE = 0.5
# Variance of the Laplacian (canonical card, grey) below which text is treated as unreadable
# when the recogniser also struggles.
BLUR_VARIANCE = 25.0
JPEG_QUALITY = 90
# Lines are read from the card warped at up to this multiple of the canonical size.
READ_MAX_SCALE = 2.0
READ_MIN_SCALE = 1.5
# The card's own text map (``reader.text_map``) costs a detector pass. A card whose long side spans
# at least this share of that map's width on the photo's coarse map has its coarse map warped onto it
# instead, when that map matches a layout this well (a card located a little off, or tilted, gets
# its own pass): on seeds 3, 11 and 21 of the benchmark this halved the card passes and changed no
# field (0.6, or no layout bar, each cost a field or two: measured).
CARD_MAP_SIZE = detector_size(CARD_WIDTH, CARD_HEIGHT, max_side=round(CARD_WIDTH * reader.MAP_SCALE))
REUSE_MAP_MIN_WIDTH = 0.7
REUSED_MAP_MIN_LAYOUT = 0.35


# One candidate read: (upright quad, card, side, fields, raw fields, confidences).
_Read = tuple[NDArray[np.float64], NDArray[np.uint8], CardSide, IdCardFields, IdCardFields, dict[str, float]]


def warm_up() -> None:
    """Load the models and the address word list now (e.g. at worker start), not on a request."""
    models.warm_up()
    words.two_character_words()


def recognize(image: bytes, *, side: CardSide | None = None, config: CardConfig = CardConfig()) -> OcrResult:  # noqa: B008 - frozen dataclass
    """Read one photo or scan of a resident ID card; raise OcrError with the contract's code."""
    started = time.perf_counter()
    photo = decode_image(image)
    work, scale = work_copy(photo)

    coarse = _Search.of(work, LOCATE_MAX_SIDE)
    candidates = coarse.candidates
    # MultiCardDetect's search for further cards needs only the coarse pass: it runs beside the read.
    other_cards = workers.pool().submit(coarse.all_cards) if config.multi_card_detect else None
    fine_done = False
    if not candidates or candidates[0].orientation.score < CONFIDENT_LAYOUT:
        # Small cards' text is lost at the coarse size: look again, finer (rarely needed).
        candidates = _by_score(candidates + _Search.of(work, LOCATE_FINE_MAX_SIDE).candidates)
        fine_done = True
    if not candidates or candidates[0].orientation.score < MIN_LAYOUT_SCORE:
        raise OcrError(ErrorCode.IMAGE_NO_ID_CARD)
    # Reading is the final judge: a letter's text block can look like a card to the layout match,
    # so when a candidate reads as mostly nothing the next one (and a finer search) gets its turn.
    first_error: OcrError | None = None
    tried: list[NDArray[np.float64]] = []
    read = None
    # The image detectors start from the card snapped to its own edges (~8 ms of CPU): that is made
    # on the pool as soon as a candidate's upright quad is known, in the gaps the recogniser leaves
    # (a plain read skips it). A candidate that then does not read leaves its snap unused.
    snapping: list[Future[SnappedCard]] = []

    def start_snap(quad: NDArray[np.float64]) -> None:
        snapping[:] = [workers.pool().submit(snap_card, work, _points(quad))]

    on_located = start_snap if wants_image_checks(config) else None
    # A read that leaves a field empty, or reads one as no such field can, is kept in reserve while
    # the other candidates are read, and the fullest read wins: a quad that stops at an edge inside
    # the card (the portrait's, under a strong tilt) reads the rest of the card but not the number,
    # the text block of a small card framed short of its edges reads the number but not the name
    # (seed 57's photos 32 and 20), and a quad with one side askew puts every line one row off
    # (seed 52's photo 16: 男 for the name, 年月日 for the nation).
    reserve: tuple[tuple[int, bool], _Read, list[Future[SnappedCard]]] | None = None
    for round_candidates in _rounds(work, candidates, fine_done=fine_done):
        for quad0, card0, prob0, orientation0, reused in _ranked(work, round_candidates, tried):
            try:
                try:
                    read = _read(work, scale, quad0, card0, prob0, orientation0, side, config, on_located)
                except OcrError:
                    if not reused:
                        raise
                    # The coarse map warped onto the card did not read: the card's own map decides.
                    prob0, orientation0 = _own_map(card0)
                    read = _read(work, scale, quad0, card0, prob0, orientation0, side, config, on_located)
            except OcrError as error:
                # The first candidate's complaint is the one reported if no other reads.
                first_error = first_error or error
                continue
            fullness = _fullness(read)
            if fullness == _whole_side(read):
                break
            if reserve is None or fullness > reserve[0]:
                reserve = (fullness, read, list(snapping))
            read = None
        if read is not None:
            break
    if read is None and reserve is not None:
        _, read, snapping = reserve
    if read is None:
        assert first_error is not None
        raise first_error
    quad, card, detected, fields, raw, confidence = read
    # The detectors look at ``work``, so they get the corners in its pixels, not the photo's.
    work_corners = _points(quad)

    # Blur per millimetre of card, measured on the card the reader used (a few ms): below the bar
    # the reads cannot be trusted even where the recogniser produced text.
    sharpness = edge_sharpness(card)
    quality = score_of(sharpness)
    if quality < BLUR_THRESHOLD:
        short_side = _short_side(quad) / scale
        if short_side < 2 * MIN_CARD_SHORT_SIDE:
            # A card this small in the frame (about a fifth of its width) blurs past reading at the
            # least defocus: moving closer is what helps, so that is what the answer says.
            raise _too_small(short_side)
        raise OcrError(ErrorCode.IMAGE_BLUR, f"（Quality {quality}）", detail_en=f"(Quality {quality})")
    result = _result(work, scale, quad, card, detected, fields, raw, confidence, config)
    if other_cards is not None:
        result.other_side = _other_side(work, scale, other_cards.result(), quad, detected, config)
    # InvalidDateWarn answers -9109 here; api.contract.advanced_info maps it to the service's
    # OCR_INVALID_DATE_WARN_CODE for every backend, in one place.
    snapped = snapping[0].result() if snapping else None
    run_detectors(work, card, work_corners, detected, config, result, sharpness=sharpness, snapped=snapped)
    result.elapsed_ms = (time.perf_counter() - started) * 1000.0
    return result


def _result(
    work: NDArray[np.uint8],
    scale: float,
    quad: NDArray[np.float64],
    card: NDArray[np.uint8],
    detected: CardSide,
    fields: IdCardFields,
    raw: IdCardFields,
    confidence: dict[str, float],
    config: CardConfig,
) -> OcrResult:
    """The read card as an OcrResult: corners in the input photo's pixels, the crops asked for."""
    corners: list[Point] = [(float(x) / scale, float(y) / scale) for x, y in quad]
    result = OcrResult(side=detected, fields=fields, confidence=confidence, corners=corners, raw_fields=raw)
    if config.crop_id_card:
        result.card_jpeg = _jpeg(card)
    if config.crop_portrait and detected is CardSide.FRONT:
        x0, y0, x1, y1 = PORTRAIT
        result.portrait_jpeg = _jpeg(card[y0:y1, x0:x1])
    return result


def _other_side(
    work: NDArray[np.uint8],
    scale: float,
    cards: list[Located],
    quad: NDArray[np.float64],
    detected: CardSide,
    config: CardConfig,
) -> OcrResult | None:
    """MultiCardDetect: the other side's card read from the same photo, None when there is none.

    ``cards`` are every card found on the coarse pass (``_Search.all_cards``), quads in ``work``
    pixels. A further card must show its edges (a layout match alone also fits clutter) and must
    read as a card does: only then is one of the same side a second card
    (FailedOperation.MultiCardError), and one of the other side returned, read like the first,
    with the detectors' findings.
    """
    for located in cards:
        other = located.quad
        if _overlap(other, quad) > 0.3 or located.edge_score < MIN_EXTRA_EDGES:
            continue  # the card already read, or no card's edges
        card0 = reader.warp_card(work, other)
        prob0, orientation0 = _own_map(card0)
        try:
            oquad, ocard, oside, ofields, oraw, oconf = _read(
                work, scale, other, card0, prob0, orientation0, None, config
            )
        except OcrError:
            continue  # not readable as a card: no reason to refuse or to add anything
        if oside is detected:
            raise OcrError(ErrorCode.MULTI_CARD)
        result = _result(work, scale, oquad, ocard, oside, ofields, oraw, oconf, config)
        work_corners = _points(oquad)
        run_detectors(work, ocard, work_corners, oside, replace(config, multi_card_detect=False), result)
        return result
    return None


def _overlap(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Intersection of two convex quads over the smaller one's area."""
    area, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    smaller = min(cv2.contourArea(a.astype(np.float32)), cv2.contourArea(b.astype(np.float32)))
    return float(area) / max(float(smaller), 1.0)


def _read(
    work: NDArray[np.uint8],
    scale: float,
    quad: NDArray[np.float64],
    card: NDArray[np.uint8],
    card_prob: NDArray[np.float32],
    orientation: Orientation,
    side: CardSide | None,
    config: CardConfig,
    on_located: Callable[[NDArray[np.float64]], None] | None = None,
) -> _Read:
    """Read one candidate card: (upright quad, card, side, fields, raw fields, confidences).
    ``on_located`` is told the upright quad before the lines are read."""
    if orientation.score < MIN_CARD_LAYOUT_SCORE:
        raise OcrError(ErrorCode.IMAGE_NO_ID_CARD)
    short_side = _short_side(quad) / scale
    if short_side < MIN_CARD_SHORT_SIDE:
        raise _too_small(short_side)
    if orientation.flipped:
        card = np.ascontiguousarray(card[::-1, ::-1])
        card_prob = np.ascontiguousarray(card_prob[::-1, ::-1])
        quad = np.roll(quad, -2, axis=0)
    detected = orientation.side
    if side is not None and side is not detected:
        raise OcrError(
            ErrorCode.CARD_SIDE_ERROR,
            f"（要求{_side_zh(side)}，图片为{_side_zh(detected)}）",
            detail_en=f"(asked for {side.value}, the image shows {detected.value})",
        )
    if on_located is not None:
        on_located(quad)

    lines = reader.field_lines(card_prob, detected)
    # Cut the lines from a warp at the photo's own resolution (up to 2x canonical): the recogniser
    # tells 赉 from 费 better from sharper strokes than from the canonical-size card.
    read_scale = float(np.clip(_long_side(quad) / CARD_WIDTH, READ_MIN_SCALE, READ_MAX_SCALE))
    paper = reader.red_ink_paper(card)
    sharp = reader.warp_around(work, quad, [line.box for line in lines], scale=read_scale, paper=paper)
    lines = [reader.trim_label(sharp, line, detected, scale=read_scale) for line in lines]
    crops = [reader.crop_line(sharp, line, scale=read_scale) for line in lines]
    reads = reader.read_lines(crops, lines)
    by_field: dict[str, list[tuple[str, float, reader.Line]]] = {}
    for line, (text, score) in zip(lines, reads, strict=True):
        if parsing.is_label(text):
            continue  # a label the detector kept apart from its value
        by_field.setdefault(line.field, []).append((text, score, line))

    fields, raw, confidence = _parse(by_field, detected, config)
    cap = 1.0
    if _long_side(quad) / scale < SMALL_CARD_LONG_SIDE:
        # Characters ~11 px high: a misread can come with the recogniser sure of it (姜辰字 for
        # 姜辰宇 at 0.99), so no field of such a card reads as certain.
        cap = SMALL_CARD_MAX_CONFIDENCE
    if detected is CardSide.FRONT and not fields.id_num:
        cap = min(cap, NO_NUMBER_MAX_CONFIDENCE)
    confidence = {name: min(value, cap) for name, value in confidence.items()}
    side_fields = FRONT_FIELDS if detected is CardSide.FRONT else BACK_FIELDS
    values = fields.as_contract()
    filled = sum(bool(values[f]) for f in side_fields)
    if detected is CardSide.FRONT:
        # The number line is the front's most legible line; without it, most of the rest must read.
        plausible = len(fields.id_num) == 18 or (filled >= 4 and bool(fields.name))
    else:
        plausible = bool(fields.valid_date) or "公安" in fields.authority
    if not plausible or filled * 2 < len(side_fields):
        # Most of the card unreadable: say why rather than return scraps.
        if short_side < 2 * MIN_CARD_SHORT_SIDE:
            raise _too_small(short_side)
        if _sharpness(card) < BLUR_VARIANCE:
            raise OcrError(ErrorCode.IMAGE_BLUR)
        raise OcrError(ErrorCode.OCR_FAILED)
    return quad, card, detected, fields, raw, confidence


def _fullness(read: _Read) -> tuple[int, bool]:
    """How much of its side a read has, on the raw reads (before the number fills Birth and Sex):
    how many of the side's fields read as such a field can (a name of one character, or 年月日 for
    a nation, is a line read in the wrong field's place), then whether it has its key line (a
    front's full number, a back's validity)."""
    _, _, detected, _, raw, _ = read
    if detected is CardSide.FRONT:
        number = len(raw.id_num) == 18
        # (the parsers leave Sex, Birth and Address empty unless they read one)
        fields = (len(raw.name) >= 2, parsing.is_nation(raw.nation), bool(raw.sex), bool(raw.birth))
        return sum(fields) + bool(raw.address) + number, number
    return bool(raw.valid_date) + bool(raw.authority), bool(raw.valid_date)


def _whole_side(read: _Read) -> tuple[int, bool]:
    """The fullness of a read with every field of its side."""
    return len(FRONT_FIELDS if read[2] is CardSide.FRONT else BACK_FIELDS), True


def _rounds(
    work: NDArray[np.uint8], candidates: list[Located], *, fine_done: bool
) -> Iterator[list[Located]]:
    """The candidates to read, round by round, each round only if the ones before did not read:
    the search's best, then a finer search's (unless it was part of the first round), then every
    candidate not read yet that shows edges of its own. A small card beside a page of text can rank
    below the page's text blocks on both passes (MAX_CANDIDATES are read per round): seed 7's cut
    card on an invoice."""
    every = list(candidates)
    yield candidates
    if not fine_done:
        fine = _by_score(_Search.of(work, LOCATE_FINE_MAX_SIDE).candidates)
        every += fine
        yield fine
    yield _by_score([c for c in every if c.edge_score > 0])


def _too_small(short_side: float) -> OcrError:
    return OcrError(
        ErrorCode.ID_CARD_TOO_SMALL, f"（{short_side:.0f}px）", detail_en=f"({short_side:.0f} px)"
    )


def _by_score(candidates: list[Located]) -> list[Located]:
    return sorted(candidates, key=lambda c: -c.orientation.score)


# A rectified candidate: its quad (upright), the card, its text map and its layout match, and whether
# that map is the search's warped onto the card (the card's own is made if it does not read).
_Judged = tuple[NDArray[np.float64], NDArray[np.uint8], NDArray[np.float32], Orientation, bool]


def _ranked(
    work: NDArray[np.uint8], candidates: list[Located], tried: list[NDArray[np.float64]]
) -> Iterator[_Judged]:
    """The top candidates not tried yet, rectified, best layout match on their own map first.

    The photo's coarse map ranks the candidates; when the runner-up is close, or the leader's own
    finer map (needed anyway for reading) is not convincing, the runner-up's own map decides. The
    candidates that could not win are rectified only if the ones before them fail to read.
    """
    fresh = [c for c in candidates if all(np.abs(c.quad - t).max() > 8 for t in tried)][:MAX_CANDIDATES]
    eligible: list[Located] = []
    for index, cand in enumerate(fresh):
        if index >= 2 and cand.orientation.score < fresh[0].orientation.score - CLOSE_CANDIDATES:
            break
        eligible.append(cand)
    judged: list[_Judged] = []
    for cand in eligible:
        far = cand.orientation.score < fresh[0].orientation.score - CLOSE_CANDIDATES
        if judged and far and max(j[3].score for j in judged) >= CONFIDENT_CARD:
            break
        judged.append(_judge(work, cand, tried))
    judged.sort(key=lambda j: -j[3].score)
    yield from judged
    # The leaders did not read: the rest in their turn.
    rest = [_judge(work, cand, tried) for cand in eligible[len(judged) :]]
    yield from sorted(rest, key=lambda j: -j[3].score)


def _judge(work: NDArray[np.uint8], cand: Located, tried: list[NDArray[np.float64]]) -> _Judged:
    """A candidate rectified, its own text map, and the layout match on that map."""
    tried.append(cand.quad)
    card = reader.warp_card(work, cand.quad)
    if isinstance(cand, _Candidate) and cand.card_map is not None:
        orientation = reader.card_orientation(cand.card_map)
        if orientation.score >= REUSED_MAP_MIN_LAYOUT:
            return cand.quad, card, cand.card_map, orientation, True
    prob, orientation = _own_map(card)
    return cand.quad, card, prob, orientation, False


def _own_map(card: NDArray[np.uint8]) -> tuple[NDArray[np.float32], Orientation]:
    """The rectified card's own text map (red ink painted out first) and its layout match."""
    prob = reader.text_map(reader.without_red_ink(card))
    return prob, reader.card_orientation(prob)


@dataclass(frozen=True)
class _Candidate(Located):
    """A located card with, when it is large on the search's map, that map warped onto the card."""

    card_map: NDArray[np.float32] | None = None


@dataclass(frozen=True)
class _Search:
    """One pass of the text detector over the photo: its map, the photo at the map's size, and the
    card candidates found there (quads in ``work`` pixels). MultiCardDetect reuses the coarse one."""

    small: NDArray[np.uint8]
    prob: NDArray[np.float32]
    candidates: list[Located]
    to_work: NDArray[np.float64]  # from the map's pixels to ``work``'s (x, y)

    @classmethod
    def of(cls, work: NDArray[np.uint8], max_side: int) -> _Search:
        pw, ph = detector_size(work.shape[1], work.shape[0], max_side=max_side)
        small = np.asarray(cv2.resize(work, (pw, ph), interpolation=cv2.INTER_AREA), dtype=np.uint8)
        prob = text_probability(small, max_side=max_side)
        to_work = np.array([work.shape[1] / pw, work.shape[0] / ph])
        found: list[Located] = [
            _Candidate(c.quad * to_work, c.orientation, c.edge_score, c.source, _card_map(prob, c.quad))
            for c in locate_card(small, prob)
        ]
        return cls(small, prob, found, to_work)

    def all_cards(self) -> list[Located]:
        """Every card on this pass (``signals.cards.find_cards``), best first, quads in ``work``
        pixels: the first is this search's best candidate."""
        first = [replace(c, quad=c.quad / self.to_work) for c in self.candidates]
        return [
            replace(c, quad=c.quad * self.to_work) for c in find_cards(self.small, self.prob, first=first)
        ]


def _card_map(prob: NDArray[np.float32], quad: NDArray[np.float64]) -> NDArray[np.float32] | None:
    """The search's text map warped onto the card under ``quad`` (in the map's pixels), at the size of
    the card's own map (``reader.text_map``), when the card is large enough on the search's map for
    that to lose nothing: the card's own detector pass is then saved."""
    mw, mh = CARD_MAP_SIZE
    if _long_side(quad) < REUSE_MAP_MIN_WIDTH * mw:
        return None
    dst = np.array([[0, 0], [mw, 0], [mw, mh], [0, mh]], dtype=np.float32)
    to_card = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return np.asarray(cv2.warpPerspective(prob, to_card, (mw, mh), flags=cv2.INTER_LINEAR), dtype=np.float32)


def _points(quad: NDArray[np.float64]) -> list[Point]:
    return [(float(x), float(y)) for x, y in quad]


def _side_zh(side: CardSide) -> str:
    return "人像面" if side is CardSide.FRONT else "国徽面"


def _long_side(quad: NDArray[np.float64]) -> float:
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    return max((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)


def _short_side(quad: NDArray[np.float64]) -> float:
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    return min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)


def _sharpness(card: NDArray[np.uint8]) -> float:
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_32F).var())


def _jpeg(image: NDArray[np.uint8]) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise OcrError(ErrorCode.INTERNAL_ERROR, detail_en="JPEG encoding failed")
    return bytes(buf.tobytes())


def _best(reads: list[tuple[str, float, reader.Line]]) -> tuple[str, float]:
    """The read of a single-line field: the first line (top-most) with any text."""
    for text, score, _ in sorted(reads, key=lambda r: r[2].box[1]):
        if parsing.strip_stamps(text).strip():
            return text, score
    return "", 0.0


def _parse(
    by_field: dict[str, list[tuple[str, float, reader.Line]]], side: CardSide, config: CardConfig
) -> tuple[IdCardFields, IdCardFields, dict[str, float]]:
    fields = IdCardFields()
    conf: dict[str, float] = {}
    if side is CardSide.BACK:
        text, score = _best(by_field.get("Authority", []))
        fields.authority = parsing.parse_authority(text)
        conf["Authority"] = score if fields.authority else 0.0
        text, score = _joined(by_field.get("ValidDate", []))
        fields.valid_date, factor = parsing.parse_valid_date(text)
        conf["ValidDate"] = score * factor
        return fields, _copy(fields), {k: round(max(0.0, min(1.0, v)), 4) for k, v in conf.items()}

    name_reads = sorted(by_field.get("Name", []), key=lambda r: r[2].box[1])
    fields.name = parsing.parse_name([t for t, _, _ in name_reads[:1]])
    conf["Name"] = _mean([s for _, s, _ in name_reads[:1]]) if fields.name else 0.0
    sex_parts = [(t, s) for t, s, _ in by_field.get("Sex", [])]
    nation_parts = [(t, s) for t, s, _ in by_field.get("Nation", [])]
    for text, s, _ in by_field.get("SexNation", []):
        # One piece spanning 性别 男 民族 汉: the nation follows its label's 族.
        left, _, right = parsing.split_sex_nation(text)
        sex_parts.append((left, s))
        nation_parts.insert(0, (right, s))
    sex_text = "".join(t for t, _ in sex_parts)
    sex_score = min((s for _, s in sex_parts), default=0.0)
    nation_text = "".join(t for t, _ in nation_parts)
    score = min((s for _, s in nation_parts), default=0.0)
    fields.sex = parsing.parse_sex(sex_text)
    sex_score = sex_score if fields.sex else 0.0
    fields.nation, factor = parsing.parse_nation(nation_text)
    conf["Nation"] = score * factor
    text, birth_score = _joined(by_field.get("Birth", []))
    fields.birth, factor = parsing.parse_birth(text)
    birth_score *= factor
    number_text, id_score = _number_line(by_field.get("IdNum", []))
    number = parsing.parse_id_number(number_text)
    addr = _address_rows(by_field.get("Address", []))
    fields.address = parsing.parse_address([t for t, _, _ in addr], number=number.value)
    conf["Address"] = min((s for _, s, _ in addr), default=0.0) if fields.address else 0.0
    fields.id_num = number.value
    raw = _copy(fields)
    conf_raw_id = parsing.raw_id_confidence(number, id_score)
    if config.enable_recognition_rectify and (number.certain or number.candidates):
        rec = parsing.reconcile(
            number=number,
            id_score=id_score,
            birth=fields.birth,
            birth_score=birth_score,
            sex=fields.sex,
            sex_score=sex_score,
        )
        fields.id_num, fields.birth, fields.sex = rec.id_num, rec.birth, rec.sex
        conf["IdNum"], conf["Birth"], conf["Sex"] = (
            rec.id_confidence,
            rec.birth_confidence,
            rec.sex_confidence,
        )
    else:
        conf["IdNum"], conf["Birth"], conf["Sex"] = conf_raw_id, birth_score, sex_score
    return fields, raw, {k: round(max(0.0, min(1.0, v)), 4) for k, v in conf.items()}


def _address_rows(
    reads: list[tuple[str, float, reader.Line]], max_rows: int = 4
) -> list[tuple[str, float, reader.Line]]:
    """The address's pieces in reading order (rows top-down, pieces of a row left to right), of its
    first ``max_rows`` rows: a row split at a gap (a stamp painted out) stays one row, and a piece
    set a little higher on a tilted card does not jump ahead of its row's start."""
    rows: list[list[tuple[str, float, reader.Line]]] = []
    for read in sorted(reads, key=lambda r: (r[2].box[1] + r[2].box[3]) / 2):
        box = read[2].box
        if rows:
            last = rows[-1]
            top, bottom = min(r[2].box[1] for r in last), max(r[2].box[3] for r in last)
            overlap = min(bottom, box[3]) - max(top, box[1])
            if overlap >= 0.5 * min(bottom - top, box[3] - box[1]):
                last.append(read)
                continue
        rows.append([read])
    return [r for row in rows[:max_rows] for r in sorted(row, key=lambda r: r[2].box[0])]


def _copy(fields: IdCardFields) -> IdCardFields:
    c = fields.as_contract()
    return IdCardFields(
        name=c["Name"],
        sex=c["Sex"],
        nation=c["Nation"],
        birth=c["Birth"],
        address=c["Address"],
        id_num=c["IdNum"],
        authority=c["Authority"],
        valid_date=c["ValidDate"],
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _joined(reads: list[tuple[str, float, reader.Line]]) -> tuple[str, float]:
    ordered = sorted(reads, key=lambda r: (r[2].box[1], r[2].box[0]))
    text = "".join(t for t, _, _ in ordered)
    return text, min((s for _, s, _ in ordered), default=0.0)


def _number_line(reads: list[tuple[str, float, reader.Line]]) -> tuple[str, float]:
    """The number line is the read with the most digit-like characters (a stamp line has none)."""
    if not reads:
        return "", 0.0
    best = max(reads, key=lambda r: len(parsing.normalise_id_chars(r[0])))
    return best[0], best[1]
