"""Fill an empty demo database with a few verifications from drawn specimen cards (used by `make run`).

Each case goes through the same kyc services and OCR backend as a real applicant's, so the review
console has something to show on first start: one clean card, one photocopy and one with a user edit.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc import selectors, services
from onboarding.kyc.audit import Actor
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens import random_conditions, random_identity, specimen_photo
from onboarding.ocr.specimens.effects import Photocopy

DEMO_PREFIX = "demo-applicant-"


class Command(BaseCommand):
    help = "Create demo applicants with verifications from drawn specimen cards, once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        if users.objects.filter(username__startswith=DEMO_PREFIX).exists():
            self.stdout.write("Demo cases exist already.")
            return
        rng = random.Random(options["seed"])  # noqa: S311 (drawing specimens, not security)
        today = timezone.localdate()
        plans: list[tuple[str, Photocopy | None]] = [("clean", None), ("photocopy", "bw"), ("edited", None)]
        for number, (kind, photocopy) in enumerate(plans, start=1):
            user = users.objects.create_user(
                username=f"{DEMO_PREFIX}{number}@example.com", password=secrets.token_urlsafe(16)
            )
            actor = Actor.for_user(user)
            person = random_identity(rng, today=today, valid_on=today)
            verification = services.verification_start(user=user, actor=actor)
            for side in (CardSide.FRONT, CardSide.BACK):
                conditions = dataclasses.replace(
                    random_conditions(rng, difficulty="clean"), photocopy=photocopy
                )
                photo, _ = specimen_photo(rng, side, conditions, today=today, identity=person)
                services.verification_attach_image(
                    verification=verification,
                    side=side.value,
                    content=photo.jpeg,
                    filename=f"{side.value.lower()}.jpg",
                    actor=actor,
                )
            services.verification_request_ocr(verification=verification, actor=actor)
            verification.refresh_from_db()
            fields = selectors.verification_form_initial(verification=verification)
            if kind == "edited" and fields.get("Name"):
                # A changed name is one of the edits that sends a case to a reviewer.
                fields["Name"] = fields["Name"][:-1] + ("明" if fields["Name"][-1] != "明" else "华")
            try:
                services.verification_submit(verification=verification, fields=fields, actor=actor)
            except ApplicationError as exc:
                self.stdout.write(f"  case {number} ({kind}) waits for the applicant: {exc.message}")
            verification.refresh_from_db()
            self.stdout.write(f"Demo case {number} ({kind}): {verification.state}")
