"""The base of every partner API view: key auth, scopes, per-key throttle, the one error shape."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation
from drf_spectacular.utils import OpenApiResponse
from rest_framework.parsers import BaseParser, FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onboarding.kyc.audit import Actor
from onboarding.partners.api.authentication import ApiKeyAuthentication, PartnerPrincipal
from onboarding.partners.api.errors import ErrorSerializer, partner_exception_handler
from onboarding.partners.api.permissions import HasRequiredScope
from onboarding.partners.api.throttling import ApiKeyRateThrottle
from onboarding.partners.models import ApiKey, Partner


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation (all in the one error shape)."""
    descriptions = {
        400: "Invalid request (code validation_error or a domain code).",
        401: "Missing or invalid API key (not_authenticated, authentication_failed).",
        403: "The key lacks the scope (insufficient_scope).",
        404: "No such object for this partner (not_found).",
        409: "Idempotency-Key reused with another request, or a state conflict.",
        413: "The request body is too large.",
        415: "Unsupported content type.",
        422: "The image could not be read as an ID card (ocr_failed).",
        429: "Too many requests for this key (throttled); see Retry-After.",
        503: "OCR temporarily unavailable (ocr_unavailable).",
    }
    chosen = sorted({400, 401, 403, 429, *codes})
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in chosen}


class PartnerAPIView(APIView):
    authentication_classes = (ApiKeyAuthentication,)
    permission_classes = (IsAuthenticated, HasRequiredScope)
    throttle_classes = (ApiKeyRateThrottle,)
    renderer_classes = (JSONRenderer,)
    parser_classes: Sequence[type[BaseParser]] = (JSONParser,)
    # HTTP method -> scope the key needs.
    required_scopes: ClassVar[dict[str, str]] = {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The site defaults to Chinese; API clients get English messages unless they ask otherwise.
        if "HTTP_ACCEPT_LANGUAGE" in request.META:
            return super().dispatch(request, *args, **kwargs)
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = "en"  # LocaleMiddleware would name the site's default
        return response

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return partner_exception_handler

    @property
    def partner(self) -> Partner:
        principal = self.request.user
        assert isinstance(principal, PartnerPrincipal)
        return principal.partner

    @property
    def api_key(self) -> ApiKey:
        assert isinstance(self.request.auth, ApiKey)
        return self.request.auth

    def actor(self, request: Request) -> Actor:
        """The partner as the audit trail records it (the key's prefix says which key acted)."""
        return Actor.partner(
            partner_id=str(self.partner.pk),
            label=f"{self.partner.name} ({self.api_key.prefix})"[:150],
            ip=request.META.get("REMOTE_ADDR") or None,
            request_id=request.headers.get("X-Request-ID", "")[:64],
        )


UPLOAD_PARSERS: tuple[type[BaseParser], ...] = (JSONParser, MultiPartParser, FormParser)
