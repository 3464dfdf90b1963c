"""Each decision from the console, end to end, and the guard against two reviewers deciding at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from onboarding.kyc.models import AuditEvent, Verification
from onboarding.kyc.selectors import verification_progress
from tests.review.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case: Callable[..., Verification]) -> Verification:
    return make_case()


def _url(name: str, case: Verification) -> str:
    return reverse(name, kwargs={"public_id": case.public_id})


def _actions(case: Verification) -> list[str]:
    return list(AuditEvent.objects.filter(verification=case).order_by("seq").values_list("action", flat=True))


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def test_it_claims_then_approves_and_the_case_becomes_read_only(case: Verification, reviewer: User) -> None:
    client = client_for(reviewer)
    claimed = client.post(_url("review:claim", case), {"expected_version": case.version})
    assert claimed.status_code == 302 and claimed["Location"] == _url("review:case", case)
    case.refresh_from_db()
    assert case.claimed_by == reviewer and case.claim_expires_at is not None

    page = client.get(_url("review:case", case))
    assert b'id="approve-form"' in page.content and b'id="release"' in page.content
    response = client.post(
        _url("review:approve", case), {"expected_version": case.version, "note": "matches"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("review:queue")
    case.refresh_from_db()
    assert case.state == "approved" and case.decided_by == reviewer and case.decision_note == "matches"
    assert case.claimed_by is None
    assert _actions(case)[-2:] == ["review.claimed", "review.approved"]

    after = client.get(_url("review:case", case))
    assert b'id="decided"' in after.content
    assert b'id="approve-form"' not in after.content and b'id="claim"' not in after.content


def test_it_rejects_with_reason_codes_and_a_note(case: Verification, reviewer: User) -> None:
    client = client_for(reviewer)
    response = client.post(
        _url("review:reject", case),
        {"expected_version": case.version, "reason_codes": ["not_original", "other"], "note": "colour copy"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "rejected"
    assert case.reason_codes == ["not_original", "other"] and case.decision_note == "colour copy"
    assert _actions(case)[-1] == "review.rejected"
    page = client.get(_url("review:case", case))
    assert "非原件".encode() in page.content or b"Not the original" in page.content


def test_it_needs_a_reason_to_reject_and_a_note_for_other(case: Verification, reviewer: User) -> None:
    client = client_for(reviewer)
    no_reason = client.post(_url("review:reject", case), {"expected_version": case.version})
    assert no_reason.status_code == 400
    assert no_reason.context["reject_form"].errors["reason_codes"]
    other = client.post(
        _url("review:reject", case), {"expected_version": case.version, "reason_codes": ["other"]}
    )
    assert other.status_code == 400
    assert other.context["reject_form"].errors["note"]
    case.refresh_from_db()
    assert case.state == "in_review"


def test_it_asks_for_new_photos_and_the_user_is_told_why(case: Verification, reviewer: User) -> None:
    client = client_for(reviewer)
    reason = "国徽面反光太强，请避开灯光重新拍摄"
    response = client.post(
        _url("review:resubmit", case), {"expected_version": case.version, "sides": ["BACK"], "reason": reason}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "resubmission_requested"
    assert case.resubmission_sides == ["BACK"] and case.resubmission_reason == reason
    progress = verification_progress(verification=case)
    assert reason in progress["message_zh"] and progress["resubmission_sides"] == ["BACK"]


def test_it_needs_sides_and_a_reason_to_ask_for_new_photos(case: Verification, reviewer: User) -> None:
    response = client_for(reviewer).post(_url("review:resubmit", case), {"expected_version": case.version})
    assert response.status_code == 400
    errors = response.context["resubmit_form"].errors
    assert "sides" in errors and "reason" in errors


def test_it_tells_the_second_reviewer_that_someone_else_decided(
    case: Verification, reviewer: User, second_reviewer: User
) -> None:
    first, second = client_for(reviewer), client_for(second_reviewer)
    version_both_saw = case.version
    assert first.post(_url("review:approve", case), {"expected_version": version_both_saw}).status_code == 302

    late = second.post(
        _url("review:reject", case),
        {"expected_version": version_both_saw, "reason_codes": ["data_mismatch"]},
        follow=True,
    )
    assert late.redirect_chain[-1][0] == _url("review:case", case)
    assert any("reviewer-a" in m for m in _messages(late))
    case.refresh_from_db()
    assert case.state == "approved" and case.decided_by == reviewer and case.reason_codes == []
    assert "review.rejected" not in _actions(case)


def test_it_refuses_a_decision_made_on_a_stale_page(
    case: Verification, reviewer: User, second_reviewer: User
) -> None:
    stale_version = case.version
    first = client_for(reviewer)
    first.post(_url("review:claim", case), {"expected_version": stale_version})
    first.post(_url("review:release", case), {"expected_version": stale_version + 1})
    case.refresh_from_db()
    assert case.version == stale_version + 2 and case.state == "in_review"

    response = client_for(second_reviewer).post(
        _url("review:approve", case), {"expected_version": stale_version}, follow=True
    )
    assert len(_messages(response)) == 1
    case.refresh_from_db()
    assert case.state == "in_review" and case.decided_by is None


def test_it_keeps_a_claimed_case_for_its_reviewer(
    case: Verification, reviewer: User, second_reviewer: User
) -> None:
    client_for(reviewer).post(_url("review:claim", case), {"expected_version": case.version})
    case.refresh_from_db()
    other = client_for(second_reviewer)
    page = other.get(_url("review:case", case))
    assert b'id="approve-form"' not in page.content and b"reviewer-a" in page.content
    response = other.post(_url("review:approve", case), {"expected_version": case.version}, follow=True)
    assert any("reviewer-a" in m for m in _messages(response))
    case.refresh_from_db()
    assert case.state == "in_review" and case.claimed_by == reviewer


def test_it_lets_another_reviewer_take_over_an_expired_claim(
    case: Verification, reviewer: User, second_reviewer: User
) -> None:
    import datetime

    from django.utils import timezone

    client_for(reviewer).post(_url("review:claim", case), {"expected_version": case.version})
    Verification.objects.filter(pk=case.pk).update(
        claim_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    case.refresh_from_db()
    response = client_for(second_reviewer).post(
        _url("review:claim", case), {"expected_version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.claimed_by == second_reviewer
