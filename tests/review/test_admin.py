"""The Django admin shows verifications, OCR reads and audit events to superusers, read-only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from onboarding.kyc.models import AuditEvent, OcrRead, Verification
from tests.review.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

MODELS = (Verification, OcrRead, AuditEvent)


@pytest.fixture
def superuser(db: None) -> User:
    return make_user("root", superuser=True)


def _admin_url(model: type, action: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_it_shows_superusers_every_record_read_only(
    model: type, make_case: Callable[..., Verification], superuser: User
) -> None:
    make_case()
    obj = model.objects.order_by("pk").first()
    client = client_for(superuser)
    listing = client.get(_admin_url(model, "changelist"))
    assert listing.status_code == 200
    detail = client.get(_admin_url(model, "change", obj.pk))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content  # a view page, not a form
    assert client.get(_admin_url(model, "add")).status_code == 403
    assert client.post(_admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_it_keeps_reviewers_out_of_the_admin_tables(
    model: type, make_case: Callable[..., Verification], reviewer: User
) -> None:
    make_case()
    assert client_for(reviewer).get(_admin_url(model, "changelist")).status_code == 403
