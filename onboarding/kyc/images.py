"""What an uploaded image really is, read from its bytes (never from the name or the client's type)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from onboarding.core.exceptions import ApplicationError

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
)


@dataclass(frozen=True)
class SniffedImage:
    content_type: str
    width: int
    height: int


def sniff_image(content: bytes, *, max_bytes: int, max_pixels: int) -> SniffedImage:
    """JPEG or PNG within the limits, judged from the magic bytes and the header; else ApplicationError.

    Only the header is parsed (PIL opens lazily), so a decompression bomb is refused before any decoding.
    """
    if not content:
        raise ApplicationError("The file is empty.", code="image_empty")
    if len(content) > max_bytes:
        raise ApplicationError(
            f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
            code="image_too_large",
            extra={"max_bytes": max_bytes},
        )
    match = next((sig for sig in _SIGNATURES if content.startswith(sig[0])), None)
    if match is None:
        raise ApplicationError("Only JPEG or PNG photos can be used.", code="image_type")
    _, content_type, pil_format = match
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[pil_format]) as image:
                width, height = image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ApplicationError(
            "The image has too many pixels.", code="image_too_many_pixels", extra={"max_pixels": max_pixels}
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ApplicationError("The image cannot be read.", code="image_corrupt") from exc
    if width <= 0 or height <= 0:
        raise ApplicationError("The image cannot be read.", code="image_corrupt")
    if width * height > max_pixels:
        raise ApplicationError(
            "The image has too many pixels.", code="image_too_many_pixels", extra={"max_pixels": max_pixels}
        )
    return SniffedImage(content_type=content_type, width=width, height=height)
