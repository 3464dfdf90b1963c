"""`manage.py idcard_ocr`: one JSON line per image, the Response exactly the API's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.ocr.test_api_support import gif_bytes


def _run(*args: str) -> tuple[list[dict[str, object]], int]:
    out = io.StringIO()
    status = 0
    try:
        call_command("idcard_ocr", *args, stdout=out)
    except SystemExit as exc:
        status = int(exc.code or 0)
    return [json.loads(line) for line in out.getvalue().splitlines()], status


def _code(line: dict[str, object]) -> str:
    response = line["Response"]
    assert isinstance(response, dict)
    return str(response["Error"]["Code"])


def test_it_prints_one_error_line_per_bad_image(tmp_path: Path) -> None:
    gif = tmp_path / "card.gif"
    gif.write_bytes(gif_bytes())
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.jpg"
    lines, status = _run(str(gif), str(empty), str(missing))
    assert status == 1
    assert [line["file"] for line in lines] == [str(gif), str(empty), str(missing)]
    assert [_code(line) for line in lines] == [
        "FailedOperation.ImageDecodeFailed",
        "FailedOperation.EmptyImageError",
        "InvalidParameterValue",
    ]
    for line in lines:
        response = line["Response"]
        assert isinstance(response, dict) and len(str(response["RequestId"])) == 36


def test_it_validates_config_as_the_api_does(tmp_path: Path) -> None:
    gif = tmp_path / "card.gif"
    gif.write_bytes(gif_bytes())
    lines, _ = _run("--config", "[1, 2]", str(gif))
    assert _code(lines[0]) == "InvalidParameter.ConfigFormatError"


def test_it_refuses_an_unknown_side() -> None:
    with pytest.raises(CommandError, match="LEFT"):
        call_command("idcard_ocr", "--side", "LEFT", "x.jpg", stdout=io.StringIO(), stderr=io.StringIO())
