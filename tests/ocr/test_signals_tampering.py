"""DetectPsWarn's newer evidence (tampering) and TempIdWarn against photocopies (temporary).

Photos come from the specimen generator with fixed seeds; cards are rectified with the photo's
ground-truth corners (or, where the engine's corner error is the point, with corners moved a known
distance), so these tests judge the detectors alone. Edits are made on the rectified card where
the evidence under test must be isolated from the generator's random choice of face.
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

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals import reflect, tampering, temporary
from onboarding.ocr.engine.signals._common import percentile_u8
from onboarding.ocr.engine.types import CardSide, IdCardFields
from onboarding.ocr.specimens import CardVariant, Photo, random_conditions, specimen_photo

TODAY = datetime.date(2026, 11, 25)
W, H = layout.CARD_WIDTH, layout.CARD_HEIGHT


def _photo(seed: int, side: CardSide, **changes: object) -> tuple[Photo, IdCardFields]:
    rng = random.Random(seed)
    conditions = dataclasses.replace(random_conditions(rng, difficulty="clean"), **changes)  # type: ignore[arg-type]
    photo, identity = specimen_photo(rng, side, conditions, today=TODAY)
    truth = identity.contract_fields()
    return photo, IdCardFields(sex=truth["Sex"] if side is CardSide.FRONT else "")


def _rectify(photo: Photo, *, outset: float = 0.0) -> NDArray[np.uint8]:
    """The card rectified to 856x540 with its corners moved ``outset`` canonical px outwards."""
    true = np.float32(photo.corners)
    canonical = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    to_photo = cv2.getPerspectiveTransform(canonical, true)
    d = outset
    grown = np.float32([[-d, -d], [W + d, -d], [W + d, H + d], [-d, H + d]]).reshape(-1, 1, 2)
    corners = cv2.perspectiveTransform(grown, to_photo).reshape(4, 2)
    m = cv2.getPerspectiveTransform(np.float32(corners), canonical)
    out = cv2.warpPerspective(
        photo.image(), m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(out, np.uint8)


@pytest.fixture(scope="module")
def front() -> tuple[NDArray[np.uint8], IdCardFields]:
    photo, fields = _photo(11, CardSide.FRONT)
    return _rectify(photo), fields


def _box(name: str) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = layout.FRONT_VALUES[name]
    return x0 - 12, y0 - 8, x1 + 12, y1 + 8


def _with_field(
    card: NDArray[np.uint8], name: str, change: Callable[[NDArray[np.uint8]], NDArray[np.uint8]]
) -> NDArray[np.uint8]:
    """The card with the front field ``name``'s box replaced by ``change`` of it."""
    x0, y0, x1, y1 = _box(name)
    edited = card.copy()
    edited[y0:y1, x0:x1] = change(card[y0:y1, x0:x1])
    return edited


