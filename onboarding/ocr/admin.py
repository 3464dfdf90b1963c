"""Admin for OCR API credentials: the SecretKey is shown once, in the message after creation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from onboarding.ocr.models import ApiCredential
from onboarding.ocr.services import generate_secret_id, generate_secret_key


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "secret_id", "is_active", "created_at", "last_used_at", "revoked_at")
    list_filter = ("is_active",)
    search_fields = ("name", "secret_id")
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiCredential | None = None) -> Any:
        if obj is None:
            return ["name"]
        return ["name", "secret_id", "is_active", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiCredential | None = None) -> list[str]:
        if obj is None:
            return []
        return ["secret_id", "is_active", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: ApiCredential, form: Any, change: bool) -> None:
        if not change:
            secret_key = generate_secret_key()
            obj.secret_id = generate_secret_id()
            obj.secret_key = secret_key
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                f"SecretId {obj.secret_id} SecretKey {secret_key} — copy the SecretKey now, it is not shown again.",
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected credentials")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiCredential]) -> None:
        count = queryset.filter(is_active=True).update(is_active=False, revoked_at=timezone.now())
        self.message_user(request, f"{count} credential(s) revoked.")
