"""Version orderings where univers disagrees with the ecosystem (checked against the OSV version vectors).

Each function returns a sort key; each is tested in tests/engine/versions/test_versions.py with the vector
lines univers gets wrong (ISO/SAE 21434 clause 8.5: a wrong order is a missed or a false finding).
"""

from __future__ import annotations

import re
from typing import Any

_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$")
_LEGACY_PARTS = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACE = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}
_PHP_FORMS = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_NUMBER = 4
_TRANSITION = re.compile(r"(?<=\d)(?=[^\d.])|(?<=[^\d.])(?=\d)")


def _identifiers(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in text.split("."))


def pub_key(version: str) -> Any:
    """Dart pub: pre-release < release < release+build; build metadata is ordered (unlike SemVer 2)."""
    match = _SEMVER.match(version.strip())
    if not match:
        return (1, (), (0,), (0,), version)
    major, minor, patch, pre, build = match.groups()
    pre_key = (0, _identifiers(pre)) if pre else (1,)
    build_key = (1, _identifiers(build)) if build else (0,)
    return (0, (int(major), int(minor), int(patch)), pre_key, build_key, "")


def numeric_key(version: str) -> Any:
    """CRAN and Hackage: dot- or dash-separated integers compared numerically (0.01 == 0.1, 0.9 < 0.75)."""
    parts = [p for p in re.split(r"[.-]", version.strip()) if p]
    if all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts))
    return (1, tuple(parts))


def pypi_legacy_key(version: str) -> tuple[int, tuple[str, ...]]:
    """PyPI versions that PEP 440 rejects sort before all valid ones, in setuptools' legacy order."""
    parts: list[str] = []
    for piece in _LEGACY_PARTS.split(version.lower()):
        part = _LEGACY_REPLACE.get(piece, piece)
        if not part or part == ".":
            continue
        part = part.zfill(8) if part[:1].isdigit() else "*" + part
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    parts.append("*final")
    return (-1, tuple(parts))


def _php_part(part: str) -> tuple[int, int]:
    """PHP's special forms match by prefix and case-sensitively ('patch' is 'p', 'ALPHA' is unknown)."""
    if part.isdigit():
        return (_NUMBER, int(part))
    return (next((order for form, order in _PHP_FORMS if part.startswith(form)), -1), 0)


def packagist_key(version: str) -> tuple[tuple[int, int], ...]:
    """Packagist (Composer): PHP's version_compare on the canonicalised version string."""
    text = version.strip().removeprefix("v").removeprefix("V")
    text = _TRANSITION.sub(".", re.sub(r"[-_+]", ".", text))
    parts = [p for p in text.split(".") if p]
    # A missing part compares as a number below any number (so 1.0 < 1.0.0.1) and as '#' against words.
    return (*(_php_part(p) for p in parts), (_NUMBER, -1))


def _dpkg_order(char: str) -> int:
    if char == "~":
        return -1
    return ord(char) if char.isalpha() else ord(char) + 256


_END = ((0,), 0)


def _dpkg_part(text: str) -> tuple[tuple[tuple[int, ...], int], ...]:
    chunks = [
        ((*(_dpkg_order(c) for c in letters), 0), int(digits or 0))
        for letters, digits in re.findall(r"(\D*)(\d*)", text)
        if letters or digits
    ]
    while chunks and chunks[-1] == _END:
        chunks.pop()
    return (*chunks, _END)


def debian_key(version: str) -> Any:
    """dpkg's order (epoch, upstream, revision): '~' sorts before everything, even the end of the string;
    letters before other characters; digit runs numerically; a missing revision equals '0'."""
    text = version.strip()
    epoch, _, rest = text.partition(":") if ":" in text else ("0", "", text)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return (int(epoch) if epoch.isdigit() else 0, _dpkg_part(upstream), _dpkg_part(revision))


def rubygems_normalised(version: str) -> str:
    """RubyGems splits '1beta' into segments 1 and 'beta' (a pre-release below 1)."""
    return _TRANSITION.sub(".", version.strip())


def semver_normalised(version: str) -> str:
    """SemVer 2: a leading 'v' is tolerated and build metadata does not take part in ordering."""
    return version.strip().removeprefix("v").split("+", 1)[0]


def maven_normalised(version: str) -> str:
    """Maven: the qualifiers 'ga', 'final' and 'release' equal the empty qualifier."""
    return re.sub(r"(?<=\d)[.-]?(ga|final|release)$", "", version.strip(), flags=re.IGNORECASE)
