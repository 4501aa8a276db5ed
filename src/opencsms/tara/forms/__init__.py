"""HTML forms of the TARA workspace: shape only. Each produces the keyword arguments of one service; the
services and the engine decide what is allowed and name the problem (a dangling reference, a bad level).
"""

from __future__ import annotations

from typing import Any

import yaml
from django import forms

from opencsms.core.forms import IdField, LimitedFileField
from opencsms.engine.tara.model import Treatment
from opencsms.engine.tara_as_code.trees import GATES
from opencsms.engine.yamlsafe import MAX_BYTES
from opencsms.tara.models import Kind
from opencsms.tara.selectors import MAX_K, SORTS, ElementFilter
from opencsms.tara.selectors.workspace import FIELDS, LIST_FIELDS
from opencsms.tara.services.rules import MAX_RULE_FILE_BYTES

MAX_YAML = 200_000  # characters of an element edited as YAML
SKELETONS: dict[str, str] = {
    Kind.COMPONENT: "id: \nname: \nkind: ecu\n",
    Kind.INTERFACE: "id: \nname: \nkind: can\ncomponents: []\n",
    Kind.DATA_FLOW: "id: \nsource: \ntarget: \ninterface: \ndata: \n",
    Kind.ASSET: "id: \nname: \nproperties: [integrity]\n",
    Kind.DAMAGE_SCENARIO: "id: \nname: \nimpact: {safety: moderate}\n",
    Kind.THREAT_SCENARIO: "id: \nname: \nasset: \nproperty: integrity\ndamage_scenarios: []\n",
    Kind.GOAL: "id: \nname: \n",
    Kind.CLAIM: "id: \ntext: \n",
    Kind.CONTROL: "id: \nname: \n",
    Kind.REQUIREMENT: "id: \ntext: \n",
    Kind.NOT_APPLICABLE: 'id: ""\nrationale: \n',
}


def _refs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class ImportForm(forms.Form):
    file = LimitedFileField(max_bytes=MAX_BYTES)
    replace = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class ApproveForm(forms.Form):
    content_sha256 = forms.CharField(max_length=64)
    note = forms.CharField(required=False, max_length=2000)
    acknowledged = forms.BooleanField(required=False)
    rationale = forms.CharField(required=False, max_length=2000)


class CommentForm(forms.Form):
    text = forms.CharField(max_length=5000)
    kind = forms.CharField(required=False, max_length=32)
    ref = forms.CharField(required=False, max_length=100)


class BaselineForm(forms.Form):
    name = forms.CharField(max_length=100)


class YamlForm(forms.Form):
    """An element's data as YAML: parsed safely and size-limited; the services check its content."""

    yaml = forms.CharField(widget=forms.Textarea, max_length=MAX_YAML)
    previous_keys = forms.CharField(required=False, max_length=2000)

    def clean_yaml(self) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self.cleaned_data["yaml"])
        except yaml.YAMLError as exc:
            raise forms.ValidationError(f"not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("the element must be a mapping of fields (key: value)")
        return data

    def changes(self) -> dict[str, Any]:
        """`update_element` changes that make the element exactly the YAML (fields left out: removed)."""
        data: dict[str, Any] = self.cleaned_data["yaml"]
        gone = {key: None for key in _refs(self.cleaned_data.get("previous_keys") or "") if key not in data}
        return gone | data


ITEM_LISTS = ("functions", "assumptions", "out_of_scope", "operational_environment")


class ItemForm(forms.Form):
    """The whole item definition (clause 9.3): its texts, and its lists as YAML."""

    name = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea, required=False)
    boundary = forms.CharField(widget=forms.Textarea, required=False)
    functions = forms.CharField(widget=forms.Textarea, required=False, max_length=MAX_YAML)
    assumptions = forms.CharField(widget=forms.Textarea, required=False, max_length=MAX_YAML)
    out_of_scope = forms.CharField(widget=forms.Textarea, required=False, max_length=MAX_YAML)
    operational_environment = forms.CharField(widget=forms.Textarea, required=False, max_length=MAX_YAML)

    @classmethod
    def of(cls, item: dict[str, Any]) -> ItemForm:
        initial = {key: value for key, value in item.items() if key not in ITEM_LISTS}
        for key in ITEM_LISTS:
            value = item.get(key)
            initial[key] = (
                yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100) if value else ""
            )
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in ITEM_LISTS:
            try:
                found = yaml.safe_load(cleaned.get(key) or "") or None
            except yaml.YAMLError as exc:
                self.add_error(key, f"not valid YAML: {exc}")
                continue
            if found is not None and not isinstance(found, list):
                self.add_error(key, "a YAML list (lines starting with '- ')")
            cleaned[key] = found
        return cleaned

    def changes(self) -> dict[str, Any]:
        """`update_header` changes: the new item (empty fields left out)."""
        item = {key: self.cleaned_data.get(key) for key in self.fields}
        return {"item": {key: value for key, value in item.items() if value not in (None, "", [])}}


