"""Reads of the OCR app: API credentials."""

from __future__ import annotations

from django.db.models import QuerySet

from onboarding.ocr.models import ApiCredential


def credential_get_active(*, secret_id: str) -> ApiCredential | None:
    """The active credential with this SecretId, or None (unknown and revoked look the same)."""
    return ApiCredential.objects.filter(secret_id=secret_id, is_active=True).first()


def credential_list() -> QuerySet[ApiCredential]:
    return ApiCredential.objects.order_by("created_at")
