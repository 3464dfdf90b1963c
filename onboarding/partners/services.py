"""Writes of the partners app: partners, API keys, idempotency records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onboarding.core.exceptions import ApplicationError
from onboarding.partners.lib.keys import generate_api_key, hash_api_key
from onboarding.partners.models import DEFAULT_SCOPES, ApiKey, IdempotencyRecord, Partner, Scope

# last_used_at is written at most this often per key, so reads stay cheap under load.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def partner_create(*, name: str, contact_email: str = "") -> Partner:
    """A new, active partner."""
    name = name.strip()
    if not name:
        raise ApplicationError("A partner needs a name.", code="invalid")
    if Partner.objects.filter(name=name).exists():
        raise ApplicationError(f"A partner named {name!r} exists already.", code="conflict")
    return Partner.objects.create(name=name, contact_email=contact_email)


def api_key_create(
    *,
    partner: Partner,
    name: str = "",
    scopes: list[str] | None = None,
    rate_limit_per_second: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key for partner: (the stored row, the full key). The full key is never stored or shown again."""
    chosen = list(DEFAULT_SCOPES if scopes is None else scopes)
    unknown = sorted(set(chosen) - set(Scope.values))
    if unknown:
        raise ApplicationError(f"Unknown scopes: {', '.join(unknown)}.", code="invalid")
    key, prefix = generate_api_key()
    api_key = ApiKey.objects.create(
        partner=partner,
        name=name,
        prefix=prefix,
        key_hash=hash_api_key(key),
        scopes=sorted(set(chosen)),
        rate_limit_per_second=rate_limit_per_second,
    )
    return api_key, key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once; idempotent."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_mark_used(*, api_key: ApiKey, now: datetime | None = None) -> None:
    """Record that a key was used (coarse: at most once a minute per key)."""
    now = now or timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


# --- Idempotency-Key


def request_fingerprint(*, operation: str, data: dict[str, object]) -> str:
    """SHA-256 of an operation name and a JSON-able description of the request's content."""
    canonical = json.dumps({"op": operation, "data": data}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    response: object


def idempotency_claim(
    *, partner: Partner, key: str, fingerprint: str, now: datetime | None = None
) -> IdempotencyRecord | StoredAnswer:
    """Claim an Idempotency-Key for a new request, or give back the first answer given under it.

    Raises ApplicationError "idempotency_conflict" when the key was used with a different request,
    and "idempotency_in_progress" while the first request with that key is still running.
    """
    now = now or timezone.now()
    if not key or len(key) > 255:
        raise ApplicationError("Idempotency-Key must be 1 to 255 characters.", code="invalid_idempotency_key")
    ttl = timedelta(hours=settings.PARTNER_IDEMPOTENCY_TTL_HOURS)
    for _ in range(2):
        try:
            # Its own transaction: the claim must be visible to a concurrent retry at once.
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    partner=partner, key=key, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
            if existing is None:
                continue  # deleted in between (expired): try again
            if existing.created_at < now - ttl:
                existing.delete()
                continue
            if existing.fingerprint != fingerprint:
                raise ApplicationError(
                    "This Idempotency-Key was used with a different request.", code="idempotency_conflict"
                ) from None
            if existing.status_code is None:
                raise ApplicationError(
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    code="idempotency_in_progress",
                ) from None
            return StoredAnswer(status_code=existing.status_code, response=existing.response)
    raise ApplicationError("Could not claim the Idempotency-Key; retry.", code="idempotency_in_progress")


def idempotency_complete(*, record: IdempotencyRecord, status_code: int, response: object) -> None:
    """Store the answer that retries with the same key will get."""
    record.status_code = status_code
    record.response = response
    record.save(update_fields=["status_code", "response"])


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed, so the client may retry with the same key."""
    record.delete()


@dataclass(frozen=True)
class IdempotentResult:
    status_code: int
    response: Any
    replayed: bool


def idempotent_call(
    *,
    partner: Partner,
    key: str | None,
    operation: str,
    content: dict[str, object],
    run: Callable[[], tuple[int, Any]],
) -> IdempotentResult:
    """Run a write once per Idempotency-Key: a retry with the same content gets the first answer back.

    ``content`` describes the request's meaning (use digests for files); ``run`` does the work and
    returns (status, JSON-able body). Without a key, ``run`` simply runs. A failing ``run`` frees the key.
    """
    if key is None:
        status_code, response = run()
        return IdempotentResult(status_code=status_code, response=response, replayed=False)
    claimed = idempotency_claim(
        partner=partner, key=key, fingerprint=request_fingerprint(operation=operation, data=content)
    )
    if isinstance(claimed, StoredAnswer):
        return IdempotentResult(status_code=claimed.status_code, response=claimed.response, replayed=True)
    try:
        status_code, response = run()
    except BaseException:
        idempotency_release(record=claimed)
        raise
    idempotency_complete(record=claimed, status_code=status_code, response=response)
    return IdempotentResult(status_code=status_code, response=response, replayed=False)


def idempotency_purge_expired(*, now: datetime | None = None) -> int:
    """Delete records older than PARTNER_IDEMPOTENCY_TTL_HOURS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PARTNER_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def notify_verification_event(*, verification_id: object, event: str) -> list[Any]:
    """The hook for kyc: call after commit with "verification.completed" (OCR finished) or
    "verification.decided" (auto-approved, approved or rejected). See partners.verifications."""
    from onboarding.partners.verifications import notify_verification_event as notify

    return notify(verification_id=verification_id, event=event)  # type: ignore[arg-type]
