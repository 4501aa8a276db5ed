"""Line-level editing of a person's TARA file: read its layout with ruamel.yaml, write by inserting lines.

Shared by generation (`write.py`) and path attachment (`attach.py`): the file's own indentation, and where a
block ends before the comments that introduce the next one.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

_FLOW_KEYS = frozenset({"attack_potential", "controls"})


def as_ruamel(value: Any, key: str = "") -> Any:
    """Plain data -> ruamel nodes; small leaf mappings and lists in flow style, like a hand-written file."""
    if isinstance(value, dict):
        node = CommentedMap((k, as_ruamel(v, k)) for k, v in value.items())
        if key in _FLOW_KEYS:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(as_ruamel(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


_BLOCK_KEY = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")


def file_indents(text: str) -> tuple[int, int]:
    """The file's mapping indent and sequence dash offset, measured from a key to its first child."""
    mapping = offset = None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, child in pairwise(lines):
        key = _BLOCK_KEY.match(line)
        if key is None:
            continue
        depth = len(child) - len(child.lstrip(" ")) - len(key.group(1))
        if depth <= 0:
            continue
        if child.lstrip().startswith("- "):
            offset = depth if offset is None else offset
        else:
            mapping = depth if mapping is None else mapping
        if mapping is not None and offset is not None:
            break
    return mapping or 2, offset if offset is not None else 2


def file_yaml(text: str) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = file_indents(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def block_end(lines: list[str], data: CommentedMap, key: str) -> int:
    """The line before which a top-level block ends: the next top-level key, less its leading comments."""
    keys = list(data)
    after = keys[keys.index(key) + 1 :] if key in data else []
    end = data.lc.key(after[0])[0] if after else len(lines)
    return before_comments(lines, end)


def before_comments(lines: list[str], end: int) -> int:
    """Move `end` up over blank and comment lines, which belong to what follows."""
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end
