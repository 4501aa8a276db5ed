"""The forms of the bulk actions: which elements (the ticked ids, or every one matching the list's filter,
whose fields the form carries) and what to set on them. Shape only: the service decides what applies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from opencsms.tara.selectors import SORTS, ElementFilter, Selection
from opencsms.tara.services.bulk import DECISIONS, MAX_BULK, STATUSES

EMPTY = [("", "(unchanged)")]


class SelectionForm(forms.Form):
    """The ticked ids, or `all_matching` with the list's filter (q, status, risk_min, asset, sort; the
    generation page's `state`)."""

    refs = forms.MultipleChoiceField(required=False)
    all_matching = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=200)
    status = forms.CharField(required=False, max_length=32)
    risk_min = forms.IntegerField(required=False, min_value=1, max_value=5)
    asset = forms.CharField(required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    state = forms.CharField(required=False, max_length=32)
    what = "element"

    def __init__(self, data: Any, what: str = "") -> None:
        super().__init__(data)
        self.what = what or self.what
        refs = data.getlist("refs") if hasattr(data, "getlist") else []
        field = self.fields["refs"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(ref, ref) for ref in refs[:MAX_BULK]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("refs") and not data.get("all_matching"):
            raise forms.ValidationError(f"tick at least one {self.what}, or choose all matching the filter")
        return data

    def selection(self) -> Selection:
        d = self.cleaned_data
        filters = ElementFilter(
            d.get("q") or "",
            d.get("status") or "",
            d.get("risk_min"),
            d.get("asset") or "",
            d.get("sort") or "position",
        )
        return Selection(
            list(d.get("refs") or []), bool(d.get("all_matching")), filters, d.get("state") or ""
        )

    def list_query(self) -> str:
        """The list's filter as a query string (to go back to the list as it was)."""
        d = self.cleaned_data
        kept = {key: d.get(key) for key in ("q", "status", "risk_min", "asset", "sort") if d.get(key)}
        return urlencode(kept)


class BulkForm(SelectionForm):
    """A bulk edit of a list: the fields to set (left empty: unchanged)."""

    set_status = forms.ChoiceField(required=False, choices=EMPTY + [(s, s) for s in STATUSES])
    decision = forms.ChoiceField(required=False, choices=EMPTY + [(d, d) for d in DECISIONS])
    rationale = forms.CharField(required=False, max_length=2000)
    delete = forms.BooleanField(required=False)  # remove the chosen instead

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        found = {
            "status": d.get("set_status"),
            "decision": d.get("decision"),
            "rationale": d.get("rationale"),
        }
        return {key: value for key, value in found.items() if value}


class DecisionForm(SelectionForm):
    """A decision on generated threat scenarios: the ticked ones or all matching the page's filter,
    accepted, rejected (with a rationale) or put back to proposed."""

    decision = forms.ChoiceField(choices=[(s, s) for s in STATUSES])
    rationale = forms.CharField(required=False, max_length=2000)
    what = "threat scenario"

    def __init__(self, data: Any) -> None:
        if hasattr(data, "getlist") and "decision" not in data and "status" in data:
            data = data.copy()  # the buttons name it `decision`; older forms and scripts `status`
            data["decision"] = data["status"]
            data.pop("status")
        super().__init__(data)
