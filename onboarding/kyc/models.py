"""Verifications of a resident ID card: the case, its images, OCR reads, field values, findings, audit trail.

Personal data (field values, raw OCR responses) is encrypted at rest; images live in private storage
under random names and are streamed only by a view that checks permission.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from onboarding.core.crypto import EncryptedTextField


class State(models.TextChoices):
    DRAFT = "draft", "草稿 / Draft"
    PROCESSING = "processing", "识别中 / Processing"
    NEEDS_INPUT = "needs_input", "待确认 / Needs input"
    SUBMITTED = "submitted", "已提交 / Submitted"
    AUTO_APPROVED = "auto_approved", "自动通过 / Auto-approved"
    IN_REVIEW = "in_review", "审核中 / In review"
    APPROVED = "approved", "已通过 / Approved"
    REJECTED = "rejected", "已拒绝 / Rejected"
    RESUBMISSION_REQUESTED = "resubmission_requested", "请重新上传 / Re-upload requested"
    EXPIRED = "expired", "已过期 / Expired"


# States after which nothing about the case changes any more (images may still be purged).
TERMINAL_STATES = frozenset({State.AUTO_APPROVED, State.APPROVED, State.REJECTED, State.EXPIRED})


class Side(models.TextChoices):
    FRONT = "FRONT", "人像面 / Front"
    BACK = "BACK", "国徽面 / Back"


class FieldName(models.TextChoices):
    NAME = "Name", "姓名 / Name"
    SEX = "Sex", "性别 / Sex"
    NATION = "Nation", "民族 / Nation"
    BIRTH = "Birth", "出生 / Birth"
    ADDRESS = "Address", "住址 / Address"
    ID_NUM = "IdNum", "公民身份号码 / ID number"
    AUTHORITY = "Authority", "签发机关 / Issuing authority"
    VALID_DATE = "ValidDate", "有效期限 / Valid period"


class Severity(models.TextChoices):
    ERROR = "error", "错误 / Error"
    WARNING = "warning", "警告 / Warning"
    INFO = "info", "提示 / Info"


class FindingSource(models.TextChoices):
    RULES = "rules", "规则 / Rules"
    OCR_WARNING = "ocr_warning", "识别告警 / OCR warning"
    DUPLICATE = "duplicate", "重复证件 / Duplicate"
    SYSTEM = "system", "系统 / System"


class ValueSource(models.TextChoices):
    OCR = "ocr", "OCR"
    USER = "user", "用户 / User"


class ActorType(models.TextChoices):
    USER = "user", "用户 / User"
    REVIEWER = "reviewer", "审核员 / Reviewer"
    PARTNER = "partner", "合作方 / Partner"
    SYSTEM = "system", "系统 / System"


# Reviewer reasons for a rejection: stable codes for filters and the partner API, labels for people.
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "document_forged": ("证件疑似伪造或被篡改", "The card looks forged or edited"),
    "document_unreadable": ("证件无法辨认", "The card cannot be read"),
    "not_original": ("非原件（复印件或翻拍）", "Not the original card (copy or screen photo)"),
    "data_mismatch": ("填写信息与证件不符", "The details do not match the card"),
    "duplicate_identity": ("该证件已被其他账户使用", "The card is already used by another account"),
    "underage": ("未达到最低年龄", "Below the minimum age"),
    "card_expired": ("证件已过期", "The card has expired"),
    "other": ("其他（见备注）", "Other (see the note)"),
}


def private_image_key(instance: Any, filename: str) -> str:
    """A storage key nobody can guess or derive from the case: random directory and name, fixed extension."""
    ext = {"image/jpeg": "jpg", "image/png": "png"}.get(getattr(instance, "content_type", ""), "jpg")
    return f"kyc/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.{ext}"


class Verification(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    # The partner that opened the case (its public UUID); the partners app links this to its model.
    partner_id = models.UUIDField(null=True, blank=True, db_index=True)
    external_ref = models.CharField(max_length=128, blank=True, default="")
    state = models.CharField(max_length=32, choices=State.choices, default=State.DRAFT, db_index=True)
    # Optimistic locking: every write is `UPDATE ... WHERE version = <read version>`.
    version = models.PositiveIntegerField(default=1)

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    processing_since = models.DateTimeField(null=True, blank=True)
    ocr_attempts = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    # What the user must do next when the images could not be read: {"code", "sides", "message_zh", "message_en"}.
    input_request = models.JSONField(default=dict, blank=True)
    # Keyed hash of the normalised ID number (never the number itself) for duplicate lookups.
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # Hash of the newest audit event: lets audit_verify notice events cut off the end of the chain.
    audit_head = models.CharField(max_length=64, blank=True, default="")

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason_codes = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(blank=True, default="")
    resubmission_sides = models.JSONField(default=list, blank=True)
    resubmission_reason = models.TextField(blank=True, default="")  # shown to the user
    resubmission_requested_at = models.DateTimeField(null=True, blank=True)

    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created",)
        permissions = (
            ("review_verification", "Can claim and decide verifications"),
            ("view_personal_data", "Can view unmasked personal data and card images"),
        )
        indexes = (
            models.Index(fields=["partner_id", "external_ref"]),
            models.Index(fields=["state", "submitted_at"]),
        )

    def __str__(self) -> str:
        return f"Verification {self.public_id} ({self.state})"

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES


class CardImage(models.Model):
    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, related_name="images")
    side = models.CharField(max_length=5, choices=Side.choices)
    file = models.FileField(upload_to=private_image_key, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=32)  # sniffed from the bytes, never from the client
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)  # replaced by a newer upload of the side
    purged_at = models.DateTimeField(null=True, blank=True)  # file deleted by retention; row and hash kept

    class Meta:
        ordering = ("verification_id", "side", "-created")
        constraints = (
            models.UniqueConstraint(
                fields=["verification", "side"],
                condition=models.Q(superseded_at__isnull=True),
                name="kyc_one_current_image_per_side",
            ),
        )

    def __str__(self) -> str:
        return f"{self.side} image of {self.verification_id} ({self.sha256[:12]})"


class OcrRead(models.Model):
    """One backend call for one image: what came back (encrypted) or the error code."""

    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, related_name="ocr_reads")
    image = models.ForeignKey(CardImage, on_delete=models.PROTECT, related_name="ocr_reads")
    backend = models.CharField(max_length=16)
    request_id = models.CharField(max_length=64, blank=True, default="")
    ms = models.PositiveIntegerField(default=0)
    detected_side = models.CharField(max_length=5, choices=Side.choices, blank=True, default="")
    # The contract Response as JSON, with AdvancedInfo's Base64 crops removed (they are the files below).
    response_json = EncryptedTextField(blank=True, default="")
    error_code = models.CharField(max_length=64, blank=True, default="")
    warnings = models.JSONField(default=list, blank=True)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    card_crop = models.FileField(upload_to=private_image_key, max_length=255, blank=True)
    portrait_crop = models.FileField(upload_to=private_image_key, max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("verification_id", "-created")

    def __str__(self) -> str:
        return f"OCR {self.backend} {self.request_id or self.error_code}"

    @property
    def response(self) -> dict[str, Any]:
        return json.loads(self.response_json) if self.response_json else {}


class FieldValue(models.Model):
    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, related_name="field_values")
    name = models.CharField(max_length=16, choices=FieldName.choices)
    ocr_value = EncryptedTextField(blank=True, default="")
    user_value = EncryptedTextField(blank=True, default="")
    confidence = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=4, choices=ValueSource.choices, default=ValueSource.OCR)
    changed = models.BooleanField(default=False)  # the user's value differs from the OCR value
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("verification_id", "id")
        constraints = (
            models.UniqueConstraint(fields=["verification", "name"], name="kyc_one_value_per_field"),
        )

    def __str__(self) -> str:
        return f"{self.name} of {self.verification_id}"

    @property
    def value(self) -> str:
        """The value that counts: the user's once submitted, else what OCR read."""
        return str(self.user_value if self.source == ValueSource.USER else self.ocr_value)


class Finding(models.Model):
    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, related_name="findings")
    code = models.CharField(max_length=64, db_index=True)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    message_zh = models.TextField()
    message_en = models.TextField()
    field = models.CharField(max_length=16, choices=FieldName.choices, blank=True, default="")
    side = models.CharField(max_length=5, choices=Side.choices, blank=True, default="")
    source = models.CharField(max_length=16, choices=FindingSource.choices)
    warn_code = models.IntegerField(null=True, blank=True)  # the OCR WarnInfos code, for ocr_warning
    created = models.DateTimeField(auto_now_add=True)
    # A later OCR run or submission replaced this finding; kept for the record.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("verification_id", "id")

    def __str__(self) -> str:
        return f"{self.code} ({self.severity})"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One thing that happened to a verification; each event carries the SHA-256 of the one before."""

    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, related_name="audit_events")
    seq = models.PositiveIntegerField()
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64, blank=True, default="")
    actor_label = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=64)
    before = models.JSONField(default=dict, blank=True)  # masked values only
    after = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField()  # set before hashing, so the hash covers it
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("verification_id", "seq")
        constraints = (models.UniqueConstraint(fields=["verification", "seq"], name="kyc_audit_seq_unique"),)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_type}:{self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")
