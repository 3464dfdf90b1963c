"""Create the demo reviewer account once and print its credentials that one time (used by `make run`)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser

DEMO_USERNAME = "reviewer"
REVIEWER_GROUP = "reviewers"


class Command(BaseCommand):
    help = "Create the demo reviewer account if it does not exist, printing its password once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sign-in-url",
            default="http://127.0.0.1:8000/review/",
            help="Where the printed note tells the reviewer to sign in (make run passes its HOST and PORT).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write(
                f"Demo reviewer '{DEMO_USERNAME}' exists (its password was printed when it was created)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = user_model.objects.create_user(username=DEMO_USERNAME, password=password, is_staff=True)
        group, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS("Demo reviewer account created (shown only this once):"))
        self.stdout.write(
            f"  username: {DEMO_USERNAME}\n  password: {password}\n  sign in:  {options['sign_in_url']}"
        )
