"""Database rows <-> the engine: a TARA document split into rows and back, and what evaluation derives.

- `split(data)`: a TARA-as-code document -> its header and one `Row` per list entry.
- `assemble(header, rows)`: the inverse, in the document's order (the header's keys first).
- `content_sha256(document)`: the hash an approval and a baseline record (canonical JSON); `sha256_of`
  makes it from each entry's canonical JSON, so that a change of one entry encodes only that entry.
- `derived(result, rows)`: per element, the values lists filter and sort on (risk, feasibility, impact,
  CAL, status); `document_derived` for every entry of a document; `status_of(kind, data)`: a row's status
  (from its own data only); `touched(before, after)`: the rows whose derived values a change can alter.
- `summary(result)` and `findings(result)`: what a TARA page and the dashboard show.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from opencsms.engine import TaraResult
from opencsms.engine.tara.coverage import annex5_coverage
from opencsms.engine.tara.model import ReviewStatus
from opencsms.tara.models import Kind

KINDS: tuple[Kind, ...] = tuple(Kind)
FINDINGS_HEAD = 100  # findings kept apart for pages (all of them: the API, the reports)
HIGH_RISK = 4  # risk values 4 and 5 count as high on the dashboard (ISO/SAE 21434 Annex H risk matrix)


class Row(NamedTuple):
    kind: Kind
    position: int
    ref: str
    data: dict[str, Any]
    label: str


def label_of(data: Mapping[str, Any], ref: str) -> str:
    text = data.get("name") or data.get("text") or data.get("rationale") or ref
    return str(text)[:300]


def split(document: Mapping[str, Any]) -> tuple[dict[str, Any], list[Row]]:
    header = {key: value for key, value in document.items() if key not in Kind.values}
    rows = [
        Row(kind, position, str(entry.get("id", "")), entry, label_of(entry, str(entry.get("id", ""))))
        for kind in KINDS
        for position, entry in enumerate(document.get(kind.value) or [])
    ]
    return header, rows


def assemble(header: Mapping[str, Any], rows: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """`rows` are (kind, data) in position order within each kind; empty lists are left out."""
    lists: dict[str, list[Any]] = {kind.value: [] for kind in KINDS}
    for kind, data in rows:
        lists[kind].append(data)
    return {**header, **{kind: entries for kind, entries in lists.items() if entries}}


def canonical(value: Any) -> bytes:
    """`value` as canonical JSON (sorted keys, no spaces), the form the content hash is taken of."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_entries(document: Mapping[str, Any]) -> dict[str, tuple[bytes, ...]]:
    """Each list of the document as the canonical JSON of its entries, for `sha256_of`."""
    lists = (
        (key, value) for key, value in document.items() if key in Kind.values and isinstance(value, list)
    )
    return {key: tuple(canonical(entry) for entry in value) for key, value in lists}


def sha256_of(header: Mapping[str, Any], entries: Mapping[str, Sequence[bytes]]) -> str:
    """`content_sha256` of the document with this header and lists (entries in canonical JSON): the
    document's canonical JSON put together from the pieces, so one changed entry costs one encoding."""
    parts = {key: canonical(value) for key, value in header.items() if key not in entries}
    parts |= {key: b"[" + b",".join(items) + b"]" for key, items in entries.items()}
    digest = hashlib.sha256(b"{")
    for i, key in enumerate(sorted(parts)):
        digest.update(b"%s%s:%s" % (b"," if i else b"", canonical(key), parts[key]))
    digest.update(b"}")
    return digest.hexdigest()


def content_sha256(document: Mapping[str, Any]) -> str:
    """SHA-256 of the document's canonical JSON (the same on SQLite and PostgreSQL)."""
    return sha256_of(document, canonical_entries(document))


class Derived(NamedTuple):
    risk: int | None = None
    residual_risk: int | None = None
    feasibility: str = ""
    impact: str = ""
    cal: int | None = None
    status: str = ""


def status_of(kind: str, data: Mapping[str, Any]) -> str:
    """The status a row is filtered on, from its own data alone: a threat scenario's review status, or
    its treatment decision once accepted (`untreated` without one); "" for the other lists."""
    if kind != Kind.THREAT_SCENARIO:
        return ""
    status = str(data.get("status") or ReviewStatus.ACCEPTED)
    if status != ReviewStatus.ACCEPTED:
        return status
    treatment = data.get("treatment") or {}
    decision = treatment.get("decision") if isinstance(treatment, dict) else None
    if isinstance(decision, list):
        return "+".join(str(d) for d in decision)
    return str(decision or "untreated")


