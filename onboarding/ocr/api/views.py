"""The Tencent Cloud API 3.0-compatible IDCardOCR endpoint, served at path / (see onboarding/core/views.py).

The view only does transport: size limit, TC3 signature, action, rate limit, parameters from the body or
query string; the contract itself lives in onboarding.ocr.api.contract. Every answer is HTTP 200 with
Content-Type exactly `application/json` (the Python SDK ignores an error envelope under any other value).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from onboarding.ocr.api import contract
from onboarding.ocr.api.limits import rate_limit_exceeded
from onboarding.ocr.api.signing import verify_request, verify_v1_request
from onboarding.ocr.api.url_fetch import fetch_image
from onboarding.ocr.errors import ErrorCode, OcrError
from onboarding.ocr.models import ApiCredential
from onboarding.ocr.selectors import credential_get_active
from onboarding.ocr.services import credential_mark_used

logger = logging.getLogger("onboarding.ocr.api")

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_DRAIN_CHUNK = 64 * 1024


def _language(request: HttpRequest) -> str:
    value = request.headers.get("X-TC-Language") or request.GET.get("Language") or "zh-CN"
    return "en-US" if value.lower().startswith("en") else "zh-CN"


def _json_response(envelope: dict[str, Any]) -> HttpResponse:
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), content_type="application/json", status=200)


def _drain(request: HttpRequest, length: int) -> None:
    # Read and drop a refused body (bounded), so the client gets to read our answer instead of a reset.
    remaining = min(length, 4 * settings.OCR_API_MAX_BODY_BYTES)
    try:
        while remaining > 0:
            chunk = request.read(min(_DRAIN_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
    except OSError:
        return


def _read_body(request: HttpRequest) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    length = int(declared) if declared.isdigit() else 0
    if length > settings.OCR_API_MAX_BODY_BYTES:
        _drain(request, length)
        raise OcrError(ErrorCode.REQUEST_SIZE_LIMIT_EXCEEDED)
    try:
        body = request.body
    except RequestDataTooBig:
        raise OcrError(ErrorCode.REQUEST_SIZE_LIMIT_EXCEEDED) from None
    if len(body) > settings.OCR_API_MAX_BODY_BYTES:
        raise OcrError(ErrorCode.REQUEST_SIZE_LIMIT_EXCEEDED)
    return body


def _lower_headers(request: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _v1_params(request: HttpRequest) -> dict[str, str] | None:
    """The parameters of a request signed the older way (Signature among them), else None."""
    if request.method == "GET":
        source = request.GET
    elif (request.content_type or "").lower() in _FORM_TYPES:
        try:
            source = request.POST
        except MultiPartParserError:
            return None
    else:
        return None
    if "Signature" not in source:
        return None
    return {key: source[key] for key in source}


def _authenticate(request: HttpRequest, *, headers: dict[str, str], body: bytes) -> str:
    """The caller's SecretId ("" when unauthenticated use is allowed and no signature was sent)."""
    found: list[ApiCredential] = []

    def lookup(secret_id: str) -> str | None:
        credential = credential_get_active(secret_id=secret_id)
        if credential is None:
            return None
        found.append(credential)
        return str(credential.secret_key)

    now = time.time()
    v1_params = None if "authorization" in headers else _v1_params(request)
    if v1_params is not None:
        secret_id = verify_v1_request(
            method=request.method or "GET",
            host=headers.get("host", ""),
            params=v1_params,
            now=now,
            lookup_secret=lookup,
        )
    elif "authorization" not in headers and settings.OCR_API_ALLOW_UNAUTHENTICATED:
        return ""
    else:  # TC3-HMAC-SHA256; a request with no signature at all is refused here as InvalidAuthorization
        secret_id = verify_request(
            method=request.method or "GET",
            query_string=request.META.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
            now=now,
            lookup_secret=lookup,
        ).secret_id
    if found:
        credential_mark_used(credential=found[0])
    return secret_id


