"""Render the outcome of `opencsms tara check`: a summary, located findings and failed gates."""

from __future__ import annotations

import json

from opencsms.engine.tara.coverage import annex5_coverage
from opencsms.engine.tara.result import TaraResult

CHECK_FORMATS = ("text", "json")


def _counts(counts: dict[int, int]) -> str:
    return " ".join(f"{risk}:{n}" for risk, n in counts.items())


def _coverage(result: TaraResult) -> str:
    c = annex5_coverage(result.model)
    implemented = sum(1 for m in c.mitigations if m.status == "implemented")
    return (
        f"UN R155 Annex 5: {c.count('covered')} of {c.required} threats covered, {c.count('not_applicable')} "
        f"not applicable, {c.count('pending')} pending review, {c.count('uncovered')} uncovered; "
        f"{implemented} of {len(c.mitigations)} mitigations realised by controls"
    )


def _summary(result: TaraResult) -> str:
    model = result.model
    paths = sum(len(t.attack_paths) for t in model.threat_scenarios)
    return (
        f"{model.source}: {model.name} ({result.profile.source.name}, {model.method.feasibility}): "
        f"{len(model.assets)} assets, {len(model.damage_scenarios)} damage scenarios, "
        f"{len(model.threat_scenarios)} threat scenarios, {paths} attack paths\n"
        f"risk values {_counts(result.risk_counts())}; "
        f"after treatment {_counts(result.risk_counts(residual=True))}"
    )


def render_check(result: TaraResult, failed: dict[str, list[str]], fmt: str) -> str:
    """`failed` maps each failed gate to the lines that explain it."""
    where = result.model.locations
    file = result.model.source
    if fmt == "json":
        findings = [
            {
                "rule": f.rule,
                "severity": str(f.severity),
                "element": f.element,
                "message": f.message,
                "cites": f.cites,
                "line": where.get(f.element, (0, 0))[0],
                "column": where.get(f.element, (0, 0))[1],
            }
            for f in result.findings
        ]
        return (
            json.dumps(
                {
                    "file": file,
                    "findings": findings,
                    "failed_gates": failed,
                    "risk": result.risk_counts(),
                    "residual_risk": result.risk_counts(residual=True),
                    "passed": not (result.errors or failed),
                },
                indent=2,
            )
            + "\n"
        )
    lines = [_summary(result), _coverage(result)]
    for f in result.findings:
        line, column = where.get(f.element, (0, 0))
        lines.append(f"{file}:{line}:{column}: {f.severity}: {f.rule}: {f.element}: {f.message} [{f.cites}]")
    lines += [f"gate {gate} failed: " + "; ".join(reasons) for gate, reasons in failed.items()]
    lines.append(
        f"{len(result.errors)} error(s), {len(result.warnings)} warning(s), {len(failed)} failed gate(s)"
    )
    return "\n".join(lines) + "\n"
