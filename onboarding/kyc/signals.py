"""Events other apps may listen to, sent after the transaction commits.

kyc never imports a front door; a front door that must react (the partner API's webhooks) connects a
receiver in its AppConfig.ready()::

    verification_event.connect(on_verification_event)  # def on_verification_event(sender, *, event, verification_id, public_id, state, **kwargs)

Events: "verification.completed" (OCR finished: the case is in needs_input, the form may or may not be
ready) and "verification.decided" (auto_approved, approved or rejected). A failing receiver is logged
and never breaks the kyc flow.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

from onboarding.kyc.models import State, Verification

logger = logging.getLogger(__name__)

VERIFICATION_COMPLETED = "verification.completed"
VERIFICATION_DECIDED = "verification.decided"
DECIDED_STATES = frozenset({State.AUTO_APPROVED, State.APPROVED, State.REJECTED})

verification_event = Signal()


def event_for_transition(from_state: str, to_state: str) -> str | None:
    if from_state == State.PROCESSING and to_state == State.NEEDS_INPUT:
        return VERIFICATION_COMPLETED
    if to_state in DECIDED_STATES:
        return VERIFICATION_DECIDED
    return None


def send_after_commit(*, verification: Verification, event: str) -> None:
    verification_id, public_id, state = verification.pk, str(verification.public_id), str(verification.state)
    form_ready = state == State.NEEDS_INPUT and not verification.input_request

    def send() -> None:
        responses = verification_event.send_robust(
            sender=Verification,
            event=event,
            verification_id=verification_id,
            public_id=public_id,
            state=state,
            form_ready=form_ready,
        )
        for receiver, response in responses:
            if isinstance(response, Exception):
                logger.error(
                    "receiver %r of %s for verification %s failed",
                    receiver,
                    event,
                    public_id,
                    exc_info=(type(response), response, response.__traceback__),
                )

    transaction.on_commit(send)
