"""Webhook services: endpoints, events, signed delivery with retries, replay.

Retries are scheduled in the database (WebhookDelivery.next_attempt_at), not as long Celery countdowns:
a broker such as Redis redelivers ETA tasks older than its visibility timeout, and a schedule in the
database survives a lost message. The `deliver_due_webhooks` beat task sends what is due.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import socket
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.core.exceptions import ApplicationError
from onboarding.partners.lib.keys import generate_webhook_secret
from onboarding.partners.lib.signing import SIGNATURE_HEADER, signature_header
from onboarding.partners.models import (
    DeliveryStatus,
    Partner,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
USER_AGENT = "idcard-onboarding-webhooks/1"


def _validate_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ApplicationError("The webhook URL needs a host.", code="invalid_webhook_url")
    if parts.scheme == "http" and host in _LOOPBACK_HOSTS and settings.PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return url
    if parts.scheme != "https":
        raise ApplicationError("Webhook URLs must use https://.", code="invalid_webhook_url")
    if parts.username or parts.password:
        raise ApplicationError("Webhook URLs must not carry credentials.", code="invalid_webhook_url")
    # Keep partners from pointing our sender at our own network by IP literal.
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if host == "localhost" or (address is not None and not address.is_global):
        raise ApplicationError("Webhook URLs must point to a public host.", code="invalid_webhook_url")
    return url


def _validate_events(events: list[str] | None) -> list[str]:
    chosen = list(WebhookEvent.values) if not events else list(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise ApplicationError(f"Unknown events: {', '.join(unknown)}.", code="invalid_webhook_events")
    return chosen


def webhook_endpoint_create(
    *, partner: Partner, url: str, events: list[str] | None = None, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned once; the partner stores it)."""
    secret = generate_webhook_secret()
    endpoint = WebhookEndpoint.objects.create(
        partner=partner,
        url=_validate_url(url),
        events=_validate_events(events),
        description=description,
        secret=secret,
    )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    if url is not None:
        endpoint.url = _validate_url(url)
    if events is not None:
        endpoint.events = _validate_events(events)
    if description is not None:
        endpoint.description = description
    if is_active is not None:
        endpoint.is_active = is_active
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Replace the signing secret; the new one is returned once."""
    secret = generate_webhook_secret()
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "updated_at"])
    return secret


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Events


def event_body(*, event_id: uuid.UUID, event: str, created: datetime, data: dict[str, object]) -> str:
    """The JSON text of an event, as signed and sent."""
    return json.dumps(
        {"id": str(event_id), "type": event, "created": created.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def webhook_event_emit(
    *, partner_id: uuid.UUID | str, event: str, verification_id: str, data: dict[str, object]
) -> list[WebhookDelivery]:
    """Queue one delivery of a new event to each active endpoint of the partner that subscribed to it."""
    if event not in WebhookEvent.values:
        raise ApplicationError(f"Unknown event {event!r}.", code="invalid_webhook_events")
    now = timezone.now()
    event_id = uuid.uuid4()
    body = event_body(event_id=event_id, event=event, created=now, data=data)
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(partner_id=partner_id, is_active=True):
        if event not in endpoint.events:
            continue
        deliveries.append(
            WebhookDelivery.objects.create(
                partner_id=endpoint.partner_id,
                endpoint=endpoint,
                event_id=event_id,
                event_type=event,
                verification_id=verification_id,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
        )
    for delivery in deliveries:
        _enqueue(delivery_id=delivery.pk)
    return deliveries


def _enqueue(*, delivery_id: uuid.UUID, countdown: float = 0) -> None:
    from onboarding.partners.tasks import deliver_webhook

    # After commit: the worker must find the row.
    transaction.on_commit(lambda: deliver_webhook.apply_async(args=[str(delivery_id)], countdown=countdown))


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again (same event id and body) as a new delivery with its own log."""
    now = timezone.now()
    replay = WebhookDelivery.objects.create(
        partner_id=delivery.partner_id,
        endpoint=delivery.endpoint,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        verification_id=delivery.verification_id,
        body=delivery.body,
        next_attempt_at=now,
        replay_of=delivery,
        created_at=now,
    )
    _enqueue(delivery_id=replay.pk)
    return replay


# --- Sending


def retry_delay_seconds(*, attempts: int) -> float:
    """Exponential backoff after the n-th failed attempt, capped, with up to 10% jitter."""
    base: float = settings.PARTNER_WEBHOOK_RETRY_BASE_SECONDS
    cap: float = settings.PARTNER_WEBHOOK_RETRY_MAX_SECONDS
    delay: float = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * (1 + random.random() / 10)  # noqa: S311 (jitter, not security)


def _private_target(url: str) -> str:
    """Why url must not be called ('' when it may): a name that resolves into our own network is refused."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if settings.PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK and host in _LOOPBACK_HOSTS:
        return ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve {host}: {exc}"[:500]
    for info in infos:
        if not ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_global:
            return f"refused: {host} resolves to a non-public address"
    return ""


def _post(*, url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    # The one place that sends webhooks; no redirects (a redirect could point anywhere).
    return requests.post(
        url,
        data=body,
        headers=headers,
        timeout=settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS,
        allow_redirects=False,
    )


def webhook_delivery_attempt(
    *, delivery_id: uuid.UUID | str, now: datetime | None = None
) -> WebhookDelivery | None:
    """Make one attempt if the delivery is pending and due; log it and schedule the next on failure.

    Returns the delivery (None when it no longer exists). Safe to call twice for the same due attempt:
    the row is locked and re-checked, so only one caller sends.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        if delivery.status != DeliveryStatus.PENDING or (
            delivery.next_attempt_at is not None and delivery.next_attempt_at > now
        ):
            return delivery
        # Claim this attempt before sending, so a concurrent caller sees it as not due.
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + timedelta(seconds=settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS + 60)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])

    endpoint = delivery.endpoint
    body = delivery.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret=endpoint.secret, body=body),
        "X-Webhook-Id": str(delivery.event_id),
        "X-Webhook-Event": delivery.event_type,
        "X-Webhook-Delivery": str(delivery.pk),
        "X-Webhook-Attempt": str(delivery.attempts),
    }
    status_code: int | None = None
    error = ""
    excerpt = ""
    started = time.monotonic()
    if not endpoint.is_active:
        error = "endpoint disabled"
    elif refused := _private_target(endpoint.url):
        error = refused
    else:
        try:
            response = _post(url=endpoint.url, body=body, headers=headers)
            status_code = response.status_code
            excerpt = response.text[:500]
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except requests.Timeout:
            error = f"timeout after {settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS:g} s"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    duration_ms = int((time.monotonic() - started) * 1000)

    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=now,
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
        response_excerpt=excerpt,
    )
    delivery.last_status_code = status_code
    delivery.last_error = error
    if not error:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    else:
        next_at = now + timedelta(seconds=retry_delay_seconds(attempts=delivery.attempts))
        give_up_at = delivery.created_at + timedelta(hours=settings.PARTNER_WEBHOOK_GIVE_UP_HOURS)
        if next_at > give_up_at:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = next_at
        logger.info("webhook %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    delivery.save(
        update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error"]
    )
    return delivery


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 200) -> list[uuid.UUID]:
    """Ids of pending deliveries whose next attempt is due."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
