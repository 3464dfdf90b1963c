"""A real Celery worker process, real PostgreSQL, a real broker: the OCR job end to end, and the faults
it has to survive without losing or doubling a case.

Each test starts its own worker(s) with `celery ... worker` as a subprocess bound to a queue of its own,
against the test database pytest-django created (rows are committed: transactional tests). The
`tencent` backend is pointed through a toggleable proxy at live_server, which serves our own
Tencent-compatible IDCardOCR endpoint at /, so "the OCR service is down" is a real outage on the wire.
"""

from __future__ import annotations

import base64
import logging
import uuid
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from onboarding.kyc import services, tasks
from onboarding.kyc.audit import Actor, audit_verify_chain
from onboarding.kyc.models import AuditEvent, FieldValue, OcrRead, Verification
from tests.integration.conftest import CeleryCluster, OcrProxy, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DONE_SECONDS = 90


def _user() -> User:
    return User.objects.create_user(username=f"it-{uuid.uuid4().hex[:8]}@example.com", password="x" * 16)


def _case_with_photos(card: dict[str, Any], *, user: User | None = None) -> Verification:
    """A case with both specimen photos, asked to be read: in processing, its task on the broker."""
    user = user or _user()
    actor = Actor.for_user(user)
    verification = services.verification_start(user=user, actor=actor)
    for side in ("FRONT", "BACK"):
        services.verification_attach_image(
            verification=verification,
            side=side,
            content=card[side.lower()],
            filename=f"{side}.jpg",
            actor=actor,
        )
    services.verification_request_ocr(verification=verification, actor=actor)
    return verification


def _state(verification: Verification) -> str:
    return str(Verification.objects.values_list("state", flat=True).get(pk=verification.pk))


def _wait_done(verification: Verification, cluster: CeleryCluster, *, timeout: float = DONE_SECONDS) -> None:
    wait_for(
        lambda: _state(verification) != "processing",
        timeout=timeout,
        what=f"case {verification.pk} to leave processing (it is {_state(verification)})",
        log=cluster.log,
    )


def _assert_read_once(verification: Verification, card: dict[str, Any], *, backend: str) -> None:
    """One outcome: needs_input with the card's values, one current read per side, one completion event,
    an unbroken audit chain."""
    verification.refresh_from_db()
    assert verification.state == "needs_input", verification.input_request
    assert verification.input_request == {}
    current = OcrRead.objects.filter(verification=verification, superseded_at__isnull=True)
    assert sorted(r.image.side for r in current) == ["BACK", "FRONT"]
    assert {r.backend for r in current} == {backend} and all(r.request_id for r in current)
    assert AuditEvent.objects.filter(verification=verification, action="ocr.completed").count() == 1
    assert not AuditEvent.objects.filter(verification=verification, action="ocr.failed").exists()
    assert audit_verify_chain(verification=verification) == []
    id_num = FieldValue.objects.get(verification=verification, name="IdNum").ocr_value
    assert id_num == card["fields"]["IdNum"]


def _assert_no_secrets(text: str, *, secret_key: str, card: dict[str, Any]) -> None:
    """No SecretKey, no image data, no full ID number in a log."""
    assert secret_key not in text
    encoded = base64.b64encode(card["front"]).decode()
    assert encoded[2000:2064] not in text and encoded[:64] not in text
    assert card["fields"]["IdNum"] not in text


def _logs(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        record.getMessage() + (f"\n{record.exc_text}" if record.exc_text else "") for record in caplog.records
    )


def test_it_reads_a_case_through_a_real_worker_with_the_photos_on_s3(
    celery_redis: CeleryCluster, s3_storage: str, s3_endpoint: str, specimen_card: dict[str, Any]
) -> None:
    import boto3

    celery_redis.start(
        env={
            "OCR_BACKEND": "local",
            "USE_S3": "true",
            "AWS_STORAGE_BUCKET_NAME": s3_storage,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ENDPOINT_URL": s3_endpoint,
        }
    )
    verification = _case_with_photos(specimen_card)
    assert _state(verification) == "processing"

    _wait_done(verification, celery_redis, timeout=150)  # the worker loads the OCR engine first

    _assert_read_once(verification, specimen_card, backend="local")
    # The worker read the photos from, and wrote the crops to, the same private bucket.
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=s3_storage).get("Contents", [])}
    images = {i.file.name for i in verification.images.all()}
    crops = {r.card_crop.name for r in OcrRead.objects.filter(verification=verification)} - {""}
    assert images and images <= keys
    assert crops and crops <= keys


