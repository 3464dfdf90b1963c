"""Read-only admin: superusers may look, nobody may add, change or delete anything here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onboarding.kyc.models import AuditEvent, CardImage, FieldValue, Finding, OcrRead, Verification
from onboarding.kyc.selectors import mask_field


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}  # not even the bulk "delete selected"


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "state", "user", "partner_id", "created", "submitted_at", "decided_at")
    list_filter = ("state",)
    search_fields = ("public_id", "external_ref")
    exclude = ("id_number_hash",)


@admin.register(CardImage)
class CardImageAdmin(ReadOnlyAdmin):
    list_display = (
        "verification",
        "side",
        "sha256",
        "size",
        "content_type",
        "created",
        "superseded_at",
        "purged_at",
    )
    exclude = ("file",)  # images are served by the kyc view, with its permission check and audit


@admin.register(OcrRead)
class OcrReadAdmin(ReadOnlyAdmin):
    list_display = ("verification", "backend", "request_id", "ms", "detected_side", "error_code", "created")
    exclude = ("response_json", "card_crop", "portrait_crop")


@admin.register(FieldValue)
class FieldValueAdmin(ReadOnlyAdmin):
    list_display = ("verification", "name", "masked_ocr_value", "masked_user_value", "confidence", "changed")
    fields = (
        "verification",
        "name",
        "masked_ocr_value",
        "masked_user_value",
        "confidence",
        "source",
        "changed",
    )
    readonly_fields = fields

    @admin.display(description="OCR value")
    def masked_ocr_value(self, obj: FieldValue) -> str:
        return mask_field(obj.name, obj.ocr_value)

    @admin.display(description="user value")
    def masked_user_value(self, obj: FieldValue) -> str:
        return mask_field(obj.name, obj.user_value)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("verification", "code", "severity", "source", "field", "side", "created", "superseded_at")
    list_filter = ("severity", "source", "code")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("verification", "seq", "created", "actor_type", "actor_label", "action", "hash")
    list_filter = ("actor_type", "action")
