"""The project's Celery app for the worker that tests/partners/test_worker.py starts.

It is `onboarding.celery.app` itself, with the partners tasks routed to the queue named by
PARTNERS_WEBHOOK_QUEUE, so the test's worker sees only that test's messages (retries are published by
the worker, so it routes them the same way).

    celery -A tests.partners.celery_app worker -Q <queue>
"""

from __future__ import annotations

import os

from onboarding.celery import app

_queue = os.environ.get("PARTNERS_WEBHOOK_QUEUE")
if _queue:
    app.conf.update(task_routes={"onboarding.partners.tasks.*": {"queue": _queue}})

__all__ = ["app"]
