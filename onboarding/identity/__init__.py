"""The rules of the second-generation resident ID card and its number: pure functions, no Django.

    from onboarding.identity import validate_card, parse_id_number
    findings = validate_card(front={"IdNum": "440524198701010014", ...}, back=..., today=date.today())

Every check returns typed ``Finding`` objects (stable code, severity, Chinese and English message);
the codes are listed in ``onboarding.identity.findings``.
"""

from onboarding.identity.card import (
    LONG_TERM,
    NATIONS,
    CardInput,
    ValidityPeriod,
    age_on,
    check_birth,
    check_minimum_age,
    check_name,
    check_nation,
    check_sex,
    check_valid_date,
    check_validity_period,
    expected_validity_years,
    format_birth,
    format_valid_date,
    normalise_name,
    normalise_nation,
    parse_birth,
    parse_valid_date,
    validate_card,
)
from onboarding.identity.findings import Finding, Severity, codes, has_errors
from onboarding.identity.id_number import (
    FEMALE,
    MALE,
    IdNumberInfo,
    check_character,
    is_valid_checksum,
    normalise_id_number,
    parse_id_number,
    sex_from_number,
)

__all__ = [
    "FEMALE",
    "LONG_TERM",
    "MALE",
    "NATIONS",
    "CardInput",
    "Finding",
    "IdNumberInfo",
    "Severity",
    "ValidityPeriod",
    "age_on",
    "check_birth",
    "check_character",
    "check_minimum_age",
    "check_name",
    "check_nation",
    "check_sex",
    "check_valid_date",
    "check_validity_period",
    "codes",
    "expected_validity_years",
    "format_birth",
    "format_valid_date",
    "has_errors",
    "is_valid_checksum",
    "normalise_id_number",
    "normalise_name",
    "normalise_nation",
    "parse_birth",
    "parse_id_number",
    "parse_valid_date",
    "sex_from_number",
    "validate_card",
]
