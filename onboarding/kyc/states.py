"""The one table of legal state changes of a verification (services._transition enforces it)."""

from __future__ import annotations

from onboarding.kyc.models import State

TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.PROCESSING, State.EXPIRED}),
    # OCR always ends in needs_input: with the form ready, or with a request to re-upload.
    State.PROCESSING: frozenset({State.NEEDS_INPUT}),
    State.NEEDS_INPUT: frozenset({State.PROCESSING, State.SUBMITTED, State.EXPIRED}),
    State.SUBMITTED: frozenset({State.AUTO_APPROVED, State.IN_REVIEW}),
    State.IN_REVIEW: frozenset({State.APPROVED, State.REJECTED, State.RESUBMISSION_REQUESTED}),
    State.RESUBMISSION_REQUESTED: frozenset({State.PROCESSING, State.EXPIRED}),
    State.AUTO_APPROVED: frozenset(),
    State.APPROVED: frozenset(),
    State.REJECTED: frozenset(),
    State.EXPIRED: frozenset(),
}

# Where the user may (re)place images.
IMAGE_EDITABLE_STATES = frozenset({State.DRAFT, State.NEEDS_INPUT, State.RESUBMISSION_REQUESTED})


def can_transition(from_state: str, to_state: str) -> bool:
    return State(to_state) in TRANSITIONS[State(from_state)]
