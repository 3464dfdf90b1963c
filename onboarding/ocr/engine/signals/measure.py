"""Measure every warning detector on drawn specimen photos: caught and false rates per code.

    python -m onboarding.ocr.engine.signals.measure --n 40            # ground-truth corners
    python -m onboarding.ocr.engine.signals.measure --n 40 --engine   # through recognize()

For each warning code, ``n`` photos with the condition (positives) and ``n`` clean photos (the
generator's realistic mix: angles, perspective, light, backgrounds, JPEG, blur, noise) are drawn
with fixed seeds. Without ``--engine`` the card is rectified with the photo's true corners and the
fields are the drawn identity's, so the detectors alone are judged; with ``--engine`` the whole
pipeline runs (its corners, its reads), photos the engine cannot read count as missed. Quality is
reported as the Spearman correlation between blur and score over blur levels. No Django needed.
"""

from __future__ import annotations

# ruff: noqa: S311 - seeded generators make the measured photos reproducible; nothing here is secret
import argparse
import dataclasses
import datetime
import random
import time
from collections.abc import Callable

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import layout
from onboarding.ocr.engine.signals import run_detectors
from onboarding.ocr.engine.signals.quality import quality_score
from onboarding.ocr.engine.types import CardConfig, CardSide, IdCardFields, OcrResult, WarnCode
from onboarding.ocr.specimens import CardVariant, Photo, PhotoConditions, random_conditions, specimen_photo

TODAY = datetime.date(2026, 11, 25)
ALL = CardConfig(
    copy_warn=True,
    border_check_warn=True,
    reshoot_warn=True,
    detect_ps_warn=True,
    temp_id_warn=True,
    reflect_warn=True,
    enable_reflect_detail=True,
)
_FRONT_FIELDS = ("Name", "Sex", "Nation", "Birth", "Address", "IdNum")
_BACK_FIELDS = ("Authority", "ValidDate")

Condition = Callable[[PhotoConditions, random.Random, CardSide], PhotoConditions]


def _pasted(c: PhotoConditions, rng: random.Random, side: CardSide) -> PhotoConditions:
    field = rng.choice(_FRONT_FIELDS if side is CardSide.FRONT else _BACK_FIELDS)
    return dataclasses.replace(c, card=CardVariant(pasted_field=field))


CONDITIONS: dict[WarnCode, Condition] = {
    WarnCode.COPY: lambda c, rng, _: dataclasses.replace(c, photocopy=rng.choice(("bw", "color"))),
    WarnCode.COPY_BLACK_WHITE: lambda c, rng, _: dataclasses.replace(c, photocopy="bw"),
    WarnCode.RESHOOT: lambda c, rng, _: dataclasses.replace(c, screen=True, screen_bezel=rng.random() < 0.5),
    WarnCode.BORDER_INCOMPLETE: lambda c, rng, _: dataclasses.replace(c, cut_border=True),
    WarnCode.OCCLUSION: lambda c, rng, _: dataclasses.replace(
        c, occluder=rng.choice(("finger", "sticker", "paper"))
    ),
    WarnCode.REFLECTION: lambda c, rng, _: dataclasses.replace(c, glare=True),
    WarnCode.PS_EDITED: _pasted,
    WarnCode.TEMPORARY_ID: lambda c, rng, _: dataclasses.replace(c, card=CardVariant(temporary=True)),
}


def _rectify(image: NDArray[np.uint8], corners: list[tuple[float, float]]) -> NDArray[np.uint8]:
    w, h = layout.CARD_WIDTH, layout.CARD_HEIGHT
    src = np.asarray(corners, np.float32)
    m = cv2.getPerspectiveTransform(src, np.asarray([[0, 0], [w, 0], [w, h], [0, h]], np.float32))
    out = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.uint8)


def _fields(contract: dict[str, str]) -> IdCardFields:
    return IdCardFields(
        name=contract["Name"],
        sex=contract["Sex"],
        nation=contract["Nation"],
        birth=contract["Birth"],
        address=contract["Address"],
        id_num=contract["IdNum"],
        authority=contract["Authority"],
        valid_date=contract["ValidDate"],
    )


def _warnings(photo: Photo, fields: IdCardFields, *, engine: bool) -> tuple[set[int], float] | None:
    """The codes raised on ``photo`` and the detectors' time in ms (None: the engine failed)."""
    if engine:
        from onboarding.ocr.engine.pipeline import recognize
        from onboarding.ocr.errors import OcrError

        try:
            plain_started = time.perf_counter()
            recognize(photo.jpeg)
            plain = time.perf_counter() - plain_started
            started = time.perf_counter()
            result = recognize(photo.jpeg, config=ALL)
            return set(result.warnings), ((time.perf_counter() - started) - plain) * 1000
        except OcrError:
            return None
    image = photo.image()
    card = _rectify(image, photo.corners)
    result = OcrResult(side=photo.side, fields=fields)
    started = time.perf_counter()
    run_detectors(image, card, photo.corners, photo.side, ALL, result)
    return set(result.warnings), (time.perf_counter() - started) * 1000


def _photo(seed: int, condition: Condition | None) -> tuple[Photo, IdCardFields]:
    rng = random.Random(seed)
    side = CardSide.FRONT if seed % 2 == 0 else CardSide.BACK
    conditions = random_conditions(rng)
    if condition is not None:
        conditions = condition(conditions, rng, side)
    photo, identity = specimen_photo(rng, side, conditions, today=TODAY)
    return photo, _fields(identity.contract_fields())


def _spearman(a: list[float], b: list[float]) -> float:
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=40, help="positives and clean photos per code")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--engine", action="store_true", help="run the whole engine (recognize)")
    args = parser.parse_args()

    clean: list[set[int]] = []
    times: list[float] = []
    for i in range(args.n):
        photo, fields = _photo(args.seed + i, None)
        got = _warnings(photo, fields, engine=args.engine)
        if got is not None:
            clean.append(got[0])
            times.append(got[1])
    print(f"clean photos read: {len(clean)}/{args.n}; detectors' time p50 {np.median(times):.0f} ms")
    print(f"{'code':>6}  {'caught':>7}  {'false on clean':>15}")
    for code, condition in CONDITIONS.items():
        caught = 0
        for i in range(args.n):
            photo, fields = _photo(args.seed + 10_000 * (1 + list(CONDITIONS).index(code)) + i, condition)
            got = _warnings(photo, fields, engine=args.engine)
            caught += got is not None and int(code) in got[0]
        false = sum(int(code) in warnings for warnings in clean)
        print(f"{int(code):>6}  {caught / args.n:>7.1%}  {false / max(len(clean), 1):>15.1%}")

    rhos = []
    levels = [0.0, 0.7, 1.4, 2.1, 2.8, 3.5, 4.5, 6.0]
    for i in range(max(4, args.n // 5)):
        base = dataclasses.replace(random_conditions(random.Random(args.seed + 90_000 + i)), blur=0.0)
        scores = []
        for blur in levels:
            photo, _ = specimen_photo(
                random.Random(args.seed + 90_000 + i),
                CardSide.FRONT,
                dataclasses.replace(base, blur=blur),
                today=TODAY,
            )
            scores.append(float(quality_score(_rectify(photo.image(), photo.corners))))
        rhos.append(-_spearman(levels, scores))  # Quality must fall as blur grows
    print(
        f"Quality: Spearman(-blur, score) median {np.median(rhos):.2f}, worst {min(rhos):.2f} over {len(rhos)} cards"
    )


if __name__ == "__main__":
    main()
