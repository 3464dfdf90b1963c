"""Shared test set-up: private media in a temp dir, eager Celery, the test settings profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ENV", "test")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> Iterator[None]:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media  # type: ignore[attr-defined]
    storages = dict(settings.STORAGES)  # type: ignore[attr-defined]
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {**storages["default"], "OPTIONS": {"location": str(media), "base_url": None}}
        settings.STORAGES = storages  # type: ignore[attr-defined]
    yield
