"""At most KYC_MAX_ATTEMPTS_PER_DAY verifications per account in any 24 hours."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc import services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import Verification

pytestmark = pytest.mark.django_db


def test_it_limits_attempts_per_account_per_day(user: User, other_user: User, settings: object) -> None:
    settings.KYC_MAX_ATTEMPTS_PER_DAY = 2  # type: ignore[attr-defined]
    for _ in range(2):
        services.verification_start(user=user, actor=Actor.for_user(user))
    with pytest.raises(ApplicationError) as info:
        services.verification_start(user=user, actor=Actor.for_user(user))
    assert info.value.code == "too_many_attempts"
    assert Verification.objects.filter(user=user).count() == 2
    # Another account is not affected.
    services.verification_start(user=other_user, actor=Actor.for_user(other_user))


def test_attempts_older_than_a_day_do_not_count(user: User, settings: object) -> None:
    settings.KYC_MAX_ATTEMPTS_PER_DAY = 1  # type: ignore[attr-defined]
    first = services.verification_start(user=user, actor=Actor.for_user(user))
    Verification.objects.filter(pk=first.pk).update(created=timezone.now() - datetime.timedelta(hours=25))
    services.verification_start(user=user, actor=Actor.for_user(user))
    assert Verification.objects.filter(user=user).count() == 2


def test_partner_cases_need_no_account() -> None:
    verification = services.verification_start(
        partner_id="7d8f3d0e-0f4e-4a57-9a43-1f2a8b1c2d3e", external_ref="order-17", actor=Actor.system()
    )
    assert verification.user is None and verification.external_ref == "order-17"
    with pytest.raises(ApplicationError):
        services.verification_start(actor=Actor.system())
