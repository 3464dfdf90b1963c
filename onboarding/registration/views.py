"""End-user pages: account, upload of both sides, the prefilled form, and the status of a verification.

Views stay thin: forms parse input, ``onboarding.kyc`` services write, selectors read.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onboarding.core.exceptions import ApplicationError
from onboarding.registration.forms import SignInForm, SignUpForm
from onboarding.registration.services import account_sign_up


def start(request: HttpRequest) -> HttpResponse:
    """/register/: sign up or sign in; once signed in, verify your identity."""
    return render(request, "registration/start.html", {})


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("registration:start")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_sign_up(
                identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password1"]
            )
        except ApplicationError:
            # Two sign-ups raced for the same identifier; the form's own check covers the usual case.
            form.add_error("identifier", _("该手机号或邮箱已注册，请直接登录。"))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("registration:start")
    return render(request, "registration/signup.html", {"form": form})


class SignInView(LoginView):
    template_name = "registration/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("registration:start")


class SignOutView(LogoutView):
    next_page = reverse_lazy("registration:start")
