"""The offline IDCardOCR engine: image bytes in, typed result (or OcrError) out. No Django imports.

Public entry point: ``recognize(image_bytes, side=None, config=CardConfig())``.
"""

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
]
