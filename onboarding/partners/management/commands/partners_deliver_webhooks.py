"""Send the webhook deliveries that are due (what the beat task does; for setups without a broker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onboarding.partners.tasks import deliver_due_webhooks


class Command(BaseCommand):
    help = "Attempt every pending webhook delivery whose next attempt is due."

    def handle(self, *args: Any, **options: Any) -> None:
        count = deliver_due_webhooks()
        self.stdout.write(f"Attempted {count} delivery(ies).")
