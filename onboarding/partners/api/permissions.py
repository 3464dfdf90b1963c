"""Scope checks: a view names the scope each method needs."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from onboarding.partners.models import ApiKey


class HasRequiredScope(BasePermission):
    """Allows a request when its key has the scope in view.required_scopes[method]."""

    message = "This API key lacks the scope this operation needs."
    code = "insufficient_scope"

    def has_permission(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False
        required: dict[str, str] = getattr(view, "required_scopes", {})
        # HEAD runs the GET handler, so it needs GET's scope.
        method = "GET" if request.method == "HEAD" else (request.method or "")
        scope = required.get(method)
        if scope is None:
            return True
        if api_key.has_scope(scope):
            return True
        self.message = f"This API key lacks the {scope!r} scope."
        return False
