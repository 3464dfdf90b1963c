"""Reads of the partners app."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from onboarding.partners.lib.keys import hash_api_key, key_prefix
from onboarding.partners.models import ApiKey, Partner, WebhookDelivery, WebhookEndpoint


def as_uuid(value: object) -> uuid.UUID | None:
    """value as a UUID, or None when it is not one (so lookups by a malformed id are a plain miss)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def api_key_for_secret(*, key: str) -> ApiKey | None:
    """The active key (of an active partner) matching a presented secret, else None."""
    if not key_prefix(key):
        return None
    return (
        ApiKey.objects.select_related("partner")
        .filter(key_hash=hash_api_key(key), revoked_at__isnull=True, partner__is_active=True)
        .first()
    )


def webhook_endpoint_list(*, partner: Partner) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(partner=partner).order_by("-created_at")


def webhook_endpoint_get(*, partner: Partner, endpoint_id: str) -> WebhookEndpoint | None:
    pk = as_uuid(endpoint_id)
    return None if pk is None else WebhookEndpoint.objects.filter(partner=partner, pk=pk).first()


def webhook_delivery_list(
    *, partner: Partner, endpoint: WebhookEndpoint | None = None, status: str = "", verification_id: str = ""
) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(partner=partner).select_related("endpoint")
    if endpoint is not None:
        qs = qs.filter(endpoint=endpoint)
    if status:
        qs = qs.filter(status=status)
    if verification_id:
        qs = qs.filter(verification_id=verification_id)
    return qs.order_by("-created_at")


def webhook_delivery_get(*, partner: Partner, delivery_id: str) -> WebhookDelivery | None:
    pk = as_uuid(delivery_id)
    if pk is None:
        return None
    return WebhookDelivery.objects.filter(partner=partner, pk=pk).select_related("endpoint").first()
