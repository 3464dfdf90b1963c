"""Celery tasks of the partners app (routed to the `webhooks` queue)."""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from onboarding.partners import webhooks
from onboarding.partners.models import DeliveryStatus
from onboarding.partners.services import idempotency_purge_expired

# A retry due sooner than this is queued with a countdown right away; later ones wait for the
# beat sweep (long countdowns outlive a Redis broker's visibility timeout and get redelivered).
_QUEUE_AHEAD_SECONDS = 300


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # celery ships no type hints
def deliver_webhook(delivery_id: str) -> None:
    """One attempt of one delivery; a failure schedules the next attempt."""
    delivery = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at is None:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # no broker: an eager countdown would retry at once; the sweep sends it when due
    delay = (delivery.next_attempt_at - timezone.now()).total_seconds()
    if delay <= _QUEUE_AHEAD_SECONDS:
        deliver_webhook.apply_async(args=[delivery_id], countdown=max(0.0, delay))


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # celery ships no type hints
def deliver_due_webhooks() -> int:
    """Send every delivery whose next attempt is due (beat, every 30 s); also purge old idempotency keys."""
    # Stay well inside the task's soft time limit: what is left is due again at the next run.
    budget = max(5.0, settings.CELERY_TASK_SOFT_TIME_LIMIT - 2 * settings.PARTNER_WEBHOOK_TIMEOUT_SECONDS - 5)
    started = time.monotonic()
    attempted = 0
    for delivery_id in webhooks.webhook_deliveries_due():
        if time.monotonic() - started > budget:
            break
        webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
        attempted += 1
    idempotency_purge_expired()
    return attempted
