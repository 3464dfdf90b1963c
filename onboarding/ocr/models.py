"""API credentials of the self-hosted IDCardOCR endpoint (TC3-HMAC-SHA256 SecretId/SecretKey pairs)."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from onboarding.core.crypto import EncryptedTextField


class ApiCredential(models.Model):
    """One client's SecretId/SecretKey. The key is encrypted at rest and shown only once, at creation."""

    name: models.CharField[str, str] = models.CharField(max_length=100)
    secret_id: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    # The HMAC key must be recoverable to verify signatures, so it is encrypted, not hashed.
    secret_key: str = EncryptedTextField()  # type: ignore[assignment]
    is_active: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)
    last_used_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    revoked_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "OCR API credential"

    def __str__(self) -> str:
        return f"{self.name} ({self.secret_id})"
