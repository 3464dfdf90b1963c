"""Partners (businesses onboarding their users through the API), their keys and webhooks."""

from __future__ import annotations

import json
import uuid

from django.db import models
from django.utils import timezone

from onboarding.core.crypto import EncryptedTextField


class Scope(models.TextChoices):
    VERIFICATIONS_WRITE = "verifications:write", "Create verifications"
    VERIFICATIONS_READ = "verifications:read", "Read verifications (personal data masked)"
    PII_READ = "pii:read", "Read personal data unmasked"
    OCR = "ocr", "Synchronous ID-card OCR"
    WEBHOOKS = "webhooks", "Manage webhook endpoints and deliveries"


DEFAULT_SCOPES = [
    Scope.VERIFICATIONS_WRITE.value,
    Scope.VERIFICATIONS_READ.value,
    Scope.OCR.value,
    Scope.WEBHOOKS.value,
]


class WebhookEvent(models.TextChoices):
    VERIFICATION_COMPLETED = "verification.completed", "OCR and checks finished"
    VERIFICATION_DECIDED = "verification.decided", "Approved or rejected (automatically or by a reviewer)"


class Partner(models.Model):
    # The UUID is what kyc.Verification.partner_id holds: a partner is referenced, not joined.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, help_text="What the partner uses this key for.")
    prefix = models.CharField(max_length=32, unique=True, help_text="The visible start of the key.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    # None: the default PARTNER_API_RATE_LIMIT_PER_SECOND.
    rate_limit_per_second = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.partner})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Kept encrypted, not hashed: every delivery is signed with it.
    secret = EncryptedTextField()
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with its retry schedule. A replay is a new row, same event id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(db_index=True)
    event_type = models.CharField(max_length=50, choices=WebhookEvent.choices)
    verification_id = models.CharField(max_length=64, blank=True, db_index=True)
    # The exact bytes that are signed and sent, so a replay is byte-identical.
    body = models.TextField()
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name_plural = "webhook deliveries"
        indexes = (models.Index(fields=["status", "next_attempt_at"]),)

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint.url} ({self.status})"

    @property
    def payload_json(self) -> object:
        return json.loads(self.body)


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: what the receiver answered, or why it failed."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("delivery", "number")

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, returned again on retries."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    # SHA-256 of the request's meaning (fields and file contents), not of its bytes: a multipart retry
    # has a new boundary but the same content.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveIntegerField(null=True, blank=True)  # None while the first is running
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["partner", "key"], name="partners_idempotency_unique"),
        )

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"


class PartnerVerification(models.Model):
    """What a partner sent with a verification beyond the photos: its key and the data to cross-check.

    The case itself lives in kyc.Verification (partner_id = Partner.id); this row is the partner API's
    own record of the request.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="verification_requests")
    verification_public_id = models.UUIDField(unique=True)
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # {"Name": …, "IdNum": …} as the partner claimed them; encrypted (personal data).
    claims_json = EncryptedTextField(blank=True, default="")
    # Rule errors that kept the automatic submission from going through: [{"code", "field", "message"}].
    submit_errors = models.JSONField(default=list, blank=True)
    submitted_automatically_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return str(self.verification_public_id)

    @property
    def claims(self) -> dict[str, str]:
        return json.loads(self.claims_json) if self.claims_json else {}
