"""Per-key throttling: PARTNER_API_RATE_LIMIT_PER_SECOND (20/s, the seed's figure) or the key's own rate.

A sliding one-second window kept in the cache; with several processes, CACHE_URL must name a shared
cache (Redis) for the limit to hold across them.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from onboarding.partners.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "partner_api_key"

    def get_rate(self) -> str:
        return f"{settings.PARTNER_API_RATE_LIMIT_PER_SECOND}/s"

    def allow_request(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return True  # unauthenticated requests are refused before this runs
        self.num_requests, self.duration = self.parse_rate(self.get_rate())
        if api_key.rate_limit_per_second:
            self.num_requests, self.duration = api_key.rate_limit_per_second, 1
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}
