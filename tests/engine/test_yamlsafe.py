"""The hostile-input-safe YAML reader refuses every tag it does not know, on any kind of node: a scalar, a
list or a mapping (a `!!python` tag on a list or mapping was accepted and ignored)."""

from __future__ import annotations

import pytest

from opencsms.engine.errors import ParseError
from opencsms.engine.yamlsafe import load

REFUSED = [
    b"a: !!python/name:os.system x\n",
    b"a: !!python/tuple [1, 2]\n",
    b"a: !!python/object/apply:os.system [echo hi]\n",
    b"!!python/object:collections.OrderedDict {a: 1}\n",
    b"a: !!python/dict {b: 1}\n",
    b"a: !custom [1]\n",
    b"a: !!set {b}\n",
    b"- !!omap [a: 1]\n",
]


@pytest.mark.parametrize("raw", REFUSED)
def test_unknown_tags_are_refused_on_every_node_kind(raw: bytes) -> None:
    with pytest.raises(ParseError) as refused:
        load(raw, "model.yaml")
    [problem] = refused.value.problems
    assert (problem.rule, problem.file, problem.line) == ("yaml-tag", "model.yaml", 1)
    assert "unsupported tag" in problem.message


def test_standard_tags_and_untagged_nodes_are_read() -> None:
    raw = b"a: !!map {b: !!seq [1, !!str 2]}\nc: [x]\nd: {e: 1}\n"
    assert load(raw, "ok.yaml").data == {"a": {"b": [1, "2"]}, "c": ["x"], "d": {"e": 1}}
