"""API keys and webhook secrets: generation and hashing (no Django imports).

A key looks like ``pk_live_3f9a1c2b.<43 url-safe characters>``: the part before the dot is the
public prefix (stored in clear, shown in lists and the admin), the whole string is the secret. Only
the SHA-256 of the whole key is stored: the key carries 256 bits of randomness, so a fast hash is
enough (a slow password hash would only cost latency on every request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "pk_live_"
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def generate_api_key() -> tuple[str, str]:
    """A new key and its visible prefix: (full key, prefix)."""
    prefix = KEY_PREFIX + secrets.token_hex(4)
    return f"{prefix}.{secrets.token_urlsafe(32)}", prefix


def hash_api_key(key: str) -> str:
    """The stored form of a key: hex SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    """The visible prefix of a presented key ('' when the key is not in our format)."""
    prefix, sep, _ = key.partition(".")
    return prefix if sep and prefix.startswith(KEY_PREFIX) else ""


def hashes_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def generate_webhook_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)
