"""What an SBOM gives that cannot be used is reported, not dropped silently: identifiers that are not valid
purls or CPEs, values that are not text (a version list), components without a name; the rest is read."""

from __future__ import annotations

import json

from opencsms.engine.sbom import parse_sbom


def _cyclonedx(*components: dict[str, object]) -> bytes:
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": list(components)}
    ).encode()


def _spdx(*packages: dict[str, object]) -> bytes:
    return json.dumps({"spdxVersion": "SPDX-2.3", "name": "doc", "packages": list(packages)}).encode()


def test_invalid_purls_and_cpes_are_problems_of_the_sbom() -> None:
    sbom = parse_sbom(
        _cyclonedx(
            {"name": "good", "version": "1.0", "purl": "pkg:npm/good@1.0"},
            {"name": "badpurl", "version": "1", "purl": "pkg:/broken"},
            {"name": "badcpe", "version": "2", "cpe": "cpe:2.3:x"},
        ),
        "sbom.json",
    )
    assert [c.purl for c in sbom.components] == ["pkg:npm/good@1.0", "", ""]
    assert [(p.rule, p.file) for p in sbom.problems] == [("unusable-value", "sbom.json")] * 2
    assert "'badpurl': purl 'pkg:/broken'" in sbom.problems[0].message
    assert "'badcpe': CPE 'cpe:2.3:x'" in sbom.problems[1].message


def test_a_version_list_is_not_stored_as_its_python_spelling() -> None:
    sbom = parse_sbom(_cyclonedx({"name": "lib", "version": ["1"], "purl": "pkg:npm/lib@1"}), "sbom.json")
    [component] = sbom.components
    assert component.version == ""
    assert "['1']" not in component.ref
    [problem] = sbom.problems
    assert "version ['1'] (not text)" in problem.message
    spdx = parse_sbom(_spdx({"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": ["1", "2"]}), "spdx.json")
    assert spdx.components[0].version == ""
    assert "versionInfo ['1', '2'] (not text)" in spdx.problems[0].message


def test_a_component_without_a_name_is_reported() -> None:
    sbom = parse_sbom(_cyclonedx({"version": "1", "purl": "pkg:npm/anon@1"}), "sbom.json")
    [problem] = sbom.problems
    assert problem.rule == "no-name"
    assert "pkg:npm/anon@1" in problem.message


def test_spdx_keeps_the_first_valid_identifier_and_reports_the_bad_ones() -> None:
    refs = [
        {"referenceType": "purl", "referenceLocator": "not a purl"},
        {"referenceType": "purl", "referenceLocator": "pkg:pypi/ok@1"},
    ]
    sbom = parse_sbom(_spdx({"SPDXID": "SPDXRef-a", "name": "a", "externalRefs": refs}), "spdx.json")
    assert sbom.components[0].purl == "pkg:pypi/ok@1"
    assert list(sbom.components[0].rejected) == ["purl 'not a purl'"]
