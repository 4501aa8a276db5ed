"""ORM rows <-> engine values of vulnerability monitoring: components, advisories, findings, match keys.

A match key is the engine's index key ((purl type, namespace, name) or ("cpe", vendor, product)) joined
by a unit separator, so one indexed string column answers "which components (advisories) name this
package?" on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

from opencsms.engine.advisories import Advisory
from opencsms.engine.advisories.store import advisory_from_dict
from opencsms.engine.matching import Evidence, Finding, MatchKind
from opencsms.engine.matching.compare import advisory_keys, component_keys
from opencsms.engine.sbom import Component, VexStatement, VexStatus
from opencsms.vulns import models

SEPARATOR = "\x1f"


def key_text(key: tuple[str, str, str]) -> str:
    return SEPARATOR.join(key)[: models.KEY_LENGTH]


def component_key_texts(component: Component) -> Iterator[tuple[str, str]]:
    """(match key, version compared under it) of an engine component."""
    for key, version in component_keys(component):
        yield key_text(key), version


def advisory_key_texts(advisory: Advisory) -> set[str]:
    return {
        key_text(key) for affected in advisory.affected if affected.name for key in advisory_keys(affected)
    }


def to_component(row: models.ReleaseComponent) -> Component:
    return Component(
        ref=row.ref,
        name=row.name,
        version=row.version,
        purl=row.purl,
        cpe=row.cpe,
        supplier=row.supplier,
        hashes=tuple((str(a), str(v)) for a, v in row.hashes),
        other_cpes=tuple(str(c) for c in row.other_cpes),
    )


def component_row(release: models.Release, component: Component, position: int) -> models.ReleaseComponent:
    return models.ReleaseComponent(
        release=release,
        ref=component.ref[:500],
        name=component.name[:500],
        version=component.version[:200],
        purl=component.purl[:1000],
        cpe=component.cpe[:500],
        other_cpes=list(component.other_cpes),
        supplier=component.supplier[:500],
        hashes=[list(pair) for pair in component.hashes],
        position=position,
    )


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """`dataclasses.asdict` for the engine's frozen values (dataclasses, tuples, strings, numbers,
    enums), without its deep copies: the same result at a fraction of the cost (every stored advisory's
    content hash is taken from it)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if is_dataclass(value):
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    if kind in (tuple, list):
        return kind(_plain(item) for item in value)
    if kind is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value  # an enum member (`asdict` deep-copies it to itself)


def advisory_data(advisory: Advisory) -> dict[str, Any]:
    data: dict[str, Any] = _plain(advisory)
    return data


def data_sha256(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def to_advisory(row: models.Advisory) -> Advisory:
    return advisory_from_dict(row.data)


def evidence_data(evidence: Iterable[Evidence]) -> list[dict[str, str]]:
    return [
        {"advisory": e.advisory, "source": e.source, "kind": e.kind.value, "identifier": e.identifier,
         "detail": e.detail, "condition": e.condition}
        for e in evidence
    ]  # fmt: skip


def finding_fields(finding: Finding) -> dict[str, Any]:
    """The engine-derived columns of a `Finding` row (triage columns are the service's)."""
    return {
        "vulnerability_id": finding.id,
        "aliases": list(finding.aliases),
        "summary": finding.summary,
        "severity": finding.severity,
        "score": finding.score,
        "severity_from": finding.severity_from,
        "vectors": list(finding.vectors),
        "evidence": evidence_data(finding.evidence),
        "remediations": list(finding.remediations),
        "kev": finding.kev is not None,
        "epss": finding.epss.epss if finding.epss else None,
    }


def finding_ids(row: models.Finding) -> list[str]:
    """Every id a finding is known by: its vulnerability id, then its aliases."""
    return [row.vulnerability_id, *row.aliases]


def product_id(component: models.ReleaseComponent) -> str:
    """How VEX documents name the component: the SBOM's purl, else CPE, else its reference."""
    return component.purl or component.cpe or component.ref


def matched(row: models.Finding, component: Component) -> Finding:
    """What matching stored in a row (`finding_fields` but KEV and EPSS), as an engine finding of
    `component`."""
    return Finding(
        id=row.vulnerability_id,
        aliases=tuple(row.aliases),
        component=component,
        evidence=tuple(Evidence(**{**e, "kind": MatchKind(e["kind"])}) for e in row.evidence),
        severity=row.severity,
        score=row.score,
        severity_from=row.severity_from,
        vectors=tuple(row.vectors),
        remediations=tuple(row.remediations),
        summary=row.summary,
    )


def to_finding(row: models.Finding) -> Finding:
    """The engine finding of a row, with its triage as the VEX statement (for the exporters)."""
    component = row.component
    statement = VexStatement(
        vulnerability=row.vulnerability_id,
        status=VexStatus(row.vex_status),
        products=(product_id(component),),
        justification=row.justification,
        detail=row.rationale,
    )
    return replace(matched(row, to_component(component)), release=row.release.label, vex=statement)


def cvss3_base(vectors: Iterable[str]) -> str:
    """The AV/AC/PR/UI part of the first CVSS v3 vector (what a TARA attack step's `cvss` holds)."""
    for vector in vectors:
        if vector.startswith("CVSS:3"):
            parts = dict(p.split(":", 1) for p in vector.split("/")[1:] if ":" in p)
            if all(k in parts for k in ("AV", "AC", "PR", "UI")):
                return "/".join(f"{k}:{parts[k]}" for k in ("AV", "AC", "PR", "UI"))
    return ""
