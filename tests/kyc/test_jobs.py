"""Periodic jobs: image retention, expiry of abandoned cases, requeue of lost OCR jobs."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from onboarding.kyc import services, tasks
from onboarding.kyc.audit import audit_verify_chain
from onboarding.kyc.models import AuditEvent, CardImage, OcrRead, Verification
from tests.kyc.conftest import submit_as_read

pytestmark = pytest.mark.django_db


def _age(verification: Verification, days: int) -> None:
    CardImage.objects.filter(verification=verification).update(
        created=timezone.now() - datetime.timedelta(days=days)
    )


def test_purge_deletes_files_keeps_rows_and_the_chain(read_case: Callable[..., Verification]) -> None:
    old = submit_as_read(read_case())
    fresh = submit_as_read(read_case())
    _age(old, 100)
    names = [i.file.name for i in CardImage.objects.filter(verification=old)]
    crops = [r.card_crop.name for r in OcrRead.objects.filter(verification=old)]
    assert all(default_storage.exists(n) for n in names + crops)

    deleted = services.verification_purge_images(older_than_days=90)

    assert deleted == len(names) + len(crops) + 1  # + the portrait crop
    assert not any(default_storage.exists(n) for n in names + crops)
    images = CardImage.objects.filter(verification=old)
    assert all(i.purged_at and not i.file and len(i.sha256) == 64 for i in images)
    assert CardImage.objects.filter(verification=fresh, purged_at__isnull=True).count() == 2
    assert AuditEvent.objects.filter(verification=old, action="images.purged").count() == 1
    assert audit_verify_chain(verification=old) == []
    assert services.verification_purge_images(older_than_days=90) == 0  # nothing twice


def test_purge_leaves_open_cases_alone(read_case: Callable[..., Verification]) -> None:
    open_case = read_case()  # needs_input
    _age(open_case, 100)
    assert services.verification_purge_images(older_than_days=90) == 0


def test_abandoned_cases_expire(uploaded: Callable[..., Verification]) -> None:
    stale, recent = uploaded(), uploaded()
    Verification.objects.filter(pk=stale.pk).update(updated=timezone.now() - datetime.timedelta(days=30))
    assert services.verification_expire_stale_drafts() == 1
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert (stale.state, recent.state) == ("expired", "draft")


def test_lost_ocr_jobs_are_requeued_then_given_up(
    uploaded: Callable[..., Verification], fake_backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    verification = uploaded()
    # Queued while the worker was down: nothing ran.
    with django_capture_on_commit_callbacks(execute=False):
        services.verification_request_ocr(verification=verification, actor=services.Actor.system())
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Verification.objects.filter(pk=verification.pk).update(processing_since=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.verification_requeue_stuck.delay().get() == 1
    verification.refresh_from_db()
    assert verification.state == "needs_input" and verification.ocr_attempts == 1

    # A case that keeps getting lost ends with a request to upload again.
    stuck = uploaded()
    with django_capture_on_commit_callbacks(execute=False):
        services.verification_request_ocr(verification=stuck, actor=services.Actor.system())
    Verification.objects.filter(pk=stuck.pk).update(
        processing_since=long_ago, ocr_attempts=services.MAX_OCR_REQUEUES
    )
    assert services.verification_requeue_stuck() == 1
    stuck.refresh_from_db()
    assert stuck.state == "needs_input" and stuck.input_request["code"] == "ocr.unavailable"
