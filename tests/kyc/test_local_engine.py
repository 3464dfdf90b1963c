"""The whole applicant path through the real local OCR engine, on drawn specimen photos (样本)."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.contrib.auth.models import User

from onboarding.kyc import selectors, services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import OcrRead, Verification
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.specimens import PhotoConditions, random_identity, specimen_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def specimen() -> dict[str, Any]:
    """One adult holder with a card valid today, photographed square-on on both sides."""
    today = datetime.date.today()
    rng = random.Random(7)
    person = random_identity(rng, today=today, valid_on=today)
    while (today - person.birth).days < 365 * 25:
        person = random_identity(rng, today=today, valid_on=today)
    front, _ = specimen_photo(rng, CardSide.FRONT, PhotoConditions(), today=today, identity=person)
    back, _ = specimen_photo(rng, CardSide.BACK, PhotoConditions(), today=today, identity=person)
    return {"front": front.jpeg, "back": back.jpeg, "fields": person.contract_fields()}


def _read(user: User, front: bytes, back: bytes, capture: Any) -> Verification:
    actor = Actor.for_user(user)
    verification = services.verification_start(user=user, actor=actor)
    services.verification_attach_image(
        verification=verification, side="FRONT", content=front, filename="f.jpg", actor=actor
    )
    services.verification_attach_image(
        verification=verification, side="BACK", content=back, filename="b.jpg", actor=actor
    )
    with capture(execute=True):
        services.verification_request_ocr(verification=verification, actor=actor)
    verification.refresh_from_db()
    return verification


def test_it_prefills_the_form_from_the_local_engine(
    specimen: dict[str, Any], user: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OCR_BACKEND = "local"
    verification = _read(user, specimen["front"], specimen["back"], django_capture_on_commit_callbacks)
    assert verification.state == "needs_input" and verification.input_request == {}
    initial = selectors.verification_form_initial(verification=verification)
    assert initial["IdNum"] == specimen["fields"]["IdNum"]
    assert initial["ValidDate"] == specimen["fields"]["ValidDate"]
    reads = OcrRead.objects.filter(verification=verification)
    assert {r.backend for r in reads} == {"local"} and all(r.request_id for r in reads)
    assert reads.get(image__side="FRONT").portrait_crop

    done = services.verification_submit(
        verification=verification, fields=specimen["fields"], actor=Actor.for_user(user)
    )
    assert done.state in ("auto_approved", "in_review")


def test_the_local_engine_notices_swapped_sides(
    specimen: dict[str, Any], user: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OCR_BACKEND = "local"
    verification = _read(user, specimen["back"], specimen["front"], django_capture_on_commit_callbacks)
    assert verification.state == "needs_input"
    assert verification.input_request["code"] == "ocr.sides_swapped"
