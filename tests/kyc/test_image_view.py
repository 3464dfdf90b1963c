"""Card images are streamed only to the owner or to staff allowed to see personal data (audited)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from onboarding.kyc import services
from onboarding.kyc.models import AuditEvent, CardImage, Verification
from tests.kyc.conftest import FRONT_PNG, submit_as_read

pytestmark = pytest.mark.django_db


def _url(verification: Verification, side: str = "FRONT", variant: str = "original") -> str:
    return reverse("kyc:card_image", args=[verification.public_id, side, variant])


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_sees_their_photo(read_case: Callable[..., Verification], user: User) -> None:
    verification = read_case()
    response = _client(user).get(_url(verification))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FRONT_PNG  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(verification=verification, action="pii.viewed").exists()


def test_another_user_gets_a_404(read_case: Callable[..., Verification], other_user: User) -> None:
    response = _client(other_user).get(_url(read_case()))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(read_case: Callable[..., Verification]) -> None:
    response = Client().get(_url(read_case()))
    assert response.status_code == 302


def test_a_reviewer_sees_the_crops_and_it_is_audited(
    read_case: Callable[..., Verification], reviewer: User
) -> None:
    verification = read_case()
    response = _client(reviewer).get(_url(verification, "FRONT", "portrait"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    event = AuditEvent.objects.filter(verification=verification, action="pii.viewed").get()
    assert event.actor_type == "reviewer" and event.after == {"fields": ["image:FRONT:portrait"]}
    assert (
        _client(reviewer).get(_url(verification, "BACK", "portrait")).status_code == 404
    )  # no portrait on the back


def test_a_purged_photo_is_gone(read_case: Callable[..., Verification], user: User) -> None:
    import datetime

    from django.utils import timezone

    verification = submit_as_read(read_case())
    CardImage.objects.filter(verification=verification).update(
        created=timezone.now() - datetime.timedelta(days=200)
    )
    services.verification_purge_images(older_than_days=90)
    assert _client(user).get(_url(verification)).status_code == 410


def test_media_is_not_served_by_url(read_case: Callable[..., Verification], user: User) -> None:
    verification = read_case()
    key = CardImage.objects.filter(verification=verification).first().file.name  # type: ignore[union-attr]
    assert _client(user).get("/media/" + key).status_code == 404
