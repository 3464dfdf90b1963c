"""Revoke an API key by its visible prefix."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.partners import services
from onboarding.partners.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key (give its prefix, e.g. pk_live_3f9a1c2b)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        api_key = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if api_key is None:
            raise CommandError("No key with that prefix.")
        services.api_key_revoke(api_key=api_key)
        self.stdout.write(f"Revoked {api_key.prefix} of {api_key.partner}.")
