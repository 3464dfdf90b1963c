"""Reviewer services: claims, decisions with reasons, optimistic locking, read-only decided cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc import selectors, services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import ActorType, AuditEvent, Verification
from tests.kyc.conftest import BACK_PNG, FRONT_PNG

pytestmark = pytest.mark.django_db


def test_it_approves_with_the_reviewer_recorded(in_review_case: Verification, reviewer_actor: Actor) -> None:
    done = services.verification_approve(
        verification=in_review_case, actor=reviewer_actor, expected_version=in_review_case.version
    )
    done.refresh_from_db()
    assert done.state == "approved" and done.decided_by == reviewer_actor.user and done.decided_at
    event = AuditEvent.objects.filter(verification=done).order_by("-seq").first()
    assert event is not None and (event.action, event.actor_type) == ("review.approved", "reviewer")


def test_two_reviewers_deciding_at_once_conflict(in_review_case: Verification, reviewer_actor: Actor) -> None:
    version = in_review_case.version
    other_copy = Verification.objects.get(pk=in_review_case.pk)  # the second reviewer's page, same version
    services.verification_reject(
        verification=in_review_case,
        actor=reviewer_actor,
        expected_version=version,
        reason_codes=["not_original"],
    )
    with pytest.raises(ApplicationError) as info:
        services.verification_approve(verification=other_copy, actor=reviewer_actor, expected_version=version)
    assert info.value.code == "conflict"
    assert Verification.objects.get(pk=in_review_case.pk).state == "rejected"


def test_a_stale_page_version_conflicts(in_review_case: Verification, reviewer_actor: Actor) -> None:
    with pytest.raises(ApplicationError) as info:
        services.verification_approve(
            verification=in_review_case, actor=reviewer_actor, expected_version=in_review_case.version - 1
        )
    assert info.value.code == "conflict"


def test_a_claim_keeps_other_reviewers_out(
    in_review_case: Verification, reviewer_actor: Actor, second_reviewer: User
) -> None:
    claimed = services.verification_claim(
        verification=in_review_case, actor=reviewer_actor, expected_version=in_review_case.version
    )
    assert claimed.claimed_by == reviewer_actor.user and claimed.claim_expires_at
    other = Actor.for_user(second_reviewer, type=ActorType.REVIEWER)
    with pytest.raises(ApplicationError) as info:
        services.verification_approve(verification=claimed, actor=other, expected_version=claimed.version)
    assert info.value.code == "claimed"
    released = services.verification_release(
        verification=claimed, actor=reviewer_actor, expected_version=claimed.version
    )
    assert released.claimed_by is None
    queue = selectors.verification_list_for_review(unclaimed_only=True)
    assert [v.pk for v in queue.items] == [released.pk] and queue.counts["in_review"] == 1


def test_a_rejection_needs_known_reasons(in_review_case: Verification, reviewer_actor: Actor) -> None:
    v = in_review_case.version
    for codes, note, expected in (
        ([], "", "reason_required"),
        (["made_up"], "", "reason_required"),
        (["other"], " ", "note_required"),
    ):
        with pytest.raises(ApplicationError) as info:
            services.verification_reject(
                verification=in_review_case,
                actor=reviewer_actor,
                expected_version=v,
                reason_codes=codes,
                note=note,
            )
        assert info.value.code == expected
    done = services.verification_reject(
        verification=in_review_case,
        actor=reviewer_actor,
        expected_version=v,
        reason_codes=["other"],
        note="照片与本人不符",
    )
    assert done.state == "rejected" and done.reason_codes == ["other"]


def test_decided_cases_are_read_only(in_review_case: Verification, reviewer_actor: Actor) -> None:
    done = services.verification_approve(
        verification=in_review_case, actor=reviewer_actor, expected_version=in_review_case.version
    )
    calls: list[Callable[[], Any]] = [
        lambda: services.verification_reject(
            verification=done,
            actor=reviewer_actor,
            expected_version=done.version,
            reason_codes=["other"],
            note="x",
        ),
        lambda: services.verification_claim(
            verification=done, actor=reviewer_actor, expected_version=done.version
        ),
        lambda: services.verification_request_resubmission(
            verification=done,
            actor=reviewer_actor,
            expected_version=done.version,
            sides=["FRONT"],
            reason="x",
        ),
        lambda: services.verification_attach_image(
            verification=done, side="FRONT", content=FRONT_PNG, filename="f.png", actor=reviewer_actor
        ),
    ]
    for call in calls:
        with pytest.raises(ApplicationError) as info:
            call()
        assert info.value.code == "decided"


def test_only_reviewers_decide(in_review_case: Verification) -> None:
    owner = Actor.for_user(in_review_case.user)
    with pytest.raises(ApplicationError) as info:
        services.verification_approve(
            verification=in_review_case, actor=owner, expected_version=in_review_case.version
        )
    assert info.value.code == "forbidden"


def test_a_resubmission_request_reaches_the_user_who_uploads_again(
    in_review_case: Verification,
    reviewer_actor: Actor,
    fake_backend: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    asked = services.verification_request_resubmission(
        verification=in_review_case,
        actor=reviewer_actor,
        expected_version=in_review_case.version,
        sides=["front"],
        reason="人像面反光，请重新拍摄",
    )
    progress = selectors.verification_progress(verification=asked)
    assert progress["state"] == "resubmission_requested" and progress["resubmission_sides"] == ["FRONT"]
    assert "人像面反光" in progress["message_zh"]

    user_actor = Actor.for_user(asked.user)
    with pytest.raises(ApplicationError) as info:
        services.verification_resubmit(verification=asked, actor=user_actor)
    assert info.value.code == "images_required"

    fake_backend.warnings = {}
    services.verification_attach_image(
        verification=asked, side="FRONT", content=FRONT_PNG + b"", filename="new.png", actor=user_actor
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_resubmit(verification=asked, actor=user_actor)
    asked.refresh_from_db()
    assert asked.state == "needs_input"
    # The photocopy warning of the first photo no longer counts.
    assert not selectors.verification_findings(verification=asked).filter(code="ocr.copy").exists()
    assert BACK_PNG  # the back photo was kept


def test_pii_access_is_audited(in_review_case: Verification, reviewer_actor: Actor) -> None:
    rows = selectors.verification_field_rows(verification=in_review_case, unmasked=False)
    assert next(r for r in rows if r["field"] == "IdNum")["ocr_value"].count("*") == 10
    services.verification_record_pii_access(
        verification=in_review_case, actor=reviewer_actor, fields=["IdNum", "Name"]
    )
    event = AuditEvent.objects.filter(verification=in_review_case).order_by("-seq").first()
    assert event is not None and event.action == "pii.viewed" and event.after == {"fields": ["IdNum", "Name"]}
