"""The `local` backend: the in-process engine, answering with the exact contract Response."""

from __future__ import annotations

from onboarding.ocr.api import contract
from onboarding.ocr.backends import BackendResult
from onboarding.ocr.engine.types import CardConfig, CardSide


class LocalEngineBackend:
    """Reads with onboarding.ocr.engine in this process (models load once per process)."""

    name = "local"

    def __init__(self, *, invalid_date_warn_code: int | None = None) -> None:
        self._invalid_date_warn_code = invalid_date_warn_code

    def _warn_code(self) -> int:
        if self._invalid_date_warn_code is not None:
            return self._invalid_date_warn_code
        from django.conf import settings

        return int(settings.OCR_INVALID_DATE_WARN_CODE)

    def recognize(self, image: bytes, *, side: CardSide | None, config: CardConfig) -> BackendResult:
        """Read one image; raises OcrError with the contract's code on failure."""
        request_id = contract.new_request_id()
        result = contract.engine_recognize(image, side=side, config=config)
        response = contract.build_response(
            result, config=config, request_id=request_id, invalid_date_warn_code=self._warn_code()
        )
        info = contract.advanced_info(result, config=config, invalid_date_warn_code=self._warn_code())
        warnings = info.get("WarnInfos", [])
        return BackendResult(
            backend=self.name,
            request_id=request_id,
            side=result.side,
            fields=result.fields,
            response=response,
            confidence=dict(result.confidence),
            warnings=[int(code) for code in warnings] if isinstance(warnings, list) else [],
            quality=result.quality,
            card_jpeg=result.card_jpeg,
            portrait_jpeg=result.portrait_jpeg,
            elapsed_ms=result.elapsed_ms,
        )
