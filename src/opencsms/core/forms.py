"""HTML forms of the core app, and what every app's forms share: `checked` (a form's data or `Invalid`) and
a file field with a size limit, a bounded id field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from opencsms.core import services
from opencsms.core.errors import DomainError, Invalid
from opencsms.core.models import MAX_ID


def checked(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or `Invalid` naming every problem (shown like the services' errors)."""
    if not form.is_valid():
        problems = [f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()]
        raise Invalid("; ".join(problems).replace("__all__: ", ""))
    return form.cleaned_data


class IdField(forms.IntegerField):
    """An object's id or a page number: a positive integer the database can hold (a larger one is a form
    error, not an overflow in the query)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class LimitedFileField(forms.FileField):
    """An upload refused above `max_bytes` before it is read into memory."""

    def __init__(self, *, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > self.max_bytes:
            limit = self.max_bytes
            raise forms.ValidationError(f"the file has {upload.size} bytes; at most {limit} are read")
        return upload


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
