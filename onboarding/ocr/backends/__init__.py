"""One OCR backend interface for the whole app: `local` (the in-process engine) or `tencent`
(Tencent Cloud or any API 3.0-compatible endpoint, through the official SDK). Chosen by OCR_BACKEND.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from onboarding.ocr.engine.types import CardConfig, CardSide, IdCardFields


@dataclass
class BackendResult:
    """A successful IDCardOCR read, whichever backend produced it."""

    backend: str  # "local" | "tencent"
    request_id: str
    side: CardSide
    fields: IdCardFields
    # The exact contract Response object (all fields, AdvancedInfo as a JSON string, RequestId).
    response: dict[str, object]
    confidence: dict[str, float] = field(default_factory=dict)  # empty when the backend gives none
    warnings: list[int] = field(default_factory=list)
    quality: int | None = None
    card_jpeg: bytes | None = None
    portrait_jpeg: bytes | None = None
    elapsed_ms: float = 0.0


class OcrBackend(Protocol):
    name: str

    def recognize(self, image: bytes, *, side: CardSide | None, config: CardConfig) -> BackendResult:
        """Read one image; raise onboarding.ocr.errors.OcrError with the contract's code on failure."""
        ...


def get_backend() -> OcrBackend:
    """The backend named by settings.OCR_BACKEND."""
    from django.conf import settings

    if settings.OCR_BACKEND == "tencent":
        from onboarding.ocr.backends.tencent import TencentCloudBackend

        return TencentCloudBackend.from_settings()
    from onboarding.ocr.backends.local import LocalEngineBackend

    return LocalEngineBackend()
