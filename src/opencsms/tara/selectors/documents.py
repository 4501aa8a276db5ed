"""Reads of the TARA app: TARAs and their elements scoped to what the user may see, the document, its
evaluation (through the working state, `tara.working`), baselines and diffs. A TARA outside the user's
scope is `NotFound` (404), never revealed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound, from_engine
from opencsms.core.models import ChangeRecord, User
from opencsms.engine import ParseError, TaraResult, evaluate, yamlsafe
from opencsms.engine.tara.diff import TaraDiff, diff
from opencsms.engine.tara.diff_render import render_diff
from opencsms.engine.tara_as_code import dump_data, parse
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level
from opencsms.tara import mapping, working
from opencsms.tara.models import Baseline, Element, ImportJob, Kind, Tara

MAX_UPLOAD_BYTES = yamlsafe.MAX_BYTES  # the largest TARA file read (the engine refuses longer ones)

SORTS = {
    "position": ("position",),
    "ref": ("ref",),
    "label": ("label", "position"),
    "risk": ("risk", "position"),
    "-risk": ("-risk", "position"),
    "residual_risk": ("residual_risk", "position"),
    "-residual_risk": ("-residual_risk", "position"),
    "feasibility": ("feasibility", "position"),
    "impact": ("impact", "position"),
    "status": ("status", "position"),
}


def taras(user: User, *, project_id: int | None = None) -> QuerySet[Tara]:
    """The TARAs the user may see; of one project (`NotFound` when the user cannot see it, as its detail)."""
    found = Tara.objects.filter(project__in=organisation_selectors.projects(user).values("pk"))
    if project_id is not None:
        organisation_selectors.level(user, Level.PROJECT, project_id)
        found = found.filter(project_id=project_id)
    found = found.select_related("project", "project__business_unit", "submitted_by", "returned_by").defer(
        "findings"
    )
    return found.order_by("name", "id")


def import_job(user: User, job_id: int) -> ImportJob:
    found = ImportJob.objects.filter(
        pk=job_id, project__in=organisation_selectors.projects(user).values("pk")
    ).first()
    if found is None:
        raise NotFound(f"no TARA import {job_id}")
    return found


def tara(user: User, tara_id: int) -> Tara:
    found = taras(user).filter(pk=tara_id).first()
    if found is None:
        raise NotFound(f"no TARA {tara_id}")
    return found


def findings(tara_obj: Tara) -> list[dict[str, str]]:
    """The method rules' findings of the last evaluation (one per rule and element; can be many)."""
    found: list[dict[str, str]] = Tara.objects.filter(pk=tara_obj.pk).values_list("findings", flat=True)[0]
    return found


@dataclass(frozen=True)
class ElementFilter:
    """What a list of elements is narrowed to; every field is optional."""

    q: str = ""  # in id or label
    status: str = ""
    risk_min: int | None = None
    asset: str = ""
    sort: str = "position"


def elements(tara_obj: Tara, kind: Kind, filters: ElementFilter | None = None) -> QuerySet[Element]:
    """The elements of one list of a TARA the caller has already read with `tara()` (so it is in scope)."""
    f = filters or ElementFilter()
    if f.sort not in SORTS:
        raise Invalid(f"sort {f.sort!r}: use one of {', '.join(SORTS)}")
    found = Element.objects.filter(tara=tara_obj, kind=kind)
    if f.q:
        found = found.filter(Q(ref__icontains=f.q) | Q(label__icontains=f.q))
    if f.status:
        found = found.filter(status=f.status)
    if f.risk_min is not None:
        found = found.filter(risk__gte=f.risk_min)
    if f.asset:
        found = found.filter(data__asset=f.asset)
    return found.order_by(*SORTS[f.sort])


def element(tara_obj: Tara, kind: Kind, ref: str) -> Element:
    found = Element.objects.filter(tara=tara_obj, kind=kind, ref=ref).first()
    if found is None:
        raise NotFound(f"no {Kind(kind).label.lower()} {ref!r} in this TARA")
    return found


