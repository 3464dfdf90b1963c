"""Peak RSS of a process that only runs the engine: what an OCR worker holds, without the generator.

The benchmark's own process also holds the specimen generator (fonts, drawn cards, ~350 MB), so its
peak says little about the engine. ``engine_process_peak_rss_mb`` writes the photos to a temporary
folder and reads them all in a fresh interpreter (``python -m onboarding.ocr.benchmark.engine_rss``),
which reports its own peak (VmHWM).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from onboarding.ocr.engine.types import CardSide


def engine_process_peak_rss_mb(photos: Sequence[tuple[bytes, CardSide | None]]) -> float:
    """Read every (jpeg, side) in a fresh process; its peak RSS in MB."""
    with tempfile.TemporaryDirectory(prefix="engine-rss-") as folder:
        for index, (jpeg, side) in enumerate(photos):
            suffix = side.value if side is not None else "ANY"
            (Path(folder) / f"{index:05d}-{suffix}.jpg").write_bytes(jpeg)
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "onboarding.ocr.benchmark.engine_rss", folder],
            capture_output=True,
            check=True,
            text=True,
            timeout=3600,
        )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def _main(folder: str) -> None:
    from onboarding.ocr.engine import recognize, warm_up
    from onboarding.ocr.errors import OcrError

    warm_up()
    read = 0
    for path in sorted(Path(folder).glob("*.jpg")):
        suffix = path.stem.split("-", 1)[1]
        side = None if suffix == "ANY" else CardSide(suffix)
        # Refused photos count too: their work is part of the peak.
        with contextlib.suppress(OcrError):
            recognize(path.read_bytes(), side=side)
        read += 1
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent (the benchmark, with
    # the generator and the baseline loaded), while VmHWM belongs to this process's own memory.
    status = Path("/proc/self/status").read_text(encoding="ascii")
    peak = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:"))) / 1024
    print(json.dumps({"photos": read, "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    _main(sys.argv[1])
