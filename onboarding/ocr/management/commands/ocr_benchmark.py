"""Benchmark the engine against a generic baseline on generated specimen photos (issue 3 point 8).

    python manage.py ocr_benchmark --count 20 --seed 1 [--warnings] [--http]

Prints per-field exact-match accuracy of the engine and of the baseline (RapidOCR's full pipeline +
regex parsing), p50/p95 ms per image, peak RSS and the speed ratio; with --warnings every warning
code's caught % and false-warning %, Quality vs blur and the cost of asking for every warning; with
--http it then runs ocr_http_benchmark (the API over loopback with the official SDK). The work lives
in onboarding.ocr.benchmark.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "Engine vs generic baseline on generated specimen photos: accuracy, speed, RSS (and warnings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=20, help="photos per side (default 20)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--warnings", action="store_true", help="also measure every warning code")
        parser.add_argument("--http", action="store_true", help="then measure the API over HTTP")
        parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) generic baseline")
        parser.add_argument("--detect-side", action="store_true", help="let the engine detect the side")
        parser.add_argument("--today", type=date.fromisoformat, help="the generator's today (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        from onboarding.ocr import engine
        from onboarding.ocr.benchmark import (
            Baseline,
            format_report,
            make_samples,
            run_accuracy,
            run_warnings,
        )
        from onboarding.ocr.benchmark.engine_rss import engine_process_peak_rss_mb

        count: int = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        today: date = options["today"] or timezone.localdate()
        seed: int = options["seed"]
        samples = make_samples(count=count, seed=seed, today=today)
        accuracy = run_accuracy(
            samples,
            recognize=engine.recognize,
            count=count,
            seed=seed,
            detect_side=options["detect_side"],
            baseline=None if options["no_baseline"] else Baseline(),
            warm_up=getattr(engine, "warm_up", None),
            engine_process_rss=engine_process_peak_rss_mb,
        )
        warnings = None
        if options["warnings"]:
            warnings = run_warnings(samples, recognize=engine.recognize, count=count, seed=seed, today=today)
        self.stdout.write(format_report(accuracy, warnings))
        if options["http"]:
            self.stdout.write("\nHTTP (ocr_http_benchmark, official SDK over loopback):")
            call_command(
                "ocr_http_benchmark",
                seed=seed,
                images=min(count, 4),
                seconds=10.0,
                stdout=self.stdout,
                stderr=self.stderr,
            )
