"""HTML forms of the core app, and what every app's forms share: `checked` (a form's data or `Invalid`) and
a file field with a size limit, a bounded id field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from opencsms.core import history, services
from opencsms.core.errors import DomainError, Invalid
from opencsms.core.models import MAX_ID


def checked(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or `Invalid` naming every problem (shown like the services' errors, and
    beside each input on an htmx page: `Invalid.fields`)."""
    if not form.is_valid():
        fields = {name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()}
        problems = [f"{name}: {text}" for name, text in fields.items()]
        fields.pop("__all__", None)
        raise Invalid("; ".join(problems).replace("__all__: ", ""), fields=fields)
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

    def __init__(
        self,
        request: HttpRequest | None = None,
        *,
        ip: str | None = None,
        local_sign_in: str = "everyone",
        **kwargs: Any,
    ) -> None:
        super().__init__(request, **kwargs)
        self.ip, self.local_sign_in = ip, local_sign_in  # everyone | superusers | nobody

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if self.local_sign_in == "nobody":
            raise forms.ValidationError(services.PASSWORD_OFF, code="password_off")
        if username is not None and password:
            superusers_only = self.local_sign_in == "superusers"
            try:
                self.user_cache = services.log_in(
                    username=username, password=password, ip=self.ip, superusers_only=superusers_only
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.detail, code=exc.code) from None
            except PermissionDenied as exc:
                raise forms.ValidationError(str(exc), code="password_off") from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET): all optional; a bad date or action is refused with its name."""

    user = forms.CharField(required=False, max_length=150)
    obj = forms.CharField(required=False, max_length=300)
    action = forms.ChoiceField(required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "Any action"), *((a, a) for a in history.actions())]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("the time span ends before it starts: until must not precede since")
        return data

    def filters(self) -> history.AuditFilter:
        data = checked(self)
        return history.AuditFilter(
            user=data["user"].strip(),
            obj=data["obj"].strip(),
            action=data["action"],
            since=data["since"],
            until=data["until"],
        )


class ProfileForm(forms.Form):
    """The account page: a person's own name and email."""

    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)


class PasswordForm(forms.Form):
    """A person's own password change: the current one, and the new one twice."""

    current = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    repeat = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new") and data.get("repeat") and data["new"] != data["repeat"]:
            raise forms.ValidationError("the two new passwords differ")
        return data


class CodeForm(forms.Form):
    """A code of the second factor: 6 digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        max_length=20, widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"})
    )


class DisableFactorForm(forms.Form):
    """Turning the second factor off: a current code or the person's password."""

    proof = forms.CharField(max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100)


class NewUserForm(forms.Form):
    """The user administration's form for a new account (the password rules are the service's)."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ResetPasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