def document(tara_obj: Tara) -> dict[str, Any]:
    """The TARA-as-code document of the working state, assembled from its rows in the file's order."""
    rows = Element.objects.filter(tara=tara_obj).values_list("kind", "position", "data")
    order = {kind.value: index for index, kind in enumerate(mapping.KINDS)}
    ordered = sorted(rows, key=lambda row: (order[row[0]], row[1]))
    return mapping.assemble(tara_obj.header, ((kind, data) for kind, _, data in ordered))


def export_yaml(tara_obj: Tara) -> str:
    """The working state as a TARA-as-code file (the document as stored; comments are not kept)."""
    return dump_data(document(tara_obj))


def evaluated(tara_obj: Tara) -> TaraResult:
    """The engine's evaluation of the working state (stored TARAs are always valid: services check):
    the one this process keeps when it is of the TARA's current content, else made and kept now."""
    kept = working.kept(tara_obj)
    return (kept or working.build(tara_obj, document(tara_obj))).result


def baselines(tara_obj: Tara) -> QuerySet[Baseline]:
    found = Baseline.objects.filter(tara=tara_obj).select_related("created_by", "approved_by")
    return found.defer("content")  # the document itself is read only to diff or download it


def baseline(tara_obj: Tara, baseline_id: int) -> Baseline:
    found = baselines(tara_obj).filter(pk=baseline_id).first()
    if found is None:
        raise NotFound(f"no baseline {baseline_id} of this TARA")
    return found


def version_baseline(tara_obj: Tara, version: str) -> Baseline | None:
    """The baseline a version names (`baseline:<id>`), or None for `working` (the working state)."""
    if version == "working":
        return None
    prefix, _, number = version.partition(":")
    if prefix != "baseline" or not number.isdigit():
        raise Invalid(f"version {version!r}: use `working` or `baseline:<id>`")
    return baseline(tara_obj, int(number))


def evaluated_baseline(frozen: Baseline) -> TaraResult:
    """The engine's evaluation of a baseline's frozen document."""
    try:
        model, profile = parse(frozen.content.encode(), f"baseline {frozen.name}")
    except ParseError as exc:  # a baseline of an older format version
        raise from_engine(exc, f"baseline {frozen.name} cannot be read") from None
    return evaluate(model, profile)


def _evaluated_version(tara_obj: Tara, version: str) -> TaraResult:
    """`working` or `baseline:<id>`."""
    frozen = version_baseline(tara_obj, version)
    return evaluated(tara_obj) if frozen is None else evaluated_baseline(frozen)


def diff_data(tara_obj: Tara, old: str, new: str) -> dict[str, Any]:
    """`compare` as plain data (the engine's `opencsms-tara-diff/1` JSON)."""
    data: dict[str, Any] = json.loads(render_diff(compare(tara_obj, old, new), "json", old, new))
    return data


def compare(tara_obj: Tara, old: str, new: str) -> TaraDiff:
    """What changed from version `old` to `new` (each `working` or `baseline:<id>`)."""
    return diff(_evaluated_version(tara_obj, old), _evaluated_version(tara_obj, new))


_NOT_CHANGES = (AuditAction.TARA_WITHDRAWN, AuditAction.TARA_RETURNED, AuditAction.TARA_APPROVED)


def revision_authors(tara: Tara) -> set[int]:
    """Ids of the users with an audited change of the TARA or its elements since its last approval."""
    own = Q(object_type="tara.tara", object_id=str(tara.pk))
    approved = ChangeRecord.objects.filter(own, action=AuditAction.TARA_APPROVED).aggregate(last=Max("seq"))
    elements = Q(object_type="tara.element", scope=tara.scope, object_repr__startswith=f"{tara.ref}/")
    changes = ChangeRecord.objects.filter(own | elements, seq__gt=approved["last"] or 0).exclude(
        action__in=[action.value for action in _NOT_CHANGES]
    )
    return set(changes.values_list("actor_id", flat=True).distinct())
