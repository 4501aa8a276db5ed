"""Load threat-rule files: the shipped catalogue plus a user's own, validated, with no code in the data.

Templates use `string.Template` placeholders ($asset, $component, $interface, $interface_kind) only; an
unknown placeholder, an unknown Annex 5 id or a rule id used twice is refused with the file named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from pydantic import ValidationError

from opencsms.engine import yamlsafe
from opencsms.engine.catalogue import annex5, vocabulary
from opencsms.engine.errors import CatalogueError, ParseError
from opencsms.engine.threatgen.schema import RuleDoc, RuleFile

PLACEHOLDERS = frozenset({"asset", "component", "interface", "interface_kind"})
SHIPPED_RULES = ("automotive.yaml",)


@dataclass(frozen=True)
class RuleSet:
    files: tuple[RuleFile, ...]
    rules: tuple[RuleDoc, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.rules)


def _check_kinds(rule: RuleDoc, where: str) -> None:
    vocab = vocabulary()
    component_kinds = {k.id for k in vocab.component_kinds}
    interface_kinds = {k.id for k in vocab.interface_kinds}
    if rule.match.component and (bad := [k for k in rule.match.component.kinds if k not in component_kinds]):
        raise CatalogueError(f"{where}: {bad} are not component kinds; use {sorted(component_kinds)}")
    if rule.match.interface and (bad := [k for k in rule.match.interface.kinds if k not in interface_kinds]):
        raise CatalogueError(f"{where}: {bad} are not interface kinds; use {sorted(interface_kinds)}")
    violates = {s.id: s.property for s in vocab.stride}[rule.threat.stride]
    if violates != rule.threat.property:
        raise CatalogueError(
            f"{where}: STRIDE {rule.threat.stride} violates {violates}, not {rule.threat.property}"
        )


def _check(rule: RuleDoc, name: str) -> None:
    catalogue = annex5()
    threats, mitigations = catalogue.threat_ids(), {m.id for m in catalogue.mitigations}
    where = f"{name}: rule {rule.id}"
    for text in (rule.threat.name, rule.threat.cause):
        if not Template(text).is_valid():
            raise CatalogueError(f"{where}: invalid template {text!r}; write $$ for a dollar sign")
        if unknown := set(Template(text).get_identifiers()) - PLACEHOLDERS:
            raise CatalogueError(
                f"{where}: unknown placeholder(s) {sorted(unknown)}; use {sorted(PLACEHOLDERS)}"
            )
    if bad := [t for t in rule.threat.annex5 if t not in threats]:
        raise CatalogueError(f"{where}: {bad} are not UN R155 Annex 5 threat ids")
    if bad := [m for m in rule.threat.mitigations if m not in mitigations]:
        raise CatalogueError(f"{where}: {bad} are not UN R155 Annex 5 mitigations")
    _check_kinds(rule, where)


def read_rule_file(raw: bytes, name: str) -> RuleFile:
    """One rule file read and each rule checked (clashes with other files are `load_rules`' to find)."""
    try:
        rules = RuleFile.model_validate(yamlsafe.load(raw, name).data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CatalogueError(f"{name}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    except ParseError as exc:
        raise CatalogueError(str(exc)) from None
    for rule in rules.rules:
        _check(rule, name)
    return rules


@cache
def _shipped() -> tuple[RuleFile, ...]:
    folder = resources.files("opencsms") / "data" / "threat-rules"
    return tuple(read_rule_file((folder / name).read_bytes(), name) for name in SHIPPED_RULES)


def load_rules(
    extra: tuple[Path, ...] = (), shipped: bool = True, texts: tuple[tuple[str, bytes], ...] = ()
) -> RuleSet:
    """The shipped rules (unless `shipped=False`) and the user's rule files, from paths (`extra`) or as
    (name, content) pairs (`texts`: an organisation's files kept in a database); ids unique across all."""
    named = [(name, f) for name, f in zip(SHIPPED_RULES, _shipped(), strict=True)] if shipped else []
    for path in extra:
        try:
            named.append((str(path), read_rule_file(path.read_bytes(), str(path))))
        except OSError as exc:
            raise CatalogueError(f"{path}: {exc.strerror}") from None
    named += [(name, read_rule_file(raw, name)) for name, raw in texts]
    rules: dict[str, RuleDoc] = {}
    where: dict[str, str] = {}
    for name, rule_file in named:
        for rule in rule_file.rules:
            if rule.id in rules:
                raise CatalogueError(f"{name}: rule id {rule.id} is already defined in {where[rule.id]}")
            rules[rule.id], where[rule.id] = rule, name
    _check_tags(named)
    return RuleSet(tuple(f for _, f in named), tuple(rules.values()))


def _check_tags(named: list[tuple[str, RuleFile]]) -> None:
    """Tags a rule matches must be declared under `tags:` in a loaded rule file (this catches typos)."""
    declared: dict[str, set[str]] = {"asset": set(), "component": set(), "interface": set()}
    for _, rule_file in named:
        for kind, vocabulary_tags in rule_file.tags.items():
            declared[kind] |= set(vocabulary_tags)
    for name, rule_file in named:
        for rule in rule_file.rules:
            used = {
                "asset": rule.match.asset.tags,
                "component": rule.match.component.tags if rule.match.component else [],
                "interface": rule.match.interface.tags if rule.match.interface else [],
            }
            for element, tags in used.items():
                if bad := sorted(set(tags) - declared[element]):
                    raise CatalogueError(
                        f"{name}: rule {rule.id}: {element} tags {bad} are not declared under "
                        f"`tags: {element}:` in any loaded rule file"
                    )
