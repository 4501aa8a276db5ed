"""Hostile SBOMs and advisories are refused with a ParseError naming the file and the problem."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from opencsms.engine import safeinput
from opencsms.engine.advisories import parse_advisories, read_advisories
from opencsms.engine.errors import ParseError
from opencsms.engine.sbom import parse_sbom
from opencsms.engine.vex import parse_vex

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">
<name>&c;</name></component></components></bom>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component><name>&x;</name></component>
</components></bom>"""


def _rule(raw: bytes, parse: object = parse_sbom, name: str = "evil.file") -> str:
    with pytest.raises(ParseError) as refused:
        parse(raw, name)  # type: ignore[operator]
    problem = refused.value.problems[0]
    assert problem.file.startswith(name)
    assert problem.message
    return problem.rule


def test_xml_entity_bomb_is_refused() -> None:
    assert _rule(BILLION_LAUGHS) == "xml-forbidden"


def test_xml_external_entity_is_refused() -> None:
    assert _rule(EXTERNAL_ENTITY) == "xml-forbidden"


def test_xml_vex_goes_through_defusedxml_too() -> None:
    assert _rule(BILLION_LAUGHS, parse_vex) == "xml-forbidden"


def test_deep_json_nesting_is_refused_before_parsing() -> None:
    deep = b'{"bomFormat": "CycloneDX", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert _rule(deep) == "too-deep"
    assert _rule(b"[" * 150 + b"]" * 150, parse_advisories) == "too-deep"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "note": "[" * 500, "components": []})
    assert parse_sbom(text.encode(), "ok.json").components == ()


def test_deep_xml_nesting_is_refused() -> None:
    deep = b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4">' + b"<a>" * 200 + b"</a>" * 200 + b"</bom>"
    assert _rule(deep) == "too-deep"


def test_wrong_encodings_are_refused() -> None:
    utf16 = json.dumps({"bomFormat": "CycloneDX"}).encode("utf-16")
    assert _rule(utf16) == "encoding"
    assert _rule(b'{"bomFormat": "CycloneDX", "name": "caf\xe9"}') == "encoding"
    assert _rule("SPDXVersion: SPDX-2.3\nPackageName: x".encode("utf-16-le")) == "encoding"


def test_oversized_input_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safeinput, "MAX_BYTES", 1000)
    assert _rule(b'{"bomFormat": "CycloneDX", "pad": "' + b"x" * 2000 + b'"}') == "file-too-large"


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(ParseError) as refused:
        parse_sbom(b'{"bomFormat": "CycloneDX",\n "components": [}', "broken.json")
    problem = refused.value.problems[0]
    assert (problem.rule, problem.file, problem.line) == ("json-syntax", "broken.json", 2)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "feed.zip"
    bomb.write_bytes(_zip({"huge.json": b"0" * (8 << 20)}))  # 8 MiB of zeros compress about 1000-fold
    with pytest.raises(ParseError) as refused:
        read_advisories([bomb])
    assert refused.value.problems[0].rule == "zip-bomb"
    assert "huge.json" in refused.value.problems[0].message


def test_zip_total_size_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safeinput, "MAX_ZIP_TOTAL", 10_000)
    archive = tmp_path / "many.zip"
    archive.write_bytes(_zip({f"a{i}.json": bytes(range(256)) * 20 for i in range(5)}))
    with pytest.raises(ParseError) as refused:
        read_advisories([archive])
    assert refused.value.problems[0].rule == "zip-bomb"


def test_advisories_are_read_from_a_zip(tmp_path: Path) -> None:
    record = {"id": "GO-1", "modified": "2024-01-01T00:00:00Z", "affected": []}
    archive = tmp_path / "osv.zip"
    archive.write_bytes(_zip({"GO-1.json": json.dumps(record).encode(), "README.md": b"hi"}))
    read = read_advisories([archive])
    assert [a.id for a in read.advisories] == ["GO-1"]
    assert [p.rule for p in read.skipped] == ["not-json"]


def test_a_broken_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ParseError) as refused:
        read_advisories([archive])
    assert refused.value.problems[0].rule == "zip"
