"""The audit trail: who did what to a verification, as a hash chain per verification.

Each event's ``hash`` is SHA-256 over the canonical JSON of the event (sorted keys, no spaces, UTF-8)
including ``prev_hash``, the hash of the event before it (64 zeros for the first). Changing, removing
or reordering any stored event breaks every later link, which ``audit_verify`` reports.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from onboarding.kyc.models import ActorType, AuditEvent, Verification

if TYPE_CHECKING:
    from django.http import HttpRequest

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the audit trail records it. ``user`` is the Django user when there is one."""

    type: ActorType
    id: str = ""
    label: str = ""
    ip: str | None = None
    request_id: str = ""
    user: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def system(cls, label: str = "system", *, request_id: str = "") -> Actor:
        return cls(type=ActorType.SYSTEM, id="", label=label, request_id=request_id or uuid.uuid4().hex)

    @classmethod
    def for_user(
        cls, user: Any, *, type: ActorType = ActorType.USER, ip: str | None = None, request_id: str = ""
    ) -> Actor:
        return cls(
            type=type,
            id=str(user.pk),
            label=user.get_username(),
            ip=ip,
            request_id=request_id or uuid.uuid4().hex,
            user=user,
        )

    @classmethod
    def from_request(cls, request: HttpRequest, *, type: ActorType = ActorType.USER) -> Actor:
        """The signed-in user of ``request`` (with its IP and X-Request-ID, or a fresh request id)."""
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        # REMOTE_ADDR only: a forwarded-for header is client-controlled unless a trusted proxy rewrites it.
        ip = request.META.get("REMOTE_ADDR") or None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return cls(type=type, ip=ip, request_id=request_id)
        return cls.for_user(user, type=type, ip=ip, request_id=request_id)

    @classmethod
    def partner(cls, *, partner_id: str, label: str, ip: str | None = None, request_id: str = "") -> Actor:
        return cls(
            type=ActorType.PARTNER,
            id=str(partner_id),
            label=label,
            ip=ip,
            request_id=request_id or uuid.uuid4().hex,
        )


def _plain_json(value: Mapping[str, Any] | None) -> dict[str, Any]:
    # Stored exactly as hashed: whatever the JSON column gives back must hash the same.
    plain: dict[str, Any] = json.loads(json.dumps(dict(value or {}), default=str, ensure_ascii=False))
    return plain


def _utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def event_payload(event: AuditEvent, *, verification_public_id: str) -> dict[str, Any]:
    """The fields the hash covers, in JSON types."""
    return {
        "verification": verification_public_id,
        "seq": event.seq,
        "actor_type": str(event.actor_type),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "created": _utc_iso(event.created),
        "ip": event.ip,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }


def event_hash(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def audit_record(
    *,
    verification: Verification,
    actor: Actor,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the verification's chain. Callers pass masked values only."""
    with transaction.atomic():
        # Lock the case row so two writers cannot take the same seq (no-op on SQLite, which serialises).
        Verification.objects.select_for_update().filter(pk=verification.pk).values_list("pk").first()
        last = AuditEvent.objects.filter(verification=verification).order_by("-seq").first()
        event = AuditEvent(
            verification=verification,
            seq=(last.seq + 1) if last else 1,
            actor_type=actor.type,
            actor_id=actor.id[:64],
            actor_label=actor.label[:150],
            action=action,
            before=_plain_json(before),
            after=_plain_json(after),
            created=timezone.now(),
            ip=actor.ip,
            request_id=actor.request_id[:64],
            prev_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event_hash(event_payload(event, verification_public_id=str(verification.public_id)))
        event.save()
        Verification.objects.filter(pk=verification.pk).update(audit_head=event.hash)
    verification.audit_head = event.hash
    return event


@dataclass(frozen=True)
class ChainBreak:
    verification_public_id: str
    seq: int
    problem: str


def audit_verify_chain(*, verification: Verification) -> list[ChainBreak]:
    """Every break in one verification's chain: a wrong hash, a wrong link or a gap in seq."""
    events: Iterable[AuditEvent] = AuditEvent.objects.filter(verification=verification).order_by("seq")
    breaks = _check_events(events, public_id=str(verification.public_id))
    last = AuditEvent.objects.filter(verification=verification).order_by("-seq").first()
    head = Verification.objects.filter(pk=verification.pk).values_list("audit_head", flat=True).first()
    if (last.hash if last else "") != (head or ""):
        breaks.append(
            ChainBreak(
                str(verification.public_id),
                last.seq if last else 0,
                "the chain does not end at the recorded head",
            )
        )
    return breaks


def _check_events(events: Iterable[AuditEvent], *, public_id: str) -> list[ChainBreak]:
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            breaks.append(ChainBreak(public_id, event.seq, f"expected seq {expected_seq}"))
        if event.prev_hash != expected_prev:
            breaks.append(ChainBreak(public_id, event.seq, "prev_hash does not match the event before"))
        if event_hash(event_payload(event, verification_public_id=public_id)) != event.hash:
            breaks.append(ChainBreak(public_id, event.seq, "hash does not match the event's content"))
        expected_prev = event.hash
        expected_seq = event.seq + 1
    return breaks
