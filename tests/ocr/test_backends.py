"""The OCR backends: `tencent` through the official SDK against our own live endpoint."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pytest

from onboarding.ocr.backends import get_backend
from onboarding.ocr.backends.tencent import TencentCloudBackend, config_json, is_retryable
from onboarding.ocr.engine.types import CardConfig, CardSide
from onboarding.ocr.errors import ErrorCode, OcrError
from onboarding.ocr.services import credential_create
from tests.ocr.test_api_support import endpoint_of, gif_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tencent_settings(live_server: Any, settings: Any) -> Any:
    credential, secret_key = credential_create(name="backend-tests")
    settings.OCR_BACKEND = "tencent"
    settings.TENCENTCLOUD_SECRET_ID = credential.secret_id
    settings.TENCENTCLOUD_SECRET_KEY = secret_key
    settings.TENCENTCLOUD_ENDPOINT = endpoint_of(live_server.url)
    settings.TENCENTCLOUD_PROTOCOL = "http"
    return settings


def _api_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "onboarding.ocr.api"]


def test_it_picks_the_backend_named_by_settings(tencent_settings: Any) -> None:
    assert get_backend().name == "tencent"
    tencent_settings.OCR_BACKEND = "local"
    assert get_backend().name == "local"


def test_it_maps_business_errors_without_retrying(
    tencent_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="onboarding.ocr.api")
    sleeps: list[float] = []
    backend = TencentCloudBackend.from_settings()
    backend._sleep = sleeps.append
    with pytest.raises(OcrError) as caught:
        backend.recognize(gif_bytes(), side=CardSide.FRONT, config=CardConfig())
    assert caught.value.code is ErrorCode.IMAGE_DECODE_FAILED
    assert sleeps == [] and len(_api_lines(caplog)) == 1


def test_it_retries_the_rate_limit_with_backoff(
    tencent_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="onboarding.ocr.api")
    tencent_settings.OCR_API_RATE_LIMIT_PER_SECOND = 1
    slept: list[float] = []

    def sleep_into_the_next_window(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(1.0 - time.time() % 1.0 + 0.05)

    backend = TencentCloudBackend.from_settings()
    backend._sleep = sleep_into_the_next_window
    for _ in range(3):  # on a loaded machine the pair of calls may straddle a window: try again
        # Wait for a fresh one-second window, then spend its only request.
        time.sleep(1.0 - time.time() % 1.0 + 0.02)
        with pytest.raises(OcrError):
            backend.recognize(gif_bytes(), side=None, config=CardConfig())
        slept.clear()
        with pytest.raises(OcrError) as caught:
            backend.recognize(gif_bytes(), side=None, config=CardConfig())
        if slept:
            break
    assert caught.value.code is ErrorCode.IMAGE_DECODE_FAILED  # got through on a later attempt
    assert len(slept) >= 1 and slept == sorted(slept)
    assert any("RequestLimitExceeded" in line for line in _api_lines(caplog))


def test_it_gives_up_on_network_errors_after_its_attempts() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    sleeps: list[float] = []
    backend = TencentCloudBackend(
        secret_id="AKID" + "a" * 32,
        secret_key="k" * 32,
        endpoint=f"127.0.0.1:{port}",
        protocol="http",
        timeout=2,
        max_attempts=3,
        backoff_base=0.25,
        sleep=sleeps.append,
    )
    with pytest.raises(OcrError) as caught:
        backend.recognize(b"\xff\xd8\xff", side=None, config=CardConfig())
    assert caught.value.code is ErrorCode.SERVICE_UNAVAILABLE
    assert sleeps == [0.25, 0.5]


def test_it_reports_missing_credentials_when_used(settings: Any) -> None:
    settings.TENCENTCLOUD_SECRET_ID = ""
    settings.TENCENTCLOUD_SECRET_KEY = ""
    backend = TencentCloudBackend.from_settings()
    with pytest.raises(OcrError) as caught:
        backend.recognize(b"\xff\xd8\xff", side=None, config=CardConfig())
    assert "InvalidCredential" in caught.value.message("en-US")


def test_it_sends_only_the_switches_that_are_on() -> None:
    assert config_json(CardConfig()) == "{}"
    assert (
        config_json(CardConfig(crop_id_card=True, copy_warn=True)) == '{"CropIdCard": true, "CopyWarn": true}'
    )


def test_it_retries_only_transient_codes() -> None:
    for code in (
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "InternalError",
        "InternalError.ServerError",
        "ServiceUnavailable",
        "ClientNetworkError",
        "ServerNetworkError",
    ):
        assert is_retryable(code), code
    for code in (
        "FailedOperation.ImageDecodeFailed",
        "AuthFailure.SignatureFailure",
        "InvalidParameter",
        "InternalErrorX",
        "LimitExceeded.TooLargeFileError",
    ):
        assert not is_retryable(code), code
