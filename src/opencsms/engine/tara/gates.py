"""CI gates for `opencsms tara check --fail-on`: conditions on an evaluated TARA that fail a build.

untreated>=N   a threat scenario without a treatment decision has a risk of N or more
risk>=N        a threat scenario's risk before treatment is N or more
residual>=N    a threat scenario's residual risk (after controls) is N or more
unrated        a threat scenario has no rated attack path
warnings       the check reported any warning
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opencsms.engine.errors import RuleViolation
from opencsms.engine.tara.coverage import annex5_coverage
from opencsms.engine.tara.result import TaraResult

_GATE = re.compile(
    r"^(untreated|risk|residual)>=([1-5])$|^(unrated|warnings|uncovered-annex5|unmitigated-annex5)$"
)


@dataclass(frozen=True)
class Gate:
    kind: str
    threshold: int = 0

    def __str__(self) -> str:
        return f"{self.kind}>={self.threshold}" if self.threshold else self.kind


def parse_gate(text: str) -> Gate:
    match = _GATE.match(text.strip().replace(" ", ""))
    if match is None:
        raise RuleViolation(
            f"unknown gate {text!r}: use untreated>=N, risk>=N, residual>=N (N in 1-5), unrated, warnings, "
            "uncovered-annex5 or unmitigated-annex5"
        )
    if match.group(3):
        return Gate(match.group(3))
    return Gate(match.group(1), int(match.group(2)))


def failures(result: TaraResult, gate: Gate) -> list[str]:
    """Why `gate` fails on `result`: one line per offending element; empty when it passes."""
    if gate.kind == "warnings":
        return [f"{f.element}: {f.rule}" for f in result.warnings]
    if gate.kind == "uncovered-annex5":
        return [f"Annex 5 {t.id}: {t.status}" for t in annex5_coverage(result.model).gaps]
    if gate.kind == "unmitigated-annex5":
        return [f"Annex 5 {m.id}: missing" for m in annex5_coverage(result.model).missing_mitigations]
    treated = {t.id for t in result.model.threat_scenarios if t.treatment is not None}
    lines = []
    for threat in result.threats.values():
        if gate.kind == "unrated" and threat.feasibility is None:
            lines.append(f"{threat.id}: no rated attack path")
        elif gate.kind == "untreated" and threat.id not in treated and (threat.risk or 0) >= gate.threshold:
            lines.append(f"{threat.id}: untreated risk {threat.risk}")
        elif gate.kind == "risk" and (threat.risk or 0) >= gate.threshold:
            lines.append(f"{threat.id}: risk {threat.risk}")
        elif gate.kind == "residual" and (threat.residual_risk or 0) >= gate.threshold:
            lines.append(f"{threat.id}: residual risk {threat.residual_risk}")
    return lines
