"""Walk every verification's audit chain and report each break; exit status 1 when there is one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.kyc.audit import audit_verify_chain
from onboarding.kyc.models import Verification


class Command(BaseCommand):
    help = "Verify the SHA-256 chain of audit events of every verification."
    # An integrity check must run even when an unrelated part of the project fails its system checks.
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django's own attribute)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--verification", help="check only this verification (its public id)")

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        breaks = []
        cases = Verification.objects.order_by("pk")
        if options.get("verification"):
            cases = cases.filter(public_id=options["verification"])
        for verification in cases.iterator():
            checked += 1
            breaks.extend(audit_verify_chain(verification=verification))
        for b in breaks:
            self.stderr.write(f"BREAK verification {b.verification_public_id} event #{b.seq}: {b.problem}")
        if breaks:
            raise CommandError(f"{len(breaks)} break(s) in {checked} audit chain(s)")
        self.stdout.write(self.style.SUCCESS(f"{checked} audit chain(s) intact"))
