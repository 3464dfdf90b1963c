"""The guarded ImageUrl download against local HTTP servers."""

from __future__ import annotations

import ipaddress

import pytest

from onboarding.ocr.api.url_fetch import address_refused, fetch_image
from onboarding.ocr.errors import ErrorCode, OcrError
from tests.ocr.test_api_support import file_server, redirect_to, serve_bytes, trickle

IMAGE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8


def _error(url: str, **kwargs: object) -> OcrError:
    options: dict[str, object] = {"timeout": 2.0, "max_bytes": 100_000, "allow_loopback": True} | kwargs
    with pytest.raises(OcrError) as caught:
        fetch_image(url, **options)  # type: ignore[arg-type]
    return caught.value


def test_it_downloads_an_image_from_an_allowed_host() -> None:
    with file_server(serve_bytes(IMAGE)) as base:
        assert fetch_image(base + "/a.jpg", timeout=2.0, max_bytes=100_000, allow_loopback=True) == IMAGE


def test_it_refuses_loopback_unless_allowed() -> None:
    with file_server(serve_bytes(IMAGE)) as base:
        error = _error(base + "/a.jpg", allow_loopback=False)
    assert error.code is ErrorCode.DOWNLOAD_ERROR
    assert "127.0.0.1" in error.message("en-US")


def test_it_refuses_localhost_by_name_after_resolving_it() -> None:
    with file_server(serve_bytes(IMAGE)) as base:
        error = _error(base.replace("127.0.0.1", "localhost") + "/a.jpg", allow_loopback=False)
    assert error.code is ErrorCode.DOWNLOAD_ERROR


def test_it_rechecks_every_redirect() -> None:
    with file_server(serve_bytes(IMAGE)) as target:
        # The first hop is allowed (loopback allowed), its redirect target is a private address.
        with file_server(redirect_to("http://10.0.0.1/a.jpg")) as hop:
            error = _error(hop + "/start")
        with file_server(redirect_to(target + "/a.jpg")) as hop:
            assert fetch_image(hop + "/start", timeout=2.0, max_bytes=100_000, allow_loopback=True) == IMAGE
    assert error.code is ErrorCode.DOWNLOAD_ERROR
    assert "10.0.0.1" in error.message("en-US")


def test_it_refuses_other_schemes() -> None:
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/a.jpg", "gopher://127.0.0.1/"):
        assert _error(url).code is ErrorCode.DOWNLOAD_ERROR


def test_it_caps_the_size_while_streaming() -> None:
    with file_server(serve_bytes(IMAGE)) as base:
        error = _error(base + "/a.jpg", max_bytes=1000)
    assert error.code is ErrorCode.TOO_LARGE_FILE


def test_it_stops_a_trickling_download_at_the_deadline() -> None:
    with file_server(trickle(IMAGE, delay=0.02)) as base:
        error = _error(base + "/slow.jpg", timeout=0.4)
    assert error.code is ErrorCode.DOWNLOAD_ERROR
    assert "longer" in error.message("en-US")


def test_it_reports_http_errors() -> None:
    def not_found(request: object) -> None:
        request.send_error(404)  # type: ignore[attr-defined]

    with file_server(not_found) as base:
        error = _error(base + "/missing.jpg")
    assert error.code is ErrorCode.DOWNLOAD_ERROR and "404" in error.message("en-US")


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "224.0.0.1",
        "0.0.0.0",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "100.64.0.1",
    ],
)
def test_it_classifies_internal_addresses_as_refused(address: str) -> None:
    assert address_refused(ipaddress.ip_address(address), allow_loopback=False)


def test_it_lets_public_addresses_through() -> None:
    for address in ("1.1.1.1", "203.119.0.1", "2400:3200::1"):
        assert not address_refused(ipaddress.ip_address(address), allow_loopback=False)
    assert not address_refused(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert address_refused(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
