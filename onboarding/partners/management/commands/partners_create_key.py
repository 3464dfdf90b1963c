"""Create a partner (if new) and an API key for it; the key is printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.core.exceptions import ApplicationError
from onboarding.partners import services
from onboarding.partners.models import DEFAULT_SCOPES, Partner, Scope


class Command(BaseCommand):
    help = "Create an API key for a partner (created when missing). The key is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partner", help="The partner's name.")
        parser.add_argument("--key-name", default="", help="What the key is for.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=Scope.values,
            help=f"Repeat for several. Default: {' '.join(DEFAULT_SCOPES)} (add pii:read for unmasked data).",
        )
        parser.add_argument("--rate", type=int, default=None, help="Requests per second for this key.")
        parser.add_argument("--email", default="", help="Contact e-mail of a new partner.")

    def handle(self, *args: Any, **options: Any) -> None:
        partner = Partner.objects.filter(name=options["partner"]).first()
        try:
            if partner is None:
                partner = services.partner_create(name=options["partner"], contact_email=options["email"])
                self.stderr.write(f"Created partner {partner.name} ({partner.pk}).")
            api_key, key = services.api_key_create(
                partner=partner,
                name=options["key_name"],
                scopes=options["scopes"],
                rate_limit_per_second=options["rate"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Key {api_key.prefix}… scopes: {' '.join(api_key.scopes)}. Store it now; it is not shown again."
        )
        self.stdout.write(key)
