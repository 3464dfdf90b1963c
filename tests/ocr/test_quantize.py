"""The engine's 8-bit recogniser (engine/quantize.py): in use, reading what the float model reads,
and rebuilt when what it was made from changes."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from onboarding.ocr.engine import CardSide, models, quantize, reader, recognize
from onboarding.ocr.specimens import random_conditions, specimen_photo

TODAY = date(2026, 1, 1)


def _collapsed(frames: np.ndarray) -> list[int]:
    """CTC's reading of per-frame class probabilities: repeats merged, blanks (class 0) dropped."""
    best = frames.argmax(axis=-1)
    return [int(c) for i, c in enumerate(best) if c != 0 and (i == 0 or c != best[i - 1])]


@pytest.fixture(scope="module")
def line_crops() -> list[np.ndarray]:
    """Every line the engine cuts from photos of three drawn fronts and backs."""
    rng = random.Random(26)
    crops: list[np.ndarray] = []
    read_lines = models.recognize_lines

    def keep(batch: list[np.ndarray]) -> list[tuple[str, float]]:
        crops.extend(batch)
        return read_lines(batch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "recognize_lines", keep)
        for _ in range(3):
            for side in (CardSide.FRONT, CardSide.BACK):
                photo, _ = specimen_photo(rng, side, random_conditions(rng, difficulty="clean"), today=TODAY)
                recognize(photo.jpeg)
    return [c for c in crops if c.size]


def test_the_engine_reads_with_the_eight_bit_copy() -> None:
    assert models.precision() == "int8"
    session = models.loaded().recognizer.session.session
    assert Path(session._model_path) == quantize.model_dir() / "rec.int8.onnx"


def test_the_eight_bit_recogniser_reads_the_float_models_text(line_crops: list[np.ndarray]) -> None:
    """Line by line, the 8-bit copy's CTC reading is the float model's, spaces aside (its scores may
    differ). Of 521 engine lines of the benchmark's seeds 3 and 11, 519 read the same, spaces aside; a character
    both models are unsure of may go either way (瑶/瑤 on a canonical-size crop), hence one line in
    twenty may differ."""
    source = models.float_sources().rec
    options = ort.SessionOptions()
    options.log_severity_level = 4
    float_session = ort.InferenceSession(
        str(source), sess_options=options, providers=["CPUExecutionProvider"]
    )
    recognizer = models.loaded().recognizer
    assert len(line_crops) >= 20
    space = (
        recognizer.postprocess_op.character.index(" ") if " " in recognizer.postprocess_op.character else -1
    )
    differ = []
    for crop in line_crops:
        eight_bit = models.line_probabilities(crop)
        _, height, width = recognizer.rec_image_shape
        ratio = max(width / height, crop.shape[1] / crop.shape[0])
        batch = recognizer.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
        floating = float_session.run(None, {float_session.get_inputs()[0].name: batch})[0][0]
        if [c for c in _collapsed(eight_bit) if c != space] != [
            c for c in _collapsed(floating) if c != space
        ]:
            differ.append(crop.shape)
    assert len(differ) * 20 <= len(line_crops), differ


def _built(directory: Path, manifest: dict[str, object]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rec.int8.onnx").write_bytes(b"model")
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def test_a_copy_counts_only_while_its_source_runtime_and_recipe_are_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "rec.onnx"
    source.write_bytes(b"float model")
    sources = quantize.Sources(det=tmp_path / "det.onnx", rec=source)
    wanted = quantize._manifest(sources)
    assert quantize._current(_built(tmp_path / "ok", wanted), wanted)
    for key, value in (
        ("onnxruntime", "0.0.1"),
        ("recipe", quantize.RECIPE - 1),
        ("rec", "0" * 64),
        ("calibration", "0" * 64),
    ):
        assert not quantize._current(_built(tmp_path / key, {**wanted, key: value}), wanted)
    missing = _built(tmp_path / "missing", wanted)
    (missing / "rec.int8.onnx").unlink()
    assert not quantize._current(missing, wanted)
    # The model file itself changed: its digest no longer matches.
    source.write_bytes(b"another float model")
    assert not quantize._current(tmp_path / "ok", quantize._manifest(sources))


def test_ensure_returns_the_copy_without_rebuilding_when_current(tmp_path: Path) -> None:
    source = tmp_path / "rec.onnx"
    source.write_bytes(b"float model")
    sources = quantize.Sources(det=tmp_path / "det.onnx", rec=source)
    directory = _built(tmp_path / "models", quantize._manifest(sources))
    assert quantize.ensure(sources, directory) == quantize.Sources(
        det=sources.det, rec=directory / "rec.int8.onnx"
    )


def test_precision_is_int8_or_float32(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCR_MODEL_PRECISION", "Float32")
    assert models.precision() == "float32"
    monkeypatch.setenv("OCR_MODEL_PRECISION", "fp16")
    with pytest.raises(ValueError, match="OCR_MODEL_PRECISION"):
        models.precision()
