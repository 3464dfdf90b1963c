"""The one domain error type: services raise it, front doors turn it into a message or an API error."""

from __future__ import annotations


class ApplicationError(Exception):
    def __init__(
        self, message: str, *, code: str = "invalid", extra: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
