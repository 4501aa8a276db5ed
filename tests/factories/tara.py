"""Small typed builders of engine TARA values for tests (no YAML involved)."""

from __future__ import annotations

from dataclasses import replace

from opencsms.engine.tara import model as m

EASY = {
    "elapsed_time": "one_day",
    "specialist_expertise": "layman",
    "knowledge_of_item": "public",
    "window_of_opportunity": "unlimited",
    "equipment": "standard",
}
HARD = {
    "elapsed_time": "beyond_six_months",
    "specialist_expertise": "multiple_experts",
    "knowledge_of_item": "strictly_confidential",
    "window_of_opportunity": "difficult",
    "equipment": "multiple_bespoke",
}


def make_step(
    step_id: str = "S-1",
    potential: dict[str, str] | None = None,
    *,
    cvss: m.Cvss | None = None,
    vector: str | None = None,
    interface: str | None = None,
    residual: m.Rating | None = None,
) -> m.Step:
    rating = m.Rating(
        attack_potential=potential if potential is not None else dict(EASY), cvss=cvss, vector=vector
    )
    return m.Step(step_id, f"step {step_id}", rating, interface, (), residual)


def make_gate(kind: str, *children: m.Node, gate_id: str = "G") -> m.Gate:
    return m.Gate(gate_id, f"{kind} gate", kind, tuple(children))


def make_path(tree: m.Node, path_id: str = "AP-1", method: m.FeasibilityMethod | None = None) -> m.AttackPath:
    return m.AttackPath(path_id, f"path {path_id}", tree, method)


def make_threat(
    threat_id: str = "TS-1",
    *paths: m.AttackPath,
    damage: tuple[str, ...] = ("DS-1",),
    treatment: m.TreatmentDecision | None = None,
    prop: str = "integrity",
    stride: str | None = "T",
) -> m.ThreatScenario:
    return m.ThreatScenario(
        threat_id,
        f"threat {threat_id}",
        "A-1",
        prop,
        damage,
        stride=stride,
        attack_paths=paths or (make_path(make_step()),),
        treatment=treatment,
    )


def make_model(
    *threats: m.ThreatScenario,
    impact: dict[str, str] | None = None,
    acceptance: int = 1,
    goals: tuple[m.Goal, ...] = (),
    claims: tuple[m.Claim, ...] = (),
    requirements: tuple[m.Requirement, ...] = (),
    method: m.FeasibilityMethod = m.FeasibilityMethod.ATTACK_POTENTIAL,
) -> m.TaraModel:
    return m.TaraModel(
        id="test",
        name="Test model",
        item=m.Item(name="Test item"),
        method=m.Method(feasibility=method, acceptance=acceptance),
        components=(m.Component("ECU-1", "ECU", "ecu"),),
        interfaces=(
            m.Interface("IF-CELL", "Cellular", "cellular", ("ECU-1",), True),
            m.Interface("IF-CAN", "CAN", "can", ("ECU-1",)),
            m.Interface("IF-BT", "Bluetooth", "bluetooth", ("ECU-1",), True),
        ),
        assets=(m.Asset("A-1", "Asset", ("integrity", "authenticity", "availability", "confidentiality")),),
        damage_scenarios=(m.DamageScenario("DS-1", "Damage", impact or {"safety": "severe"}),),
        threat_scenarios=threats or (make_threat(),),
        goals=goals,
        claims=claims,
        requirements=requirements,
    )


def with_treatment(model: m.TaraModel, treatment: m.TreatmentDecision | None) -> m.TaraModel:
    threat = replace(model.threat_scenarios[0], treatment=treatment)
    return replace(model, threat_scenarios=(threat, *model.threat_scenarios[1:]))


# An organisation's own threat rule file (format `{version}` in): one rule on firmware integrity.
FIRMWARE_RULE = """urn: urn:opencsms:rules:acme
version: "{version}"
name: ACME rules
cites: ACME cybersecurity handbook, chapter 7
rules:
  - id: ACME-FW-ROLLBACK
    name: Firmware rolled back to a vulnerable version
    cites: ACME handbook 7.3
    match: {{asset: {{tags: [firmware], properties: [integrity]}}}}
    threat: {{property: integrity, stride: T, name: "Rollback of $asset on $component", annex5: ["12.2"]}}
"""