class ElementForm(forms.Form):
    """The common fields of one kind (`FIELDS`); a field left empty is removed from the element.

    Damage scenarios add `impact_<category>` selects, threat scenarios `treatment_*` fields; both are read
    from the POST data by prefix, so the profile's categories need no form class of their own.
    """

    treatment_decision = forms.MultipleChoiceField(required=False, choices=[(t, t) for t in Treatment])
    treatment_rationale = forms.CharField(required=False, max_length=5000)
    treatment_goals = forms.CharField(required=False, max_length=2000)
    treatment_claims = forms.CharField(required=False, max_length=2000)

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in FIELDS[kind]:  # the inputs are named f_<field> (a field `data` would shadow Form.data)
            self.fields[f"f_{name}"] = forms.CharField(required=False, max_length=5000)

    def _value(self, name: str) -> Any:
        value = self.cleaned_data.get(name) or ""
        if name.removeprefix("f_") in LIST_FIELDS:
            return _refs(value) or None
        return value.strip() or None

    def _treatment(self) -> dict[str, Any] | None:
        """The treatment (clause 15.9): the options ticked (one is stored as a word, several as a list);
        goals and claims are lists of ids, like the element's other references."""
        options: list[str] = self.cleaned_data.get("treatment_decision") or []
        if not options:
            return None
        found: dict[str, Any] = {"decision": options if len(options) > 1 else options[0]}
        found["rationale"] = self._value("treatment_rationale")
        for name in ("goals", "claims"):
            found[name] = _refs(self.cleaned_data.get(f"treatment_{name}") or "") or None
        return {key: value for key, value in found.items() if value is not None}

    def changes(self) -> dict[str, Any]:
        """`update_element` changes: each common field of the kind (None removes it)."""
        changes = {name: self._value(f"f_{name}") for name in FIELDS[self.kind]}
        if self.kind == Kind.DAMAGE_SCENARIO:
            impact = {
                key.removeprefix("impact_"): value
                for key, value in self.data.items()
                if key.startswith("impact_") and value
            }
            changes["impact"] = impact or None
        if self.kind == Kind.THREAT_SCENARIO:
            changes["treatment"] = self._treatment()
        return changes


class Picks(forms.Field):
    """The values picked in a multi-select (several values of one name), blanks dropped."""

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[str]:
        return [str(v).strip() for v in (value or []) if str(v).strip()]


class NewElementForm(forms.Form):
    """A new asset, damage scenario or threat scenario from its fields (no YAML): `element()` is the
    entry for `create_element`. References come from pickers; the engine checks them, and the levels,
    like any change."""

    id = forms.CharField(max_length=100)
    name = forms.CharField(max_length=300)
    description = forms.CharField(required=False, max_length=5000)
    rationale = forms.CharField(required=False, max_length=5000)
    component = forms.CharField(required=False, max_length=100)
    asset = forms.CharField(required=False, max_length=100)
    property = forms.CharField(required=False, max_length=50)
    stride = forms.CharField(required=False, max_length=5)
    properties = Picks(required=False)
    damage_scenarios = Picks(required=False)
    FIELDS: dict[str, tuple[str, ...]] = {
        Kind.ASSET: ("name", "description", "component", "properties"),
        Kind.DAMAGE_SCENARIO: ("name", "description", "rationale"),
        Kind.THREAT_SCENARIO: ("name", "description", "asset", "property", "stride", "damage_scenarios"),
    }
    REQUIRED: dict[str, tuple[str, ...]] = {
        Kind.ASSET: ("properties",),
        Kind.THREAT_SCENARIO: ("asset", "property"),
    }

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in self.REQUIRED.get(kind, ()):
            self.fields[name].required = True
            needed = "pick one or more" if name == "properties" else "choose one"
            self.fields[name].error_messages["required"] = needed
        self.fields["id"].error_messages["required"] = "give the new element an id"
        self.fields["name"].error_messages["required"] = "give it a name"

    def element(self) -> dict[str, Any]:
        d = self.cleaned_data
        found: dict[str, Any] = {"id": d["id"].strip()}
        for name in self.FIELDS.get(self.kind, ()):
            value = d.get(name)
            found[name] = value.strip() if isinstance(value, str) else value
        if self.kind == Kind.DAMAGE_SCENARIO:
            found["impact"] = {
                key.removeprefix("impact_"): value
                for key, value in self.data.items()
                if key.startswith("impact_") and value
            }
        return {key: value for key, value in found.items() if value not in (None, "", [], {})}


