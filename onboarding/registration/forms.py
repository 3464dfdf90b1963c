"""Forms of the end-user pages: sign-up, sign-in, and the eight fields of the card."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from onboarding.registration.identifiers import is_email, normalise_identifier

IDENTIFIER_HELP = _("中国大陆手机号（11 位）或邮箱地址")


def _clean_identifier(value: str) -> str:
    username = normalise_identifier(value)
    if username is None:
        raise forms.ValidationError(
            _("请输入有效的中国大陆手机号（如 13800138000）或邮箱地址。"), code="identifier_invalid"
        )
    return username


class SignUpForm(forms.Form):
    identifier = forms.CharField(
        label=_("手机号或邮箱"),
        max_length=150,
        help_text=IDENTIFIER_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "email"}),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，也不能太常见。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_identifier(self) -> str:
        username = _clean_identifier(self.cleaned_data["identifier"])
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该手机号或邮箱已注册，请直接登录。"), code="identifier_taken")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", forms.ValidationError(_("两次输入的密码不一致。"), code="mismatch"))
        username = cleaned.get("identifier")
        if password1 and username:
            # The similarity validator compares the password with the account's username and e-mail.
            probe = User(username=username, email=username if is_email(username) else "")
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(AuthenticationForm):
    """Django's sign-in form, taking a phone number or an e-mail address as the username."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, "invalid_login": _("手机号/邮箱或密码不正确。")}
        self.fields["username"].label = _("手机号或邮箱")
        self.fields["username"].help_text = IDENTIFIER_HELP
        self.fields["username"].widget.attrs["inputmode"] = "email"
        self.fields["password"].label = _("密码")

    def clean_username(self) -> str:
        return _clean_identifier(self.cleaned_data["username"])
