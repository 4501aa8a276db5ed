"""Edits of an attack tree in the TARA-as-code shape: add, move, remove and change AND/OR nodes.

A node is addressed by the indexes of its ancestors' children from the root: "" is the root, "0" the
root's first child, "0.2" that child's third child. Each function takes a threat scenario's data, returns
a changed copy, and raises `TreeEditError` with a message a person can act on; the whole TARA is checked
by the engine afterwards (ISO/SAE 21434:2021 15.7, attack path analysis).
"""

from __future__ import annotations

import copy
from typing import Any

from opencsms.engine.errors import RuleViolation

GATES = ("and", "or")


class TreeEditError(RuleViolation):
    """An edit that cannot apply to this tree."""


def _indexes(address: str) -> list[int]:
    if address == "":
        return []
    try:
        indexes = [int(part) for part in address.split(".")]
    except ValueError:
        raise TreeEditError(
            f"node address {address!r}: use child indexes like 0.2 ('' is the root)"
        ) from None
    if any(i < 0 for i in indexes):
        raise TreeEditError(f"node address {address!r}: indexes start at 0")
    return indexes


def gate_of(node: dict[str, Any]) -> str | None:
    return next((gate for gate in GATES if gate in node), None)


def _node(tree: dict[str, Any], address: str) -> dict[str, Any]:
    node = tree
    for depth, index in enumerate(_indexes(address)):
        gate = gate_of(node)
        children = node.get(gate, []) if gate else []
        if index >= len(children):
            where = ".".join(address.split(".")[:depth]) or "the root"
            raise TreeEditError(f"node {address!r} does not exist: {where} has {len(children)} children")
        node = children[index]
    return node


def _path(threat: dict[str, Any], path_id: str) -> dict[str, Any]:
    for path in threat.get("attack_paths") or []:
        if path.get("id") == path_id:
            found: dict[str, Any] = path
            return found
    raise TreeEditError(f"threat scenario {threat.get('id')!r} has no attack path {path_id!r}")


def _children(node: dict[str, Any], address: str) -> list[dict[str, Any]]:
    gate = gate_of(node)
    if gate is None:
        raise TreeEditError(f"node {address or 'root'!r} is a step, not an AND/OR gate: it has no children")
    children: list[dict[str, Any]] = node[gate]
    return children


def _check_new_node(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict) or not str(node.get("name", "")).strip():
        raise TreeEditError("a new node needs at least a name")
    return copy.deepcopy(node)


def add_node(
    threat: dict[str, Any], path_id: str, parent: str, node: dict[str, Any], index: int | None = None
) -> dict[str, Any]:
    """Insert `node` as a child of the gate at `parent` (at `index`, default last)."""
    changed = copy.deepcopy(threat)
    children = _children(_node(_path(changed, path_id)["tree"], parent), parent)
    children.insert(len(children) if index is None else index, _check_new_node(node))
    return changed


def remove_node(threat: dict[str, Any], path_id: str, address: str) -> dict[str, Any]:
    """Remove the node at `address` with its subtree; a gate keeps at least one child."""
    if address == "":
        raise TreeEditError("the root cannot be removed: remove the attack path instead")
    changed = copy.deepcopy(threat)
    tree = _path(changed, path_id)["tree"]
    parent_address, _, last = address.rpartition(".")
    _node(tree, address)  # it exists
    children = _children(_node(tree, parent_address), parent_address)
    if len(children) == 1:
        raise TreeEditError("a gate needs at least one child: remove the gate, or add another child first")
    del children[int(last)]
    return changed


def move_node(
    threat: dict[str, Any], path_id: str, address: str, to_parent: str, index: int | None = None
) -> dict[str, Any]:
    """Move the node at `address` under the gate at `to_parent` (at `index` among its children)."""
    if address == "":
        raise TreeEditError("the root cannot be moved")
    if to_parent == address or to_parent.startswith(address + "."):
        raise TreeEditError("a node cannot move under itself")
    tree = _path(threat, path_id)["tree"]
    moving = copy.deepcopy(_node(tree, address))
    _children(_node(tree, to_parent), to_parent)  # the target is a gate, checked before any change
    changed = remove_node(threat, path_id, address)
    target = _node(_path(changed, path_id)["tree"], _after_removal(to_parent, address))
    children = _children(target, to_parent)
    children.insert(len(children) if index is None else min(index, len(children)), moving)
    return changed


def _after_removal(address: str, removed: str) -> str:
    """The address of the node at `address` once the node at `removed` (not an ancestor) is gone."""
    target, gone = _indexes(address), _indexes(removed)
    parent, k = gone[:-1], gone[-1]
    depth = len(parent)
    if len(target) > depth and target[:depth] == parent and target[depth] > k:
        target[depth] -= 1
    return ".".join(str(i) for i in target)


def set_gate(threat: dict[str, Any], path_id: str, address: str, gate: str) -> dict[str, Any]:
    """Make the gate at `address` an AND or an OR gate."""
    if gate not in GATES:
        raise TreeEditError(f"gate {gate!r}: use and or or")
    changed = copy.deepcopy(threat)
    node = _node(_path(changed, path_id)["tree"], address)
    current = gate_of(node)
    if current is None:
        raise TreeEditError(f"node {address or 'root'!r} is a step: add children to a gate instead")
    if current != gate:
        children = node.pop(current)
        node[gate] = children
    return changed


def update_node(
    threat: dict[str, Any], path_id: str, address: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change fields of the node at `address` (a value of None removes the field); children stay."""
    return update_nodes(threat, [(path_id, address, changes)])


NodeChange = tuple[str, str, dict[str, Any]]  # path id, node address, the fields to change


def update_nodes(threat: dict[str, Any], edits: list[NodeChange]) -> dict[str, Any]:
    """`update_node` for several nodes of one threat scenario in turn. Only what leads to a changed node
    is copied (the threat, its list of paths, each changed path and the nodes and child lists on the way
    down); the rest is shared with `threat`, which stays as it was (a deep copy of each of 2,000 threat
    scenarios was most of a bulk re-rating)."""
    for _, _, changes in edits:
        if any(key in GATES for key in changes):
            raise TreeEditError("children are changed with add, move and remove, not by update")
    changed = dict(threat)
    paths = changed["attack_paths"] = list(threat.get("attack_paths") or [])
    for path_id, address, changes in edits:
        at = next((i for i, path in enumerate(paths) if path.get("id") == path_id), None)
        if at is None:
            raise TreeEditError(f"threat scenario {threat.get('id')!r} has no attack path {path_id!r}")
        path = paths[at] = dict(paths[at])
        node = path["tree"] = dict(path["tree"])
        for depth, index in enumerate(_indexes(address)):
            gate = gate_of(node)
            children = list(node.get(gate, [])) if gate else []
            if index >= len(children):
                where = ".".join(address.split(".")[:depth]) or "the root"
                raise TreeEditError(f"node {address!r} does not exist: {where} has {len(children)} children")
            node[str(gate)] = children
            node = children[index] = dict(children[index])
        for key, value in changes.items():
            if value is None:
                node.pop(key, None)
            else:
                node[key] = copy.deepcopy(value)
    return changed
