"""`TaraModel` -> plain data in the TARA-as-code shape (the inverse of `build.py`), omitting defaults."""

from __future__ import annotations

from typing import Any

from opencsms.engine.tara import model as m


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values so a dumped file reads like a hand-written one."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {}, ())}


def _rating(rating: m.Rating) -> dict[str, Any]:
    return _clean(
        {
            "attack_potential": dict(rating.attack_potential) if rating.attack_potential else None,
            "cvss": rating.cvss.vector_string() if rating.cvss else None,
            "vector": rating.vector,
        }
    )


def _node(node: m.Node) -> dict[str, Any]:
    if isinstance(node, m.Gate):
        return {"id": node.id, "name": node.name, node.kind: [_node(child) for child in node.children]}
    data = {"id": node.id, "name": node.name, "interface": node.interface, **_rating(node.rating)}
    if node.residual is not None:
        data["residual"] = _clean({**_rating(node.residual), "controls": list(node.controls)})
    return _clean(data)


def path_document(p: m.AttackPath) -> dict[str, Any]:
    """One attack path in the file's shape."""
    return _clean(
        {
            "id": p.id,
            "name": p.name,
            "description": p.description,
            "method": str(p.method) if p.method else None,
            "tree": _node(p.tree),
        }
    )


def _threat(t: m.ThreatScenario) -> dict[str, Any]:
    treatment = None
    if t.treatment is not None:
        options = [str(o) for o in t.treatment.options]
        treatment = _clean(
            {
                "decision": options[0] if len(options) == 1 else options,
                "goals": list(t.treatment.goals),
                "claims": list(t.treatment.claims),
                "rationale": t.treatment.rationale,
            }
        )
    paths = [path_document(p) for p in t.attack_paths]
    generated = None
    if t.generated is not None:
        g = t.generated
        generated = _clean(
            {
                "rule": g.rule,
                "asset": g.asset,
                "interface": g.interface,
                "mitigations": list(g.mitigations),
                "obsolete": g.obsolete or None,
            }
        )
    return _clean(
        {
            "id": t.id,
            "name": t.name,
            "status": None if t.status == m.ReviewStatus.ACCEPTED else str(t.status),
            "rationale": t.rationale,
            "merged_into": t.merged_into,
            "description": t.description,
            "asset": t.asset,
            "property": t.property,
            "cause": t.cause,
            "stride": t.stride,
            "damage_scenarios": list(t.damage_scenarios),
            "annex5": list(t.annex5),
            "attack_paths": paths,
            "treatment": treatment,
            "generated": generated,
        }
    )


def _item(item: m.Item) -> dict[str, Any]:
    return _clean(
        {
            "name": item.name,
            "description": item.description,
            "functions": [
                _clean({"id": f.id, "name": f.name, "description": f.description}) for f in item.functions
            ],
            "boundary": item.boundary,
            "out_of_scope": list(item.out_of_scope),
            "operational_environment": list(item.operational_environment),
            "assumptions": [{"id": a.id, "text": a.text} for a in item.assumptions],
        }
    )


def _component(c: m.Component) -> dict[str, Any]:
    return _clean(
        {
            "id": c.id,
            "name": c.name,
            "kind": c.kind,
            "description": c.description,
            "functions": list(c.functions),
            "in_scope": None if c.in_scope else False,
            "tags": list(c.tags),
            "controls": list(c.controls),
        }
    )


def _interface(x: m.Interface) -> dict[str, Any]:
    return _clean(
        {
            "id": x.id,
            "name": x.name,
            "kind": x.kind,
            "components": list(x.components),
            "external": x.external or None,
            "description": x.description,
            "tags": list(x.tags),
            "controls": list(x.controls),
        }
    )


def _asset(a: m.Asset) -> dict[str, Any]:
    return _clean(
        {
            "id": a.id,
            "name": a.name,
            "properties": list(a.properties),
            "component": a.component,
            "description": a.description,
            "tags": list(a.tags),
            "damage": {p: list(ids) for p, ids in a.damage.items()},
        }
    )


def _concept(model: m.TaraModel) -> dict[str, Any]:
    return {
        "goals": [
            _clean({"id": g.id, "name": g.name, "description": g.description, "cal": g.cal})
            for g in model.goals
        ],
        "claims": [{"id": c.id, "text": c.text} for c in model.claims],
        "controls": [
            _clean(
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "mitigations": list(c.mitigations),
                    "raises": dict(c.raises),
                }
            )
            for c in model.controls
        ],
        "requirements": [
            _clean(
                {
                    "id": r.id,
                    "text": r.text,
                    "goals": list(r.goals),
                    "controls": list(r.controls),
                    "components": list(r.components),
                }
            )
            for r in model.requirements
        ],
        "annex5_not_applicable": [
            {"id": n.id, "rationale": n.rationale} for n in model.annex5_not_applicable
        ],
    }


def to_document(model: m.TaraModel) -> dict[str, Any]:
    """The model in the file's shape, elements in the order of the file, empty values left out."""
    method = model.method
    return _clean(
        {
            "opencsms": "tara/1",
            "id": model.id,
            "name": model.name,
            "version": model.version,
            "method": {
                "profile": method.profile,
                "feasibility": str(method.feasibility),
                "cal": str(method.cal),
                "acceptance": method.acceptance,
            },
            "item": _item(model.item),
            "components": [_component(c) for c in model.components],
            "interfaces": [_interface(x) for x in model.interfaces],
            "data_flows": [
                _clean(
                    {
                        "id": f.id,
                        "source": f.source,
                        "target": f.target,
                        "interface": f.interface,
                        "data": f.data,
                    }
                )
                for f in model.data_flows
            ],
            "assets": [_asset(a) for a in model.assets],
            "damage_scenarios": [
                _clean(
                    {
                        "id": d.id,
                        "name": d.name,
                        "description": d.description,
                        "impact": dict(d.impact),
                        "rationale": d.rationale,
                    }
                )
                for d in model.damage_scenarios
            ],
            "threat_scenarios": [_threat(t) for t in model.threat_scenarios],
            **_concept(model),
        }
    )