def derived(result: TaraResult, rows: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], Derived]:
    """(kind, ref) -> derived values, for `rows` of (kind, ref, status)."""
    out: dict[tuple[str, str], Derived] = {}
    impact_scale = result.profile.impact
    for kind, ref, status in rows:
        if kind == Kind.THREAT_SCENARIO:
            t = result.threats.get(ref)
            if t is None:
                out[(kind, ref)] = Derived(status=status)
                continue
            out[(kind, ref)] = Derived(
                t.risk, t.residual_risk, t.feasibility or "", t.impact or "", t.cal, status
            )
        elif kind == Kind.DAMAGE_SCENARIO and result.impacts.get(ref):
            out[(kind, ref)] = Derived(impact=impact_scale.highest(list(result.impacts[ref].values())))
        elif kind == Kind.GOAL and ref in result.goals:
            out[(kind, ref)] = Derived(cal=result.goals[ref].cal)
        else:
            out[(kind, ref)] = Derived()
    return out


def document_derived(result: TaraResult, document: Mapping[str, Any]) -> dict[tuple[str, str], Derived]:
    """The derived values of every entry of `document`, `result` being its evaluation."""
    rows = (
        (kind.value, str(entry.get("id", "")), status_of(kind, entry))
        for kind in KINDS
        for entry in document.get(kind.value) or []
    )
    return derived(result, rows)


def touched(before: TaraResult, after: TaraResult) -> set[tuple[str, str]]:
    """(kind, ref) of the rows whose derived values can differ between two evaluations (besides rows
    whose data changed): threat scenarios rated otherwise, or no longer or newly in the analysis;
    damage scenarios with other impacts; goals with another result."""
    pairs = (
        (Kind.THREAT_SCENARIO.value, before.threats, after.threats),
        (Kind.DAMAGE_SCENARIO.value, before.impacts, after.impacts),
        (Kind.GOAL.value, before.goals, after.goals),
    )
    return {
        (kind, ref)
        for kind, old, new in pairs
        for ref in old.keys() | new.keys()
        if old.get(ref) is not new.get(ref) and old.get(ref) != new.get(ref)
    }


def summary(result: TaraResult, acceptance: int) -> dict[str, Any]:
    """What the overview, the dashboard and the lists count. Risk figures (distribution, heat map, high
    and untreated risks) count the accepted threat scenarios only: generated proposals are rated but
    `pending` until a person accepts them, counted apart (`pending`, `pending_high_risks`)."""
    model = result.model
    coverage = annex5_coverage(model)
    analysed = [t for t in model.threat_scenarios if t.in_analysis]
    accepted = {t.id for t in analysed if t.status is ReviewStatus.ACCEPTED}
    pending = [t.id for t in analysed if t.status is ReviewStatus.PROPOSED]
    untreated = [
        t.id
        for t in analysed
        if t.id in accepted and t.treatment is None and (result.threats[t.id].risk or 0) > acceptance
    ]

    def high(ids: Collection[str]) -> int:
        return sum(1 for tid in ids if (result.threats[tid].risk or 0) >= HIGH_RISK)

    return {
        "counts": {
            "assets": len(model.assets),
            "damage_scenarios": len(model.damage_scenarios),
            "threat_scenarios": len(model.threat_scenarios),
            "attack_paths": sum(len(t.attack_paths) for t in model.threat_scenarios),
            "goals": len(model.goals),
            "controls": len(model.controls),
            "requirements": len(model.requirements),
        },
        "risk": {str(k): v for k, v in result.risk_counts(only=accepted).items()},
        "residual_risk": {str(k): v for k, v in result.risk_counts(residual=True, only=accepted).items()},
        "high_risks": high(accepted),
        "untreated_above_acceptance": untreated[:50],
        "untreated_count": len(untreated),
        "untreated_min_risk": acceptance + 1,
        "pending": len(pending),
        "pending_high_risks": high(pending),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "annex5": {
            "required": coverage.required,
            "covered": coverage.count("covered"),
            "not_applicable": coverage.count("not_applicable"),
            "pending": coverage.count("pending"),
            "uncovered": coverage.count("uncovered"),
        },
        "heat_map": [[i, f, n] for (i, f), n in sorted(result.heat_map(only=accepted).items())],
    }


def findings(result: TaraResult) -> list[dict[str, str]]:
    """Every finding, errors first (the order of the rules within a severity)."""
    ordered = sorted(result.findings, key=lambda f: str(f.severity) != "error")
    return [
        {
            "rule": f.rule,
            "severity": str(f.severity),
            "element": f.element,
            "message": f.message,
            "cites": f.cites,
        }
        for f in ordered
    ]
