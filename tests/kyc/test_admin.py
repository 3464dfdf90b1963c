"""The Django admin shows kyc records to superusers, read-only, with no delete anywhere."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from onboarding.kyc.models import AuditEvent, Verification
from tests.kyc.conftest import ID_NUMBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x-Strong-pass-1"))
    return client


def test_superusers_can_look_but_not_change_or_delete(
    admin_client_: Client, in_review_case: Verification
) -> None:
    event = AuditEvent.objects.filter(verification=in_review_case).first()
    assert event is not None
    listing = admin_client_.get(reverse("admin:kyc_auditevent_changelist"))
    assert listing.status_code == 200 and b"action-select" not in listing.content  # no bulk delete
    assert admin_client_.get(reverse("admin:kyc_auditevent_change", args=[event.pk])).status_code == 200
    assert (
        admin_client_.post(
            reverse("admin:kyc_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_client_.get(reverse("admin:kyc_verification_add")).status_code == 403
    page = admin_client_.get(reverse("admin:kyc_fieldvalue_changelist"))
    assert page.status_code == 200 and b"**********" in page.content  # the ID number is masked
    assert ID_NUMBER.encode() not in page.content
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_without_superuser_see_nothing(reviewer: User, in_review_case: Verification) -> None:
    client = Client()
    client.force_login(reviewer)
    assert client.get(reverse("admin:kyc_verification_changelist")).status_code == 403
