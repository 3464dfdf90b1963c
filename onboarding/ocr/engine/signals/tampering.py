"""DetectPsWarn: signs that a field was edited (-9106). (First version: no evidence yet.)"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from onboarding.ocr.engine.types import CardSide, IdCardFields


def is_edited(
    card_bgr: NDArray[np.uint8], side: CardSide, fields: IdCardFields, *, advanced: bool = False
) -> bool:
    del card_bgr, side, fields, advanced
    return False
