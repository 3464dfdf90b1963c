import pytest

from onboarding.ocr.api.signing import parse_authorization, sign_request, verify_request
from onboarding.ocr.errors import ErrorCode, OcrError

# The contract's published test vector.
SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TIMESTAMP = 1551113065
BODY = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
HEADERS = {"content-type": "application/json; charset=utf-8", "host": "cvm.tencentcloudapi.com"}
SIGNATURE = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


def _vector_headers() -> dict[str, str]:
    authorization = sign_request(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        method="POST",
        query_string="",
        headers=HEADERS,
        body=BODY,
        timestamp=TIMESTAMP,
        service="cvm",
    )
    return {**HEADERS, "authorization": authorization, "x-tc-timestamp": str(TIMESTAMP)}


def _lookup(secret_id: str) -> str | None:
    return SECRET_KEY if secret_id == SECRET_ID else None


def test_it_reproduces_the_contract_test_vector() -> None:
    headers = _vector_headers()
    assert headers["authorization"].endswith(f"Signature={SIGNATURE}")
    auth = verify_request(
        method="POST", query_string="", headers=headers, body=BODY, now=TIMESTAMP + 10, lookup_secret=_lookup
    )
    assert (auth.secret_id, auth.service, auth.date) == (SECRET_ID, "cvm", "2019-02-25")


def test_it_refuses_a_body_changed_after_signing() -> None:
    with pytest.raises(OcrError) as caught:
        verify_request(
            method="POST",
            query_string="",
            headers=_vector_headers(),
            body=BODY.replace(b"1", b"2"),
            now=TIMESTAMP,
            lookup_secret=_lookup,
        )
    assert caught.value.code is ErrorCode.AUTH_SIGNATURE_FAILURE


def test_it_refuses_timestamps_more_than_300_seconds_off() -> None:
    for now in (TIMESTAMP + 301, TIMESTAMP - 301):
        with pytest.raises(OcrError) as caught:
            verify_request(
                method="POST",
                query_string="",
                headers=_vector_headers(),
                body=BODY,
                now=now,
                lookup_secret=_lookup,
            )
        assert caught.value.code is ErrorCode.AUTH_SIGNATURE_EXPIRE


def test_it_reports_an_unknown_secret_id() -> None:
    with pytest.raises(OcrError) as caught:
        verify_request(
            method="POST",
            query_string="",
            headers=_vector_headers(),
            body=BODY,
            now=TIMESTAMP,
            lookup_secret=lambda _: None,
        )
    assert caught.value.code is ErrorCode.AUTH_SECRET_ID_NOT_FOUND


def test_it_honours_extra_signed_headers() -> None:
    headers = {**HEADERS, "x-tc-action": "DescribeInstances"}
    authorization = sign_request(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        method="POST",
        query_string="",
        headers=headers,
        body=BODY,
        timestamp=TIMESTAMP,
        service="cvm",
        signed_headers=("content-type", "host", "x-tc-action"),
    )
    signed = {**headers, "authorization": authorization, "x-tc-timestamp": str(TIMESTAMP)}
    verify_request(
        method="POST", query_string="", headers=signed, body=BODY, now=TIMESTAMP, lookup_secret=_lookup
    )
    with pytest.raises(OcrError) as caught:
        verify_request(
            method="POST",
            query_string="",
            headers={**signed, "x-tc-action": "RunInstances"},
            body=BODY,
            now=TIMESTAMP,
            lookup_secret=_lookup,
        )
    assert caught.value.code is ErrorCode.AUTH_SIGNATURE_FAILURE


def test_it_signs_get_requests_over_the_query_string() -> None:
    headers = {"content-type": "application/x-www-form-urlencoded", "host": "127.0.0.1:8000"}
    query = "CardSide=FRONT&ImageUrl=https%3A%2F%2Fexample.com%2Fa.jpg"
    authorization = sign_request(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        method="GET",
        query_string=query,
        headers=headers,
        body=b"",
        timestamp=TIMESTAMP,
    )
    signed = {**headers, "authorization": authorization, "x-tc-timestamp": str(TIMESTAMP)}
    verify_request(
        method="GET", query_string=query, headers=signed, body=b"", now=TIMESTAMP, lookup_secret=_lookup
    )
    with pytest.raises(OcrError) as caught:
        verify_request(
            method="GET",
            query_string=query.replace("FRONT", "BACK"),
            headers=signed,
            body=b"",
            now=TIMESTAMP,
            lookup_secret=_lookup,
        )
    assert caught.value.code is ErrorCode.AUTH_SIGNATURE_FAILURE


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm, SignedHeaders=content-type;host, Signature="
        + "0" * 64,
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=host, Signature="
        + "0" * 64,
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=zz",
    ],
)
def test_it_refuses_malformed_authorization_headers(header: str) -> None:
    with pytest.raises(OcrError) as caught:
        parse_authorization(header)
    assert caught.value.code is ErrorCode.AUTH_INVALID_AUTHORIZATION
