"""Every SBOM-like file in ../shared/data/sboms parses, or is refused for the reason the expectation list
gives (issue 5, item 8). Lockfiles and notes (.lock, .toml, .md ...) are not SBOM serialisations and are
not offered to the parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencsms.engine.errors import ParseError
from opencsms.engine.sbom import parse_sbom
from tests.conformance.shared import files_under, shared

SUFFIXES = (".json", ".xml", ".spdx", ".rdf", ".cdx", ".sbom", ".yaml", ".yml")
EXPECTED = Path(__file__).with_name("sbom_expectations.tsv")


def _refusals() -> dict[str, str]:
    rows = [
        line.split("\t") for line in EXPECTED.read_text().splitlines() if line and not line.startswith("#")
    ]
    return {path: rule for path, rule, _ in rows}


REFUSED = _refusals()
FILES = files_under("sboms", suffixes=SUFFIXES)


def test_the_sbom_corpus_is_there() -> None:
    root = shared("sboms")
    assert len(FILES) > 250, f"only {len(FILES)} SBOM-like files under {root}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_sbom_parses_or_is_refused_as_expected(path: Path) -> None:
    name = str(path.relative_to(shared("sboms")))
    if name in REFUSED:
        with pytest.raises(ParseError) as refused:
            parse_sbom(path.read_bytes(), name)
        problem = refused.value.problems[0]
        assert problem.rule == REFUSED[name]
        assert problem.file == name
        assert problem.message
        return
    sbom = parse_sbom(path.read_bytes(), name)
    assert sbom.format.startswith(("CycloneDX", "SPDX"))
    for component in sbom.components:
        assert component.ref, f"a component of {name} has no reference"
        assert component.purl == "" or component.purl.startswith("pkg:")
        assert component.cpe == "" or component.cpe.startswith("cpe:2.3:")


def test_every_listed_refusal_is_a_real_file() -> None:
    root = shared("sboms")
    missing = [name for name in REFUSED if not (root / name).is_file()]
    assert not missing


def test_real_sboms_yield_identifiers() -> None:
    """Spot checks on real SBOMs: purls normalised, CPEs converted, dependencies and embedded VEX kept."""
    root = shared("sboms")
    keycloak = parse_sbom((root / "cyclonedx-examples/SBOM/keycloak-10.0.2/bom.json").read_bytes(), "k")
    assert len(keycloak.components) > 500
    assert all(c.purl.startswith("pkg:maven/") for c in keycloak.components if c.purl)
    flux = parse_sbom((root / "bom-shelter/in-the-wild/spdx/flux_0.26.3_sbom.spdx").read_bytes(), "flux")
    assert flux.format == "SPDX 2.2 tag-value"
    assert any(c.purl.startswith("pkg:golang/") for c in flux.components)
    proton = parse_sbom(
        (root / "cyclonedx-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.xml").read_bytes(), "p"
    )
    assert len(proton.dependencies) > 100
    assert proton.format == "CycloneDX 1.2 XML"
    mac = parse_sbom(
        (root / "bom-shelter/in-the-wild/spdx/cbor-sbom.spdx").read_bytes(), "cbor"
    )  # CR line ends
    assert [(c.name, c.version) for c in mac.components][:1] == [("cbor", "5.0.0")]
    vex = parse_sbom(
        (root / "cyclonedx-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json").read_bytes(), "v"
    )
    assert [(s.vulnerability, s.status.value, s.products) for s in vex.vex] == [
        ("CVE-2021-44228", "not_affected", ("product-ABC",))
    ]
