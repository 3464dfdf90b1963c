"""The audit trail: append-only in code, a hash chain per case, and audit_verify finds tampering."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from onboarding.kyc.audit import GENESIS_HASH, audit_verify_chain, event_hash, event_payload
from onboarding.kyc.models import AuditEvent, Verification
from tests.kyc.conftest import submit_as_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(read_case: Callable[..., Verification]) -> Verification:
    return submit_as_read(read_case())


def test_it_chains_each_event_to_the_one_before(audited: Verification) -> None:
    events = list(AuditEvent.objects.filter(verification=audited).order_by("seq"))
    assert len(events) >= 6  # started, 2 images, ocr requested, ocr completed, submitted, decided
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for e in events:
        assert e.hash == event_hash(event_payload(e, verification_public_id=str(audited.public_id)))
    assert audit_verify_chain(verification=audited) == []


def test_it_refuses_updates_and_deletes_in_code(audited: Verification) -> None:
    event = AuditEvent.objects.filter(verification=audited).first()
    assert event is not None
    event.action = "something.else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(verification=audited).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(verification=audited).delete()
    assert AuditEvent.objects.get(pk=event.pk).action != "something.else"


def test_it_keeps_personal_data_out_of_the_trail(audited: Verification) -> None:
    submitted = AuditEvent.objects.get(verification=audited, action="verification.submitted")
    assert "**********" in submitted.after["id_number"]


def test_audit_verify_passes_on_intact_chains(
    audited: Verification, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit_verify")
    assert "1 audit chain(s) intact" in capsys.readouterr().out


def test_audit_verify_finds_a_row_changed_by_raw_sql(audited: Verification) -> None:
    event = AuditEvent.objects.filter(verification=audited).order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kyc_auditevent SET actor_label = %s WHERE id = %s", ["mallory", event.pk])
    breaks = audit_verify_chain(verification=audited)
    assert [(b.seq, "hash" in b.problem) for b in breaks] == [(event.seq, True)]
    with pytest.raises(CommandError, match="1 break"):
        call_command("audit_verify")
    with pytest.raises(CommandError, match="1 break"):
        call_command("audit_verify", verification=str(audited.public_id))


def test_audit_verify_finds_a_deleted_row_and_a_cut_tail(audited: Verification) -> None:
    events = list(AuditEvent.objects.filter(verification=audited).order_by("seq"))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kyc_auditevent WHERE id = %s", [events[1].pk])
    assert any(b.seq == events[2].seq for b in audit_verify_chain(verification=audited))

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kyc_auditevent WHERE id = %s", [events[-1].pk])
    problems = [b.problem for b in audit_verify_chain(verification=audited)]
    assert any("head" in p for p in problems)


def test_audit_verify_exits_non_zero(audited: Verification) -> None:
    from onboarding.kyc.management.commands.audit_verify import Command

    with connection.cursor() as cursor:
        cursor.execute("UPDATE kyc_auditevent SET after = %s WHERE seq = 1", ['{"state": "approved"}'])
    # run_from_argv is what manage.py runs: a CommandError becomes the process exit status.
    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(["manage.py", "audit_verify"])
    assert info.value.code == 1
