"""The OCR task: retries transient backend errors, and every queued job ends in a recorded outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from onboarding.kyc import selectors, services, tasks
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import AuditEvent, Finding, OcrRead, Verification
from onboarding.ocr.errors import ErrorCode, OcrError
from tests.kyc.conftest import FakeBackend

pytestmark = pytest.mark.django_db


def _run(verification: Verification, capture: Any) -> Verification:
    with capture(execute=True):
        services.verification_request_ocr(verification=verification, actor=Actor.for_user(verification.user))
    verification.refresh_from_db()
    return verification


def test_a_permanent_backend_failure_is_recorded_and_asks_for_new_photos(
    uploaded: Callable[..., Verification],
    fake_backend: FakeBackend,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_backend.always_fail = {"FRONT": OcrError(ErrorCode.SERVICE_UNAVAILABLE)}
    monkeypatch.setattr(tasks, "_backoff", lambda retries: 0)
    verification = _run(uploaded(), django_capture_on_commit_callbacks)
    assert verification.state == "needs_input"
    assert verification.input_request["code"] == "ocr.unavailable"
    assert fake_backend.calls.count("FRONT") == tasks.OCR_MAX_RETRIES + 1
    assert Finding.objects.filter(
        verification=verification, code="ocr.unavailable", severity="error"
    ).exists()
    failed = AuditEvent.objects.filter(verification=verification, action="ocr.failed").get()
    assert failed.actor_type == "system" and failed.after["code"] == "ocr.unavailable"
    assert "重新上传" in selectors.verification_progress(verification=verification)["message_zh"]


def test_a_transient_error_is_retried_until_it_succeeds(
    uploaded: Callable[..., Verification],
    fake_backend: FakeBackend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fake_backend.errors = {"BACK": [OcrError(ErrorCode.REQUEST_LIMIT_EXCEEDED), ConnectionError("reset")]}
    verification = _run(uploaded(), django_capture_on_commit_callbacks)
    assert verification.state == "needs_input" and verification.input_request == {}
    assert fake_backend.calls.count("BACK") == 3
    assert OcrRead.objects.filter(verification=verification, superseded_at__isnull=True).count() == 2


def test_an_unexpected_error_still_ends_in_an_outcome(
    uploaded: Callable[..., Verification],
    fake_backend: FakeBackend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fake_backend.always_fail = {"BACK": KeyError("a bug")}
    verification = _run(uploaded(), django_capture_on_commit_callbacks)
    assert verification.state == "needs_input" and verification.input_request["code"] == "ocr.failed"


def test_a_second_delivery_changes_nothing(
    read_case: Callable[..., Verification], fake_backend: FakeBackend
) -> None:
    verification = read_case()
    events = AuditEvent.objects.filter(verification=verification).count()
    calls = len(fake_backend.calls)
    assert tasks.verification_run_ocr.delay(verification.pk).get() == "needs_input"
    assert AuditEvent.objects.filter(verification=verification).count() == events
    assert len(fake_backend.calls) == calls
    assert OcrRead.objects.filter(verification=verification).count() == 2


def test_a_case_that_vanished_is_reported(db: None) -> None:
    assert tasks.verification_run_ocr.delay(999_999).get() == "missing"


def test_signals_tell_listeners_after_commit(
    read_case: Callable[..., Verification], django_capture_on_commit_callbacks: Any
) -> None:
    from onboarding.kyc.signals import verification_event

    seen: list[tuple[str, str]] = []

    def listener(sender: Any, *, event: str, state: str, **kwargs: Any) -> None:
        seen.append((event, state))

    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("a listener's bug must not break kyc")

    verification_event.connect(listener)
    verification_event.connect(broken)
    try:
        verification = read_case()
        from tests.kyc.conftest import submit_as_read

        with django_capture_on_commit_callbacks(execute=True):
            submit_as_read(verification)
    finally:
        verification_event.disconnect(listener)
        verification_event.disconnect(broken)
    assert seen == [("verification.completed", "needs_input"), ("verification.decided", "auto_approved")]


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_after_a_real_commit(fake_backend: FakeBackend) -> None:
    from django.contrib.auth.models import User
    from django.db import transaction

    from tests.kyc.conftest import BACK_PNG, FRONT_PNG

    owner = User.objects.create_user(username="13900139000", password="x-Strong-pass-1")
    actor = Actor.for_user(owner)
    verification = services.verification_start(user=owner, actor=actor)
    for side, content in (("FRONT", FRONT_PNG), ("BACK", BACK_PNG)):
        services.verification_attach_image(
            verification=verification, side=side, content=content, filename="x.png", actor=actor
        )
    with transaction.atomic():
        services.verification_request_ocr(verification=verification, actor=actor)
        assert fake_backend.calls == []  # nothing is queued before the commit
    verification.refresh_from_db()
    assert verification.state == "needs_input" and sorted(fake_backend.calls) == ["BACK", "FRONT"]
