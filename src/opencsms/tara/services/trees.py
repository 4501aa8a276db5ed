"""The attack tree editor's one service: add, move, remove, re-gate or change a node of an attack path.

The tree arithmetic is the engine's (`engine.tara_as_code.trees`); here the edit is applied to the threat
scenario's data, checked and evaluated with the whole TARA, and audited (ISO/SAE 21434 15.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from django.db import transaction

from opencsms.core import versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, from_engine
from opencsms.core.models import User
from opencsms.engine.tara_as_code import trees
from opencsms.tara.models import Element, Kind
from opencsms.tara.services.bulk import write_elements
from opencsms.tara.services.elements import locked_element, save_element_data
from opencsms.tara.services.evaluation import take_for_edit

TreeOp = Literal["add", "remove", "move", "set_gate", "update"]


def _apply(data: dict[str, Any], op: TreeOp, path: str, at: str, edit: dict[str, Any]) -> dict[str, Any]:
    if op == "add":
        return trees.add_node(data, path, at, edit.get("node") or {}, edit.get("index"))
    if op == "remove":
        return trees.remove_node(data, path, at)
    if op == "move":
        return trees.move_node(data, path, at, str(edit.get("to", "")), edit.get("index"))
    if op == "set_gate":
        return trees.set_gate(data, path, at, str(edit.get("gate", "")))
    if op == "update":
        return trees.update_node(data, path, at, edit.get("changes") or {})
    raise Invalid(f"tree operation {op!r}: use add, remove, move, set_gate or update")


@transaction.atomic
def edit_attack_tree(
    *,
    actor: User,
    tara_id: int,
    threat: str,
    path: str,
    op: TreeOp,
    at: str = "",
    expected: str | None = None,
    **edit: Any,
) -> Element:
    """One edit of the attack tree of `path` in threat scenario `threat`; `at` addresses the node
    ("" the root, "0.2" the root's first child's third child). Extra arguments by operation:
    add: `node` (the new node's data) and `index`; move: `to` and `index`; set_gate: `gate` (and|or);
    update: `changes` (field -> value, None removes). `expected`: the threat scenario's version the
    edit was made from (`Stale` when it changed since: the addresses may point elsewhere now)."""
    tara = take_for_edit(actor, tara_id)
    element = locked_element(tara, Kind.THREAT_SCENARIO, threat)
    trees_now = {str(p.get("id")): p for p in element.data.get("attack_paths") or [] if isinstance(p, dict)}
    versions.check(
        element, threat, expected=expected, current=element.etag,
        stored={path: trees_now.get(path)}, yours={path: f"your edit: {op} at node {at or 'root'}"},
    )  # fmt: skip
    try:
        data = _apply(element.data, op, path, at, edit)
    except trees.TreeEditError as exc:
        raise from_engine(exc) from None
    return save_element_data(actor, element, data, AuditAction.ATTACK_TREE_EDITED)


StepRating = tuple[str, str, str, str | None]  # threat, path, step address, the step's new cvss (None: none)


@transaction.atomic
def rate_attack_steps(*, actor: User, tara_id: int, ratings: Sequence[StepRating]) -> dict[str, int | None]:
    """Set the `cvss` of many attack steps of one TARA at once (ISO/SAE 21434 15.7): the TARA locked and
    evaluated once, each changed threat scenario audited as an attack tree edit. All or nothing: a step
    that is not there refuses the whole change. Returns each changed threat's risk before the change."""
    tara = take_for_edit(actor, tara_id)
    refs = sorted({threat for threat, _, _, _ in ratings})
    found = {
        e.ref: e
        for e in Element.objects.select_for_update().filter(
            tara=tara, kind=Kind.THREAT_SCENARIO, ref__in=refs
        )
    }
    edits: dict[str, list[trees.NodeChange]] = {}
    for threat, path, at, cvss in ratings:
        if threat not in found:
            raise Invalid(f"no threat scenario {threat!r} in this TARA")
        edits.setdefault(threat, []).append((path, at, {"cvss": cvss}))
    rows = []
    for threat, some in edits.items():
        element = found[threat]
        try:
            data = trees.update_nodes(element.data, some)
        except trees.TreeEditError as exc:
            raise from_engine(exc) from None
        if data != element.data:
            rows.append((element, element.data, data))
    risks = {e.ref: e.risk for e, _, _ in rows}
    write_elements(actor, tara, rows, AuditAction.ATTACK_TREE_EDITED)
    return risks
