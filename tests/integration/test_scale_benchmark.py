"""The scale benchmark says what it needs instead of failing somewhere inside."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


@pytest.mark.django_db
def test_it_names_the_missing_service() -> None:
    with pytest.raises(CommandError) as raised:
        # Nothing listens on port 1: on PostgreSQL the broker is what is missing.
        call_command("ocr_scale_benchmark", "--cases", "1", "--broker", "redis://127.0.0.1:1/0")
    message = str(raised.value)
    if connection.vendor == "postgresql":
        assert "needs a Celery broker" in message and "127.0.0.1:1" in message
    else:
        assert "needs PostgreSQL" in message and "DATABASE_URL=postgres://" in message
