"""The project page's "New TARA" form: an empty TARA with an id, a name and a method profile."""

from __future__ import annotations

from django import forms

from opencsms.engine.method.load import SHIPPED_PROFILES

PROFILE_LABELS = {"iso21434": "ISO/SAE 21434", "heavens-1.0": "HEAVENS 1.0", "evita": "EVITA"}


class NewTaraForm(forms.Form):
    ref = forms.CharField(max_length=100, label="Id", help_text="letters, digits, - _ . (e.g. door-unlock)")
    name = forms.CharField(max_length=200)
    profile = forms.ChoiceField(
        label="Method profile",
        choices=[(key, PROFILE_LABELS.get(key, key)) for key in SHIPPED_PROFILES],
        initial="iso21434",
    )
