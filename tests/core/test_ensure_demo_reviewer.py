from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_it_creates_the_reviewer_once_and_prints_the_password_only_then() -> None:
    first = StringIO()
    call_command("ensure_demo_reviewer", "--sign-in-url", "http://127.0.0.1:9001/review/", stdout=first)
    user = get_user_model().objects.get(username="reviewer")
    password = first.getvalue().split("password: ")[1].split()[0]
    assert user.check_password(password)
    assert user.groups.filter(name="reviewers").exists()
    # The note points at the port `make run` actually serves on.
    assert "http://127.0.0.1:9001/review/" in first.getvalue()

    again = StringIO()
    call_command("ensure_demo_reviewer", stdout=again)
    assert password not in again.getvalue()
    assert get_user_model().objects.filter(username="reviewer").count() == 1
