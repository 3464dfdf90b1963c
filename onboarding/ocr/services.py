"""Writes of the OCR app: API credentials."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from django.utils import timezone

from onboarding.ocr.models import ApiCredential

_ALPHABET = string.ascii_letters + string.digits
# Bump last_used_at at most this often: a write per request would cost more than the answer is worth.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def generate_secret_id() -> str:
    """AKID + 32 random letters and digits, the shape of a Tencent Cloud SecretId."""
    return "AKID" + _random(32)


def generate_secret_key() -> str:
    return _random(32)


def credential_create(*, name: str) -> tuple[ApiCredential, str]:
    """Create a credential; returns it with the plain SecretKey, which is never shown again."""
    secret_key = generate_secret_key()
    credential = ApiCredential.objects.create(
        name=name, secret_id=generate_secret_id(), secret_key=secret_key
    )
    return credential, secret_key


def credential_revoke(*, credential_id: int) -> ApiCredential:
    """Revoke a credential (kept for the record); raises ApiCredential.DoesNotExist."""
    credential = ApiCredential.objects.get(pk=credential_id)
    if credential.is_active:
        credential.is_active = False
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["is_active", "revoked_at"])
    return credential


def credential_mark_used(*, credential: ApiCredential) -> None:
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
        ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
