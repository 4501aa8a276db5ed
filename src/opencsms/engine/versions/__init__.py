"""Each ecosystem's own version ordering (ISO/SAE 21434 clause 8.5: matching a version against a range).

`version_key(ecosystem, version)` returns a sort key; keys of one ecosystem compare with each other. Built on
univers, with the corrections in `corrections` where univers disagrees with the OSV version vectors.
`ECOSYSTEMS` maps OSV ecosystem names to purl types; `ORDERINGS` (an explicit registry) maps purl types to
key functions. Types without an ordering fall back to `generic_key`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from univers import versions as uv

from opencsms.engine.versions import corrections as fix
from opencsms.engine.versions.apk import apk_key

__all__ = ["ECOSYSTEMS", "ORDERINGS", "generic_key", "purl_type", "version_key"]

_TOKENS = re.compile(r"\d+|[a-zA-Z]+")

ECOSYSTEMS = {
    "go": "golang",
    "npm": "npm",
    "pypi": "pypi",
    "maven": "maven",
    "crates.io": "cargo",
    "nuget": "nuget",
    "rubygems": "gem",
    "packagist": "composer",
    "pub": "pub",
    "hex": "hex",
    "hackage": "hackage",
    "cran": "cran",
    "debian": "deb",
    "ubuntu": "deb",
    "alpine": "apk",
    "wolfi": "apk",
    "chainguard": "apk",
    "minimos": "apk",
    "red hat": "rpm",
    "rocky linux": "rpm",
    "almalinux": "rpm",
    "opensuse": "rpm",
    "suse": "rpm",
    "mageia": "rpm",
    "photon os": "rpm",
    "azure linux": "rpm",
    "openeuler": "rpm",
    "swifturl": "swift",
    "github actions": "github",
    "conancenter": "conan",
    "bitnami": "bitnami",
    "opam": "opam",
    "julia": "julia",
    "android": "android",
    "linux": "linux",
    "oss-fuzz": "generic",
    "gsd": "generic",
    "uvi": "generic",
    "bioconductor": "bioconductor",
    "haskell": "hackage",
    "ghc": "generic",
    "kubernetes": "generic",
    "vscode": "vscode",
    "echo": "generic",
    "debian lts": "deb",
}


def purl_type(ecosystem: str) -> str:
    """The purl type of an OSV ecosystem name ('Debian:11' -> 'deb'); 'generic' when unknown."""
    return ECOSYSTEMS.get(ecosystem.split(":", 1)[0].strip().lower(), "generic")


def generic_key(version: str) -> Any:
    """Numbers numerically, words alphabetically and below numbers: for CPE and unknown ecosystems."""
    text = version.strip()
    text = text[1:] if text[:1] in "vV" and text[1:2].isdigit() else text  # V2.9 == 2.9
    return tuple((1, int(t), "") if t.isdigit() else (0, 0, t.lower()) for t in _TOKENS.findall(text))


def _univers(cls: type[uv.Version], normalise: Callable[[str], str] = str.strip) -> Callable[[str], Any]:
    def key(version: str) -> Any:
        try:
            return (0, cls(normalise(version)))
        except Exception:
            return (-1, generic_key(version))

    return key


def _pypi(version: str) -> Any:
    try:
        return (0, uv.PypiVersion(version.strip()))
    except Exception:
        return fix.pypi_legacy_key(version)


ORDERINGS: dict[str, Callable[[str], Any]] = {
    "golang": _univers(uv.SemverVersion, fix.semver_normalised),
    "npm": _univers(uv.SemverVersion, fix.semver_normalised),
    "cargo": _univers(uv.SemverVersion, fix.semver_normalised),
    "hex": _univers(uv.SemverVersion, fix.semver_normalised),
    "swift": _univers(uv.SemverVersion, fix.semver_normalised),
    "pub": fix.pub_key,
    "pypi": _pypi,
    "maven": _univers(uv.MavenVersion, fix.maven_normalised),
    "nuget": _univers(uv.NugetVersion),
    "gem": _univers(uv.RubygemsVersion, fix.rubygems_normalised),
    "composer": fix.packagist_key,
    "deb": fix.debian_key,
    "apk": apk_key,
    "rpm": _univers(uv.RpmVersion),
    "conan": _univers(uv.ConanVersion),
    "cran": fix.numeric_key,
    "hackage": fix.numeric_key,
}


@lru_cache(maxsize=262144)
def version_key(kind: str, version: str) -> Any:
    """The sort key of `version` in the ordering of purl type `kind` (generic for unknown types)."""
    return ORDERINGS.get(kind, generic_key)(version)
