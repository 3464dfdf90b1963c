"""Hooks of the sign-in throttling (django-axes, configured in settings): how a sign-in is keyed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username an attempt counts against: trimmed and lower-cased, so "Li@Example.com " and
    "li@example.com" share one counter (the sign-in forms treat them as the same account)."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return str(raw).strip().lower()
