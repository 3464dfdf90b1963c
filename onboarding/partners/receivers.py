"""kyc's verification events, turned into partner webhooks (connected in PartnersConfig.ready)."""

from __future__ import annotations

from typing import Any

from onboarding.partners.verifications import notify_verification_event


def on_verification_event(sender: Any, *, event: str, verification_id: int, **kwargs: Any) -> None:
    """Receiver of onboarding.kyc.signals.verification_event (sent after commit)."""
    notify_verification_event(verification_id=verification_id, event=event)
