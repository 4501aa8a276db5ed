"""Render a `TaraDiff` as plain text (terminal), Markdown (pull requests) or JSON (tools)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from opencsms.engine.tara.diff import TaraDiff

_MARK = {"added": "+", "removed": "-", "changed": "~"}
DIFF_FORMATS = ("text", "md", "json")


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _counts(counts: dict[int, int]) -> str:
    return " ".join(f"{risk}:{n}" for risk, n in sorted(counts.items()))


def _lines(result: TaraDiff, bullet: str, code: str) -> list[str]:
    lines = []
    if result.empty:
        return ["No changes."]
    for change in result.method:
        lines.append(f"{bullet}method.{change.field}: {_value(change.old)} -> {_value(change.new)}")
    tally = {kind: sum(1 for e in result.elements if e.change == kind) for kind in _MARK}
    lines.append(f"Elements: {tally['added']} added, {tally['removed']} removed, {tally['changed']} changed")
    for element in result.elements:
        lines.append(f"{bullet}{_MARK[element.change]} {element.collection} {code}{element.id}{code}")
        for field in element.fields:
            lines.append(f"    {field.field}: {_value(field.old)} -> {_value(field.new)}")
    lines.append(f"Threat scenario ratings and highest risks: {len(result.risks)} changes")
    for risk in result.risks:
        lines.append(
            f"{bullet}{code}{risk.threat}{code} {risk.field}: {_value(risk.old)} -> {_value(risk.new)}"
        )
    lines.append(f"Risk values (per damage scenario and impact category): {len(result.risk_values)} changes")
    for value in result.risk_values:
        where = f"{code}{value.threat}{code} {code}{value.damage_scenario}{code} {value.category}"
        lines.append(f"{bullet}{where} {value.field}: {_value(value.old)} -> {_value(value.new)}")
    before, after = result.summary["risk_before"], result.summary["risk_after_treatment"]
    lines.append(f"Risk values before treatment: {_counts(before['old'])} -> {_counts(before['new'])}")
    lines.append(f"Residual risk values: {_counts(after['old'])} -> {_counts(after['new'])}")
    return lines


def render_diff(result: TaraDiff, fmt: str, old_name: str, new_name: str) -> str:
    if fmt == "json":
        data = {"format": "opencsms-tara-diff/1", "old": old_name, "new": new_name, **asdict(result)}
        return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    if fmt == "md":
        return (
            "\n".join([f"## TARA diff: `{old_name}` → `{new_name}`", "", *_lines(result, "- ", "`")]) + "\n"
        )
    return "\n".join([f"TARA diff: {old_name} -> {new_name}", *_lines(result, "  ", "")]) + "\n"
