"""HTML forms of vulnerability monitoring: shape only. Each gives the keyword arguments of one service or
selector; the services and the engine decide what is allowed (a refused SBOM, a triage rule of clause 8)
and name the problem. An invalid form raises `Invalid` through `core.forms.checked`, so it is shown like a
service's refusal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from opencsms.core.forms import IdField, LimitedFileField
from opencsms.vulns.models import JUSTIFICATIONS, Decision, LoopMode, SourceKind, Stage, VexStatus
from opencsms.vulns.selectors import (
    FINDING_SORTS,
    MAX_ADVISORY_BYTES,
    MAX_SBOM_BYTES,
    SEVERITIES,
    FindingFilter,
)
from opencsms.vulns.services.bulk import MAX_BULK

ANY = [("", "any")]


class UploadForm(forms.Form):
    """A new release from its SBOM; `component` is `<TARA id>:<component id>` from the page's select."""

    file = LimitedFileField(max_bytes=MAX_SBOM_BYTES)
    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=100)
    component = forms.RegexField(regex=r"^([0-9]+:.+)?$", required=False, max_length=200)
    tara = IdField(required=False)

    def release(self) -> dict[str, Any]:
        """`upload_sbom`'s keyword arguments (the file's bytes read here, within the field's limit)."""
        d = self.cleaned_data
        tara_id, _, component_ref = (d.get("component") or "").partition(":")
        upload = d["file"]
        return {
            "name": d["name"],
            "version": d["version"],
            "raw": upload.read(),
            "filename": upload.name or "",
            "component_ref": component_ref,
            "tara_id": int(tara_id) if tara_id else d.get("tara"),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        component, tara = cleaned.get("component") or "", cleaned.get("tara")
        if component and tara and component.partition(":")[0] != str(tara):
            self.add_error("tara", "the component chosen belongs to another TARA")
        return cleaned


class ReplaceForm(forms.Form):
    """A new SBOM revision of a release (`replace_sbom`)."""

    file = LimitedFileField(max_bytes=MAX_SBOM_BYTES)

    def revision(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        return {"raw": upload.read(), "filename": upload.name or ""}


class VexImportForm(forms.Form):
    """A VEX document to import as triage (`import_vex`)."""

    file = LimitedFileField(max_bytes=MAX_SBOM_BYTES)

    def document(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        return {"raw": upload.read(), "filename": upload.name or ""}


class FindingFilterForm(forms.Form):
    """The filters, sort and page of a findings list (all optional; values out of shape are ignored)."""

    severity = forms.ChoiceField(required=False, choices=ANY + [(s, s.lower()) for s in SEVERITIES])
    status = forms.ChoiceField(required=False, choices=ANY + list(VexStatus.choices))
    stage = forms.ChoiceField(required=False, choices=ANY + list(Stage.choices))
    kev = forms.ChoiceField(required=False, choices=[("", "any"), ("yes", "in KEV"), ("no", "not in KEV")])
    q = forms.CharField(required=False, max_length=200)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in FINDING_SORTS])
    overdue = forms.BooleanField(required=False)
    organisation = IdField(required=False)
    page = IdField(required=False)

    def to_filter(self) -> FindingFilter:
        d = self.cleaned_data if self.is_valid() else {}
        kev = {"yes": True, "no": False}.get(d.get("kev") or "")
        return FindingFilter(
            d.get("severity") or "", d.get("status") or "", d.get("stage") or "", kev, d.get("q") or "",
            d.get("sort") or "-score", bool(d.get("overdue")),
        )  # fmt: skip

    def organisation_id(self) -> int | None:
        value: int | None = (self.cleaned_data if self.is_valid() else {}).get("organisation")
        return value


UNCHANGED = [("", "(unchanged)")]


class BulkTriageForm(FindingFilterForm):
    """A bulk triage of a findings list (a release's, the portfolio): the ticked findings (`ids`) or all
    matching the list's filter (whose fields the form carries), the triage fields to set (left empty:
    unchanged) and the version of each finding the list showed (`seen`: a finding changed since refuses
    the change)."""

    ids = forms.TypedMultipleChoiceField(required=False, coerce=int)
    seen = forms.Field(required=False, widget=forms.MultipleHiddenInput)  # "id:version" of each row shown
    all_matching = forms.BooleanField(required=False)
    set_stage = forms.ChoiceField(required=False, choices=UNCHANGED + list(Stage.choices))
    vex_status = forms.ChoiceField(required=False, choices=UNCHANGED + list(VexStatus.choices))
    justification = forms.ChoiceField(required=False, choices=UNCHANGED + [(j, j) for j in JUSTIFICATIONS])
    decision = forms.ChoiceField(required=False, choices=UNCHANGED + list(Decision.choices)[1:])
    rationale = forms.CharField(required=False, max_length=10_000)
    accepted_until = forms.DateField(required=False)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        ids = data.getlist("ids") if hasattr(data, "getlist") else []
        field = self.fields["ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(i, i) for i in ids[: MAX_BULK + 1]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("ids") and not data.get("all_matching"):
            raise forms.ValidationError("tick at least one finding, or choose all matching the filter")
        return data

    def clean_seen(self) -> dict[int, str]:
        found = {}
        for text in (self.cleaned_data.get("seen") or [])[: MAX_BULK + 1]:
            pk, _, version = str(text).partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError(f"{text!r} is not a finding's id and version")
            found[int(pk)] = version
        return found

    def expected(self) -> dict[int, str]:
        """The version of each finding the list showed, by id (`bulk_triage`'s `expected`)."""
        found: dict[int, str] = self.cleaned_data.get("seen") or {}
        return found

    def finding_ids(self) -> list[int] | None:
        """The ticked ids; None: all matching the filter."""
        return None if self.cleaned_data.get("all_matching") else list(self.cleaned_data["ids"])

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        found = {
            "stage": d.get("set_stage"),
            "vex_status": d.get("vex_status"),
            "justification": d.get("justification"),
            "decision": d.get("decision"),
            "rationale": (d.get("rationale") or "").strip(),
            "accepted_until": d.get("accepted_until"),
        }
        return {key: value for key, value in found.items() if value}

    def list_query(self) -> str:
        """The list's filter as a query string (to go back to the list as it was)."""
        d = self.cleaned_data
        kept = {
            key: d.get(key)
            for key in ("severity", "status", "stage", "kev", "q", "sort", "overdue", "organisation")
            if d.get(key)
        }
        return urlencode(kept)


class TriageForm(forms.Form):
    """Every triage field of a finding (`triage_finding` checks the rules of clause 8)."""

    stage = forms.ChoiceField(choices=Stage.choices)
    vex_status = forms.ChoiceField(choices=VexStatus.choices)
    justification = forms.ChoiceField(
        required=False, choices=[("", "(none)")] + [(j, j) for j in JUSTIFICATIONS]
    )
    decision = forms.ChoiceField(required=False, choices=Decision.choices)
    rationale = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea)
    owner = IdField(required=False)
    due_date = forms.DateField(required=False)
    accepted_until = forms.DateField(required=False)

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "stage": d["stage"],
            "vex_status": d["vex_status"],
            "justification": d.get("justification") or "",
            "decision": d.get("decision") or "",
            "rationale": (d.get("rationale") or "").strip(),
            "owner_id": d.get("owner"),
            "due_date": d.get("due_date"),
            "accepted_until": d.get("accepted_until"),
        }


