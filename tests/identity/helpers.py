"""Build ID numbers for tests, with the check character computed independently of the code under test."""

from __future__ import annotations

import datetime

# GB 11643-1999: weights 2^(17-i) mod 11, check = "10X98765432"[sum mod 11].
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def reference_check(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_number(*, birth: datetime.date, region: str = "110101", order: int = 1) -> str:
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + reference_check(first17)
