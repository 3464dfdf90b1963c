"""The review queue's filters and counts, and the user's progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onboarding.kyc import selectors
from onboarding.kyc.models import Verification
from tests.kyc.conftest import FakeBackend, submit_as_read

pytestmark = pytest.mark.django_db


def test_the_queue_filters_by_warning_and_finding_codes(
    read_case: Callable[..., Verification], fake_backend: FakeBackend
) -> None:
    fake_backend.warnings = {"FRONT": [-9102]}
    copy = submit_as_read(read_case())
    fake_backend.warnings = {"BACK": [-9103]}
    reshoot = submit_as_read(read_case())
    fake_backend.warnings = {}
    clean = submit_as_read(read_case())
    assert clean.state == "auto_approved"

    everything = selectors.verification_list_for_review()
    assert [v.pk for v in everything.items] == [copy.pk, reshoot.pk]  # oldest first
    assert everything.counts["in_review"] == 2 and everything.total == 2
    assert [v.pk for v in selectors.verification_list_for_review(warn_codes=[-9103]).items] == [reshoot.pk]
    assert [v.pk for v in selectors.verification_list_for_review(finding_codes=["ocr.copy"]).items] == [
        copy.pk
    ]
    assert [v.pk for v in selectors.verification_list_for_review(newest_first=True).items] == [
        reshoot.pk,
        copy.pk,
    ]
    assert list(selectors.verification_list_for_review(older_than_hours=1).items) == []


def test_progress_says_what_happens_next(uploaded: Callable[..., Verification]) -> None:
    draft = uploaded()
    progress = selectors.verification_progress(verification=draft)
    assert progress["state"] == "draft" and progress["form_ready"] is False
    assert {s["status"] for s in progress["sides"].values()} == {"uploaded"}
    assert progress["message_en"]


def test_an_anonymous_user_never_gets_a_partner_case(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from onboarding.kyc import services
    from onboarding.kyc.audit import Actor

    partner_case = services.verification_start(
        partner_id="7d8f3d0e-0f4e-4a57-9a43-1f2a8b1c2d3e", actor=Actor.system()
    )
    with pytest.raises(Http404):
        selectors.verification_get_for_user(user=AnonymousUser(), public_id=partner_case.public_id)
    assert selectors.verification_latest_for_user(user=AnonymousUser()) is None


def test_another_users_case_is_a_404(uploaded: Callable[..., Verification], other_user: object) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.verification_get_for_user(user=other_user, public_id=uploaded().public_id)
