"""Typed findings: what the rules of the card say about a number or a set of card fields.

A finding has a stable machine ``code`` (callers branch on it, translations and tests key on it), a
``severity``, a message for the end user in Chinese and in English, and the contract field it is
about (``"IdNum"``, ``"Birth"`` ...; ``None`` when it concerns the card as a whole).

Severity: ``error`` means the data cannot be right (reject or ask again); ``warning`` means it may
be right but a person should look (send to review); ``info`` is a note that changes nothing.

Codes (severity):

ID number (field ``IdNum``)
    ``id_number.empty`` (error): no number given.
    ``id_number.legacy_15`` (error): a 15-digit first-generation number.
    ``id_number.length`` (error): not 18 characters.
    ``id_number.format`` (error): not 17 digits plus a digit or X (X only as the last character).
    ``id_number.checksum`` (error): the ISO 7064 MOD 11-2 check character does not match.
    ``id_number.birth_invalid`` (error): digits 7-14 are not a real calendar date.
    ``id_number.birth_future`` (error): the birth date is after today.
    ``id_number.birth_too_old`` (error): the birth date is before 1900.
    ``id_number.region_unknown`` (warning): the region code is in no edition of the region table.
    ``id_number.region_period`` (info): the region code existed, but not in the birth year.

Card fields
    ``name.empty`` / ``name.length`` / ``name.characters`` / ``name.separator`` (error): Name.
    ``sex.invalid`` (error): Sex is neither 男 nor 女.
    ``sex.mismatch`` (error): Sex disagrees with the number's order code.
    ``birth.empty`` / ``birth.format`` (error): Birth missing or not readable as a date.
    ``birth.mismatch`` (error): Birth disagrees with the number.
    ``nation.empty`` / ``nation.unknown`` (error): Nation missing or not one of the 56 groups.
    ``nation.suffix`` (info): Nation was written with 族; the card prints it without.
    ``valid_date.empty`` (error): no ValidDate on the back.
    ``valid_date.format`` (error): ValidDate is not ``YYYY.MM.DD-YYYY.MM.DD`` / ``YYYY.MM.DD-长期``.
    ``valid_date.order`` (error): the end date is not after the start date.
    ``valid_date.before_birth`` (error): the card was issued before the holder was born.
    ``valid_date.not_started`` (error): the start date is after today.
    ``valid_date.span`` (warning): the period does not match the holder's age at issue.
    ``valid_date.expired`` (error): the end date is before today.
    ``valid_date.expiring`` (warning): the card expires within the given number of days.
    ``age.under_minimum`` (error): the holder is younger than the minimum age today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing a rule found, with a message an end user can act on."""

    code: str
    severity: Severity
    message_zh: str
    message_en: str
    field: str | None = None

    def message(self, *, language: str = "zh") -> str:
        """The message in ``language`` ("zh..." for Chinese, anything else for English)."""
        return self.message_zh if language.lower().startswith("zh") else self.message_en


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


def codes(findings: Iterable[Finding]) -> list[str]:
    """The codes of ``findings`` in order (handy for logs and tests)."""
    return [f.code for f in findings]
