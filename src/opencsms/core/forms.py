"""HTML forms of the core app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from opencsms.core import services
from opencsms.core.errors import DomainError


class LoginForm(AuthenticationForm):
    """Django's sign-in form, checked by `services.log_in` (throttled, failures logged) instead of
    `authenticate()` directly: Django's contract puts the credential check in the form's `clean()`.
    """

    def __init__(self, request: HttpRequest | None = None, *, ip: str | None = None, **kwargs: Any) -> None:
        super().__init__(request, **kwargs)
        self.ip = ip

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.log_in(username=username, password=password, ip=self.ip)
            except DomainError as exc:
                raise forms.ValidationError(exc.detail, code=exc.code) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
