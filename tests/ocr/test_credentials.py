"""API credentials: the management command, encryption at rest, and the admin."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from onboarding.ocr.models import ApiCredential

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ocr_credentials", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_credential_and_prints_one_json_object() -> None:
    printed = json.loads(_run("create", "partner-a"))
    assert set(printed) == {"SecretId", "SecretKey"}
    assert printed["SecretId"].startswith("AKID") and len(printed["SecretId"]) == 36
    credential = ApiCredential.objects.get(secret_id=printed["SecretId"])
    assert credential.name == "partner-a" and credential.is_active
    assert credential.secret_key == printed["SecretKey"]


def test_it_stores_the_secret_key_encrypted() -> None:
    printed = json.loads(_run("create", "partner-b"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_key FROM ocr_apicredential WHERE secret_id = %s", [printed["SecretId"]])
        (stored,) = cursor.fetchone()
    assert printed["SecretKey"] not in stored and len(stored) > len(printed["SecretKey"])


def test_it_lists_without_secret_keys_and_revokes() -> None:
    printed = json.loads(_run("create", "partner-c"))
    listing = _run("list")
    assert printed["SecretId"] in listing and "active" in listing
    assert printed["SecretKey"] not in listing
    credential = ApiCredential.objects.get(secret_id=printed["SecretId"])
    assert "revoked" in _run("revoke", str(credential.pk))
    credential.refresh_from_db()
    assert not credential.is_active and credential.revoked_at is not None
    assert "revoked" in _run("list")


def test_it_refuses_to_revoke_an_unknown_credential() -> None:
    with pytest.raises(CommandError):
        _run("revoke", "99999")


def test_it_shows_the_secret_once_in_the_admin_and_never_again(client: Client) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests-only-123")
    client.force_login(admin)
    created = client.post("/admin/ocr/apicredential/add/", {"name": "via-admin"}, follow=True)
    credential = ApiCredential.objects.get(name="via-admin")
    assert credential.secret_key in created.content.decode()
    change = client.get(f"/admin/ocr/apicredential/{credential.pk}/change/")
    listing = client.get("/admin/ocr/apicredential/")
    assert change.status_code == 200 and listing.status_code == 200
    assert credential.secret_id in change.content.decode()
    assert credential.secret_key not in change.content.decode()
    assert credential.secret_key not in listing.content.decode()