@pytest.mark.parametrize("outage", ["down", "hang"])
def test_cases_wait_while_the_ocr_service_is_down_and_complete_after_it_recovers(
    outage: str,
    celery_redis: CeleryCluster,
    ocr_proxy: OcrProxy,
    tencent_worker_env: dict[str, str],
    specimen_card: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    # "hang": the service accepts the connection and never answers; the SDK gives up after its timeout
    # (long enough for a real read on this busy 2-core machine) and calls again.
    timeout = 12 if outage == "hang" else 30
    celery_redis.start(env={**tencent_worker_env, "TENCENTCLOUD_TIMEOUT": str(timeout)})
    ocr_proxy.mode = outage
    verification = _case_with_photos(specimen_card)

    if outage == "down":
        # The backend's own retries (4 calls for each of the two sides, read in parallel) are used up,
        # the task is scheduled again (backoff ~5 s) and calls once more: the case waited through a
        # whole failed attempt.
        wait_for(
            lambda: ocr_proxy.seen >= 9 and "Retry in" in celery_redis.log(),
            timeout=60,
            what="a retried OCR task",
            log=celery_redis.log,
        )
    else:
        wait_for(
            lambda: ocr_proxy.held >= 2,
            timeout=timeout + 20,
            what="an OCR call to time out",
            log=celery_redis.log,
        )
    assert _state(verification) == "processing"
    assert ocr_proxy.forwarded == 0

    ocr_proxy.mode = "up"
    _wait_done(verification, celery_redis)

    # Reads went through the proxy to our endpoint, which verified the TC3 signature (Host kept).
    assert ocr_proxy.forwarded >= 2
    _assert_read_once(verification, specimen_card, backend="tencent")
    # The worker's log of the failed attempts and the OCR API's own lines hold no secret.
    if outage == "down":
        assert "ServiceUnavailable" in celery_redis.log()
    assert '"event": "ocr_api"' in _logs(caplog)
    secret = tencent_worker_env["TENCENTCLOUD_SECRET_KEY"]
    _assert_no_secrets(celery_redis.log(), secret_key=secret, card=specimen_card)
    _assert_no_secrets(_logs(caplog), secret_key=secret, card=specimen_card)


def test_a_task_on_a_worker_killed_mid_read_is_redelivered_and_takes_effect_once(
    celery_rabbitmq: CeleryCluster,
    ocr_proxy: OcrProxy,
    tencent_worker_env: dict[str, str],
    specimen_card: dict[str, Any],
) -> None:
    env = {**tencent_worker_env, "TENCENTCLOUD_TIMEOUT": "60"}
    first = celery_rabbitmq.start(env=env)
    ocr_proxy.mode = "hold"  # the OCR call stays open: the task is surely in flight
    verification = _case_with_photos(specimen_card)
    wait_for(lambda: ocr_proxy.held >= 1, timeout=30, what="the task to call OCR", log=celery_rabbitmq.log)

    first.kill()
    assert first.proc.returncode is not None and first.proc.returncode < 0
    assert _state(verification) == "processing"
    ocr_proxy.mode = "up"

    second = celery_rabbitmq.start(env=env)
    _wait_done(verification, celery_rabbitmq)

    assert "verification_run_ocr" in second.log()  # the unacknowledged message came back
    _assert_read_once(verification, specimen_card, backend="tencent")
    assert OcrRead.objects.filter(verification=verification).count() == 2


def test_a_duplicate_delivery_of_the_task_has_one_outcome(
    celery_redis: CeleryCluster,
    ocr_proxy: OcrProxy,
    tencent_worker_env: dict[str, str],
    specimen_card: dict[str, Any],
) -> None:
    # Two worker processes, so both deliveries really run at the same time.
    celery_redis.start(env=tencent_worker_env, pool="prefork", concurrency=2)
    ocr_proxy.mode = "hold"
    verification = _case_with_photos(specimen_card)
    tasks.verification_run_ocr.delay(verification.pk)  # the same job, delivered a second time
    wait_for(
        lambda: ocr_proxy.held >= 2, timeout=30, what="both deliveries calling OCR", log=celery_redis.log
    )

    ocr_proxy.mode = "up"  # the held calls are dropped; the backend retries them
    _wait_done(verification, celery_redis)
    wait_for(
        lambda: ocr_proxy.forwarded >= 4,
        timeout=DONE_SECONDS,
        what="both deliveries reading",
        log=celery_redis.log,
    )
    wait_for(
        lambda: celery_redis.log().count("succeeded in") >= 2,
        timeout=DONE_SECONDS,
        what="both deliveries to finish",
        log=celery_redis.log,
    )

    _assert_read_once(verification, specimen_card, backend="tencent")
    # The delivery that lost the race stored nothing.
    assert OcrRead.objects.filter(verification=verification).count() == 2


def test_a_task_whose_database_connection_drops_mid_read_retries_and_completes_once(
    celery_redis: CeleryCluster,
    ocr_proxy: OcrProxy,
    tencent_worker_env: dict[str, str],
    postgres_url: str,
    specimen_card: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app_name = f"it-worker-{uuid.uuid4().hex[:8]}"
    celery_redis.database_url = f"{postgres_url}?application_name={app_name}"
    celery_redis.start(env=tencent_worker_env)
    ocr_proxy.mode = "hold"  # the task has read the case and waits for OCR, its connection open
    verification = _case_with_photos(specimen_card)
    wait_for(lambda: ocr_proxy.held >= 1, timeout=30, what="the task to call OCR", log=celery_redis.log)

    with psycopg.connect(_dsn(), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (app_name,),
        ).fetchall()
    assert killed and all(row[0] for row in killed)
    ocr_proxy.mode = "up"
    _wait_done(verification, celery_redis)

    # A dropped connection is transient: the task retried by itself and read the case once, with
    # nothing of the interrupted attempt kept and no "please re-upload" sent to the user.
    verification.refresh_from_db()
    assert verification.input_request == {}
    assert not AuditEvent.objects.filter(verification=verification, action="ocr.failed").exists()
    _assert_read_once(verification, specimen_card, backend="tencent")
    # The retry was logged with its cause, and the logs hold no secret.
    assert "OperationalError" in celery_redis.log()
    secret = tencent_worker_env["TENCENTCLOUD_SECRET_KEY"]
    _assert_no_secrets(celery_redis.log(), secret_key=secret, card=specimen_card)
    _assert_no_secrets(_logs(caplog), secret_key=secret, card=specimen_card)


def _dsn() -> str:
    params = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or "127.0.0.1",
        port=str(params["PORT"] or 5432),
    )


def test_a_request_whose_database_connection_drops_fails_cleanly_and_a_retry_succeeds(
    live_server: Any, postgres_url: str
) -> None:
    """The connection is terminated by the server in the middle of a write (after the case row was
    inserted, before its audit event): the request answers 500 at once, nothing of it is kept, and the
    same request again succeeds on a fresh connection."""
    from django.db.backends.signals import connection_created

    user = _user()
    browser = Client()
    browser.force_login(user)
    token = uuid.uuid4().hex  # any 32-character CSRF secret, the same in cookie and header
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, browser.cookies[settings.SESSION_COOKIE_NAME].value)
    session.cookies.set(settings.CSRF_COOKIE_NAME, token)
    armed = {"on": True, "killed": 0}

    def drop_on_audit_insert(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if armed["on"] and sql.startswith('INSERT INTO "kyc_auditevent"'):
            armed["on"] = False
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(_dsn(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            armed["killed"] += 1
        return execute(sql, params, many, context)

    def instrument(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.execute_wrappers.append(drop_on_audit_insert)

    connection_created.connect(instrument)
    try:
        url = f"{live_server.url}/register/verify/"
        headers = {"X-CSRFToken": token, "Referer": live_server.url + "/register/"}
        failed = session.post(url, headers=headers, allow_redirects=False, timeout=30)
        assert armed["killed"] == 1
        assert failed.status_code == 500
        assert not Verification.objects.filter(user=user).exists()  # the case row was rolled back

        retried = session.post(url, headers=headers, allow_redirects=False, timeout=30)
    finally:
        connection_created.disconnect(instrument)
    assert retried.status_code == 302, retried.text[:500]
    verification = Verification.objects.get(user=user)
    assert (
        "/upload/" in retried.headers["Location"]
        and str(verification.public_id) in retried.headers["Location"]
    )
    assert [e.action for e in AuditEvent.objects.filter(verification=verification)] == [
        "verification.started"
    ]
    assert audit_verify_chain(verification=verification) == []
