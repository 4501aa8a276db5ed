"""The structured create form of the kinds described by a field spec (`selectors.create_spec`): the id and
each spec'd field, read from the post; `element()` is the entry for `create_element`. A required field
left empty is named beside its input; the engine checks the references and words like any change."""

from __future__ import annotations

from typing import Any

from django import forms

from opencsms.tara.forms import Picks
from opencsms.tara.selectors.create_spec import MULTIPLE_WORDS, SPECS

MAX_TEXT = 5000


class SpecForm(forms.Form):
    id = forms.CharField(max_length=100, error_messages={"required": "give the new element an id"})

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for spec in SPECS[kind]:
            made: forms.Field
            if spec.widget == "yes":
                made = forms.BooleanField(required=False)
            elif spec.widget == "many" or spec.name in MULTIPLE_WORDS:
                made = Picks(required=spec.required)
            else:
                made = forms.CharField(required=spec.required, max_length=MAX_TEXT)
            needed = (
                "pick one or more" if spec.widget == "many" else "choose one" if spec.picks else "fill it in"
            )
            made.error_messages["required"] = needed
            self.fields[spec.name] = made

    def element(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.cleaned_data["id"].strip()}
        for spec in SPECS[self.kind]:
            value = self.cleaned_data.get(spec.name)
            found[spec.name] = value.strip() if isinstance(value, str) else value
        return {key: value for key, value in found.items() if value not in (None, "", [], False)}
