"""The RapidOCR models, loaded once per process and shared by every thread.

The engine uses only two pieces of RapidOCR: the DB text-detection network (for its probability map,
which we post-process ourselves because card text may lie at any angle) and the CRNN line recogniser
(fed with batches of line crops cut from the rectified card). onnxruntime's ``InferenceSession.run``
is thread-safe, and neither wrapper keeps per-call state, so no lock is needed around inference.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine import quantize, workers

_lock = threading.Lock()
_models: _Models | None = None


@dataclass(frozen=True)
class _Models:
    det_session: Any  # rapidocr OrtInferSession: __call__(batch) -> probability map
    recognizer: Any  # rapidocr TextRecognizer: __call__(TextRecInput) -> TextRecOutput
    # The float recogniser, for second looks at doubtful lines: __call__(batch) -> (batch, frames,
    # classes). With OCR_MODEL_PRECISION=float32 the recogniser's own session (as loaded: calibration
    # wraps ``recognizer.session`` afterwards, so it records only the first passes).
    precise_rec: Any


PRECISIONS = ("int8", "float32")


def precision() -> str:
    """The networks' precision: ``int8`` (default; see quantize.py) or ``float32`` (RapidOCR's
    models as shipped), from ``OCR_MODEL_PRECISION``."""
    value = os.environ.get("OCR_MODEL_PRECISION", "int8").strip().lower() or "int8"
    if value not in PRECISIONS:
        raise ValueError(f"OCR_MODEL_PRECISION must be one of {', '.join(PRECISIONS)}, not {value!r}")
    return value


def _load() -> _Models:
    global _models
    if _models is None:
        with _lock:
            if _models is None:
                det, rec = _rapidocr_models()
                sources = quantize.Sources(det=_model_path(det), rec=_model_path(rec))
                float_rec = sources.rec
                if precision() == "int8":
                    sources = quantize.ensure(sources)
                _own_session(det, sources.det, threads=0)
                # One thread per recogniser call: a line batch is too small for onnxruntime to share
                # between cores well (1.2 cores busy with two threads, measured), so a photo's batches
                # run side by side instead, one per core (recognize_lines).
                _own_session(rec, sources.rec, threads=1)
                precise_rec = rec.session if sources.rec == float_rec else _float_session(float_rec)
                # RapidOCR pads every line to at least 320 px (PaddleOCR's training width): a sex or
                # nation of one character then costs as much as a 320 px line. The model reads any
                # width, and padding only to 160 px gave the same text on every line of the benchmark
                # at ~20 % less recogniser time (measured), so lines are padded to _REC_MIN_WIDTH.
                rec.rec_image_shape = [3, _REC_HEIGHT, _REC_MIN_WIDTH]
                _models = _Models(det_session=det.session, recognizer=rec, precise_rec=precise_rec)
    return _models


def _rapidocr_models() -> tuple[Any, Any]:
    """RapidOCR's detector and recogniser wrappers, on the wheel's bundled float models."""
    from rapidocr import RapidOCR

    # RapidOCR logs every model path at INFO; the service has its own logging.
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    engine = RapidOCR(params={"Global.log_level": "error"})
    # The private loaders resolve the wheel's bundled ONNX files exactly as RapidOCR's own pipeline
    # does (nothing is downloaded when they are present).
    det = engine._load_det_model()  # type: ignore[no-untyped-call]
    rec = engine._load_rec_model()  # type: ignore[no-untyped-call]
    return det, rec


def _model_path(infer: Any) -> Path:
    path = getattr(infer.session.session, "_model_path", None)
    if not isinstance(path, str):
        raise RuntimeError("RapidOCR built its session from bytes: the model file is unknown")
    return Path(path)


def float_sources() -> quantize.Sources:
    """The wheel's float models (what quantize.py makes its copies from)."""
    det, rec = _rapidocr_models()
    return quantize.Sources(det=_model_path(det), rec=_model_path(rec))


def loaded() -> _Models:
    """The process's models, loading them if needed."""
    return _load()


def _own_session(wrapper: Any, path: Path, *, threads: int) -> None:
    """Give a RapidOCR model wrapper a session on ``path`` whose worker threads sleep between
    operators, with ``threads`` intra-op threads (0: onnxruntime's default, one per physical core).

    onnxruntime's threads spin while waiting for work by default: on two cores shared with other
    workers (and the web process) the spinning steals the CPU the other thread needs, doubling a
    detector pass under load (measured). The wrapper's own options are kept otherwise.
    """
    wrapper.session.session = _session(path, threads=threads)


