"""load_rules: the shipped catalogue loads; a user's rule file is validated and refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencsms.engine.errors import CatalogueError
from opencsms.engine.threatgen import load_rules

HEADER = """\
urn: urn:opencsms:rules:user
version: "1"
name: User rules
cites: tests
"""
GOOD = """\
  - id: {id}
    name: A user rule
    cites: tests
    match: {{asset: {{properties: [{prop}], tags: [{tags}]}}, interface: {{kinds: [{kind}]}}{component}}}
    threat: {{property: {prop}, stride: {stride}, name: "{name}", annex5: ["{annex5}"],
             mitigations: [{mitigation}]}}
"""
GIZMO = "tags:\n  asset: {gizmo: a tag of the user's own}\n"


def rule(
    id: str = "USER-1",  # noqa: A002 - the field's name in the file
    kind: str = "can",
    name: str = "$asset reached over $interface",
    annex5: str = "5.2",
    mitigation: str = "M7",
    *,
    prop: str = "integrity",
    stride: str = "T",
    tags: str = "",
    component: str = "",
) -> str:
    component = f", component: {{kinds: [{component}]}}" if component else ""
    return GOOD.format(
        id=id,
        kind=kind,
        name=name,
        annex5=annex5,
        mitigation=mitigation,
        prop=prop,
        stride=stride,
        tags=tags,
        component=component,
    )


def write(tmp_path: Path, *rules: str, name: str = "user.rules.yaml", vocabulary: str = "") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + vocabulary + "rules:\n" + "".join(rules), encoding="utf-8")
    return path


def test_the_shipped_catalogue_loads() -> None:
    rules = load_rules()
    assert len(rules.rules) == 42
    assert [f.urn for f in rules.files] == ["urn:opencsms:rules:automotive"]
    assert [f.version for f in rules.files] == ["1.1"]


def test_a_valid_user_file_adds_its_rules_to_the_shipped_ones(tmp_path: Path) -> None:
    rules = load_rules((write(tmp_path, rule(), rule(id="USER-2")),))
    assert {"USER-1", "USER-2", "STRIDE-T"} <= rules.ids
    assert len(rules.rules) == 44
    assert load_rules((write(tmp_path, rule()),), shipped=False).ids == {"USER-1"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (rule(name="$asset on $ecu"), r"user\.rules\.yaml: rule USER-1: unknown placeholder.*'ecu'"),
        (rule(name="costs $5"), r"user\.rules\.yaml: rule USER-1: invalid template"),
        (rule(annex5="99.9"), r"rule USER-1: \['99\.9'\] are not UN R155 Annex 5 threat ids"),
        (rule(mitigation="M17"), r"rule USER-1: \['M17'\] are not UN R155 Annex 5 mitigations"),
        (rule(kind="zigbee"), r"rule USER-1: \['zigbee'\] are not interface kinds"),
        (rule(kind="backend"), r"rule USER-1: \['backend'\] are not interface kinds"),
        (rule(component="can"), r"rule USER-1: \['can'\] are not component kinds"),
        (rule(stride="D"), r"rule USER-1: STRIDE D violates availability, not integrity"),
        (rule(prop="confidentiality"), r"rule USER-1: STRIDE T violates integrity, not confidentiality"),
        (
            rule(tags="gizmo"),
            r"user\.rules\.yaml: rule USER-1: asset tags \['gizmo'\] are not declared under",
        ),
        (rule(id="lower-case"), r"user\.rules\.yaml: rules\.0\.id"),
    ],
    ids=[
        "placeholder",
        "bad-template",
        "annex5",
        "mitigation",
        "unknown-kind",
        "component-kind-as-interface",
        "interface-kind-as-component",
        "stride-d-on-integrity",
        "stride-t-on-confidentiality",
        "undeclared-tag",
        "rule-id",
    ],
)
def test_a_bad_rule_is_refused_with_the_file_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        load_rules((write(tmp_path, text),), shipped=False)


def test_a_well_formed_template_with_braces_and_dollars_loads(tmp_path: Path) -> None:
    good = rule(name="${asset} over $interface_kind costs $$5")
    assert load_rules((write(tmp_path, good),), shipped=False).ids == {"USER-1"}


def test_tags_must_be_declared_in_some_loaded_rule_file(tmp_path: Path) -> None:
    assert load_rules((write(tmp_path, rule(tags="gizmo"), vocabulary=GIZMO),), shipped=False).ids == {
        "USER-1"
    }
    shipped_tag = write(tmp_path, rule(tags="odometer"), name="shipped-tag.yaml")
    assert "USER-1" in load_rules((shipped_tag,)).ids  # declared by the shipped catalogue
    with pytest.raises(CatalogueError, match=r"asset tags \['odometer'\] are not declared under"):
        load_rules((shipped_tag,), shipped=False)
    declared_elsewhere = write(tmp_path, rule(id="USER-2"), name="vocabulary.yaml", vocabulary=GIZMO)
    user = write(tmp_path, rule(tags="gizmo"), name="uses.yaml")
    assert load_rules((declared_elsewhere, user), shipped=False).ids == {"USER-1", "USER-2"}


def test_interface_and_component_tags_are_checked_apart_from_asset_tags(tmp_path: Path) -> None:
    text = rule().replace("interface: {kinds: [can]}", "interface: {kinds: [can], tags: [gizmo]}")
    with pytest.raises(CatalogueError, match=r"interface tags \['gizmo'\] are not declared under"):
        load_rules((write(tmp_path, text, vocabulary=GIZMO),), shipped=False)


def test_a_rule_id_defined_twice_in_one_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        CatalogueError, match=r"user\.rules\.yaml: rule id USER-1 is already defined in .*user"
    ):
        load_rules((write(tmp_path, rule(), rule(kind="lin")),), shipped=False)


def test_a_user_rule_may_not_redefine_a_shipped_one(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"rule id STRIDE-T is already defined in automotive\.yaml"):
        load_rules((write(tmp_path, rule(id="STRIDE-T")),))


def test_a_rule_id_used_in_two_user_files_is_refused(tmp_path: Path) -> None:
    first, second = write(tmp_path, rule(), name="a.yaml"), write(tmp_path, rule(), name="b.yaml")
    with pytest.raises(CatalogueError, match=r"b\.yaml: rule id USER-1 is already defined in .*a\.yaml"):
        load_rules((first, second), shipped=False)


def test_a_missing_or_broken_file_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"nothing\.yaml"):
        load_rules((tmp_path / "nothing.yaml",), shipped=False)
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.yaml"):
        load_rules((broken,), shipped=False)
