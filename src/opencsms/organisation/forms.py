"""HTML forms of the organisation app: shape only; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from opencsms.core import selectors as core_selectors
from opencsms.organisation.models import Role


class MemberAddForm(forms.Form):
    """A new member: the role starts unchosen (no privileged default a hurried click would grant)."""

    user = forms.ModelChoiceField(queryset=core_selectors.active_users(), to_field_name="username")
    role = forms.ChoiceField(
        choices=[("", "Choose a role…"), *Role.choices], error_messages={"required": "choose a role"}
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class LevelForm(forms.Form):
    """A new business unit or project: a name, and a slug made from it when left empty."""

    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=100, required=False)
