"""Sign-in throttling (django-axes through settings): both sign-in pages lock a username from one client
after LOGIN_FAILURE_LIMIT wrong passwords, even for the right password, until the cool-off."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-9"
LOGIN_PAGES = ["registration:login", "review:login"]


def _post(page: str, username: str, password: str, *, ip: str = "198.51.100.7") -> Any:
    return Client(REMOTE_ADDR=ip).post(reverse(page), {"username": username, "password": password})


def _signed_in(response: Any) -> bool:
    return response.status_code == 302 and "sessionid" in response.cookies


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_it_locks_a_username_after_repeated_wrong_passwords(page: str, settings: Any) -> None:
    User.objects.create_user(username="li.ming@example.com", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post(page, "li.ming@example.com", "wrong-password").status_code == 200
    # The failure that reaches the limit is answered with the lock already.
    assert _post(page, "li.ming@example.com", "wrong-password").status_code == 429

    locked = _post(page, "li.ming@example.com", PASSWORD)
    assert locked.status_code == 429 and not _signed_in(locked)
    assert "登录尝试过多" in locked.content.decode()
    # The counter is per username: a different spelling of the same account shares it.
    assert _post(page, " Li.Ming@Example.com", PASSWORD).status_code == 429


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_a_lock_does_not_reach_other_clients_or_other_accounts(page: str, settings: Any) -> None:
    User.objects.create_user(username="li.ming@example.com", password=PASSWORD, is_staff=True)
    User.objects.create_user(username="wang.fang@example.com", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(page, "li.ming@example.com", "wrong-password")

    assert _signed_in(_post(page, "li.ming@example.com", PASSWORD, ip="203.0.113.9"))
    assert _signed_in(_post(page, "wang.fang@example.com", PASSWORD))


def test_a_successful_sign_in_resets_the_count(settings: Any) -> None:
    User.objects.create_user(username="li.ming@example.com", password=PASSWORD)
    page = "registration:login"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(page, "li.ming@example.com", "wrong-password")
    assert _signed_in(_post(page, "li.ming@example.com", PASSWORD))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(page, "li.ming@example.com", "wrong-password")
    assert _signed_in(_post(page, "li.ming@example.com", PASSWORD))
