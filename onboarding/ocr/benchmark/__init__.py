"""The OCR benchmark (issue 3 point 8, issue 5 --warnings): engine vs a generic baseline on generated
specimen photos. No Django imports; ``manage.py ocr_benchmark`` is a thin wrapper.
"""

from onboarding.ocr.benchmark.baseline import Baseline, parse_lines
from onboarding.ocr.benchmark.runner import (
    ALL_WARNINGS,
    AccuracyReport,
    Sample,
    WarningsReport,
    format_report,
    make_samples,
    run_accuracy,
    run_http,
    run_warnings,
)

__all__ = [
    "ALL_WARNINGS",
    "AccuracyReport",
    "Baseline",
    "Sample",
    "WarningsReport",
    "format_report",
    "make_samples",
    "parse_lines",
    "run_accuracy",
    "run_http",
    "run_warnings",
]
