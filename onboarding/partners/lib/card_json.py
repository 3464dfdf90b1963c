"""Our JSON style for card data: snake_case names, ISO dates, masking (no Django models)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onboarding.core.lib.masking import mask_address, mask_id_number, mask_name
from onboarding.identity.card import parse_birth, parse_valid_date
from onboarding.ocr.engine.types import WarnCode

# Contract field name -> ours.
FIELD_NAMES = {
    "Name": "name",
    "Sex": "sex",
    "Nation": "nation",
    "Birth": "birth_date",
    "Address": "address",
    "IdNum": "id_number",
    "Authority": "issuing_authority",
    "ValidDate": "valid_period",
}


def card_fields(values: Mapping[str, str], *, masked: bool) -> dict[str, Any]:
    """Contract-named values ({"Name": …}) as our fields; absent or empty ones are null.

    Masked (keys without pii:read): name 李*, ID number 4405**********0014, address cut after the city,
    birth date year only (1987-**-**).
    """

    def get(name: str) -> str | None:
        value = (values.get(name) or "").strip()
        return value or None

    birth_text = get("Birth")
    birth = parse_birth(birth_text) if birth_text else None
    period_text = get("ValidDate")
    period = parse_valid_date(period_text) if period_text else None
    name, id_number, address = get("Name"), get("IdNum"), get("Address")
    birth_value = birth.isoformat() if birth else birth_text
    if masked:
        name = mask_name(name) if name else None
        id_number = mask_id_number(id_number) if id_number else None
        address = mask_address(address) if address else None
        birth_value = f"{birth.year}-**-**" if birth else (None if birth_text is None else "****")
    return {
        "name": name,
        "sex": get("Sex"),
        "nation": get("Nation"),
        "birth_date": birth_value,
        "address": address,
        "id_number": id_number,
        "issuing_authority": get("Authority"),
        "valid_from": period.start.isoformat() if period else None,
        "valid_until": period.end.isoformat() if period and period.end else None,
        "valid_long_term": period.is_long_term if period else None,
        "valid_period_text": period_text,
    }


def warning_json(code: int) -> dict[str, Any]:
    try:
        name = WarnCode(code).name.lower()
    except ValueError:
        name = "unknown"
    return {"code": code, "name": name}
