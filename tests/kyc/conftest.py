"""Fixtures of the kyc tests: users, drawn test images, and a stand-in OCR backend for state-machine tests.

The stand-in decides what a photo shows from its pixels (red: the portrait side, blue: the emblem side),
so the service really stores, reads back and sends the uploaded bytes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from PIL import Image

from onboarding.identity import check_character
from onboarding.kyc import services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import ActorType, Verification
from onboarding.ocr.backends import BackendResult
from onboarding.ocr.engine.types import CardSide, IdCardFields
from onboarding.ocr.errors import ErrorCode, OcrError

RED = (200, 30, 30)
BLUE = (30, 30, 200)


def make_id_number(prefix17: str = "44052419870101001") -> str:
    return prefix17 + check_character(prefix17)


ID_NUMBER = make_id_number()


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="JPEG")
    return buf.getvalue()


FRONT_PNG = png_bytes(RED)
BACK_PNG = png_bytes(BLUE)


@dataclass
class FakeBackend:
    """Answers like an IDCardOCR backend; errors and warnings are set per shown side by the test."""

    name: str = "fake"
    front: IdCardFields = field(
        default_factory=lambda: IdCardFields(
            name="李明",
            sex="男",
            nation="汉",
            birth="1987/1/1",
            address="北京市石景山区高新技术园腾讯大楼",
            id_num=ID_NUMBER,
        )
    )
    back: IdCardFields = field(
        default_factory=lambda: IdCardFields(
            authority="北京市公安局石景山分局", valid_date="2015.07.24-2035.07.24"
        )
    )
    warnings: dict[str, list[int]] = field(default_factory=dict)
    # Per shown side: errors raised on successive calls (then the call succeeds).
    errors: dict[str, list[OcrError | Exception]] = field(default_factory=dict)
    always_fail: dict[str, OcrError | Exception] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def recognize(self, image: bytes, *, side: CardSide | None, config: Any) -> BackendResult:
        pixel = Image.open(io.BytesIO(image)).convert("RGB").getpixel((0, 0))
        assert isinstance(pixel, tuple)
        shown = CardSide.FRONT if pixel[0] > pixel[2] else CardSide.BACK
        self.calls.append(shown)
        if shown in self.always_fail:
            raise self.always_fail[shown]
        queue = self.errors.get(shown)
        if queue:
            raise queue.pop(0)
        if side is not None and side != shown:
            raise OcrError(ErrorCode.CARD_SIDE_ERROR)
        fields = self.front if shown == CardSide.FRONT else self.back
        contract = fields.as_contract()
        return BackendResult(
            backend=self.name,
            request_id=str(uuid.uuid4()),
            side=shown,
            fields=fields,
            response={
                **contract,
                "AdvancedInfo": '{"IdCard": "QUJD", "Portrait": "REVG", "WarnInfos": []}',
                "RequestId": "r",
            },
            confidence={k: 0.99 for k, v in contract.items() if v},
            warnings=list(self.warnings.get(shown, [])),
            quality=90,
            card_jpeg=jpeg_bytes((1, 2, 3)),
            portrait_jpeg=jpeg_bytes((4, 5, 6)) if shown == CardSide.FRONT else None,
            elapsed_ms=12.5,
        )


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    backend = FakeBackend()
    monkeypatch.setattr("onboarding.ocr.backends.get_backend", lambda: backend)
    return backend


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user(username="13800138000", password="x-Strong-pass-1")


@pytest.fixture
def other_user(db: None) -> User:
    return User.objects.create_user(username="someone@example.com", password="x-Strong-pass-1")


@pytest.fixture
def reviewer(db: None) -> User:
    from django.contrib.auth.models import Permission

    staff = User.objects.create_user(username="reviewer1", password="x-Strong-pass-1", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="kyc", codename__in=["review_verification", "view_personal_data"]
        )
    )
    return User.objects.get(pk=staff.pk)  # fresh instance: the permission cache is empty


@pytest.fixture
def reviewer_actor(reviewer: User) -> Actor:
    return Actor.for_user(reviewer, type=ActorType.REVIEWER)


@pytest.fixture
def second_reviewer(db: None) -> User:
    return User.objects.create_user(username="reviewer2", password="x-Strong-pass-1", is_staff=True)


@pytest.fixture
def uploaded(user: User) -> Callable[..., Verification]:
    """A case of ``user`` (or another) with both sides uploaded, still a draft."""

    def make(owner: User | None = None, front: bytes = FRONT_PNG, back: bytes = BACK_PNG) -> Verification:
        owner = owner or user
        actor = Actor.for_user(owner)
        verification = services.verification_start(user=owner, actor=actor)
        services.verification_attach_image(
            verification=verification, side="FRONT", content=front, filename="front.png", actor=actor
        )
        services.verification_attach_image(
            verification=verification, side="BACK", content=back, filename="back.png", actor=actor
        )
        return verification

    return make


@pytest.fixture
def read_case(
    uploaded: Callable[..., Verification],
    fake_backend: FakeBackend,
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., Verification]:
    """A case whose photos were read by the stand-in backend (state needs_input)."""

    def make(owner: User | None = None, front: bytes = FRONT_PNG, back: bytes = BACK_PNG) -> Verification:
        verification = uploaded(owner, front, back)
        with django_capture_on_commit_callbacks(execute=True):
            services.verification_request_ocr(
                verification=verification, actor=Actor.for_user(verification.user)
            )
        verification.refresh_from_db()
        return verification

    return make


def submit_as_read(verification: Verification, **overrides: str) -> Verification:
    from onboarding.kyc.selectors import verification_form_initial

    fields = {**verification_form_initial(verification=verification), **overrides}
    return services.verification_submit(
        verification=verification, fields=fields, actor=Actor.for_user(verification.user)
    )


@pytest.fixture
def in_review_case(read_case: Callable[..., Verification], fake_backend: FakeBackend) -> Verification:
    """A case in review: the front photo carried a photocopy warning."""
    fake_backend.warnings = {"FRONT": [-9102]}
    verification = submit_as_read(read_case())
    assert verification.state == "in_review"
    return verification