TREE_OPS = ("add_step", "add_gate", "remove", "up", "down", "move", "set_gate", "rate")
RATING = ("cvss", "vector", "interface")


class TreeEditForm(forms.Form):
    """One edit of an attack tree; `edit()` gives `edit_attack_tree`'s arguments. Attack potential
    factors come as `ap_<factor>` fields (the profile's factors), like the selects on the page."""

    op = forms.ChoiceField(choices=[(op, op) for op in TREE_OPS])
    path = forms.CharField(max_length=100)
    at = forms.RegexField(regex=r"^[0-9.]*$", required=False, max_length=200)
    index = forms.IntegerField(required=False, min_value=0)
    name = forms.CharField(required=False, max_length=300)
    step = forms.CharField(required=False, max_length=300)  # the first step of a new gate
    gate = forms.ChoiceField(required=False, choices=[("", ""), *((g, g.upper()) for g in GATES)])
    to = forms.RegexField(regex=r"^[0-9.]*$", required=False, max_length=200)
    cvss = forms.CharField(required=False, max_length=100)
    vector = forms.CharField(required=False, max_length=20)
    interface = forms.CharField(required=False, max_length=100)

    def _rating(self) -> dict[str, Any]:
        potential = {
            key.removeprefix("ap_"): value
            for key, value in self.data.items()
            if key.startswith("ap_") and value
        }
        rating: dict[str, Any] = {"attack_potential": potential or None}
        rating |= {name: (self.cleaned_data.get(name) or "").strip() or None for name in RATING}
        return rating

    def edit(self) -> dict[str, Any]:
        d = self.cleaned_data
        at = d.get("at") or ""
        specific: dict[str, Any] = getattr(self, f"_{d['op']}")(d, at)
        return {"path": d["path"], "at": at} | specific

    def _add_step(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        node = {"name": d.get("name") or ""} | {k: v for k, v in self._rating().items() if v}
        return {"op": "add", "node": node}

    def _add_gate(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        step = {"name": d.get("step") or "First step"} | {k: v for k, v in self._rating().items() if v}
        return {"op": "add", "node": {"name": d.get("name") or "", d.get("gate") or "or": [step]}}

    def _shift(self, at: str, by: int) -> dict[str, Any]:
        parent, _, index = at.rpartition(".")
        return {"op": "move", "to": parent, "index": max(int(index or 0) + by, 0)}

    def _up(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        return self._shift(at, -1)

    def _down(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        return self._shift(at, 1)

    def _move(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        return {"op": "move", "to": d.get("to") or "", "index": d.get("index")}

    def _set_gate(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        return {"op": "set_gate", "gate": d.get("gate") or ""}

    def _rate(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        return {"op": "update", "changes": self._rating()}

    def _remove(self, d: dict[str, Any], at: str) -> dict[str, Any]:
        return {"op": "remove"}


class FilterForm(forms.Form):
    """The filters, sort and page of an element list (all optional; bad values are ignored)."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.CharField(required=False, max_length=32)
    risk_min = forms.IntegerField(required=False, min_value=1, max_value=5)
    asset = forms.CharField(required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    page = IdField(required=False)

    def to_filter(self) -> ElementFilter:
        d = self.cleaned_data if self.is_valid() else {}
        return ElementFilter(
            q=d.get("q") or "",
            status=d.get("status") or "",
            risk_min=d.get("risk_min"),
            asset=d.get("asset") or "",
            sort=d.get("sort") or "position",
        )


class GenerateForm(forms.Form):
    with_paths = forms.BooleanField(required=False)


class PathsForm(forms.Form):
    """Which asset's attack paths to show, how many, and ranked before or after the controls."""

    asset = forms.CharField(required=False, max_length=200)
    k = forms.IntegerField(required=False, min_value=1, max_value=MAX_K)
    residual = forms.BooleanField(required=False)


class AttachPathsForm(forms.Form):
    threat = forms.CharField(max_length=200)
    k = forms.IntegerField(min_value=1, max_value=MAX_K)


class NotApplicableForm(forms.Form):
    """A UN R155 Annex 5 Part A threat (or Part B/C mitigation) the TARA declares not applicable, and why."""

    annex5 = forms.CharField(max_length=20)
    rationale = forms.CharField(max_length=2000)


class RuleFileForm(forms.Form):
    """A threat rule file (YAML in the shape of `data/threat-rules/`), size-limited before it is read."""

    file = LimitedFileField(max_bytes=MAX_RULE_FILE_BYTES)
