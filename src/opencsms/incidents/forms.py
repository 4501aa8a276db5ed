"""HTML forms of incident response: shape only. Each gives the keyword arguments of one service; the
services decide what is allowed and name the problem (`core.forms.checked` shows a form's own errors the
same way)."""

from __future__ import annotations

from typing import Any

from django import forms

from opencsms.core.forms import IdField
from opencsms.incidents.models import PLAN_FIELDS, EntryKind, Severity, Status

TEXT = 20_000


class PlanForm(forms.Form):
    remedial_actions = forms.CharField(required=False, max_length=TEXT)
    communication_plan = forms.CharField(required=False, max_length=TEXT)
    responsibilities = forms.CharField(required=False, max_length=TEXT)
    recording_procedure = forms.CharField(required=False, max_length=TEXT)
    progress_method = forms.CharField(required=False, max_length=TEXT)
    closure_criteria = forms.CharField(required=False, max_length=TEXT)
    closure_actions = forms.CharField(required=False, max_length=TEXT)

    def contents(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in PLAN_FIELDS}


class IncidentForm(forms.Form):
    """A new incident, or an incident's facts and status (the status is offered only when editing)."""

    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices)
    detected_at = forms.DateTimeField()
    reported_by = forms.CharField(max_length=200)
    description = forms.CharField(required=False, max_length=TEXT)
    attack_detected = forms.BooleanField(required=False)
    attack_reports = forms.CharField(required=False, max_length=TEXT)
    releases = forms.TypedMultipleChoiceField(coerce=int, required=False)
    findings = forms.TypedMultipleChoiceField(coerce=int, required=False)
    status = forms.ChoiceField(required=False, choices=[c for c in Status.choices if c[0] != Status.CLOSED])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("releases", "findings"):  # ids: the service checks each is visible and in the level
            self.fields[name].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]

    def facts(self) -> dict[str, Any]:
        d = self.cleaned_data
        names = ("title", "severity", "detected_at", "reported_by", "description", "attack_detected",
                 "attack_reports")  # fmt: skip
        facts = {name: d[name] for name in names}
        if d.get("status"):
            facts["status"] = d["status"]
        return facts


class EntryForm(forms.Form):
    kind = forms.ChoiceField(choices=[c for c in EntryKind.choices if c[0] != EntryKind.STATUS_CHANGE])
    text = forms.CharField(max_length=TEXT)
    at = forms.DateTimeField(required=False)


class ActionForm(forms.Form):
    title = forms.CharField(max_length=300)
    owner = IdField(required=False)
    due = forms.DateField(required=False)


class DoneForm(forms.Form):
    action = IdField()


class CommunicationForm(forms.Form):
    recipient = forms.CharField(max_length=200)
    channel = forms.CharField(max_length=100)
    summary = forms.CharField(max_length=TEXT)
    at = forms.DateTimeField(required=False)


class CloseForm(forms.Form):
    confirmed = forms.MultipleChoiceField(required=False)
    note = forms.CharField(required=False, max_length=TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].valid_value = lambda value: True  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    since = forms.DateField()
    until = forms.DateField()
