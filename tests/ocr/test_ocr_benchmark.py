"""The ocr_benchmark command and its baseline parser."""

from __future__ import annotations

import io
import random
from datetime import date

import numpy as np
import pytest
from django.core.management import call_command

from onboarding.ocr.benchmark import parse_lines
from onboarding.ocr.benchmark.stats import percentile, spearman
from onboarding.ocr.specimens import random_identity

TODAY = date(2026, 11, 25)


def test_it_parses_generic_ocr_lines_into_fields() -> None:
    person = random_identity(random.Random(3), today=TODAY)
    truth = person.contract_fields()
    b = person.birth
    address = truth["Address"]
    lines = [
        "样本",
        f"姓名{truth['Name']}",
        f"性别{truth['Sex']}",
        f"民族{truth['Nation']}",
        f"出生{b.year}年{b.month}月{b.day}日",
        f"住址{address[:11]}",
        address[11:22],
        address[22:],
        "公民身份号码",
        truth["IdNum"],
        "签发机关",
        truth["Authority"],
        "有效期限" + truth["ValidDate"],
    ]
    fields = parse_lines([ln for ln in lines if ln]).as_contract()
    assert fields == truth


def test_it_ranks_and_interpolates_like_the_textbook() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 2, 3]) == pytest.approx(1.0)  # ties share ranks
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([5.0], 95) == 5.0


@pytest.mark.slow
def test_it_runs_the_benchmark_end_to_end() -> None:
    out = io.StringIO()
    call_command(
        "ocr_benchmark", "--count", "1", "--seed", "3", "--warnings", "--today", "2026-11-25", stdout=out
    )
    report = out.getvalue()
    for name in ("Name", "Sex", "Nation", "Birth", "Address", "IdNum", "Authority", "ValidDate"):
        assert f"\n{name} " in report
    assert "baseline p50" in report and "speed ratio engine/baseline" in report
    assert "peak RSS" in report and "MB in a process running only the engine" in report
    for label in ("CopyWarn", "ReshootWarn", "BorderCheckWarn", "Occlusion", "ReflectWarn", "DetectPsWarn"):
        assert f"\n{label} " in report
    assert "Quality vs blur" in report and "all warnings asked" in report
    assert "on others" in report
    assert "summary (targets of issues 3 and 5)" in report


@pytest.mark.slow
def test_it_measures_the_engine_s_peak_in_a_process_of_its_own() -> None:
    from onboarding.ocr.benchmark.engine_rss import engine_process_peak_rss_mb
    from onboarding.ocr.engine.types import CardSide
    from onboarding.ocr.specimens import specimen_photo

    photo, _ = specimen_photo(random.Random(5), CardSide.FRONT, today=TODAY)
    # The benchmark's process holds more than the engine (here 1.5 GB): none of it may be counted.
    held = np.ones((1536, 1024, 1024), np.uint8)
    # A refused file (not an image) must not stop the run; the models alone take well over 50 MB.
    peak = engine_process_peak_rss_mb([(photo.jpeg, None), (b"not an image", CardSide.BACK)])
    assert 50 < peak < 1200
    del held