def _session(path: Path, *, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Denormal floats (the detector's activations on real photos have them) take a slow path in
    # the CPU: flushed to zero, a coarse detector pass took 62 instead of 91 ms on this machine
    # with the same map to the last bit (measured on a specimen photo).
    options.add_session_config_entry("session.set_denormal_as_zero", "1")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _float_session(path: Path) -> Callable[[NDArray[np.float32]], NDArray[np.float32]]:
    """The float recogniser beside the 8-bit one (~21 MB of weights), called as RapidOCR's wrapper is."""
    session = _session(path, threads=1)
    name = session.get_inputs()[0].name

    def run(batch: NDArray[np.float32]) -> NDArray[np.float32]:
        return np.asarray(session.run(None, {name: batch})[0], np.float32)

    return run


def warm_up() -> None:
    """Load the models now (e.g. at worker start) instead of on the first request."""
    _load()


_MEAN = np.float32(0.5)
_STD = np.float32(0.5)


def detector_size(w: int, h: int, *, max_side: int) -> tuple[int, int]:
    """(width, height) at which ``text_probability`` runs the detector on a w x h image."""
    ratio = min(1.0, max_side / max(h, w))
    return max(32, round(w * ratio / 32) * 32), max(32, round(h * ratio / 32) * 32)


def text_probability(image_bgr: NDArray[np.uint8], *, max_side: int) -> NDArray[np.float32]:
    """The detector's per-pixel text probability for ``image_bgr`` resized so its longer side is at
    most ``max_side`` (rounded to multiples of 32); returned at the resized resolution."""
    h, w = image_bgr.shape[:2]
    rw, rh = detector_size(w, h, max_side=max_side)
    resized = (
        image_bgr if (rw, rh) == (w, h) else cv2.resize(image_bgr, (rw, rh), interpolation=cv2.INTER_AREA)
    )
    x = (resized.astype(np.float32) * np.float32(1 / 255.0) - _MEAN) / _STD
    batch = np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis])
    prob = _load().det_session(batch)
    return np.asarray(prob[0, 0], dtype=np.float32)


# The recogniser pads every line of a batch to the batch's widest, and never below _REC_MIN_WIDTH
# (RapidOCR's default is 320 px, what it was trained on; see _load). Its cost grows with the padded width alone (batching saves
# nothing measurable on two cores), so lines share a batch only where padding wastes almost nothing:
# the short ones padded to the minimum anyway, or lines of nearly equal width.
_MAX_PADDING = 0.05
_MAX_BATCH = 8
_REC_HEIGHT = 48
_REC_MIN_WIDTH = 160


def recognize_lines(crops: list[NDArray[np.uint8]]) -> list[tuple[str, float]]:
    """Recognise pre-cropped single text lines (BGR), batched by width: (text, score) per crop."""
    if not crops:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput

    recognizer = _load().recognizer
    widths = [max(_REC_MIN_WIDTH, c.shape[1] * _REC_HEIGHT / max(1, c.shape[0])) for c in crops]
    # An empty crop (a line that is all label once the label is cut off) reads as nothing.
    order = sorted((i for i, c in enumerate(crops) if c.size), key=lambda i: widths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches:
            batch = batches[-1]
            padded = widths[i] * (len(batch) + 1)
            actual = sum(widths[j] for j in batch) + widths[i]
            if len(batch) < _MAX_BATCH and padded <= actual * (1 + _MAX_PADDING):
                batch.append(i)
                continue
        batches.append([i])
    # The batches shared between the workers by padded width, widest first, each to the least loaded
    # (the recogniser's cost grows with the padded width): a front's ~8 lines finish in about half
    # the time of one after another.
    loads = [0.0] * workers.WORKERS
    shares: list[list[list[int]]] = [[] for _ in range(workers.WORKERS)]
    for batch in sorted(batches, key=lambda b: -widths[b[-1]] * len(b)):
        k = loads.index(min(loads))
        shares[k].append(batch)
        loads[k] += widths[batch[-1]] * len(batch)

    def run(share: list[list[int]]) -> list[tuple[int, str, float]]:
        done: list[tuple[int, str, float]] = []
        for batch in share:
            out = recognizer(TextRecInput(img=[crops[i] for i in batch]))
            done += [(i, str(t), float(s)) for i, t, s in zip(batch, out.txts, out.scores, strict=True)]
        return done

    results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    tasks = [functools.partial(run, share) for share in shares if share]
    for done in workers.side_by_side(tasks):
        for i, text, score in done:
            results[i] = (text, score)
    return results


def line_probabilities(crop: NDArray[np.uint8], *, precise: bool = False) -> NDArray[np.float32]:
    """The recogniser's per-frame probabilities over its classes (``recogniser_characters``) for one
    line crop (BGR), prepared exactly as ``recognize_lines`` prepares it: (frames, classes).

    ``precise``: from the float recogniser, whatever OCR_MODEL_PRECISION says (a second look at a
    doubtful line: see reader.read_lines)."""
    models = _load()
    recognizer = models.recognizer
    _, height, width = recognizer.rec_image_shape
    if not crop.size:
        return np.zeros((0, len(recognizer.postprocess_op.character)), dtype=np.float32)
    ratio = max(width / height, crop.shape[1] / max(1, crop.shape[0]))
    batch = recognizer.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
    session = models.precise_rec if precise else recognizer.session
    return np.asarray(session(batch)[0], dtype=np.float32)


def recogniser_characters() -> list[str]:
    """The recogniser's output classes in order; class 0 is CTC's blank."""
    return [str(c) for c in _load().recognizer.postprocess_op.character]
