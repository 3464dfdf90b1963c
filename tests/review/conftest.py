"""Cases for the review tests, built through the kyc services from drawn specimen photos.

OCR itself is played by a stand-in for the remote IDCardOCR service (what ``OCR_BACKEND=tencent``
would call): it answers each specimen photo with that card's ground truth, crops cut from the photo
at the card's true corners, and the warnings the test asks for. Everything after it is real: storage,
services, state machine, audit chain, views.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.test import Client

from onboarding.kyc import services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import Verification
from onboarding.kyc.selectors import verification_form_initial
from onboarding.ocr.backends import BackendResult
from onboarding.ocr.engine import layout
from onboarding.ocr.engine.types import CardSide, IdCardFields
from onboarding.ocr.specimens import Identity, Photo, PhotoConditions, random_identity, specimen_photo

PASSWORD = "x-Strong-pass-1"


@dataclass(frozen=True)
class Specimen:
    identity: Identity
    front: Photo
    back: Photo


@pytest.fixture(scope="session")
def specimens() -> list[Specimen]:
    """Three drawn identities, both sides photographed (drawn once per test session)."""
    rng = random.Random(20261125)
    today = datetime.date.today()
    out: list[Specimen] = []
    while len(out) < 3:
        # Adults with a card valid well past today, so the rules alone would pass them.
        person = random_identity(rng, today=today, valid_on=today + datetime.timedelta(days=90))
        if (today - person.birth).days < 365 * 20:
            continue
        front, _ = specimen_photo(
            rng, CardSide.FRONT, PhotoConditions(), today=today, identity=person, size=(960, 720)
        )
        back, _ = specimen_photo(
            rng, CardSide.BACK, PhotoConditions(), today=today, identity=person, size=(960, 720)
        )
        out.append(Specimen(person, front, back))
    return out


_CROPS: dict[tuple[str, tuple[int, int, int, int] | None], bytes] = {}


def _crop(photo: Photo, box: tuple[int, int, int, int] | None = None) -> bytes:
    key = (hashlib.sha256(photo.jpeg).hexdigest(), box)
    if key not in _CROPS:
        _CROPS[key] = _warp(photo, box)
    return _CROPS[key]


def _warp(photo: Photo, box: tuple[int, int, int, int] | None) -> bytes:
    image = cv2.imdecode(np.frombuffer(photo.jpeg, np.uint8), cv2.IMREAD_COLOR)
    target = np.float32(
        [[0, 0], [layout.CARD_WIDTH, 0], [layout.CARD_WIDTH, layout.CARD_HEIGHT], [0, layout.CARD_HEIGHT]]
    )
    matrix = cv2.getPerspectiveTransform(np.float32(photo.corners), target)
    card = cv2.warpPerspective(image, matrix, (layout.CARD_WIDTH, layout.CARD_HEIGHT))
    if box is not None:
        x0, y0, x1, y1 = box
        card = card[y0:y1, x0:x1]
    ok, jpeg = cv2.imencode(".jpg", card, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return bytes(jpeg.tobytes())


@dataclass
class StandInOcr:
    """Answers like the IDCardOCR service for the specimen photos it was shown."""

    name: str = "stand-in"
    photos: dict[str, tuple[Photo, Identity]] = field(default_factory=dict)
    warnings: dict[str, list[int]] = field(default_factory=dict)  # sha256 of a photo -> WarnInfos

    def know(self, photo: Photo, identity: Identity, warnings: list[int] | None = None) -> None:
        digest = hashlib.sha256(photo.jpeg).hexdigest()
        self.photos[digest] = (photo, identity)
        self.warnings[digest] = list(warnings or [])

    def recognize(self, image: bytes, *, side: CardSide | None, config: Any) -> BackendResult:
        digest = hashlib.sha256(image).hexdigest()
        photo, identity = self.photos[digest]
        truth = identity.contract_fields()
        names = (
            ("Name", "Sex", "Nation", "Birth", "Address", "IdNum")
            if photo.side is CardSide.FRONT
            else ("Authority", "ValidDate")
        )
        contract = {k: (truth[k] if k in names else "") for k in truth}
        fields = IdCardFields(
            name=contract["Name"],
            sex=contract["Sex"],
            nation=contract["Nation"],
            birth=contract["Birth"],
            address=contract["Address"],
            id_num=contract["IdNum"],
            authority=contract["Authority"],
            valid_date=contract["ValidDate"],
        )
        # One doubtful field per side, so the page has something to show in red.
        confidence = {k: (0.71 if k in ("Address", "Authority") else 0.98) for k in names}
        request_id = str(uuid.uuid4())
        return BackendResult(
            backend=self.name,
            request_id=request_id,
            side=photo.side,
            fields=fields,
            response={**contract, "AdvancedInfo": "{}", "RequestId": request_id},
            confidence=confidence,
            warnings=list(self.warnings[digest]),
            quality=88,
            card_jpeg=_crop(photo),
            portrait_jpeg=_crop(photo, layout.PORTRAIT) if photo.side is CardSide.FRONT else None,
            elapsed_ms=5.0,
        )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 is deliberately slow; these tests create many throw-away accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ocr(monkeypatch: pytest.MonkeyPatch) -> StandInOcr:
    backend = StandInOcr()
    monkeypatch.setattr("onboarding.ocr.backends.get_backend", lambda: backend)
    return backend


def make_user(
    username: str, *, staff: bool = False, group: str | None = None, superuser: bool = False
) -> User:
    if superuser:
        return User.objects.create_superuser(username=username, password=PASSWORD)
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=staff)
    if group:
        if group == "reviewers" and not Group.objects.filter(name=group).exists():
            # An earlier transactional test flushed the tables, and with them the data migration's group:
            # re-create it exactly as the migration does.
            migration = importlib.import_module("onboarding.review.migrations.0002_reviewers_group")
            migration.create_group(django_apps, None)
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(db: None) -> User:
    """A member of the ``reviewers`` group, exactly as the data migration set the group up."""
    return make_user("reviewer-a", staff=True, group="reviewers")


@pytest.fixture
def second_reviewer(db: None) -> User:
    return make_user("reviewer-b", staff=True, group="reviewers")


@pytest.fixture
def staff(db: None) -> User:
    """Staff (can sign in to the admin) but not a reviewer."""
    return make_user("staff-only", staff=True)


@pytest.fixture
def applicant(db: None) -> User:
    return make_user("13800138000")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def make_case(ocr: StandInOcr, specimens: list[Specimen], db: None) -> Iterator[Callable[..., Verification]]:
    """A submitted case: ``make_case(index, warnings={"FRONT": [-9102]}, edits={"Name": "..."})``.

    With no warning and no edit the case is auto-approved; with either it goes to review.
    """
    count = 0

    def make(
        index: int = 0,
        *,
        owner: User | None = None,
        warnings: dict[str, list[int]] | None = None,
        edits: dict[str, str] | None = None,
    ) -> Verification:
        nonlocal count
        count += 1
        specimen = specimens[index]
        warnings = warnings if warnings is not None else {"FRONT": [-9102]}
        ocr.know(specimen.front, specimen.identity, warnings.get("FRONT"))
        ocr.know(specimen.back, specimen.identity, warnings.get("BACK"))
        owner = owner or make_user(f"applicant-{count}-{uuid.uuid4().hex[:6]}")
        actor = Actor.for_user(owner)
        verification = services.verification_start(user=owner, actor=actor)
        for side, photo in (("FRONT", specimen.front), ("BACK", specimen.back)):
            services.verification_attach_image(
                verification=verification, side=side, content=photo.jpeg, filename=f"{side}.jpg", actor=actor
            )
        services.verification_request_ocr(verification=verification, actor=actor)
        # The OCR task runs after commit; in a test transaction, run it now.
        from onboarding.kyc.services import verification_process_ocr

        verification_process_ocr(verification_id=verification.pk)
        verification.refresh_from_db()
        fields = {**verification_form_initial(verification=verification), **(edits or {})}
        services.verification_submit(verification=verification, fields=fields, actor=actor)
        verification.refresh_from_db()
        return verification

    yield make
