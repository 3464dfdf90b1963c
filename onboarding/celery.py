"""The Celery app. Without CELERY_BROKER_URL, settings make every task run eagerly in-process."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")

app = Celery("onboarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

OCR_QUEUE = "ocr"


def consumes_ocr_queue(celery_app: Celery) -> bool:
    """Whether a worker of ``celery_app`` takes OCR jobs: the ocr queue is among its ``--queues``
    (with none named, a worker consumes every queue of CELERY_TASK_QUEUES)."""
    return OCR_QUEUE in (celery_app.amqp.queues.consume_from or {})


@worker_process_init.connect  # type: ignore[untyped-decorator]  # celery ships no type hints
def warm_up_ocr_engine(**_: Any) -> None:
    """A worker process that reads cards loads the local engine's models as it starts (a few
    seconds, about 500 MB), so the first verification after a deploy is not the slow one. Workers
    of the other queues, and the Tencent backend, load nothing. (Prefork children only: the solo
    and thread pools load on the first job, as before.)"""
    from django.conf import settings

    if settings.OCR_BACKEND != "local" or not consumes_ocr_queue(app):
        return
    from onboarding.ocr import engine

    engine.warm_up()
