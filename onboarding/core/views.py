"""The landing page, and the dispatcher that shares path / with the Tencent-compatible OCR API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from onboarding.ocr.api.views import tencent_api


def _is_api_call(request: HttpRequest) -> bool:
    # SDKs send X-TC-Action; the seed's GET examples put Action in the query string; browsers do neither,
    # and never POST to /.
    return (
        "HTTP_X_TC_ACTION" in request.META or "Action" in request.GET or request.method not in ("GET", "HEAD")
    )


@csrf_exempt  # API 3.0 clients authenticate by TC3 signature, not by session cookie
def root(request: HttpRequest) -> HttpResponse:
    if _is_api_call(request):
        return tencent_api(request)
    return render(request, "core/landing.html")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
