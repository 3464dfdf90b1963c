"""The Tencent Cloud API 3.0-compatible IDCardOCR endpoint (work in progress: see issue 4)."""

from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, HttpResponse

from onboarding.ocr.errors import ErrorCode, OcrError


def tencent_api(request: HttpRequest) -> HttpResponse:
    error = OcrError(ErrorCode.SERVICE_UNAVAILABLE)
    body = {
        "Response": {
            "Error": {"Code": error.code.value, "Message": error.message()},
            "RequestId": str(uuid.uuid4()),
        }
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
