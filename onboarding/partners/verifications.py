"""The partner front door to kyc: open a case from an API request, and react to kyc's events.

Everything that changes a verification goes through onboarding.kyc.services; this module only adds the
partner's own record (PartnerVerification) and the webhooks.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc import services as kyc
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import State, Verification
from onboarding.partners.models import ApiKey, Partner, PartnerVerification, WebhookDelivery, WebhookEvent
from onboarding.partners.webhooks import webhook_event_emit

logger = logging.getLogger(__name__)

DECIDED_STATES = frozenset({State.AUTO_APPROVED, State.APPROVED, State.REJECTED})
# While a partner's case is being submitted automatically, kyc's "decided" event (auto-approval) is held
# here and sent after "completed", so the partner hears them in the order they happened.
_held_decisions: ContextVar[list[int | str | uuid.UUID] | None] = ContextVar("held_decisions", default=None)


@dataclass(frozen=True)
class CardPhoto:
    content: bytes
    filename: str


def partner_verification_create(
    *,
    partner: Partner,
    api_key: ApiKey | None,
    front: CardPhoto,
    back: CardPhoto,
    external_ref: str = "",
    claims: dict[str, str] | None = None,
    actor: Actor,
) -> Verification:
    """Open a case with both photos and queue the OCR (runs after commit). All or nothing."""
    with transaction.atomic():
        verification = kyc.verification_start(partner_id=partner.pk, external_ref=external_ref, actor=actor)
        kyc.verification_attach_image(
            verification=verification,
            side="FRONT",
            content=front.content,
            filename=front.filename,
            actor=actor,
        )
        kyc.verification_attach_image(
            verification=verification, side="BACK", content=back.content, filename=back.filename, actor=actor
        )
        PartnerVerification.objects.create(
            partner=partner,
            verification_public_id=verification.public_id,
            api_key=api_key,
            claims_json=json.dumps({k: v for k, v in (claims or {}).items() if v}, ensure_ascii=False),
        )
        kyc.verification_request_ocr(verification=verification, actor=actor)
    return verification


def partner_record_pii_access(*, verification: Verification, actor: Actor) -> None:
    """Audit that a partner key read the case's personal data unmasked."""
    kyc.verification_record_pii_access(
        verification=verification, actor=actor, fields=["Name", "IdNum", "Birth", "Address"]
    )


def _find(verification_id: int | str | uuid.UUID) -> Verification | None:
    if isinstance(verification_id, int):
        return Verification.objects.filter(pk=verification_id).first()
    try:
        public_id = uuid.UUID(str(verification_id))
    except ValueError:
        return (
            Verification.objects.filter(pk=int(verification_id)).first()
            if str(verification_id).isdigit()
            else None
        )
    return Verification.objects.filter(public_id=public_id).first()


def _auto_submit(verification: Verification, *, partner_id: uuid.UUID) -> Verification:
    """A partner's case has no person to confirm the read fields: submit them, with the partner's claims.

    A claim that differs from what OCR read counts as an edit of that field, which kyc sends to review.
    """
    record = PartnerVerification.objects.filter(verification_public_id=verification.public_id).first()
    if record is None or verification.state != State.NEEDS_INPUT or verification.input_request:
        return verification
    partner = Partner.objects.filter(pk=partner_id).first()
    actor = Actor.partner(partner_id=str(partner_id), label=partner.name if partner else "partner")
    try:
        verification = kyc.verification_submit(verification=verification, fields=record.claims, actor=actor)
        record.submit_errors = []
    except kyc.FieldValidationError as exc:
        record.submit_errors = [
            {"code": f.code, "field": f.field or "", "message": f.message_en, "message_zh": f.message_zh}
            for f in exc.findings
        ]
    except ApplicationError as exc:
        record.submit_errors = [{"code": exc.code, "field": "", "message": exc.message, "message_zh": ""}]
    record.submitted_automatically_at = timezone.now()
    record.save(update_fields=["submit_errors", "submitted_automatically_at"])
    return Verification.objects.get(pk=verification.pk)


def event_data(verification: Verification) -> dict[str, object]:
    """What a webhook says about a case: no personal data (fetch the case for that)."""
    return {
        "verification": {
            "id": str(verification.public_id),
            "state": verification.state,
            "external_ref": verification.external_ref,
            "decision": decision_summary(verification),
        }
    }


def decision_summary(verification: Verification) -> dict[str, Any] | None:
    if verification.state not in DECIDED_STATES:
        return None
    return {
        "outcome": "rejected" if verification.state == State.REJECTED else "approved",
        "automatic": verification.state == State.AUTO_APPROVED,
        "decided_at": verification.decided_at.isoformat() if verification.decided_at else None,
        "reason_codes": list(verification.reason_codes or []),
    }


def notify_verification_event(*, verification_id: int | str | uuid.UUID, event: str) -> list[WebhookDelivery]:
    """The hook kyc calls after commit: "verification.completed" when OCR has finished (the case is in
    needs_input), "verification.decided" when it was auto-approved, approved or rejected.

    For a partner's case, "completed" first submits the read fields (with the partner's claims) through
    kyc.verification_submit, then tells the partner the resulting state. Cases of end users are ignored.
    Returns the queued webhook deliveries.
    """
    if event not in WebhookEvent.values:
        raise ApplicationError(f"Unknown event {event!r}.", code="invalid_webhook_events")
    verification = _find(verification_id)
    if verification is None or verification.partner_id is None:
        return []
    partner_id = verification.partner_id  # kept: re-reading the case below loses the narrowing
    if event == WebhookEvent.VERIFICATION_COMPLETED:
        verification = _auto_submit(verification, partner_id=partner_id)
    elif verification.state not in DECIDED_STATES:
        logger.warning(
            "verification.decided for %s in state %s: not sent", verification.public_id, verification.state
        )
        return []
    return webhook_event_emit(
        partner_id=partner_id,
        event=event,
        verification_id=str(verification.public_id),
        data=event_data(verification),
    )
