"""Staff pages of the partners app: every list and a partner's page render; keys are revoked from there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onboarding.partners.models import ApiKey

from .conftest import PartnerKey


@pytest.fixture
def staff(db: None) -> Client:
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "a-long-passphrase-1")
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.mark.parametrize(
    "model", ["partner", "apikey", "webhookendpoint", "webhookdelivery", "partnerverification"]
)
def test_each_list_renders(staff: Client, acme: PartnerKey, model: str) -> None:
    assert staff.get(f"/admin/partners/{model}/").status_code == 200


def test_a_partner_page_shows_its_key_prefixes_but_never_a_key(staff: Client, acme: PartnerKey) -> None:
    page = staff.get(f"/admin/partners/partner/{acme.partner.pk}/change/").content.decode()
    assert acme.api_key.prefix in page
    assert acme.key not in page
    assert acme.api_key.key_hash not in staff.get("/admin/partners/apikey/").content.decode()


def test_staff_revoke_keys_with_an_action(staff: Client, acme: PartnerKey) -> None:
    answer = staff.post(
        "/admin/partners/apikey/", {"action": "revoke_keys", "_selected_action": [str(acme.api_key.pk)]}
    )
    assert answer.status_code == 302
    assert ApiKey.objects.get(pk=acme.api_key.pk).revoked_at is not None
    assert acme.client().get("/api/v1/webhooks/endpoints").status_code == 401
