"""InvalidDateWarn: the validity period printed on the back cannot be right (-9109, or -9100).

Evidence: the fields already read, checked with the card's rules from ``onboarding.identity``. The
period's dates must exist (no 31 February, no month 13), end after they start, start after the
holder's birth, and span what the law gives for the holder's age at issue (under 16: 5 years;
16-25: 10; 26-45: 20; 46+: 长期). The birth date comes from the front (its number, else its Birth
field) when the same image carries it (MultiCardDetect); on a back alone the span must still be one
of 5, 10 or 20 years or 长期. Expiry is not a reason: an expired card's period was valid, it has
only ended. Text that does not have the shape of a period at all is an OCR failure, not a date, and
is not flagged either.
"""

from __future__ import annotations

import datetime
import re

from onboarding.identity import ValidityPeriod, parse_birth, parse_id_number, parse_valid_date
from onboarding.identity.card import check_validity_period
from onboarding.ocr.engine.types import IdCardFields

# Findings of ``check_validity_period`` that make a period impossible (not merely expired).
_INVALID = {"valid_date.order", "valid_date.before_birth", "valid_date.span"}
_LEGAL_YEARS = (5, 10, 20)
_SHAPE = re.compile(
    r"\d{4}\D{1,2}\d{1,2}\D{1,2}\d{1,2}\D*[-–—~至]+\D*(?:\d{4}\D{1,2}\d{1,2}\D{1,2}\d{1,2}|长期)"
)


def _birth(fields: IdCardFields | None, today: datetime.date) -> datetime.date | None:
    if fields is None:
        return None
    if fields.id_num:
        info = parse_id_number(fields.id_num, today=today)
        if info.is_valid and info.birth_date is not None:
            return info.birth_date
    return parse_birth(fields.birth) if fields.birth else None


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _legal_span(period: ValidityPeriod) -> bool:
    if period.end is None:
        return True
    return any(abs((period.end - _add_years(period.start, n)).days) <= 1 for n in _LEGAL_YEARS)


def validity_invalid(
    back: IdCardFields, *, front: IdCardFields | None = None, today: datetime.date | None = None
) -> bool:
    """True when the back's ValidDate names impossible dates, is out of order or wrong for the age."""
    text = re.sub(r"\s+", "", back.valid_date)
    if not _SHAPE.fullmatch(text):
        return False
    day = today or datetime.date.today()  # noqa: DTZ011 - a calendar date, the zone is immaterial
    period = parse_valid_date(text)
    if period is None:
        return True  # shaped like a period, but a date in it does not exist
    birth = _birth(front, day)
    if birth is None and not _legal_span(period):
        return True
    findings = check_validity_period(period, today=day, birth=birth)
    return any(f.code in _INVALID for f in findings)
