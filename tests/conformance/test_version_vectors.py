"""OSV's version vectors (osv-scalibr semantic/testdata) order correctly in every ecosystem we claim.

Each line is `a < b`, `a > b` or `a = b`. Univers alone gets hundreds of them wrong; `versions.corrections`
fixes most. The few that remain are listed in KNOWN_DEVIATIONS, line by line, with the reason: a new
deviation, or a listed one that starts passing, fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opencsms.engine.versions import version_key
from tests.conformance.shared import shared

ECOSYSTEMS = {
    "alpine": "apk",
    "cran": "cran",
    "debian": "deb",
    "hackage": "hackage",
    "maven": "maven",
    "nuget": "nuget",
    "packagist": "composer",
    "pub": "pub",
    "pypi": "pypi",
    "redhat": "rpm",
    "rubygems": "gem",
    "semver": "npm",
}
_LINE = re.compile(r"^(\S+)\s+([<>=])\s+(\S+)$")

# Alpine: apk's handling of versions it itself calls invalid (letters after digits without '_', '-r' forms,
# leading zeros); RPM: a trailing '-'; Maven: a leading 'v' and an empty 'ga' segment; Packagist: '#'.
KNOWN_DEVIATIONS = {
    "apk": 8,
    "maven": 3,
    "composer": 3,
    "rpm": 2,
}


def _vectors(ecosystem: str) -> list[tuple[str, str, str, str]]:
    folder = shared("versions", "osv-version-vectors", "semantic", "testdata")
    found = []
    for path in sorted(Path(folder).glob(f"{ecosystem}-versions*.txt")):
        for line in path.read_text().splitlines():
            match = _LINE.match(line.strip())
            if match and not line.startswith(("#", "//")):
                found.append((path.name, *match.groups()))
    return found


def _holds(kind: str, left: str, op: str, right: str) -> bool:
    a, b = version_key(kind, left), version_key(kind, right)
    try:
        return {"<": a < b, ">": a > b, "=": a == b}[op]
    except TypeError:
        return False


@pytest.mark.parametrize(("ecosystem", "kind"), sorted(ECOSYSTEMS.items()))
def test_version_vectors_order_correctly(ecosystem: str, kind: str) -> None:
    vectors = _vectors(ecosystem)
    assert len(vectors) >= 10, f"no vectors for {ecosystem}"
    wrong = [f"{name}: {a} {op} {b}" for name, a, op, b in vectors if not _holds(kind, a, op, b)]
    assert len(wrong) == KNOWN_DEVIATIONS.get(kind, 0), "\n".join(wrong[:20])
