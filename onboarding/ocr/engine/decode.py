"""Turn request bytes into a BGR image, refusing what the contract refuses before paying for it."""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from onboarding.ocr.errors import ErrorCode, OcrError

# Above this many pixels we refuse without decoding (an image bomb, or simply more than any phone
# camera produces: 50 MP).
MAX_PIXELS = 50_000_000
# Photos are worked on at no more than this longer side: the card's text is still 30+ px high when
# the card fills 30 % of such a frame, and nothing is gained by more.
WORK_MAX_SIDE = 1600

_MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"BM": "BMP",
}


def sniff_format(data: bytes) -> str | None:
    """JPEG, PNG, BMP or WEBP from the magic bytes; None for anything else (GIF included)."""
    for magic, name in _MAGIC.items():
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(data: bytes) -> NDArray[np.uint8]:
    """The image as 8-bit BGR, EXIF orientation applied; OcrError for empty, foreign, huge or broken."""
    if not data:
        raise OcrError(ErrorCode.EMPTY_IMAGE)
    fmt = sniff_format(data)
    if fmt is None:
        kind = "GIF" if data[:6] in (b"GIF87a", b"GIF89a") else "unknown"
        raise OcrError(
            ErrorCode.IMAGE_DECODE_FAILED,
            f"不支持的图片格式（{kind}）",
            detail_en=f"unsupported image format ({kind})",
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past 2x raises) on huge images; we apply our own, lower limit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as header:  # reads the header only
                width, height = header.size
    except Image.DecompressionBombError:
        raise OcrError(ErrorCode.IMAGE_SIZE_TOO_LARGE) from None
    except Exception:
        raise OcrError(ErrorCode.IMAGE_DECODE_FAILED) from None
    if width * height > MAX_PIXELS:
        raise OcrError(
            ErrorCode.IMAGE_SIZE_TOO_LARGE,
            f"（{width}x{height}）",
            detail_en=f"({width}x{height}, at most {MAX_PIXELS // 1_000_000} MP)",
        )
    if width < 32 or height < 32:
        raise OcrError(ErrorCode.IMAGE_DECODE_FAILED, "图片过小", detail_en="image too small")
    buf = np.frombuffer(data, dtype=np.uint8)
    # A large JPEG is decoded straight at a reduced scale (libjpeg's DCT scaling): far cheaper.
    flags = cv2.IMREAD_COLOR
    if fmt == "JPEG":
        longest = max(width, height)
        if longest >= 4 * WORK_MAX_SIDE:
            flags = cv2.IMREAD_REDUCED_COLOR_4
        elif longest >= 2 * WORK_MAX_SIDE:
            flags = cv2.IMREAD_REDUCED_COLOR_2
    image = cv2.imdecode(buf, flags)
    if image is None or image.size == 0:
        raise OcrError(ErrorCode.IMAGE_DECODE_FAILED)
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / 65535.0)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if _truncated(data, fmt):
        # OpenCV fills a truncated JPEG with grey and says nothing; a half image is not a photo.
        raise OcrError(ErrorCode.IMAGE_DECODE_FAILED, "图片数据不完整", detail_en="truncated image data")
    return np.ascontiguousarray(image)


def _truncated(data: bytes, fmt: str) -> bool:
    if fmt == "JPEG":
        # The end-of-image marker must follow the last start-of-scan (phones may append trailers,
        # and an EXIF thumbnail carries its own markers near the start).
        return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")
    if fmt == "PNG":
        return b"IEND" not in data[-32:]
    return False


def work_copy(image: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    """``image`` scaled down so its longer side is at most WORK_MAX_SIDE, and the scale applied."""
    h, w = image.shape[:2]
    scale = min(1.0, WORK_MAX_SIDE / max(h, w))
    if scale >= 1.0:
        return image, 1.0
    resized = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return np.asarray(resized, dtype=np.uint8), scale
