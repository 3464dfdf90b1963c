"""Webhooks through a real Celery worker process on a real broker and PostgreSQL: the first attempt
gets a 500, the worker queues the retry itself (a countdown on the broker), the second succeeds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest
from django.db import connection

from onboarding.partners import webhooks
from onboarding.partners.models import DeliveryStatus, WebhookDelivery

from .conftest import PartnerKey, Receiver

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("INTEGRATION") == "required"


def _unavailable(what: str) -> None:
    if REQUIRED:
        pytest.fail(f"integration service unavailable: {what}", pytrace=False)
    pytest.skip(f"{what} unavailable")


def _broker() -> str:
    url = os.environ.get("INTEGRATION_BROKER_URL", "redis://127.0.0.1:6379/15")
    parsed = urlparse(url)
    port = parsed.port or (5672 if parsed.scheme.startswith("amqp") else 6379)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=1).close()
    except OSError:
        _unavailable(f"the broker at {url}")
    return url


def _database_url() -> str:
    if connection.vendor != "postgresql":
        _unavailable(
            f"PostgreSQL (the test database is {connection.vendor}; set DATABASE_URL=postgres://...)"
        )
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params.get("PASSWORD"):
        auth += ":" + quote(params["PASSWORD"], safe="")
    return (
        f"postgres://{auth}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{params['NAME']}"
    )


def _forget_broker_connections(app: Any) -> None:
    from kombu import pools

    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def webhook_worker(receiver: Receiver, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `celery worker` on a queue of this test's own; this process publishes to it for real."""
    from onboarding.celery import app

    broker, database_url = _broker(), _database_url()
    queue = f"it-webhooks-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "PARTNERS_WEBHOOK_QUEUE": queue,
        "PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
        "PARTNER_WEBHOOK_RETRY_BASE_SECONDS": "1",
        "PARTNER_WEBHOOK_TIMEOUT_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "tests.partners.celery_app", "worker",
                "--queues", queue, "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
                "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_routes")}
    try:
        deadline = time.monotonic() + 90
        while " ready." not in log_path.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        _forget_broker_connections(app)
        app.conf.update(
            task_always_eager=False,
            broker_url=broker,
            task_routes={"onboarding.partners.tasks.*": {"queue": queue}},
        )
        worker.log_path = log_path  # type: ignore[attr-defined]
        yield worker
    finally:
        try:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(queue)
        except Exception:
            pass
        _forget_broker_connections(app)
        app.conf.update(**saved)
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)


def test_a_worker_delivers_and_retries_on_its_own(
    acme: PartnerKey, receiver: Receiver, webhook_worker: subprocess.Popen[bytes]
) -> None:
    created = acme.client().post("/api/v1/webhooks/endpoints", {"url": receiver.url}, format="json").json()
    receiver.secret = created["secret"]
    receiver.script = [500]
    [delivery] = webhooks.webhook_event_emit(
        partner_id=acme.partner.pk,
        event="verification.decided",
        verification_id=str(uuid.uuid4()),
        data={"verification": {"state": "approved"}},
    )
    deadline = time.monotonic() + 60
    while WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING:
        if time.monotonic() > deadline:
            log = webhook_worker.log_path.read_text(errors="replace")  # type: ignore[attr-defined]
            pytest.fail(f"the delivery did not succeed in 60 s:\n{log[-3000:]}")
        time.sleep(0.2)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.order_by("number")] == [500, 200]
    assert len(receiver.received) == 2
    assert all(r.signature_ok for r in receiver.received)
    assert {r.headers["X-Webhook-Id"] for r in receiver.received} == {str(delivery.event_id)}
    assert [r.headers["X-Webhook-Attempt"] for r in receiver.received] == ["1", "2"]
