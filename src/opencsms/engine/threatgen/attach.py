"""Turn attack path analysis into attack trees of a threat scenario, written into the TARA file.

Like generation, it inserts text only: the new attack paths go at the end of the threat scenario's
`attack_paths` (created when missing); every other line of the file stays as it was.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from opencsms.engine.analysis.attack_paths import paths_for_threat
from opencsms.engine.errors import ParseError, Problem, RuleViolation
from opencsms.engine.tara.model import AttackPath
from opencsms.engine.tara_as_code.dump import path_document
from opencsms.engine.tara_as_code.io import parse
from opencsms.engine.threatgen.yamltext import as_ruamel, before_comments, block_end, file_yaml


def _entry_end(lines: list[str], data: CommentedMap, threats: Any, index: int, key: str | None) -> int:
    entry = threats[index]
    keys = list(entry)
    after = keys[keys.index(key) + 1 :] if key in entry else []
    if after:
        end = int(entry.lc.key(after[0])[0])
    elif index + 1 < len(threats):
        end = int(threats[index + 1].lc.line)
    else:
        end = block_end(lines, data, "threat_scenarios")
    return before_comments(lines, int(end))


def insert_paths(text: str, threat_id: str, paths: list[AttackPath]) -> str:
    yaml = file_yaml(text)
    data = yaml.load(text)
    threats = data.get("threat_scenarios") or []
    index = next(i for i, t in enumerate(threats) if t["id"] == threat_id)
    entry, lines = threats[index], text.splitlines()
    out = io.StringIO()
    yaml.dump({"attack_paths": as_ruamel([path_document(p) for p in paths])}, out)
    rendered = out.getvalue().splitlines()
    indent = " " * entry.lc.key("id")[1]
    if entry.get("attack_paths"):
        new, at = rendered[1:], _entry_end(lines, data, threats, index, "attack_paths")
    else:
        if "attack_paths" in entry:  # `attack_paths: []`
            del lines[entry.lc.key("attack_paths")[0]]
            text = "\n".join(lines) + "\n"
            return insert_paths(text, threat_id, paths)
        new, at = rendered, _entry_end(lines, data, threats, index, None)
    lines[at:at] = [indent + line if line.strip() else line for line in new]
    return "\n".join(lines) + "\n"


def attach_paths(file: Path, threat_id: str, k: int, write: bool = True) -> list[AttackPath]:
    """`opencsms tara paths FILE --threat ID --add`: the k best paths as attack trees of the threat."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ParseError([Problem("unreadable", exc.strerror or str(exc), str(file))]) from None
    model, profile = parse(raw, str(file), file.parent)
    try:
        paths = paths_for_threat(model, profile, threat_id, k)
    except RuleViolation as error:
        raise RuleViolation(f"{file}: {error}") from None
    if write and paths:
        file.write_text(insert_paths(raw.decode("utf-8-sig"), threat_id, paths), encoding="utf-8")
    return paths


def attach_summary(paths: list[AttackPath]) -> str:
    return "".join(f"added {p.id}: {p.name}\n" for p in paths) or "no entry point reaches it\n"
