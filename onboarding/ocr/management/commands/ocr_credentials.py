"""Manage SecretId/SecretKey pairs of the IDCardOCR endpoint: create NAME, list, revoke ID."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.ocr.models import ApiCredential
from onboarding.ocr.selectors import credential_list
from onboarding.ocr.services import credential_create, credential_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API credentials of the self-hosted IDCardOCR endpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help='print {"SecretId": ..., "SecretKey": ...} (shown only once)')
        create.add_argument("name")
        sub.add_parser("list", help="one line per credential (never the SecretKey)")
        revoke = sub.add_parser("revoke", help="revoke a credential by its id (from list) or SecretId")
        revoke.add_argument("id")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            credential, secret_key = credential_create(name=options["name"])
            self.stdout.write(json.dumps({"SecretId": credential.secret_id, "SecretKey": secret_key}))
        elif action == "list":
            for credential in credential_list():
                used = credential.last_used_at.isoformat() if credential.last_used_at else "never"
                state = "active" if credential.is_active else "revoked"
                self.stdout.write(
                    f"{credential.pk}\t{credential.secret_id}\t{state}\t{credential.name}\t"
                    f"created {credential.created_at.isoformat()}\tlast used {used}"
                )
        else:
            ident = str(options["id"])
            try:
                if ident.isdigit():
                    credential = credential_revoke(credential_id=int(ident))
                else:
                    found = ApiCredential.objects.get(secret_id=ident)
                    credential = credential_revoke(credential_id=found.pk)
            except ApiCredential.DoesNotExist:
                raise CommandError(f"no credential {ident}") from None
            self.stdout.write(f"revoked {credential.pk} {credential.secret_id}")
