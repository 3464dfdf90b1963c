"""Writes of the registration front door that are not about a verification: opening an account."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from onboarding.core.exceptions import ApplicationError
from onboarding.registration.identifiers import is_email, normalise_identifier


@transaction.atomic
def account_sign_up(*, identifier: str, password: str) -> User:
    """Open an account whose username is the normalised phone number or e-mail address."""
    username = normalise_identifier(identifier)
    if username is None:
        raise ApplicationError("Not a mobile number or an e-mail address.", code="identifier_invalid")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("An account with this identifier exists.", code="identifier_taken")
    return User.objects.create_user(
        username=username, email=username if is_email(username) else "", password=password
    )
