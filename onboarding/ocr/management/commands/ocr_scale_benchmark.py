"""OCR throughput of the production topology with one and with two Celery worker processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onboarding \\
        python manage.py ocr_scale_benchmark --cases 10 [--workers 1,2] [--broker redis://127.0.0.1:6379/14]

Needs PostgreSQL (DATABASE_URL) and a broker (--broker, else CELERY_BROKER_URL, else the local Redis);
it says so and stops when either is missing. It never touches the configured database's data: it
creates a scratch database next to it (`<name>_scale_<pid>`), migrates it, and drops it at the end;
card photos go to a temporary MEDIA_ROOT. For each worker count it starts that many real `celery
worker` processes (solo pool, the `local` OCR engine, one process = one OCR at a time, as the Procfile's
worker-ocr with --concurrency 1 per process), warms each one up with a case, then asks for the OCR of
--cases cases with two drawn specimen photos (样本) each at once and times until every case has left
processing. It prints cases/min and images/s per worker count and the speed-up.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

DEFAULT_BROKER = "redis://127.0.0.1:6379/14"
READY_SECONDS = 120


@dataclass
class Run:
    workers: int
    cases: int
    seconds: float
    failed: int

    @property
    def cases_per_minute(self) -> float:
        return self.cases * 60 / self.seconds

    @property
    def images_per_second(self) -> float:
        return self.cases * 2 / self.seconds


class Command(BaseCommand):
    help = "OCR throughput (cases/min, images/s) with one and with two Celery worker processes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=10, help="cases (two photos each) per run")
        parser.add_argument("--workers", default="1,2", help="worker process counts to try (default 1,2)")
        parser.add_argument(
            "--broker", default="", help="broker URL (default CELERY_BROKER_URL or local Redis)"
        )
        parser.add_argument("--timeout", type=int, default=600, help="give up a run after this many seconds")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        cases: int = options["cases"]
        if cases < 1:
            raise CommandError("--cases must be at least 1")
        counts = [int(n) for n in str(options["workers"]).split(",") if n.strip()]
        if not counts or min(counts) < 1:
            raise CommandError("--workers takes counts such as 1,2")
        # An eager set-up has only the in-process memory transport, which worker processes cannot share.
        configured = "" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL
        broker = options["broker"] or configured or DEFAULT_BROKER
        _require_postgres()
        _require_broker(broker)

        # A few different cards, cycled: drawing is not what is measured.
        photos = _specimen_pairs(count=min(cases, 4), seed=options["seed"])
        self.stdout.write(f"drew {len(photos)} specimen cards (样本) for {cases} cases per run")
        with _scratch_database() as database_url, tempfile.TemporaryDirectory(prefix="scale-media-") as media:
            self.stdout.write(f"scratch database migrated; broker {_redact(broker)}; media in {media}")
            runs = []
            for n in counts:
                run = _run(
                    workers=n,
                    cases=cases,
                    photos=photos,
                    broker=broker,
                    database_url=database_url,
                    media=Path(media),
                    timeout=options["timeout"],
                    log=self.stdout.write,
                )
                runs.append(run)
                self.stdout.write(
                    f"  {n} worker process(es): {run.cases} cases in {run.seconds:.1f} s"
                    f" = {run.cases_per_minute:.1f} cases/min, {run.images_per_second:.2f} images/s"
                    + (f" ({run.failed} ended in a failure)" if run.failed else "")
                )
        self.stdout.write("")
        self.stdout.write(f"OCR throughput, {os.cpu_count()} CPU cores, load average {_load()}:")
        self.stdout.write(f"{'workers':>8} {'cases':>6} {'seconds':>8} {'cases/min':>10} {'images/s':>9}")
        for run in runs:
            self.stdout.write(
                f"{run.workers:>8} {run.cases:>6} {run.seconds:>8.1f} "
                f"{run.cases_per_minute:>10.1f} {run.images_per_second:>9.2f}"
            )
        if len(runs) > 1:
            self.stdout.write(
                f"speed-up {runs[-1].workers} vs {runs[0].workers} worker process(es): "
                f"x{runs[-1].cases_per_minute / runs[0].cases_per_minute:.2f}"
            )


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def _redact(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


def _require_postgres() -> None:
    if connections["default"].vendor != "postgresql":
        raise CommandError(
            "ocr_scale_benchmark needs PostgreSQL (two worker processes write concurrently): "
            "set DATABASE_URL=postgres://user@host:5432/name"
        )


def _require_broker(broker: str) -> None:
    from kombu.connection import Connection

    try:
        with Connection(broker, connect_timeout=3) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        raise CommandError(
            f"ocr_scale_benchmark needs a Celery broker; none answers at {_redact(broker)} ({exc}). "
            "Start Redis or RabbitMQ, or pass --broker."
        ) from exc


def _admin_conninfo(params: dict[str, Any], dbname: str) -> str:
    import psycopg

    return str(
        psycopg.conninfo.make_conninfo(
            dbname=dbname,
            user=params.get("USER") or None,
            password=params.get("PASSWORD") or None,
            host=params.get("HOST") or None,
            port=str(params["PORT"]) if params.get("PORT") else None,
        )
    )


@contextlib.contextmanager
def _scratch_database() -> Iterator[str]:
    """A fresh, migrated database beside the configured one; this process and the workers use it."""
    import psycopg
    from psycopg import sql

    connection = connections["default"]
    params = dict(connection.settings_dict)
    original = params["NAME"]
    scratch = f"{original}_scale_{os.getpid()}"[:63]
    admin = _admin_conninfo(params, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    connection.close()
    connection.settings_dict["NAME"] = scratch
    try:
        call_command("migrate", verbosity=0, interactive=False)
        user = params.get("USER") or ""
        password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
        host = params.get("HOST") or "127.0.0.1"
        port = params.get("PORT") or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{scratch}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))


def _specimen_pairs(*, count: int, seed: int) -> list[tuple[bytes, bytes]]:
    from onboarding.ocr.engine.types import CardSide
    from onboarding.ocr.specimens import PhotoConditions, random_identity, specimen_photo

    today = timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 - reproducible drawings, not security
    pairs = []
    for _ in range(count):
        person = random_identity(rng, today=today, valid_on=today)
        front, _ = specimen_photo(rng, CardSide.FRONT, PhotoConditions(), today=today, identity=person)
        back, _ = specimen_photo(rng, CardSide.BACK, PhotoConditions(), today=today, identity=person)
        pairs.append((front.jpeg, back.jpeg))
    return pairs


def _forget_connections(app: Any) -> None:
    """Drop pooled broker connections and producers so the next publish uses the current broker_url."""
    from kombu import pools

    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    pools.reset()  # type: ignore[no-untyped-call]


@contextlib.contextmanager
def _producer(*, broker: str, queue: str) -> Iterator[None]:
    """Publish from this process to the broker (not eager), kyc tasks routed to ``queue``."""
    from onboarding.celery import app

    keys = ("task_always_eager", "broker_url", "task_routes")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        task_always_eager=False, broker_url=broker, task_routes={"onboarding.kyc.tasks.*": {"queue": queue}}
    )
    _forget_connections(app)
    try:
        yield
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        _forget_connections(app)
        app.conf.update(**saved)


@contextlib.contextmanager
def _workers(
    *, count: int, broker: str, queue: str, database_url: str, media: Path, log_dir: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": str(media),
        "USE_S3": "false",
        "OCR_BACKEND": "local",
        "DJANGO_ENV": settings.DJANGO_ENV,
    }
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        for i in range(count):
            name = f"scale{i}-{uuid.uuid4().hex[:6]}"
            path = log_dir / f"{name}.log"
            logs.append(path)
            with path.open("wb") as out:
                procs.append(
                    subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                        [
                            sys.executable, "-m", "celery", "-A", "onboarding", "worker",
                            "--queues", queue, "--pool", "solo", "--hostname", f"{name}@%h",
                            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                            "--without-heartbeat",
                        ],
                        cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )  # fmt: skip
        deadline = time.monotonic() + READY_SECONDS
        for proc, path in zip(procs, logs, strict=True):
            while " ready." not in path.read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise CommandError(f"a worker did not start:\n{path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _ready_cases(*, photos: list[tuple[bytes, bytes]], count: int) -> list[Any]:
    """Cases with both photos attached (not yet asked to be read), each for its own benchmark user."""
    from django.contrib.auth.models import User

    from onboarding.kyc import services
    from onboarding.kyc.audit import Actor

    cases = []
    for i in range(count):
        user = User.objects.create_user(username=f"scale-{uuid.uuid4().hex[:10]}@example.invalid")
        actor = Actor.for_user(user)
        verification = services.verification_start(user=user, actor=actor)
        front, back = photos[i % len(photos)]
        for side, content in (("FRONT", front), ("BACK", back)):
            services.verification_attach_image(
                verification=verification, side=side, content=content, filename=f"{side}.jpg", actor=actor
            )
        cases.append(verification)
    return cases


def _request_and_wait(cases: list[Any], *, timeout: float) -> tuple[float, int]:
    """Ask for the OCR of every case at once; seconds until none is left in processing, and failures."""
    from onboarding.kyc import services
    from onboarding.kyc.audit import Actor
    from onboarding.kyc.models import Verification

    ids = [c.pk for c in cases]
    started = time.monotonic()
    for verification in cases:
        services.verification_request_ocr(verification=verification, actor=Actor.for_user(verification.user))
    while Verification.objects.filter(pk__in=ids, state="processing").exists():
        if time.monotonic() - started > timeout:
            raise CommandError(f"cases still in processing after {timeout} s; see the worker logs")
        time.sleep(0.1)
    seconds = time.monotonic() - started
    failed = Verification.objects.filter(pk__in=ids).exclude(input_request={}).count()
    return seconds, failed


def _run(
    *,
    workers: int,
    cases: int,
    photos: list[tuple[bytes, bytes]],
    broker: str,
    database_url: str,
    media: Path,
    timeout: int,
    log: Any,
) -> Run:
    from django.test.utils import override_settings

    queue = f"scale-ocr-{uuid.uuid4().hex[:8]}"
    local_media = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": None},
        },
    }
    with (
        override_settings(STORAGES=local_media, MEDIA_ROOT=media),
        tempfile.TemporaryDirectory(prefix="scale-logs-") as logs,
        _producer(broker=broker, queue=queue),
        _workers(
            count=workers,
            broker=broker,
            queue=queue,
            database_url=database_url,
            media=media,
            log_dir=Path(logs),
        ),
    ):
        log(f"{workers} worker process(es) ready; warming up (each loads the OCR engine) ...")
        _request_and_wait(_ready_cases(photos=photos, count=workers), timeout=timeout)
        batch = _ready_cases(photos=photos, count=cases)
        seconds, failed = _request_and_wait(batch, timeout=timeout)
    return Run(workers=workers, cases=cases, seconds=seconds, failed=failed)
