"""Encryption of personal data at rest (Fernet, keys from FIELD_ENCRYPTION_KEY) and keyed hashes for lookups."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # a wrong key must not pass silently as empty data
        raise ValueError("cannot decrypt: FIELD_ENCRYPTION_KEY does not match the stored data") from exc


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a value under a key derived from the first encryption key, for equality lookups."""
    key = hashlib.sha256(f"{purpose}:{settings.FIELD_ENCRYPTION_KEYS[0]}".encode()).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored as a Fernet token; reads give the plain text back. Not searchable."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