def _ink_and_paper(band: NDArray[np.uint8]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """A field's pixels and the paper around each (the band's local maximum), as floats."""
    paper = cv2.dilate(band, np.ones((9, 9), np.uint8))
    return band.astype(np.float32), paper.astype(np.float32)


def _bolder(kernel: tuple[int, int]) -> Callable[[NDArray[np.uint8]], NDArray[np.uint8]]:
    return lambda band: np.asarray(cv2.erode(band, np.ones(kernel, np.uint8)), dtype=np.uint8)


# --- DetectPsWarn ---------------------------------------------------------------------------------


def test_the_untouched_front_is_not_edited(front: tuple[NDArray[np.uint8], IdCardFields]) -> None:
    card, fields = front
    assert tampering.edit_evidence(card, CardSide.FRONT, fields).reasons == ()
    assert tampering.edit_evidence(card, CardSide.FRONT, fields, advanced=True).reasons == ()


def test_a_number_retyped_wider_is_off_the_layouts_width(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    # the same strokes, stretched 8 % along the line from its start: only the number's extent changes
    card, fields = front

    def stretched(band: NDArray[np.uint8]) -> NDArray[np.uint8]:
        wider = cv2.resize(band, (round(band.shape[1] * 1.08), band.shape[0]), interpolation=cv2.INTER_LINEAR)
        return np.asarray(wider[:, : band.shape[1]], dtype=np.uint8)

    edited = _with_field(card, "IdNum", stretched)
    reasons = tampering.edit_evidence(edited, CardSide.FRONT, fields).reasons
    assert any(reason.startswith("IdNum width") for reason in reasons), reasons
    assert all(reason.startswith("IdNum") for reason in reasons), reasons


def test_a_bolder_face_is_heavy_for_the_card_and_for_its_own_size(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    card, fields = front
    # thicker vertical strokes only: the glyphs keep their height, so the face is bold for its size
    edited = _with_field(card, "Birth", _bolder((1, 3)))
    reasons = tampering.edit_evidence(edited, CardSide.FRONT, fields).reasons
    assert any("per glyph height" in reason and reason.startswith("Birth") for reason in reasons), reasons


def test_nothing_is_read_when_the_layout_does_not_fit_the_card(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    # corners far off (the card's print 60 px left of the layout): every box holds other print, so
    # even a field made bold is no evidence, rather than a false alarm on a misread card
    card, fields = front
    edited = _with_field(card, "Birth", _bolder((3, 3)))
    assert tampering.edit_evidence(edited, CardSide.FRONT, fields).edited
    shifted = np.roll(edited, -60, axis=1)
    assert tampering.edit_evidence(shifted, CardSide.FRONT, fields).reasons == ()


def _field(contrast: float, ridge: float | None) -> tampering._Field:
    return tampering._Field(stroke=3.0, contrast=contrast, ridge=ridge)


def test_thinner_horizontals_are_judged_against_the_cards_other_fields() -> None:
    # values at the back's norms, then the Authority's horizontals thinner and lighter (a serif face)
    bars = tampering.BARS
    authority, valid = tampering._TYPE["Authority"], tampering._TYPE["ValidDate"]
    assert authority[4] is not None and valid[4] is not None
    genuine = {
        "Authority": _field(authority[2], authority[4][0]),
        "ValidDate": _field(valid[2], valid[4][0]),
    }
    assert tampering._thinner_horizontals(genuine, bars) == []
    serif = dict(genuine)
    serif["Authority"] = _field(authority[2] - 6 * authority[3], authority[4][0] - 8 * authority[4][1])
    reasons = tampering._thinner_horizontals(serif, bars)
    assert len(reasons) == 1 and reasons[0].startswith("Authority"), reasons
    # the same shift on both fields is the photo (a tilted card thins every horizontal): no finding
    both = {
        "Authority": serif["Authority"],
        "ValidDate": _field(valid[2] - 6 * valid[3], valid[4][0] - 8 * valid[4][1]),
    }
    assert tampering._thinner_horizontals(both, bars) == []


def test_a_pasted_number_photo_is_flagged_and_its_clean_twin_is_not() -> None:
    photo, fields = _photo(22, CardSide.FRONT, card=CardVariant(pasted_field="IdNum"))
    assert tampering.is_edited(_rectify(photo), CardSide.FRONT, fields)
    photo, fields = _photo(22, CardSide.FRONT)
    assert not tampering.is_edited(_rectify(photo), CardSide.FRONT, fields)


# --- TempIdWarn against photocopies ----------------------------------------------------------------


@pytest.mark.parametrize(("seed", "side", "mode"), [(13, CardSide.FRONT, "bw"), (14, CardSide.BACK, "color")])
def test_a_copys_outline_just_inside_the_corners_is_not_a_frame(seed: int, side: CardSide, mode: str) -> None:
    # the engine's corners sit on the paper just outside a copied card's outline, which then runs
    # 0.5-0.8 mm inside the rectified edges on all four sides
    photo, _ = _photo(seed, side, photocopy=mode)
    for outset in (5.0, 6.5):
        card = _rectify(photo, outset=outset)
        assert temporary.frame_strength(card) < temporary.FRAME_VALLEY, outset
        assert not temporary.is_temporary(card, side), outset


def test_the_outline_would_pass_for_a_frame_if_searched_from_the_edge() -> None:
    # guards the test above: the outline is a real valley there, only the search's start excludes it
    photo, _ = _photo(13, CardSide.FRONT, photocopy="bw")
    card = _rectify(photo, outset=6.5)
    g = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    top = g[: temporary._DEPTH, int(W * 0.15) : int(W * 0.85)].mean(axis=1).astype(np.float32)
    valleys = temporary._valley_depths(top)
    assert float(valleys[4 : temporary._SEARCH[0]].max()) > 2 * float(
        valleys[temporary._SEARCH[0] : 30].max()
    )


@pytest.mark.parametrize("outset", [0.0, 2.0])
def test_a_temporary_cards_frame_is_still_found(outset: float) -> None:
    photo, _ = _photo(21, CardSide.BACK, card=CardVariant(temporary=True))
    card = _rectify(photo, outset=outset)
    assert temporary.frame_strength(card) >= temporary.FRAME_VALLEY
    assert temporary.is_temporary(card, CardSide.BACK)


def test_a_short_field_in_a_bolder_face_has_darker_ink_and_heavier_strokes(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    card, fields = front
    edited = _with_field(card, "Sex", _bolder((2, 2)))
    reasons = tampering.edit_evidence(edited, CardSide.FRONT, fields).reasons
    assert any(reason.startswith("Sex ink darker") for reason in reasons), reasons


def test_a_short_field_with_lighter_ink_and_no_heavier_strokes(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    # the nation's ink a third of the way to the paper, as a thin face's strokes are after the blur
    card, fields = front

    def lighter(band: NDArray[np.uint8]) -> NDArray[np.uint8]:
        ink, paper = _ink_and_paper(band)
        return np.clip(ink + (paper - ink) / 3, 0, 255).astype(np.uint8)

    reasons = tampering.edit_evidence(_with_field(card, "Nation", lighter), CardSide.FRONT, fields).reasons
    assert any(reason.startswith("Nation ink lighter") for reason in reasons), reasons
    # the same ink on every field (a lighter print, or exposure) is not an edit
    faded = lighter(card)
    assert not any(
        "ink" in reason for reason in tampering.edit_evidence(faded, CardSide.FRONT, fields).reasons
    )


# --- DetectPsWarn: a face's ink against the card's, the back's two fields, glare, cost ---------------


def test_a_name_far_darker_than_the_card_is_a_heavier_face_even_if_its_strokes_read_no_heavier(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    # the name's stroke cores made deeper (a bold face's filled counters after the photo's blur), its
    # strokes' edges left where they were: the ink's level changes, the weight read from the mask not
    card, fields = front

    def deeper(band: NDArray[np.uint8]) -> NDArray[np.uint8]:
        ink, paper = _ink_and_paper(band)
        depth = paper - ink
        # only the strokes' cores, so the ink mask (and the weight read from it) stays where it was
        core = depth > 0.5 * float(depth.max())
        return np.where(core, np.clip(paper - 1.5 * depth, 0, 255), ink).astype(np.uint8)

    reasons = tampering.edit_evidence(_with_field(card, "Name", deeper), CardSide.FRONT, fields).reasons
    assert any(reason.startswith("Name ink darker") and "not lighter" in reason for reason in reasons), (
        reasons
    )
    # every field as deep (a darker print, or exposure) is the card's ink, not an edit
    assert not any(
        "ink darker" in reason
        for reason in tampering.edit_evidence(deeper(card), CardSide.FRONT, fields).reasons
    )


def _typed(name: str, *, stroke: float = 3.0, ink: float = 0.0, ridge_off: float = 0.0) -> tampering._Field:
    """A field measured at its norms (stroke weight relative to 3.0 px), moved as asked."""
    _, _, contrast, _, ridge = tampering._TYPE[name]
    return tampering._Field(
        stroke=stroke * float(np.exp(tampering._TYPE[name][0])),
        contrast=contrast,
        ridge=None if ridge is None else ridge[0] + ridge_off * ridge[1],
        ink_level=tampering._INK_LEVEL[name] + ink,
    )


def test_a_thin_face_needs_lighter_ink_and_lighter_horizontal_ridges() -> None:
    bars = tampering.BARS
    genuine = {name: _typed(name) for name in ("Name", "Nation", "Birth", "Address", "IdNum")}
    assert tampering._thin_face(genuine, "", bars) == []
    spread = tampering._INK_SPREAD["Birth"]
    serif = dict(genuine, Birth=_typed("Birth", ink=3 * spread, ridge_off=-6))
    reasons = tampering._thin_face(serif, "", bars)
    assert len(reasons) == 1 and reasons[0].startswith("Birth thin face"), reasons
    # either alone spreads as far on genuine cards: no finding
    assert tampering._thin_face(dict(genuine, Birth=_typed("Birth", ink=3 * spread)), "", bars) == []
    assert tampering._thin_face(dict(genuine, Birth=_typed("Birth", ridge_off=-6)), "", bars) == []
    # lighter ink with heavier strokes is not a thin face
    heavy = dict(genuine, Birth=_typed("Birth", stroke=3.6, ink=3 * spread, ridge_off=-6))
    assert tampering._thin_face(heavy, "", bars) == []


def test_the_backs_darker_field_with_heavier_strokes_is_named() -> None:
    bars = tampering.BARS
    genuine = {"Authority": _typed("Authority"), "ValidDate": _typed("ValidDate")}
    assert tampering._ink_of_back_fields(genuine, bars) == []
    bold = dict(genuine, Authority=_typed("Authority", stroke=3.5, ink=-15.0))
    reasons = tampering._ink_of_back_fields(bold, bars)
    assert len(reasons) == 1 and reasons[0].startswith("Authority ink darker"), reasons
    # darker alone (a print's density varies) or heavier alone: no finding
    assert tampering._ink_of_back_fields(dict(genuine, Authority=_typed("Authority", ink=-15.0)), bars) == []
    assert tampering._ink_of_back_fields(dict(genuine, Authority=_typed("Authority", stroke=3.5)), bars) == []


def test_a_field_washed_out_by_glare_is_not_read_whoever_makes_the_mask(
    front: tuple[NDArray[np.uint8], IdCardFields],
) -> None:
    card, fields = front
    bold = _with_field(card, "Birth", _bolder((3, 3)))
    assert any(
        reason.startswith("Birth") for reason in tampering.edit_evidence(bold, CardSide.FRONT, fields).reasons
    )
    assert not tampering._may_be_washed(bold, CardSide.FRONT)
    # a saturated, flat, soft-edged blob over the birth date, as glare leaves it
    glared = bold.astype(np.float32)
    x0, y0, x1, y1 = layout.FRONT_VALUES["Birth"]
    yy, xx = np.mgrid[0:H, 0:W]
    d = np.hypot((xx - (x0 + x1) / 2) / ((x1 - x0) * 0.6), (yy - (y0 + y1) / 2) / ((y1 - y0) * 1.2))
    alpha = np.clip(1.6 - d, 0, 1)[..., None]
    glared = np.clip(glared * (1 - alpha) + 255 * alpha, 0, 255).astype(np.uint8)
    assert tampering._may_be_washed(glared, CardSide.FRONT)
    made_here = tampering.edit_evidence(glared, CardSide.FRONT, fields).reasons
    assert not any(reason.startswith("Birth") for reason in made_here), made_here
    shared = reflect.washed_out(glared, CardSide.FRONT)
    assert tampering.edit_evidence(glared, CardSide.FRONT, fields, washed=shared).reasons == made_here


def test_the_histogram_percentile_is_numpys() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        values = rng.integers(0, int(rng.integers(1, 256)), int(rng.integers(1, 400))).astype(np.uint8)
        for q in (0.5, 50.0, 99.0, 99.5, float(rng.uniform(0, 100))):
            assert percentile_u8(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-9)


def test_a_contrast_far_beyond_any_face_is_lost_strokes_not_evidence() -> None:
    # the back at its norms, registered; then the Authority's contrast a serif's distance off, then
    # so far off that its horizontal strokes must be hidden (an occluder's edge along the line)
    bars = tampering.BARS

    def back(authority_contrast: float) -> dict[str, tampering._Field]:
        fields = {name: _typed(name) for name in ("Authority", "ValidDate")}
        norms = tampering._TYPE["Authority"]
        fields["Authority"] = dataclasses.replace(
            fields["Authority"],
            contrast=norms[2] + authority_contrast * norms[3],
            left=tampering._LINE_START["Authority"],
        )
        return fields

    assert tampering._judge(back(0.0), False, CardSide.BACK, "", bars) == []
    serif = tampering._judge(back(-bars.contrast - 2), False, CardSide.BACK, "", bars)
    assert any(reason.startswith("Authority stroke contrast") for reason in serif), serif
    lost = tampering._judge(back(-tampering._CONTRAST_LOST - 5), False, CardSide.BACK, "", bars)
    assert not any("stroke contrast" in reason for reason in lost), lost


def _front_with(name: str, *, weight: float, ink: float) -> dict[str, tampering._Field]:
    """A front measured at its norms (registered: the number starts where the layout prints it), with
    ``name`` ``weight`` spreads heavier than its norm against the others and ``ink`` % of contrast
    lighter (negative: darker)."""
    genuine = {n: _typed(n) for n in ("Name", "Sex", "Nation", "Birth", "Address", "IdNum")}
    genuine["IdNum"] = dataclasses.replace(genuine["IdNum"], left=tampering._LINE_START["IdNum"])
    norm, spread = tampering._TYPE[name][:2]
    # the other fields' median stroke is 3.0 px (``_typed``)
    field = dataclasses.replace(_typed(name, ink=ink), stroke=3.0 * float(np.exp(norm + weight * spread)))
    return dict(genuine, **{name: field})


@pytest.mark.parametrize("name", ["Sex", "Name", "Birth", "Address"])
def test_a_field_heavier_and_darker_together_is_a_bolder_face(name: str) -> None:
    """A field's weight and ink each spread on genuine cards nearly as far as a bold face moves them:
    each alone is no finding, both at once (their sum in spreads past the bar) is."""
    bars = tampering.BARS

    def findings(measured: dict[str, tampering._Field]) -> list[str]:
        return [r for r in tampering._judge(measured, False, CardSide.FRONT, "", bars) if r.startswith(name)]

    darker = 2.5 * tampering._INK_SPREAD[name]  # % of contrast
    assert findings(_front_with(name, weight=0.0, ink=0.0)) == []
    assert findings(_front_with(name, weight=3.0, ink=0.0)) == []  # heavier alone
    assert findings(_front_with(name, weight=0.0, ink=-darker)) == []  # darker alone
    assert findings(_front_with(name, weight=0.5, ink=-1.5 * darker)) == []  # darker, strokes not heavier
    both = findings(_front_with(name, weight=3.0, ink=-darker))
    assert len(both) == 1 and "together" in both[0], both


def test_the_nations_ink_is_not_added_to_its_weight() -> None:
    # genuine nations spread as far darker as a bold face moves them: no sum is read for it
    darker = 2.5 * tampering._INK_SPREAD["Nation"]
    measured = _front_with("Nation", weight=3.0, ink=-darker)
    assert tampering._bolder_face(measured, "", tampering.BARS) == []


def test_a_sex_glyph_far_darker_with_strokes_not_lighter_is_a_heavier_face() -> None:
    # as for the name: a bold glyph at this size fills its counters, so its weight may read no heavier
    bars = tampering.BARS
    far = _front_with("Sex", weight=0.0, ink=-tampering._NAME_FAR_DARKER - 2)
    reasons = tampering._ink_of_short_fields(far, "", bars, busy=False)
    assert any(r.startswith("Sex ink darker") and "not lighter" in r for r in reasons), reasons
    lighter_strokes = _front_with("Sex", weight=-2.0, ink=-tampering._NAME_FAR_DARKER - 2)
    assert not any(
        r.startswith("Sex") for r in tampering._ink_of_short_fields(lighter_strokes, "", bars, busy=False)
    )
