"""The check in front of every console view: anonymous users sign in, everyone else needs the role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from onboarding.review.roles import can_decide, is_reviewer

View = Callable[..., HttpResponse]


def reviewer_required(view: View) -> View:
    """Anonymous: to /review/login/ (coming back afterwards). Signed in without the role: 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("review:login"))
        if not is_reviewer(request.user):
            return render(request, "review/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def decider_required(view: View) -> View:
    """A reviewer who may also claim and decide cases (``kyc.review_verification``)."""

    @reviewer_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_decide(request.user):
            raise PermissionDenied("Deciding cases needs the reviewer role.")
        return view(request, *args, **kwargs)

    return wrapped
