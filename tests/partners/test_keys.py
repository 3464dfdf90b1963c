"""API keys: shown once, stored hashed, prefixed, revocable, scoped; the one error shape."""

from __future__ import annotations

import hashlib
from io import StringIO

from django.core.management import call_command
from rest_framework.test import APIClient

from onboarding.partners import services
from onboarding.partners.models import ApiKey, Partner

from .conftest import PartnerKey, make_partner

ENDPOINTS = "/api/v1/webhooks/endpoints"


def test_it_prints_a_new_key_once_and_stores_only_its_hash(db: None) -> None:
    out, err = StringIO(), StringIO()
    call_command("partners_create_key", "Initech", "--scope", "verifications:read", stdout=out, stderr=err)
    key = out.getvalue().strip()
    stored = ApiKey.objects.get(partner__name="Initech")
    assert key.startswith(stored.prefix + ".")
    assert stored.prefix.startswith("pk_live_")
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.scopes == ["verifications:read"]
    assert key not in err.getvalue()


def test_it_answers_401_in_the_error_shape_without_a_key(db: None) -> None:
    response = APIClient().get(ENDPOINTS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["details"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_key(db: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer pk_live_00000000.nope")
    response = client.get(ENDPOINTS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_refuses_a_revoked_key_at_once(acme: PartnerKey) -> None:
    client = acme.client()
    assert client.get(ENDPOINTS).status_code == 200
    services.api_key_revoke(api_key=acme.api_key)
    response = client.get(ENDPOINTS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_revokes_by_prefix_from_the_command_line(acme: PartnerKey) -> None:
    call_command("partners_revoke_key", acme.api_key.prefix, stdout=StringIO())
    assert acme.client().get(ENDPOINTS).status_code == 401


def test_it_refuses_keys_of_a_deactivated_partner(acme: PartnerKey) -> None:
    Partner.objects.filter(pk=acme.partner.pk).update(is_active=False)
    assert acme.client().get(ENDPOINTS).status_code == 401


def test_it_answers_403_when_the_key_lacks_the_scope(db: None) -> None:
    reader = make_partner("Read Only Co", scopes=["verifications:read"])
    response = reader.client().get(ENDPOINTS)
    assert response.status_code == 403
    body = response.json()["error"]
    assert body["code"] == "insufficient_scope"
    assert "webhooks" in body["message"]


def test_it_answers_unknown_api_paths_with_a_json_404(acme: PartnerKey) -> None:
    response = acme.client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_answers_a_wrong_method_in_the_error_shape(acme: PartnerKey) -> None:
    response = acme.client().put("/api/v1/verifications", {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_it_marks_when_a_key_was_last_used(acme: PartnerKey) -> None:
    assert acme.api_key.last_used_at is None
    acme.client().get(ENDPOINTS)
    acme.api_key.refresh_from_db()
    assert acme.api_key.last_used_at is not None


def test_head_needs_the_same_scope_as_get(db: None) -> None:
    writer = make_partner("Write Only Co", scopes=["verifications:write"])
    assert writer.client().head("/api/v1/verifications").status_code == 403
    assert writer.client().get("/api/v1/verifications").status_code == 403
