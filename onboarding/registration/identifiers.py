"""Sign-in identifiers: a mainland mobile number or an e-mail address, normalised to one username.

The default ``User`` keeps the identifier in ``username``, so one person cannot open two accounts by
typing the same number as ``+86 138-0013-8000`` and ``13800138000``.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Mainland mobile numbers: 11 digits, 1 then 3-9 (no fixed-line or virtual-operator formats).
_MOBILE = re.compile(r"1[3-9]\d{9}")
# What people type around a number: spaces, dashes, dots, brackets.
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()]+")
_COUNTRY_PREFIX = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")


def normalise_phone(value: str) -> str | None:
    """The 11-digit mobile number in ``value`` (country code and separators dropped), or None."""
    digits = _PHONE_PUNCTUATION.sub("", unicodedata.normalize("NFKC", value))
    digits = _COUNTRY_PREFIX.sub("", digits)
    return digits if _MOBILE.fullmatch(digits) else None


def normalise_email(value: str) -> str | None:
    """The e-mail address in ``value``, lower-cased, or None when it is not a valid address."""
    candidate = unicodedata.normalize("NFKC", value).strip().lower()
    if "@" not in candidate:
        return None
    try:
        validate_email(candidate)
    except ValidationError:
        return None
    return candidate


def normalise_identifier(value: str) -> str | None:
    """The username for a phone number or an e-mail address; None when ``value`` is neither."""
    return normalise_phone(value) or normalise_email(value)


def is_email(identifier: str) -> bool:
    """True for a normalised e-mail identifier (phones never contain @)."""
    return "@" in identifier
