"""The engine's worker threads (workers.py) and the recogniser's batches read side by side on them."""

from __future__ import annotations

import difflib
import json
import os
import random
import select
import signal
import threading
import time
from datetime import date

import cv2
import numpy as np
import pytest

from onboarding.ocr.engine import CardSide, models, reader, workers
from onboarding.ocr.specimens import draw_card, random_identity


@pytest.fixture(scope="module")
def front_line_crops() -> list[np.ndarray]:
    """The field lines of a drawn specimen front (canonical size), cut as the engine cuts them."""
    rng = random.Random(7)
    identity = random_identity(rng, today=date(2026, 1, 1))
    card = cv2.resize(
        draw_card(identity, CardSide.FRONT, rng=rng), (reader.W, reader.H), interpolation=cv2.INTER_AREA
    )
    lines = reader.field_lines(reader.text_map(card), CardSide.FRONT)
    return [reader.crop_line(card, line) for line in lines]


def test_batches_read_side_by_side_give_each_crop_its_own_text(front_line_crops: list[np.ndarray]) -> None:
    """Each crop's text comes back in its own place (the read of that crop alone), and an empty
    crop (a line that was all label) reads as nothing."""
    crops = [*front_line_crops, np.zeros((0, 0, 3), np.uint8)]
    results = models.recognize_lines(crops)
    together = [text for text, _ in results]
    alone = [models.recognize_lines([crop])[0][0] for crop in crops]
    assert results[-1] == ("", 0.0) and alone[-1] == ""
    # A line shares a batch padded up to 5 % wider than itself, which can tip a character the 8-bit
    # recogniser is unsure of (冯强/冯強): each read must be its own crop's, nearest to it alone.
    for i, text in enumerate(alone[:-1]):
        likeness = [difflib.SequenceMatcher(None, text, other).ratio() for other in together]
        assert likeness.index(max(likeness)) == i and likeness[i] >= 0.5, (text, together)
    assert sum(bool(text) for text in together) >= 5


def test_a_forked_child_reads_with_threads_of_its_own(front_line_crops: list[np.ndarray]) -> None:
    """The thread pool does not survive fork (Celery prefork, gunicorn --preload): a child that
    inherits a pool already used must read, not wait forever on its parent's threads."""
    expected = [text for text, _ in models.recognize_lines(front_line_crops)]  # the pool now exists
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child answers through the pipe
        try:
            texts = [text for text, _ in models.recognize_lines(front_line_crops)]
            os.write(write_end, json.dumps(texts).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], 60)
    if not ready:
        os.kill(pid, signal.SIGKILL)
    with os.fdopen(read_end) as pipe:
        answer = pipe.read() if ready else ""
    os.waitpid(pid, 0)
    assert ready, "the forked child did not answer within 60 s"
    assert json.loads(answer or "null") == expected


def test_side_by_side_keeps_the_order_and_raises_a_task_s_error() -> None:
    """Results come back in the tasks' order whichever thread finished first, and an exception in a
    task given to the pool reaches the caller (a detector's bug must not pass for "no warning")."""
    barrier = threading.Barrier(2, timeout=30)

    def first() -> str:
        barrier.wait()  # both tasks run at once, on two threads
        time.sleep(0.05)
        return "first"

    def second() -> str:
        barrier.wait()
        return "second"

    assert workers.side_by_side([first, second]) == ["first", "second"]

    def broken() -> str:
        raise ValueError("detector bug")

    with pytest.raises(ValueError, match="detector bug"):
        workers.side_by_side([broken, lambda: "fine"])


def test_side_by_side_inside_a_pool_task_runs_its_pieces_in_place() -> None:
    """A task with pieces of its own (refine's four edges inside a detector group) must not wait on
    the pool it occupies: with every worker so occupied, that would never finish."""
    holding = threading.Barrier(workers.WORKERS, timeout=30)

    def group() -> list[str]:
        holding.wait()  # every pool thread is now inside a task
        return workers.side_by_side([lambda: threading.current_thread().name, lambda: "last"])

    futures = [workers.pool().submit(group) for _ in range(workers.WORKERS)]
    for future in futures:
        inner, last = future.result(timeout=30)
        assert last == "last"
        assert inner.startswith("ocr-engine")  # ran on the task's own thread, not handed off


def test_a_second_look_at_a_line_is_the_float_recogniser_s(front_line_crops: list[np.ndarray]) -> None:
    crop = max(front_line_crops, key=lambda c: c.shape[1])
    precise = models.line_probabilities(crop, precise=True)
    first = models.line_probabilities(crop)
    assert precise.shape == first.shape and precise.shape[0] > 10
    np.testing.assert_allclose(precise.sum(axis=1), 1.0, atol=1e-3)  # per-frame probabilities
    if models.precision() == "int8":
        # the 8-bit copy's frames approximate the float model's, never exactly (a character's peak
        # may move by a frame), and decode to the same text on a clean line
        assert not np.array_equal(precise, first)
        assert reader._decoded(precise)[0] == reader._decoded(first)[0]
    else:
        assert np.array_equal(precise, first)
