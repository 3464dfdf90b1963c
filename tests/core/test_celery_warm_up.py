"""An OCR worker process loads the engine as it starts; other workers and the Tencent backend do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from onboarding import celery as celery_module
from onboarding.celery import app, consumes_ocr_queue, warm_up_ocr_engine
from onboarding.ocr import engine


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(engine, "warm_up", lambda: calls.append("warm_up"))
    return calls


@pytest.fixture
def queues() -> Iterator[None]:
    # `--queues` selects on the app's Queues (select); nothing public undoes it, so the test puts
    # the selection back as it found it
    before = app.amqp.queues._consume_from
    yield
    app.amqp.queues._consume_from = before


def test_a_worker_of_the_ocr_queue_loads_the_engine_as_it_starts(loads: list[str], queues: None) -> None:
    app.amqp.queues.select(["ocr"])
    assert consumes_ocr_queue(app)
    warm_up_ocr_engine()
    assert loads == ["warm_up"]


def test_a_worker_of_every_queue_reads_cards_too(loads: list[str], queues: None) -> None:
    app.amqp.queues._consume_from = None  # no --queues: every queue of CELERY_TASK_QUEUES
    assert consumes_ocr_queue(app)
    warm_up_ocr_engine()
    assert loads == ["warm_up"]


def test_a_worker_of_the_other_queues_loads_nothing(loads: list[str], queues: None) -> None:
    app.amqp.queues.select(["default", "webhooks"])
    assert not consumes_ocr_queue(app)
    warm_up_ocr_engine()
    assert loads == []


@override_settings(OCR_BACKEND="tencent")
def test_the_tencent_backend_loads_nothing(loads: list[str], queues: None) -> None:
    app.amqp.queues.select(["ocr"])
    warm_up_ocr_engine()
    assert loads == []


def test_the_hook_is_connected_to_worker_process_start() -> None:
    from celery.signals import worker_process_init

    receivers = [r() if callable(r) else r for _, r in worker_process_init.receivers]
    assert celery_module.warm_up_ocr_engine in receivers
