"""Apply a generation plan to the TARA file, leaving the person's file as it was.

New threat scenarios are inserted as text at the end of the `threat_scenarios` block, in the file's own
indentation, and `generated.obsolete` flags are set or cleared on their one line; every other line, its
comments and its layout stay byte for byte (ruamel.yaml reads the file only to find the lines).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from opencsms.engine.errors import ParseError, Problem
from opencsms.engine.tara.model import AttackPath
from opencsms.engine.tara_as_code.io import parse
from opencsms.engine.threatgen.first_paths import first_paths
from opencsms.engine.threatgen.match import Proposal, propose
from opencsms.engine.threatgen.plan import GenerationPlan, plan_generation, proposal_data
from opencsms.engine.threatgen.rules import load_rules
from opencsms.engine.threatgen.yamltext import as_ruamel, block_end, file_yaml


def _flow(items: list[str], quoted: bool = False) -> CommentedSeq:
    seq = CommentedSeq([DoubleQuotedScalarString(i) if quoted else i for i in items])
    seq.fa.set_flow_style()
    return seq


def _entry(p: Proposal, path: AttackPath | None) -> CommentedMap:
    """`proposal_data` laid out as people write it: short lists and the provenance in flow style."""
    entry = CommentedMap(proposal_data(p, path))
    entry["damage_scenarios"] = _flow(entry["damage_scenarios"])
    entry["annex5"] = _flow(entry["annex5"], quoted=True)
    generated = CommentedMap(entry["generated"])
    if "mitigations" in generated:
        generated["mitigations"] = _flow(generated["mitigations"])
    generated.fa.set_flow_style()
    entry["generated"] = generated
    if "attack_paths" in entry:
        entry["attack_paths"] = as_ruamel(entry["attack_paths"])
    return entry


def _new_entries(yaml: YAML, proposals: tuple[Proposal, ...], paths: Mapping[str, AttackPath]) -> list[str]:
    out = io.StringIO()
    yaml.dump({"threat_scenarios": CommentedSeq(_entry(p, paths.get(p.id)) for p in proposals)}, out)
    return out.getvalue().splitlines()[1:]


def _set_obsolete(lines: list[str], entry: CommentedMap, obsolete: bool) -> None:
    """Set or clear `obsolete` in the entry's `generated` mapping, touching only that line (or one line)."""
    generated = entry["generated"]
    line = entry.lc.key("generated")[0]
    if generated.fa.flow_style():
        text = re.sub(r",?\s*obsolete:\s*\w+", "", lines[line])
        lines[line] = re.sub(r"\}(\s*(#.*)?)$", r", obsolete: true}\1", text) if obsolete else text
    elif obsolete:
        indent = generated.lc.key("rule")[1]
        lines.insert(line + 1, " " * indent + "obsolete: true")
    elif "obsolete" in generated:
        del lines[generated.lc.key("obsolete")[0]]


def apply_plan(text: str, plan: GenerationPlan, paths: Mapping[str, AttackPath] | None = None) -> str:
    """The file's text with the plan applied (new threat scenarios with their first attack path from
    `paths`, where given); every other line is left exactly as it was."""
    yaml = file_yaml(text)
    data = yaml.load(text)
    lines = text.splitlines()
    threats = data.get("threat_scenarios") or []
    by_id = {t["id"]: t for t in threats}
    changes = [(by_id[i], True) for i in plan.obsolete] + [(by_id[i], False) for i in plan.revive]
    if plan.add:
        entries = _new_entries(yaml, plan.add, paths or {})
        if "threat_scenarios" in data:
            at = block_end(lines, data, "threat_scenarios")
            key_line = data.lc.key("threat_scenarios")[0]
            lines[key_line] = re.sub(r":\s*\[\s*\]", ":", lines[key_line])
        else:
            at = block_end(lines, data, "damage_scenarios") if "damage_scenarios" in data else len(lines)
            entries = ["", "threat_scenarios:", *entries]
        lines[at:at] = entries
    for entry, obsolete in sorted(changes, key=lambda c: -c[0].lc.line):  # bottom up: line numbers stay valid
        _set_obsolete(lines, entry, obsolete)
    return "\n".join(lines) + "\n"


def generate_file(
    path: Path, rule_files: tuple[Path, ...] = (), write: bool = True, with_paths: bool = False
) -> GenerationPlan:
    """`opencsms tara generate`: propose threat scenarios for the file's architecture and write them in
    (`with_paths`: each with the best attack path to its asset as its first attack tree)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError([Problem("unreadable", exc.strerror or str(exc), str(path))]) from None
    model, profile = parse(raw, str(path), path.parent, generating=True)
    rules = load_rules(rule_files)
    plan = plan_generation(model, propose(model, rules), rules.ids)
    if write and plan.changes:
        paths = first_paths(model, profile, plan.add) if with_paths else {}
        path.write_text(apply_plan(raw.decode("utf-8-sig"), plan, paths), encoding="utf-8")
    return plan
