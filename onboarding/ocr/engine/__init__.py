"""The offline IDCardOCR engine: image bytes in, typed result (or OcrError) out. No Django imports.

Public entry point::

    from onboarding.ocr.engine import recognize, CardConfig, CardSide
    result = recognize(image_bytes, side=None, config=CardConfig(crop_id_card=True))

``recognize`` raises ``onboarding.ocr.errors.OcrError`` carrying the contract's error code.
The models load once per process, on first use (or ``warm_up()``); concurrent calls are safe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onboarding.ocr.engine.types import (
    ALL_FIELDS,
    BACK_FIELDS,
    FRONT_FIELDS,
    CardConfig,
    CardSide,
    IdCardFields,
    OcrResult,
    ReflectPosition,
    WarnCode,
)

__all__ = [
    "ALL_FIELDS",
    "BACK_FIELDS",
    "FRONT_FIELDS",
    "CardConfig",
    "CardSide",
    "IdCardFields",
    "OcrResult",
    "ReflectPosition",
    "WarnCode",
    "recognize",
    "warm_up",
]

if TYPE_CHECKING:
    from onboarding.ocr.engine.pipeline import recognize, warm_up


def __getattr__(name: str) -> Any:
    # The pipeline pulls in OpenCV, numpy and the model loader: import it on first use, so code that
    # needs only the types (kyc's warning catalogue, the API contract) stays light.
    if name == "recognize":
        from onboarding.ocr.engine.pipeline import recognize

        return recognize
    if name == "warm_up":
        from onboarding.ocr.engine.pipeline import warm_up

        return warm_up
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
