"""The state machine: only the transitions in the table happen, every other one is refused."""

from __future__ import annotations

import itertools

import pytest

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import AuditEvent, State, Verification
from onboarding.kyc.services import _transition
from onboarding.kyc.states import TRANSITIONS

pytestmark = pytest.mark.django_db

ILLEGAL = [(a, b) for a, b in itertools.product(State, State) if b not in TRANSITIONS[a]]
LEGAL = [(a, b) for a in State for b in sorted(TRANSITIONS[a])]


def test_the_table_covers_every_state() -> None:
    assert set(TRANSITIONS) == set(State)
    terminal = {s for s, targets in TRANSITIONS.items() if not targets}
    assert terminal == {State.AUTO_APPROVED, State.APPROVED, State.REJECTED, State.EXPIRED}


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL)
def test_it_refuses_every_illegal_transition(from_state: State, to_state: State) -> None:
    verification = Verification.objects.create(
        state=from_state, partner_id="7d8f3d0e-0f4e-4a57-9a43-1f2a8b1c2d3e"
    )
    with pytest.raises(ApplicationError) as info:
        _transition(verification, to_state, actor=Actor.system())
    assert info.value.code == "illegal_transition"
    verification.refresh_from_db()
    assert verification.state == from_state and verification.version == 1
    assert not AuditEvent.objects.filter(verification=verification).exists()


@pytest.mark.parametrize(("from_state", "to_state"), LEGAL)
def test_it_makes_every_legal_transition_with_an_audit_event(from_state: State, to_state: State) -> None:
    verification = Verification.objects.create(
        state=from_state, partner_id="7d8f3d0e-0f4e-4a57-9a43-1f2a8b1c2d3e"
    )
    _transition(verification, to_state, actor=Actor.system())
    verification.refresh_from_db()
    assert verification.state == to_state and verification.version == 2
    event = AuditEvent.objects.get(verification=verification)
    assert (event.before["state"], event.after["state"]) == (from_state, to_state)


def test_it_refuses_a_stale_version() -> None:
    verification = Verification.objects.create(
        state=State.IN_REVIEW, partner_id="7d8f3d0e-0f4e-4a57-9a43-1f2a8b1c2d3e"
    )
    stale = Verification.objects.get(pk=verification.pk)
    _transition(verification, State.APPROVED, actor=Actor.system())
    with pytest.raises(ApplicationError) as info:
        _transition(stale, State.REJECTED, actor=Actor.system())
    # The stale copy still thinks in_review (a legal move), so the version guard is what stops it.
    assert info.value.code == "conflict"
    assert Verification.objects.get(pk=verification.pk).state == State.APPROVED


def test_every_warning_code_has_an_explanation() -> None:
    from onboarding.kyc.catalog import WARNINGS
    from onboarding.ocr.engine.types import WarnCode

    assert set(WARNINGS) == {m.value for m in WarnCode}


def test_importing_kyc_does_not_load_the_ocr_pipeline() -> None:
    import os
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); import onboarding.kyc.catalog, onboarding.kyc.services; "
        "print('onboarding.ocr.engine.pipeline' in sys.modules, 'cv2' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onboarding.settings", "DJANGO_ENV": "test"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False False", out.stdout + out.stderr
