"""Masking of personal data for lists and logs."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """4405**********0014: the first four and last four characters, the rest starred."""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_name(name: str) -> str:
    """李* / 阿**提: keep the first character (and the last for names of three or more)."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_address(address: str) -> str:
    """Keep the first six characters (province and city), star the rest."""
    return address[:6] + "*" * max(0, min(len(address) - 6, 10))
