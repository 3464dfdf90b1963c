"""The project's Celery app for worker processes started by the integration suite.

It is `onboarding.celery.app` itself (same tasks, same settings, same acks_late/reject_on_worker_lost),
with one change: the kyc tasks are routed to the queue named by INTEGRATION_OCR_QUEUE, so a test's
workers only ever see that test's messages, never another run's leftovers on the shared "ocr" queue
(task retries and re-queues are published by the worker, so it has to route them the same way).

    celery -A tests.integration.celery_app worker -Q <queue>
"""

from __future__ import annotations

import os

from onboarding.celery import app

_queue = os.environ.get("INTEGRATION_OCR_QUEUE")
if _queue:
    app.conf.update(task_routes={"onboarding.kyc.tasks.*": {"queue": _queue}})

__all__ = ["app"]