class LinkForm(forms.Form):
    """One attack step of a threat scenario to re-rate from the finding's CVSS."""

    threat = forms.CharField(max_length=100)
    path = forms.CharField(max_length=100)
    address = forms.RegexField(regex=r"^[0-9.]*$", required=False, max_length=200)


class LoopRuleForm(forms.Form):
    """An organisation's rule for new findings on a TARA component (`set_tara_loop_rule`)."""

    mode = forms.ChoiceField(choices=LoopMode.choices)


class RejectForm(forms.Form):
    """Why a proposed re-rating is rejected (optional)."""

    reason = forms.CharField(max_length=500, required=False)


class AdvisoryImportForm(forms.Form):
    file = LimitedFileField(max_bytes=MAX_ADVISORY_BYTES)


class ExploitationForm(forms.Form):
    file = LimitedFileField(max_bytes=MAX_ADVISORY_BYTES)
    kind = forms.ChoiceField(choices=[("kev", "CISA KEV (JSON or CSV)"), ("epss", "FIRST EPSS (CSV)")])


class SourceForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SourceKind.choices)
    location = forms.CharField(max_length=1000)
    ecosystems = forms.CharField(max_length=2000, required=False)

    def clean_ecosystems(self) -> list[str]:
        """OSV ecosystems, separated by commas ("Go, PyPI")."""
        return [e.strip() for e in self.cleaned_data.get("ecosystems", "").split(",") if e.strip()]


class ScheduleForm(forms.Form):
    """A source's schedule: seconds between syncs, or empty for none (the service checks the range)."""

    every = forms.IntegerField(required=False)


class ReadForm(forms.Form):
    """Mark one notification read (`id`), or all of them."""

    id = IdField(required=False)

    def ids(self) -> list[int] | None:
        found = self.cleaned_data.get("id")
        return None if found is None else [found]


class SlaPolicyForm(forms.Form):
    """An organisation's SLA in days (`set_sla_policy` checks the ranges) and the version it was made from."""

    critical = forms.IntegerField()
    high = forms.IntegerField()
    medium = forms.IntegerField()
    low = forms.IntegerField()
    unknown = forms.IntegerField()
    kev = forms.IntegerField()
    escalation = forms.IntegerField()
    etag = forms.CharField(required=False, max_length=20)

    def terms(self) -> dict[str, int]:
        return {name: value for name, value in self.cleaned_data.items() if name != "etag"}
