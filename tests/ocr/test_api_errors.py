"""The endpoint's error classes, each from a real bad request made by the official SDK (or, where the SDK
cannot make it, by a raw request signed the same way) against a live server."""

from __future__ import annotations

import json
import logging
import time
import types
from typing import Any

import pytest
import requests
from tencentcloud.common import abstract_client
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.ocr.v20181119 import models

from onboarding.ocr.services import credential_create, credential_revoke
from tests.ocr.test_api_support import (
    Pair,
    b64,
    file_server,
    gif_bytes,
    response_of,
    sdk_client,
    serve_bytes,
    signed_post,
    trickle,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pair() -> Pair:
    credential, secret_key = credential_create(name="tests")
    return Pair(credential.secret_id, secret_key)


def _request(**fields: Any) -> models.IDCardOCRRequest:
    request = models.IDCardOCRRequest()
    for name, value in fields.items():
        setattr(request, name, value)
    return request


def _sdk_error(client: Any, **fields: Any) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as caught:
        client.IDCardOCR(_request(**fields))
    assert caught.value.get_request_id()  # a RequestId on every answer, errors included
    return caught.value


def test_it_refuses_a_bad_signature(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, Pair(pair.secret_id, pair.secret_key[::-1]))
    assert _sdk_error(client, ImageBase64="AAAA").get_code() == "AuthFailure.SignatureFailure"


def test_it_refuses_an_unknown_secret_id(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, Pair("AKID" + "x" * 32, pair.secret_key))
    assert _sdk_error(client, ImageBase64="AAAA").get_code() == "AuthFailure.SecretIdNotFound"


def test_it_refuses_a_revoked_secret_id(live_server: Any) -> None:
    credential, secret_key = credential_create(name="gone")
    credential_revoke(credential_id=credential.pk)
    client = sdk_client(live_server.url, Pair(credential.secret_id, secret_key))
    assert _sdk_error(client, ImageBase64="AAAA").get_code() == "AuthFailure.SecretIdNotFound"


def test_it_refuses_an_expired_timestamp(
    live_server: Any, pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client's clock runs ten minutes slow; the SDK signs with it.
    monkeypatch.setattr(abstract_client, "time", types.SimpleNamespace(time=lambda: time.time() - 600))
    client = sdk_client(live_server.url, pair)
    assert _sdk_error(client, ImageBase64="AAAA").get_code() == "AuthFailure.SignatureExpire"


def test_it_refuses_a_request_without_authorization(live_server: Any) -> None:
    raw = requests.post(
        live_server.url + "/",
        data=b"{}",
        headers={"Content-Type": "application/json", "X-TC-Action": "IDCardOCR"},
        timeout=10,
    )
    assert raw.headers["Content-Type"] == "application/json"
    assert response_of(raw)["Error"]["Code"] == "AuthFailure.InvalidAuthorization"  # type: ignore[index]


def test_it_answers_unknown_actions_with_invalid_action(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    with pytest.raises(TencentCloudSDKException) as caught:
        client.call_json("GeneralBasicOCR", {"ImageBase64": "AAAA"})
    assert caught.value.get_code() == "InvalidAction"


def test_it_answers_malformed_json_with_invalid_parameter(live_server: Any, pair: Pair) -> None:
    raw = signed_post(live_server.url, pair, b'{"ImageBase64": "AAAA",')
    assert raw.status_code == 200
    assert raw.headers["Content-Type"] == "application/json"
    response = response_of(raw)
    assert response["Error"]["Code"] == "InvalidParameter"  # type: ignore[index]
    assert len(str(response["RequestId"])) == 36


def test_it_answers_unknown_parameters(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    with pytest.raises(TencentCloudSDKException) as caught:
        client.call_json("IDCardOCR", {"ImageBase64": "AAAA", "Colour": "blue"})
    assert caught.value.get_code() == "UnknownParameter"
    assert "Colour" in caught.value.get_message()


def test_it_answers_config_that_is_not_json(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    error = _sdk_error(client, ImageBase64=b64(b"\xff\xd8\xff"), Config="{CropIdCard: true")
    assert error.get_code() == "InvalidParameter.ConfigFormatError"


def test_it_answers_a_card_side_other_than_front_or_back(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    assert (
        _sdk_error(client, ImageBase64="AAAA", CardSide="LEFT").get_code() == "FailedOperation.CardSideError"
    )


def test_it_answers_a_missing_image(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    assert _sdk_error(client, CardSide="FRONT").get_code() == "MissingParameter"


def test_it_refuses_an_oversized_body(live_server: Any, pair: Pair, settings: Any) -> None:
    settings.OCR_API_MAX_BODY_BYTES = 64 * 1024
    client = sdk_client(live_server.url, pair)
    error = _sdk_error(client, ImageBase64=b64(b"\xff" * 100_000))
    assert error.get_code() == "RequestSizeLimitExceeded"


def test_it_refuses_image_base64_over_6_mb(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    error = _sdk_error(client, ImageBase64="A" * (6 * 1024 * 1024 + 4))
    assert error.get_code() == "LimitExceeded.TooLargeFileError"


def test_it_refuses_gif(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    assert _sdk_error(client, ImageBase64=b64(gif_bytes())).get_code() == "FailedOperation.ImageDecodeFailed"


def test_it_refuses_garbage_base64(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    error = _sdk_error(client, ImageBase64="this is *not* base64!")
    assert error.get_code() == "FailedOperation.ImageDecodeFailed"


def test_it_answers_in_english_when_asked(live_server: Any, pair: Pair) -> None:
    zh = _sdk_error(sdk_client(live_server.url, pair), ImageBase64="AAAA", CardSide="LEFT")
    en = _sdk_error(sdk_client(live_server.url, pair, language="en-US"), ImageBase64="AAAA", CardSide="LEFT")
    assert zh.get_code() == en.get_code()
    assert "正反面" in zh.get_message()
    assert en.get_message().startswith("Wrong side") and en.get_message().isascii()


def test_it_verifies_get_requests_signed_over_the_query_string(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair, method="GET")
    assert (
        _sdk_error(client, ImageBase64="AAAA", CardSide="LEFT").get_code() == "FailedOperation.CardSideError"
    )
    bad = sdk_client(live_server.url, Pair(pair.secret_id, "wrong"), method="GET")
    assert _sdk_error(bad, ImageBase64="AAAA").get_code() == "AuthFailure.SignatureFailure"


def test_it_refuses_an_image_url_to_loopback_with_the_guard_on(
    live_server: Any, pair: Pair, settings: Any
) -> None:
    settings.OCR_URL_FETCH_ALLOW_LOOPBACK = False
    with file_server(serve_bytes(b"\xff\xd8\xff" + b"0" * 100)) as base:
        error = _sdk_error(sdk_client(live_server.url, pair), ImageUrl=base + "/card.jpg")
    assert error.get_code() == "FailedOperation.DownLoadError"


def test_it_gives_up_on_a_too_slow_image_url(live_server: Any, pair: Pair, settings: Any) -> None:
    settings.OCR_URL_FETCH_ALLOW_LOOPBACK = True
    settings.OCR_URL_FETCH_TIMEOUT = 0.5
    with file_server(trickle(b"\xff\xd8\xff" + b"0" * 200, delay=0.05)) as base:
        error = _sdk_error(sdk_client(live_server.url, pair), ImageUrl=base + "/slow.jpg")
    assert error.get_code() == "FailedOperation.DownLoadError"


def test_it_uses_image_base64_when_both_are_given(live_server: Any, pair: Pair, settings: Any) -> None:
    settings.OCR_URL_FETCH_ALLOW_LOOPBACK = False  # the URL would be refused if it were fetched
    client = sdk_client(live_server.url, pair)
    error = _sdk_error(client, ImageBase64=b64(gif_bytes()), ImageUrl="http://127.0.0.1:1/a.jpg")
    assert error.get_code() == "FailedOperation.ImageDecodeFailed"


def test_it_limits_the_request_rate_per_secret_id(live_server: Any, pair: Pair, settings: Any) -> None:
    settings.OCR_API_RATE_LIMIT_PER_SECOND = 1
    client = sdk_client(live_server.url, pair)
    codes = [_sdk_error(client, CardSide="FRONT").get_code() for _ in range(12)]
    assert "RequestLimitExceeded" in codes
    assert "MissingParameter" in codes  # the first requests of the window pass


def test_it_allows_unauthenticated_calls_only_when_configured(live_server: Any, settings: Any) -> None:
    body = json.dumps({"CardSide": "LEFT", "ImageBase64": "AAAA"})
    headers = {"Content-Type": "application/json", "X-TC-Action": "IDCardOCR", "X-TC-Version": "2018-11-19"}
    refused = requests.post(live_server.url + "/", data=body, headers=headers, timeout=10)
    assert response_of(refused)["Error"]["Code"] == "AuthFailure.InvalidAuthorization"  # type: ignore[index]
    settings.OCR_API_ALLOW_UNAUTHENTICATED = True
    allowed = requests.post(live_server.url + "/", data=body, headers=headers, timeout=10)
    assert response_of(allowed)["Error"]["Code"] == "FailedOperation.CardSideError"  # type: ignore[index]


def test_it_logs_one_structured_line_per_request(
    live_server: Any, pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="onboarding.ocr.api")
    secret = b64(b"\xff\xd8\xff 440524198701010014 image bytes")
    error = _sdk_error(sdk_client(live_server.url, pair), ImageBase64=secret, CardSide="LEFT")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "onboarding.ocr.api"]
    assert len(lines) == 1
    assert lines[0]["RequestId"] == error.get_request_id()
    assert lines[0]["SecretId"] == pair.secret_id
    assert lines[0]["outcome"] == "FailedOperation.CardSideError"
    assert lines[0]["Action"] == "IDCardOCR"
    assert isinstance(lines[0]["ms"], float)
    assert secret not in caplog.text and "440524198701010014" not in caplog.text


def test_it_answers_the_seeds_get_form_with_action_in_the_query(live_server: Any, settings: Any) -> None:
    settings.OCR_API_ALLOW_UNAUTHENTICATED = True
    settings.OCR_URL_FETCH_ALLOW_LOOPBACK = True
    query = "Action=IDCardOCR&Version=2018-11-19&Region=ap-guangzhou&ImageUrl=http://127.0.0.1:1/a.jpg&CardSide=FRONT"
    raw = requests.get(f"{live_server.url}/?{query}", timeout=10)
    assert raw.headers["Content-Type"] == "application/json"
    error = response_of(raw)["Error"]
    assert error["Code"] == "FailedOperation.DownLoadError"  # type: ignore[index]


def test_it_answers_an_unknown_version_and_other_methods(live_server: Any, settings: Any) -> None:
    settings.OCR_API_ALLOW_UNAUTHENTICATED = True
    raw = requests.get(f"{live_server.url}/?Action=IDCardOCR&Version=2017-01-01&ImageBase64=AAAA", timeout=10)
    assert response_of(raw)["Error"]["Code"] == "NoSuchVersion"  # type: ignore[index]
    put = requests.put(live_server.url + "/", data=b"{}", headers={"X-TC-Action": "IDCardOCR"}, timeout=10)
    assert response_of(put)["Error"]["Code"] == "UnsupportedProtocol"  # type: ignore[index]


def test_it_accepts_the_sdks_unsigned_payload_mode(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    client.profile.unsignedPayload = True
    assert (
        _sdk_error(client, ImageBase64="AAAA", CardSide="LEFT").get_code() == "FailedOperation.CardSideError"
    )


@pytest.mark.parametrize(
    ("sign_method", "http_method"), [("HmacSHA256", "GET"), ("HmacSHA256", "POST"), ("HmacSHA1", "GET")]
)
def test_it_verifies_the_older_parameter_signature(
    live_server: Any, pair: Pair, sign_method: str, http_method: str
) -> None:
    client = sdk_client(live_server.url, pair, method=http_method, language="en-US")
    client.profile.signMethod = sign_method
    error = _sdk_error(client, ImageBase64="AAAA", CardSide="LEFT")
    assert error.get_code() == "FailedOperation.CardSideError"
    assert error.get_message().startswith("Wrong side")
    bad = sdk_client(live_server.url, Pair(pair.secret_id, "wrong"), method=http_method)
    bad.profile.signMethod = sign_method
    assert _sdk_error(bad, ImageBase64="AAAA").get_code() == "AuthFailure.SignatureFailure"


def test_it_reads_parameters_from_a_multipart_body(live_server: Any, pair: Pair) -> None:
    client = sdk_client(live_server.url, pair)
    with pytest.raises(TencentCloudSDKException) as caught:
        client.call("IDCardOCR", {"ImageBase64": "AAAA", "CardSide": "LEFT"}, options={"IsMultipart": True})
    assert caught.value.get_code() == "FailedOperation.CardSideError"
