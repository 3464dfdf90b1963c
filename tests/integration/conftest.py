"""Integration suite against real services: PostgreSQL, a Celery broker (Redis or RabbitMQ), and an
S3-protocol server (moto's standalone server, started here as a separate process).

On a machine without these services the suite is skipped with a message; with INTEGRATION=required
(what .ci/run sets) a missing service is a failure instead.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest

REQUIRED = os.environ.get("INTEGRATION") == "required"
ROOT = Path(__file__).resolve().parents[2]


def _unavailable(what: str) -> None:
    if REQUIRED:
        pytest.fail(f"integration service missing: {what} (INTEGRATION=required)", pytrace=False)
    pytest.skip(f"integration service not available: {what}")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-protocol server process (moto_server) on a free loopback port."""
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if exe is None:
        _unavailable("moto_server (pip install 'moto[server]')")
    port = _free_port()
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while not _port_open("127.0.0.1", port):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            _unavailable("moto_server did not start")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def broker_url() -> str:
    url = os.environ.get("INTEGRATION_BROKER_URL", "redis://127.0.0.1:6379/15")
    parsed = urlparse(url)
    default_port = 5672 if parsed.scheme.startswith("amqp") else 6379
    if not _port_open(parsed.hostname or "127.0.0.1", parsed.port or default_port):
        _unavailable(f"broker at {url}")
    return url


@pytest.fixture(scope="session")
def integration_broker_url() -> str:
    return broker_url()


@pytest.fixture
def s3_storage(settings: object, s3_endpoint: str) -> Iterator[str]:
    """Point Django's default storage at a fresh private bucket on the S3 server."""
    import uuid

    import boto3

    bucket = f"kyc-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "endpoint_url": s3_endpoint,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    yield bucket


# --- a real Celery worker against the test database ---------------------------------------------