def _params(request: HttpRequest, body: bytes) -> dict[str, object]:
    if request.method == "GET":
        return {key: request.GET[key] for key in request.GET}
    content_type = (request.content_type or "").lower()
    if content_type in _FORM_TYPES:
        try:
            return {key: request.POST[key] for key in request.POST}
        except MultiPartParserError:
            raise OcrError(
                ErrorCode.INVALID_PARAMETER, "请求体格式错误。", detail_en="The multipart body is malformed."
            ) from None
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise OcrError(
            ErrorCode.INVALID_PARAMETER, "请求体不是有效的JSON。", detail_en="The body is not valid JSON."
        ) from None
    if not isinstance(data, dict):
        raise OcrError(
            ErrorCode.INVALID_PARAMETER, "请求体应为JSON对象。", detail_en="The body must be a JSON object."
        )
    return data


def _check_action(request: HttpRequest, params: dict[str, object]) -> str:
    action = request.headers.get("X-TC-Action") or str(params.get("Action") or "")
    version = request.headers.get("X-TC-Version") or str(params.get("Version") or "")
    if not action:
        raise OcrError(ErrorCode.MISSING_PARAMETER, "缺少 Action。", detail_en="Action is missing.")
    if action != contract.ACTION:
        raise OcrError(
            ErrorCode.INVALID_ACTION, f"（{action[:64]}）", detail_en=f"({action[:64]} is not supported)"
        )
    if version and version != contract.VERSION:
        raise OcrError(ErrorCode.NO_SUCH_VERSION, f"（{version[:32]}）", detail_en=f"({version[:32]})")
    return action


def _fetch_url(url: str) -> bytes:
    return fetch_image(
        url,
        timeout=settings.OCR_URL_FETCH_TIMEOUT,
        max_bytes=contract.MAX_URL_IMAGE_BYTES,
        allow_loopback=settings.OCR_URL_FETCH_ALLOW_LOOPBACK,
    )


def _client_key(request: HttpRequest, secret_id: str) -> str:
    return secret_id or f"anonymous:{request.META.get('REMOTE_ADDR', '')}"


def tencent_api(request: HttpRequest) -> HttpResponse:
    """Answer one API 3.0 request (IDCardOCR) in the contract's envelope."""
    started = time.monotonic()
    request_id = contract.new_request_id()
    language = _language(request)
    secret_id = ""
    action = request.headers.get("X-TC-Action") or request.GET.get("Action") or ""
    try:
        if request.method not in ("GET", "POST"):
            raise OcrError(ErrorCode.UNSUPPORTED_PROTOCOL)
        body = _read_body(request)
        headers = _lower_headers(request)
        secret_id = _authenticate(request, headers=headers, body=body)
        params = _params(request, body)
        if isinstance(params.get("Language"), str):  # the older signature carries it as a parameter
            language = "en-US" if str(params["Language"]).lower().startswith("en") else "zh-CN"
        action = _check_action(request, params)
        if rate_limit_exceeded(
            key=_client_key(request, secret_id), limit=settings.OCR_API_RATE_LIMIT_PER_SECOND
        ):
            raise OcrError(ErrorCode.REQUEST_LIMIT_EXCEEDED)
        envelope = contract.handle(
            params,
            request_id=request_id,
            language=language,
            fetch_url=_fetch_url,
            invalid_date_warn_code=settings.OCR_INVALID_DATE_WARN_CODE,
        )
    except OcrError as error:
        envelope = {"Response": contract.error_response(error, request_id=request_id, language=language)}
    except Exception:
        logger.exception("IDCardOCR endpoint failed (RequestId %s)", request_id)
        envelope = {
            "Response": contract.error_response(
                OcrError(ErrorCode.INTERNAL_ERROR), request_id=request_id, language=language
            )
        }
    # One structured line per request: no image data, no personal fields (the ID number never appears).
    logger.info(
        json.dumps(
            {
                "event": "ocr_api",
                "RequestId": request_id,
                "SecretId": secret_id,
                "Action": action[:64],
                "outcome": contract.outcome_code(envelope),
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
            ensure_ascii=False,
        )
    )
    return _json_response(envelope)
