"""One error shape for the whole partner API:

    {"error": {"code": "validation_error", "message": "…", "details": {…}}}

`code` is stable and machine-readable; `message` is for people; `details` is always an object
(field errors for validation_error, retry_after for throttled, ocr_code for OCR failures).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from onboarding.core.exceptions import ApplicationError
from onboarding.ocr.errors import ErrorCode, OcrError

logger = logging.getLogger(__name__)

# ApplicationError codes (ours and the kyc services') that are not a plain 400.
_APPLICATION_STATUS = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "conflict": status.HTTP_409_CONFLICT,
    "idempotency_conflict": status.HTTP_409_CONFLICT,
    "idempotency_in_progress": status.HTTP_409_CONFLICT,
    "invalid_state": status.HTTP_409_CONFLICT,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "too_many_attempts": status.HTTP_429_TOO_MANY_REQUESTS,
}

# DRF's default codes, renamed where a partner would look for something plainer.
_DRF_CODES = {"invalid": "validation_error", "permission_denied": "insufficient_scope"}

# OCR failures that are the caller's image, not our fault: 422; the rest are 502/503.
_OCR_SERVER_CODES = {ErrorCode.INTERNAL_ERROR, ErrorCode.UNKNOWN_ERROR, ErrorCode.SERVICE_UNAVAILABLE}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    code: str, message: str, *, status_code: int, details: dict[str, Any] | None = None
) -> Response:
    return Response(error_body(code, message, details), status=status_code)


def partner_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Render every error of the partner API in the one shape (set per view, not globally)."""
    if isinstance(exc, ApplicationError):
        return error_response(
            exc.code,
            exc.message,
            status_code=_APPLICATION_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
            details=dict(exc.extra),
        )
    if isinstance(exc, OcrError):
        server_side = exc.code in _OCR_SERVER_CODES
        return error_response(
            "ocr_unavailable" if server_side else "ocr_failed",
            exc.message("en-US"),
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE if server_side else 422,
            details={"ocr_code": exc.code.value, "message_zh": exc.message("zh-CN")},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        return error_response(
            "request_too_large",
            "The request body is too large; send large photos as multipart files.",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            details={"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )
    if isinstance(exc, SuspiciousOperation):
        return error_response(
            "bad_request", "The request was refused.", status_code=status.HTTP_400_BAD_REQUEST
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error in the partner API", exc_info=exc)
        return error_response(
            "internal_error", "Internal error.", status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    assert isinstance(exc, exceptions.APIException)
    details: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "validation_error"
        message = "The request is invalid; see details."
        details = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
    else:
        raw = exc.get_codes()
        code = raw if isinstance(raw, str) else exc.default_code
        code = _DRF_CODES.get(code, code)
        message = str(exc.detail)
        if isinstance(exc, exceptions.Throttled):
            # Throttled.__init__ always sets .wait; the DRF stubs do not declare the attribute.
            wait = cast("float | None", exc.wait)  # type: ignore[attr-defined]
            if wait is not None:
                details = {"retry_after": int(wait)}
    response.data = error_body(code, message, details)
    return response


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="Machine-readable, stable: validation_error, not_found, throttled…"
    )
    message = serializers.CharField()
    details = serializers.DictField(help_text="Field errors, retry_after, ocr_code…")


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()
