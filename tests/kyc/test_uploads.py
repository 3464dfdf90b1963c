"""Uploads are judged from their bytes: JPEG or PNG only, within the byte and pixel limits."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.contrib.auth.models import User

from onboarding.core.exceptions import ApplicationError
from onboarding.kyc import services
from onboarding.kyc.audit import Actor
from onboarding.kyc.models import CardImage, Verification
from tests.kyc.conftest import FRONT_PNG, jpeg_bytes

pytestmark = pytest.mark.django_db


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with a tiny (wrong) image body: never decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def draft(user: User) -> Verification:
    return services.verification_start(user=user, actor=Actor.for_user(user))


def _attach(verification: Verification, content: bytes, filename: str = "card.jpg") -> CardImage:
    return services.verification_attach_image(
        verification=verification, side="FRONT", content=content, filename=filename, actor=Actor.system()
    )


def test_it_refuses_a_text_file_named_jpg(draft: Verification) -> None:
    with pytest.raises(ApplicationError) as info:
        _attach(draft, "这不是图片 not an image".encode(), "card.jpg")
    assert info.value.code == "image_type"
    assert not CardImage.objects.exists()


def test_it_refuses_a_gif(draft: Verification) -> None:
    with pytest.raises(ApplicationError) as info:
        _attach(draft, b"GIF89a" + b"\x00" * 64, "card.png")
    assert info.value.code == "image_type"


@pytest.mark.parametrize("size", [(8000, 6000), (100_000, 100_000)])
def test_it_refuses_too_many_pixels_from_the_header(draft: Verification, size: tuple[int, int]) -> None:
    # 48 Mpx is over our 40 Mpx limit though Pillow would open it; 10 Gpx trips Pillow's own bomb guard.
    with pytest.raises(ApplicationError) as info:
        _attach(draft, _png_header_only(*size), "huge.png")
    assert info.value.code == "image_too_many_pixels"


def test_it_refuses_a_file_over_the_byte_limit(draft: Verification, settings: object) -> None:
    settings.KYC_MAX_UPLOAD_BYTES = len(FRONT_PNG) - 1  # type: ignore[attr-defined]
    with pytest.raises(ApplicationError) as info:
        _attach(draft, FRONT_PNG, "front.png")
    assert info.value.code == "image_too_large"


def test_it_refuses_a_truncated_header(draft: Verification) -> None:
    with pytest.raises(ApplicationError) as info:
        _attach(draft, b"\x89PNG\r\n\x1a\n\x00\x00", "front.png")
    assert info.value.code == "image_corrupt"


def test_it_stores_the_sniffed_type_size_and_hash_under_a_random_key(draft: Verification) -> None:
    import hashlib

    content = jpeg_bytes((200, 30, 30), size=(120, 80))
    image = _attach(draft, content, "photo.png")  # the name lies; the bytes decide
    assert (image.content_type, image.width, image.height) == ("image/jpeg", 120, 80)
    assert image.sha256 == hashlib.sha256(content).hexdigest() and image.size == len(content)
    assert image.file.name.endswith(".jpg") and "photo" not in image.file.name
    assert str(draft.public_id) not in image.file.name
    with image.file.open("rb") as fh:
        assert fh.read() == content


def test_it_refuses_uploads_once_the_case_is_submitted(draft: Verification) -> None:
    Verification.objects.filter(pk=draft.pk).update(state="in_review")
    draft.refresh_from_db()
    with pytest.raises(ApplicationError) as info:
        _attach(draft, FRONT_PNG, "front.png")
    assert info.value.code == "wrong_state"