AMQP_URL = os.environ.get("INTEGRATION_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
WORKER_READY_SECONDS = 90


def amqp_url() -> str:
    """RabbitMQ, for the tests where redelivery after a killed worker matters (Redis would wait for
    the visibility timeout before giving an unacknowledged message to another worker)."""
    parsed = urlparse(AMQP_URL)
    if not _port_open(parsed.hostname or "127.0.0.1", parsed.port or 5672):
        _unavailable(f"RabbitMQ at {AMQP_URL}")
    return AMQP_URL


def wait_for(
    predicate: Callable[[], object], *, timeout: float, what: str, log: Callable[[], str] | None = None
) -> None:
    """Poll until ``predicate()`` is truthy; fail with ``what`` (and the workers' log tail) after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tail = f"\n--- worker log ---\n{log()[-4000:]}" if log is not None else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{tail}", pytrace=False)


@pytest.fixture
def postgres_url(transactional_db: None) -> str:
    """The DATABASE_URL of the test database pytest-django created (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        _unavailable(
            f"PostgreSQL (the test database is {connection.vendor}; set DATABASE_URL=postgres://...)"
        )
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params.get("PASSWORD"):
        auth += ":" + quote(params["PASSWORD"], safe="")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(params['NAME'], safe='')}"


@dataclass
class Worker:
    """One `celery worker` process (in its own process group, so SIGKILL takes its children too)."""

    proc: subprocess.Popen[bytes]
    log_path: Path
    name: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL, no goodbye: what an OOM killer or a lost machine does."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@dataclass
class CeleryCluster:
    """Starts worker processes bound to this test's own queue and database; all stopped at teardown."""

    broker: str
    database_url: str
    queue: str
    tmp: Path
    workers: list[Worker] = field(default_factory=list)

    def start(self, *, env: dict[str, str] | None = None, pool: str = "solo", concurrency: int = 1) -> Worker:
        from django.conf import settings

        name = f"it-{uuid.uuid4().hex[:8]}"
        worker_env = {
            **os.environ,
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker,
            "INTEGRATION_OCR_QUEUE": self.queue,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        log_path = self.tmp / f"{name}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "tests.integration.celery_app", "worker",
                    "--queues", self.queue, "--pool", pool, "--concurrency", str(concurrency),
                    "--hostname", f"{name}@%h", "--loglevel", "INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
                cwd=ROOT, env=worker_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        worker = Worker(proc=proc, log_path=log_path, name=name)
        self.workers.append(worker)
        wait_for(
            lambda: " ready." in worker.log() or proc.poll() is not None,
            timeout=WORKER_READY_SECONDS,
            what=f"worker {name} to start",
            log=worker.log,
        )
        if proc.poll() is not None:
            pytest.fail(f"worker {name} exited at start:\n{worker.log()[-4000:]}", pytrace=False)
        return worker

    def log(self) -> str:
        return "\n".join(f"[{w.name}]\n{w.log()[-3000:]}" for w in self.workers)

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()


def _drop_broker_connections(app: Any) -> None:
    """Forget pooled broker connections and producers, so the next publish connects to the new URL."""
    from kombu import pools

    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    pools.reset()  # kombu keeps producer pools per broker URL process-wide; closed ones must not be reused


@contextlib.contextmanager
def _configure_producer(*, broker: str, queue: str) -> Iterator[None]:
    """This test process publishes for real (not eager) to ``broker``, routing kyc tasks to ``queue``."""
    from onboarding.celery import app

    keys = ("task_always_eager", "broker_url", "task_routes")
    saved = {key: app.conf[key] for key in keys}
    _drop_broker_connections(app)
    app.conf.update(
        task_always_eager=False, broker_url=broker, task_routes={"onboarding.kyc.tasks.*": {"queue": queue}}
    )
    try:
        yield
    finally:
        try:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(queue)
        except Exception:  # cleaning up a test queue must not hide the test's own failure
            pass
        _drop_broker_connections(app)
        app.conf.update(**saved)


def _cluster(broker: str, database_url: str, tmp_path: Path) -> Iterator[CeleryCluster]:
    cluster = CeleryCluster(
        broker=broker, database_url=database_url, queue=f"it-ocr-{uuid.uuid4().hex[:10]}", tmp=tmp_path
    )
    with _configure_producer(broker=broker, queue=cluster.queue):
        try:
            yield cluster
        finally:
            cluster.stop_all()


@pytest.fixture
def celery_redis(integration_broker_url: str, postgres_url: str, tmp_path: Path) -> Iterator[CeleryCluster]:
    """Workers on the Redis (or INTEGRATION_BROKER_URL) broker; the test process publishes there too."""
    yield from _cluster(integration_broker_url, postgres_url, tmp_path)


@pytest.fixture
def celery_rabbitmq(postgres_url: str, tmp_path: Path) -> Iterator[CeleryCluster]:
    """Workers on RabbitMQ: a message a killed worker had not acknowledged is redelivered at once."""
    yield from _cluster(amqp_url(), postgres_url, tmp_path)


# --- a toggleable proxy in front of our own Tencent-compatible endpoint -------------------------


class OcrProxy:
    """Stands between the worker's `tencent` backend and live_server's IDCardOCR endpoint.

    up: forwards (Host header kept, so the TC3 signature still verifies); down: 503; hang: never
    answers (the client times out); hold: keeps the request open until the mode changes, then drops it.
    """

    def __init__(self, upstream: str) -> None:
        parsed = urlparse(upstream)
        self.upstream_host = parsed.hostname or "127.0.0.1"
        self.upstream_port = parsed.port or 80
        self.mode = "up"
        self.seen = 0
        self.forwarded = 0
        self.held = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._lock:
                    proxy.seen += 1
                mode = proxy.mode
                if mode == "down":
                    self.send_response(503)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "19")
                    self.end_headers()
                    self.wfile.write(b"Service Unavailable")
                    return
                if mode in {"hang", "hold"}:
                    with proxy._lock:
                        proxy.held += 1
                    deadline = time.monotonic() + 60
                    while proxy.mode == mode and time.monotonic() < deadline:
                        time.sleep(0.05)
                    self.close_connection = True
                    return  # drop it: no answer at all
                upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"connection"}}
                upstream.request("POST", self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                upstream.close()
                with proxy._lock:
                    proxy.forwarded += 1
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client may have given up (timeout, killed worker)
                    self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.mode = "closed"
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ocr_proxy(live_server: Any) -> Iterator[OcrProxy]:
    proxy = OcrProxy(live_server.url)
    yield proxy
    proxy.close()


@pytest.fixture
def tencent_worker_env(ocr_proxy: OcrProxy, transactional_db: None) -> dict[str, str]:
    """Worker environment for the `tencent` backend through the proxy, with a credential in the test DB."""
    from onboarding.ocr.services import credential_create

    credential, secret_key = credential_create(name=f"integration-{uuid.uuid4().hex[:6]}")
    return {
        "OCR_BACKEND": "tencent",
        "TENCENTCLOUD_ENDPOINT": ocr_proxy.endpoint,
        "TENCENTCLOUD_PROTOCOL": "http",
        "TENCENTCLOUD_SECRET_ID": credential.secret_id,
        "TENCENTCLOUD_SECRET_KEY": secret_key,
        "TENCENTCLOUD_TIMEOUT": "30",
    }


# --- drawn specimen photos (样本) of one adult's card -------------------------------------------


@pytest.fixture(scope="session")
def specimen_card() -> dict[str, Any]:
    import datetime
    import random

    from onboarding.ocr.engine.types import CardSide
    from onboarding.ocr.specimens import PhotoConditions, random_identity, specimen_photo

    today = datetime.date.today()
    rng = random.Random(11)
    person = random_identity(rng, today=today, valid_on=today)
    while (today - person.birth).days < 365 * 25:
        person = random_identity(rng, today=today, valid_on=today)
    front, _ = specimen_photo(rng, CardSide.FRONT, PhotoConditions(), today=today, identity=person)
    back, _ = specimen_photo(rng, CardSide.BACK, PhotoConditions(), today=today, identity=person)
    return {"front": front.jpeg, "back": back.jpeg, "fields": person.contract_fields()}
