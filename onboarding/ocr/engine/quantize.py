"""An 8-bit copy of RapidOCR's line recogniser, made once per machine from the bundled model.

The recogniser is the largest share of a read, most of it in convolutions. With those quantised to
8 bits (weights per channel, activations with the ranges seen on calibration inputs) a line costs
~19 instead of ~30 ms of CPU on this machine (AVX-512 VNNI), and reads nearly the same text: of 521
engine line crops of the benchmark's seeds 3 and 11, 516 decoded to the float model's text, 3 differ
in spaces only, and 2 in a character both models are unsure of (杨都/杨郴 for 杨柳, both wrong;
内蒙古 where the float model read 内聚古). Only ``Conv`` is quantised: in an earlier trial, quantising the
attention ``MatMul``s too changed 2 of 231 lines (董靜 for 董静) for ~5 % more speed.

The detector stays float: 8-bit, its text map moved enough to glue a name to its label on one
photo of seed 11 (a field lost), and a coarse pass on two threads gained ~2 of 37 ms.

A doubtful line is read again by the float recogniser (reader.read_lines): the characters the
8-bit copy is unsure of are where quantisation costs most (李新龙 for 李鹏龙 on a blurred small card,
which the float model reads right), and they are few.

Calibration inputs are what the engine itself feeds the recogniser on drawn specimen photos (the
only card images this project uses): the engine runs with the float models in a child process (so
this process's models are not loaded half-way) and every first-pass recogniser batch is recorded
(the second looks go to the float model in any case). Each activation's range is the mean over the
batches of each batch's own min and max, so one outlying batch does not widen a range for all the
others (measured before second looks, on benchmark seed 3's 120 photos: 5 fields wrong with the
extremes of all batches, plain MinMax; 4 with averaged ranges; 1 with averaged ranges and second
looks, the float model's own misread).
Nothing is downloaded: the source models are the ``rapidocr`` wheel's, the tools onnxruntime's own
(``onnxruntime.quantization``, with ``onnx`` for the opset upgrade QDQ per-channel needs).

The copy lives in ``OCR_MODEL_DIR`` (default ``var/models`` in the project) with a manifest naming
the source model's digest, the onnxruntime version, this recipe's version and a digest of the code
that makes the calibration inputs; a change to any of them rebuilds it.
``python -m onboarding.ocr.engine.quantize`` builds it (``make models`` does, before ``make run``
and ``make test``); a process that finds none builds it on first use, under a file lock (about a
minute on two cores).
``OCR_MODEL_PRECISION=float32`` uses RapidOCR's float models as shipped.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

# Bump when the calibration set or the quantisation settings change: existing copies are rebuilt.
RECIPE = 2
# Photos of each side drawn for calibration (seeded: the same copies on every machine).
CALIBRATION_PHOTOS = 24
CALIBRATION_SEED = 20261126
CALIBRATION_TODAY = date(2026, 1, 1)
# QDQ with per-channel scales needs DequantizeLinear's ``axis`` (opset 13); the wheel's are opset 11.
QDQ_OPSET = 17

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "var" / "models"
_REC_NAME = "rec.int8.onnx"
_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Sources:
    """The float models the copies are made from."""

    det: Path
    rec: Path


def model_dir() -> Path:
    return Path(os.environ.get("OCR_MODEL_DIR") or DEFAULT_DIR)


def ensure(sources: Sources, directory: Path | None = None) -> Sources:
    """``sources`` with the recogniser's 8-bit copy, built first if missing or stale (in a child process, under
    a lock so that concurrent workers build them once)."""
    directory = directory or model_dir()
    wanted = _manifest(sources)
    if _current(directory, wanted):
        return _with_copy(sources, directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _current(directory, wanted):
            logger.warning(
                "building the OCR engine's 8-bit recogniser in %s (once, about a minute)", directory
            )
            env = {**os.environ, "OCR_MODEL_PRECISION": "float32"}
            subprocess.run(  # noqa: S603 - our own module, with this interpreter
                [sys.executable, "-m", "onboarding.ocr.engine.quantize", "--build", str(directory)],
                check=True,
                env=env,
            )
            if not _current(directory, wanted):
                raise RuntimeError(f"the 8-bit OCR recogniser in {directory} was not built")
    return _with_copy(sources, directory)


def _with_copy(sources: Sources, directory: Path) -> Sources:
    return Sources(det=sources.det, rec=directory / _REC_NAME)


def _manifest(sources: Sources) -> dict[str, Any]:
    import onnxruntime

    return {
        "recipe": RECIPE,
        "onnxruntime": onnxruntime.__version__,
        "rec": _digest(sources.rec),
        "calibration": _calibration_code_digest(),
    }


def _calibration_code_digest() -> str:
    """A digest of the code that makes the calibration inputs (the engine, which cuts the lines, and
    the specimen generator, which draws the photos): a copy calibrated on other lines reads doubtful
    characters a little differently, so a change there rebuilds it, and every machine on the same
    code reads with the same copy. The warning detectors (``engine/signals``) are left out: they
    run after the lines are read, and a plain read (calibration's) asks for none of them."""
    package = Path(__file__).resolve().parents[1]  # onboarding/ocr
    digest = hashlib.sha256()
    for folder in ("engine", "specimens"):
        for path in sorted((package / folder).rglob("*.py")):
            if path.parent.name == "signals":
                continue
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _current(directory: Path, wanted: dict[str, Any]) -> bool:
    try:
        found = json.loads((directory / _MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return bool(found == wanted and (directory / _REC_NAME).is_file())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Recorder:
    """Stands in for a RapidOCR session wrapper (called with one input batch) and keeps the inputs."""

    def __init__(self, inner: Callable[[NDArray[np.float32]], Any], kept: list[NDArray[np.float32]]) -> None:
        self._inner = inner
        self._kept = kept

    def __call__(self, batch: NDArray[np.float32]) -> Any:
        self._kept.append(np.array(batch, dtype=np.float32, copy=True))
        return self._inner(batch)


def _calibration_inputs() -> list[NDArray[np.float32]]:
    """What the engine feeds the recogniser on drawn specimen photos."""
    from onboarding.ocr.engine import models, pipeline
    from onboarding.ocr.engine.types import CardSide
    from onboarding.ocr.errors import OcrError
    from onboarding.ocr.specimens import random_conditions, specimen_photo

    recognizer = models.loaded().recognizer
    rec_inputs: list[NDArray[np.float32]] = []
    recognizer.session = _Recorder(recognizer.session, rec_inputs)
    rng = random.Random(CALIBRATION_SEED)  # noqa: S311 - reproducible calibration photos
    for i in range(2 * CALIBRATION_PHOTOS):
        side = CardSide.FRONT if i % 2 == 0 else CardSide.BACK
        photo, _ = specimen_photo(rng, side, random_conditions(rng), today=CALIBRATION_TODAY)
        try:
            pipeline.recognize(photo.jpeg)
        except OcrError:
            continue  # a photo the engine refuses still fed the networks
    # In an order of their own: the engine's two threads record them in whichever order they
    # finish, and averaged ranges (see _quantize) sum them in the order given.
    return sorted(rec_inputs, key=lambda x: (x.shape, hashlib.sha256(x.tobytes()).hexdigest()))


def _quantize(source: Path, target: Path, inputs: list[NDArray[np.float32]], work: Path) -> None:
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class _Inputs(CalibrationDataReader):  # type: ignore[misc]  # onnxruntime is untyped
        def __init__(self, name: str) -> None:
            self._feed = iter([{name: x} for x in inputs])

        def get_next(self) -> dict[str, NDArray[np.float32]] | None:
            return next(self._feed, None)

    model = version_converter.convert_version(onnx.load(str(source)), QDQ_OPSET)
    upgraded = work / f"{source.stem}.opset{QDQ_OPSET}.onnx"
    onnx.save(model, str(upgraded))
    quantize_static(
        str(upgraded),
        str(target),
        _Inputs(model.graph.input[0].name),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["Conv"],
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        # Every input counts, averaged (see the module's note). (onnxruntime's
        # CalibMaxIntermediateOutputs, set here until recipe 2, drops each full chunk of inputs
        # unmerged, so only the last one or two batches counted: whichever the engine's two threads
        # happened to record last, a different copy from build to build. The calibrator keeps only
        # each tensor's reduced min and max per input, so memory does not need it: ~1 GB peak.)
        calibrate_method=CalibrationMethod.MinMax,
        extra_options={"CalibMovingAverage": True},
    )


def build(directory: Path) -> None:
    """Make the 8-bit recogniser in ``directory``; run in a process whose models are the float ones."""
    from onboarding.ocr.engine import models

    if models.precision() != "float32":
        raise RuntimeError("calibration needs the float models: set OCR_MODEL_PRECISION=float32")
    sources = models.float_sources()
    rec_inputs = _calibration_inputs()
    directory.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # onnx's tools may leave scratch files in the working directory.
        os.chdir(work)
        try:
            _quantize(sources.rec, work / _REC_NAME, rec_inputs, work)
            os.replace(work / _REC_NAME, directory / _REC_NAME)
        finally:
            os.chdir(here)
    # The manifest last: a build cut short leaves copies that do not count as built.
    (directory / _MANIFEST).write_text(json.dumps(_manifest(sources), indent=2))
    print(f"8-bit OCR recogniser in {directory} ({len(rec_inputs)} calibration batches)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        # ensure()'s child: the float models calibrate, then quantise. onnxruntime's tools log
        # advice (pre-processing) on the root logger at WARNING for every model.
        os.environ["OCR_MODEL_PRECISION"] = "float32"
        logging.basicConfig(level=logging.ERROR)
        build(Path(sys.argv[2]).resolve())
    else:
        # `python -m onboarding.ocr.engine.quantize`: build the copy now if missing or stale
        # (make models, an image build), rather than on a worker's first read.
        from onboarding.ocr.engine import models

        print(f"8-bit OCR recogniser: {ensure(models.float_sources()).rec}")
