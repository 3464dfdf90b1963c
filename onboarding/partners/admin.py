"""Staff views of partners, keys, webhook endpoints and every delivery attempt (with replay)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from onboarding.partners import services, webhooks
from onboarding.partners.models import (
    ApiKey,
    Partner,
    PartnerVerification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class ApiKeyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApiKey
    extra = 0
    fields = ("prefix", "name", "scopes", "rate_limit_per_second", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return False  # keys are made by `manage.py partners_create_key`, which shows the key once


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "id", "is_active", "contact_email", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_email", "id")
    readonly_fields = ("id", "created_at")
    inlines = (ApiKeyInline,)


@admin.action(description="Revoke the selected keys")
def revoke_keys(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
    for api_key in queryset:
        services.api_key_revoke(api_key=api_key)
    messages.success(request, f"Revoked {queryset.count()} key(s).")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "partner", "name", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = ("partner", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "partner__name")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    actions = (revoke_keys,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("url", "partner", "events", "is_active", "created_at")
    list_filter = ("is_active", "partner")
    search_fields = ("url", "partner__name")
    exclude = ("secret",)
    readonly_fields = ("id", "created_at", "updated_at")


class WebhookAttemptInline(admin.TabularInline):  # type: ignore[type-arg]
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "at", "status_code", "error", "duration_ms", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.action(description="Replay the selected deliveries (same event id, new delivery)")
def replay_deliveries(modeladmin: Any, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
    count = 0
    for delivery in queryset.select_related("endpoint"):
        webhooks.webhook_delivery_replay(delivery=delivery)
        count += 1
    messages.success(request, f"Queued {count} replay(s).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created_at",
        "event_type",
        "partner",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "event_type", "partner")
    search_fields = ("event_id", "verification_id", "endpoint__url")
    readonly_fields = tuple(f.name for f in WebhookDelivery._meta.fields)
    inlines = (WebhookAttemptInline,)
    actions = (replay_deliveries,)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.register(PartnerVerification)
class PartnerVerificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("verification_public_id", "partner", "created_at", "submitted_automatically_at")
    list_filter = ("partner",)
    search_fields = ("verification_public_id",)
    exclude = ("claims_json",)
    readonly_fields = (
        "partner",
        "verification_public_id",
        "api_key",
        "submit_errors",
        "submitted_automatically_at",
        "created_at",
    )
