"""Fixtures of the registration page tests: accounts, drawn specimen photos, and the real OCR engine with
its answers remembered for the session (the same bytes always read the same; the engine is slow)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onboarding.kyc.models import Verification
from onboarding.ocr.backends import BackendResult, get_backend
from onboarding.ocr.engine.types import CardSide
from onboarding.ocr.errors import OcrError
from onboarding.ocr.specimens import Identity
from onboarding.registration.specimens import specimen_identity, specimen_jpeg

PASSWORD = "qing-shan-lv-shui-7"
SEED = 7


@dataclass(frozen=True)
class Pair:
    front: bytes
    back: bytes
    identity: Identity


@pytest.fixture(scope="session")
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture(scope="session")
def pair(today: datetime.date) -> Pair:
    """Both sides of one specimen holder, as the upload page's specimen links serve them."""
    identity = specimen_identity(seed=SEED, today=today)
    return Pair(
        front=specimen_jpeg(seed=SEED, side=CardSide.FRONT, today=today, identity=identity),
        back=specimen_jpeg(seed=SEED, side=CardSide.BACK, today=today, identity=identity),
        identity=identity,
    )


_READS: dict[tuple[str, str | None], BackendResult | OcrError] = {}


class RememberingBackend:
    """The configured backend (the local engine in tests), asked once per distinct image."""

    def __init__(self) -> None:
        self.inner = get_backend()
        self.name = self.inner.name

    def recognize(self, image: bytes, *, side: CardSide | None, config: Any) -> BackendResult:
        key = (hashlib.sha256(image).hexdigest(), str(side) if side else None)
        if key not in _READS:
            try:
                _READS[key] = self.inner.recognize(image, side=side, config=config)
            except OcrError as error:
                _READS[key] = error
        answer = _READS[key]
        if isinstance(answer, OcrError):
            raise answer
        return answer


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> RememberingBackend:
    backend = RememberingBackend()
    monkeypatch.setattr("onboarding.ocr.backends.get_backend", lambda: backend)
    return backend


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user(username="13800138000", password=PASSWORD)


@pytest.fixture
def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def start_case(client: Client) -> Verification:
    response = client.post(reverse("registration:verify"))
    assert response.status_code == 302
    return Verification.objects.filter(user__isnull=False).order_by("-pk").first()  # type: ignore[return-value]


def post_photos(
    client: Client, verification: Verification, *, front: bytes | None, back: bytes | None
) -> Any:
    files = {}
    if front is not None:
        files["front"] = SimpleUploadedFile("front.jpg", front, "image/jpeg")
    if back is not None:
        files["back"] = SimpleUploadedFile("back.jpg", back, "image/jpeg")
    return client.post(
        reverse("registration:upload", kwargs={"public_id": verification.public_id}),
        files,
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        HTTP_ACCEPT="application/json",
    )


@pytest.fixture
def read_case(
    signed_in: Client, pair: Pair, engine: RememberingBackend, django_capture_on_commit_callbacks: Any
) -> Callable[..., Verification]:
    """A case of the signed-in user whose photos were read (the OCR task runs as it would eagerly)."""

    def make(front: bytes | None = None, back: bytes | None = None) -> Verification:
        verification = start_case(signed_in)
        with django_capture_on_commit_callbacks(execute=True):
            post_photos(signed_in, verification, front=front or pair.front, back=back or pair.back)
        verification.refresh_from_db()
        return verification

    return make
