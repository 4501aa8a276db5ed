"""Reading TARA files: round trip; bad input refused with file, line, column and rule, never a traceback."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from opencsms.engine.errors import ParseError
from opencsms.engine.tara_as_code import dumps, load_file, parse
from tests.paths import EXAMPLES

STARTER = (resources.files("opencsms.engine.tara_as_code") / "starter.tara.yaml").read_bytes()


def _problems(text: str | bytes, file: str = "t.yaml") -> list[tuple[str, int, int]]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(ParseError) as caught:
        parse(raw, file)
    problems = caught.value.problems
    assert all(p.file == file for p in problems)
    return [(p.rule, p.line, p.column) for p in problems]


def _starter_with(old: str, new: str) -> str:
    text = STARTER.decode()
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("source", ["starter", *sorted(p.name for p in EXAMPLES.glob("*.tara.yaml"))])
def test_round_trip_load_dump_load_gives_the_same_model(source: str) -> None:
    raw = STARTER if source == "starter" else (EXAMPLES / source).read_bytes()
    model, _ = parse(raw, source, EXAMPLES)
    again, _ = parse(dumps(model).encode(), source, EXAMPLES)
    assert again == model
    assert dumps(again) == dumps(model)


def test_syntax_error_names_line_and_column() -> None:
    assert _problems("opencsms: tara/1\nid: x\nname: [unclosed\n") == [("yaml-syntax", 4, 1)]


def test_dangling_reference() -> None:
    text = _starter_with("goals: [CG-1]\n", "goals: [CG-404]\n")
    assert _problems(text) == [("dangling-reference", _line_of(text, "CG-404"), 15)]


def test_reference_to_the_wrong_kind_of_element() -> None:
    text = _starter_with("asset: A-UNLOCK", "asset: DS-THEFT")
    [(rule, line, _)] = _problems(text)
    assert (rule, line) == ("dangling-reference", _line_of(text, "asset: DS-THEFT"))
    with pytest.raises(ParseError, match="'DS-THEFT' is a damage scenario; expected an asset id"):
        parse(text.encode(), "model.yaml", EXAMPLES)


def test_wrong_enum_value_lists_the_allowed_ones() -> None:
    text = _starter_with("property: authenticity", "property: secrecy")
    with pytest.raises(ParseError, match="'confidentiality', 'integrity'"):
        parse(text.encode(), "t.yaml")


def test_unknown_rating_level_names_the_profile_levels() -> None:
    text = _starter_with("financial: major", "financial: huge")
    with pytest.raises(ParseError, match="use one of negligible, moderate, major, severe") as caught:
        parse(text.encode(), "t.yaml")
    assert caught.value.problems[0].line == _line_of(text, "financial: huge")


def test_missing_attack_potential_factor() -> None:
    text = _starter_with("            equipment: specialized\n", "")
    assert [r for r, _, _ in _problems(text)] == ["missing-factor"]


def test_duplicate_ids() -> None:
    text = _starter_with("{id: KES, name: Keyless entry ECU", "{id: BCM, name: Keyless entry ECU")
    problems = _problems(text)
    assert problems[0][:2] == ("duplicate-id", _line_of(text, "{id: BCM, name: Keyless"))


def test_duplicate_key() -> None:
    assert _problems("opencsms: tara/1\nid: a\nid: b\n")[0] == ("duplicate-key", 3, 1)


def test_unknown_field_is_refused() -> None:
    text = _starter_with("  acceptance: 2", "  acceptance: 2\n  acceptence: 3")
    assert _problems(text) == [("unknown-field", _line_of(text, "acceptence"), 3)]


def test_all_problems_are_reported_at_once() -> None:
    text = _starter_with("goals: [CG-1]\n", "goals: [CG-404]\n").replace("claims", "x")
    text = text.replace("controls: [CTL-UWB]\n", "controls: [CTL-NONE]\n", 1)
    assert len(_problems(text)) == 2


def test_not_a_tara_file() -> None:
    assert _problems("- just\n- a list\n")[0][0] == "not-a-tara"
    assert _problems("name: x\n")[0][0] == "not-a-tara"


def test_yaml_bomb_is_refused_before_it_expands() -> None:
    bomb = "opencsms: tara/1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("bcdefgh", "cdefghi", strict=True)
    )
    assert _problems(bomb)[0] == ("yaml-alias", 2, 4)


def test_deep_nesting_is_refused() -> None:
    assert _problems("opencsms: tara/1\nx: " + "[" * 200 + "]" * 200 + "\n")[0][0] == "too-deep"


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"opencsms: tara/1\n" + b"# padding\n" * 2000)
    with pytest.raises(ParseError, match="file-too-large") as caught:
        load_file(path, max_bytes=10_000)
    assert "20,017 bytes; the limit is 10,000" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("opencsms: tara/1\nname: Caf\u00e9\n".encode("utf-16"), "UTF-16"),
        ("opencsms: tara/1\nname: Caf\u00e9\n".encode("latin-1"), "not valid UTF-8 at byte 26"),
    ],
)
def test_wrong_encoding(raw: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(raw, "t.yaml")


def test_utf8_with_bom_is_accepted() -> None:
    model, _ = parse(b"\xef\xbb\xbf" + STARTER, "t.yaml")
    assert model.id == "my-item"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="unreadable"):
        load_file(tmp_path / "nope.yaml")


def test_profile_without_cvss_refuses_a_cvss_path() -> None:
    text = _starter_with("profile: iso21434", "profile: heavens-1.0").replace(
        "name: Relay fob and car with two radios", "name: Relay\n        method: cvss"
    )
    rules = {r for r, _, _ in _problems(text)}
    assert "method-unavailable" in rules


def test_unquoted_annex5_ids_get_a_clear_message() -> None:
    text = _starter_with('annex5: ["16.1"]', "annex5: [16.1]")
    with pytest.raises(ParseError, match=r'quoted strings, e.g. annex5: \["18.3"\]') as caught:
        parse(text.encode(), "t.yaml")
    assert caught.value.problems[0].line == _line_of(text, "annex5: [16.1]")


def test_the_format_enums_are_the_vocabulary_catalogue() -> None:
    from typing import get_args

    from opencsms.engine.catalogue import vocabulary
    from opencsms.engine.tara_as_code import schema

    catalogue = vocabulary()
    field = {name: f.annotation for name, f in schema.InterfaceDoc.model_fields.items()}
    assert set(get_args(field["kind"])) == {k.id for k in catalogue.interface_kinds}
    field = {name: f.annotation for name, f in schema.ComponentDoc.model_fields.items()}
    assert set(get_args(field["kind"])) == {k.id for k in catalogue.component_kinds}
    assert set(get_args(schema.Property)) == {p.id for p in catalogue.properties}
    stride = get_args(schema.ThreatScenarioDoc.model_fields["stride"].annotation)[0]
    assert set(get_args(stride)) == {s.id for s in catalogue.stride}
