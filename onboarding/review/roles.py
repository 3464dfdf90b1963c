"""The reviewer role: one group, the permissions it holds, and the check every console view makes."""

from __future__ import annotations

from typing import Any

# ``user`` below is request.user: a user model instance or AnonymousUser (both answer has_perm).
ACCESS_PERMISSION = "review.access_console"
DECIDE_PERMISSION = "kyc.review_verification"
PII_PERMISSION = "kyc.view_personal_data"


def is_reviewer(user: Any) -> bool:
    """True for a signed-in user who holds the console permission (directly, by group, or as superuser)."""
    return bool(user.is_authenticated and user.has_perm(ACCESS_PERMISSION))


def can_decide(user: Any) -> bool:
    """True when the user may claim and decide cases (the console alone only lets one look)."""
    return bool(user.is_authenticated and user.has_perm(DECIDE_PERMISSION))


def can_view_personal_data(user: Any) -> bool:
    """True when the user may ask for unmasked personal data (each view of it is still audited)."""
    return bool(user.is_authenticated and user.has_perm(PII_PERMISSION))
