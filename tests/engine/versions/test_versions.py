"""Version orders where univers is wrong, fixed in `versions.corrections` (one test per correction)."""

from __future__ import annotations

import pytest
from univers import versions as uv

from opencsms.engine.versions import purl_type, version_key


def _lt(kind: str, a: str, b: str) -> bool:
    return bool(version_key(kind, a) < version_key(kind, b))


@pytest.mark.parametrize(
    ("kind", "smaller", "larger", "univers_class"),
    [
        ("cran", "0.9", "0.75", uv.GenericVersion),  # numeric components
        ("composer", "6.3.0.0", "6.3.0.1", uv.ComposerVersion),  # four components
        ("composer", "1.0.0", "1.0.0-patch1", None),  # 'patch' is PHP's 'p' (after release)
        ("pub", "1.0.0", "1.0.0+build", uv.SemverVersion),  # pub orders build metadata
        ("gem", "1beta", "1", uv.RubygemsVersion),  # '1beta' is a pre-release of 1
        ("pypi", "0.1-bulbasaur", "0.1-charmander", None),  # legacy (non-PEP 440) versions
        ("pypi", "0.9-legacy", "0.1", None),  # legacy sorts before every valid version
        ("deb", "1.0~rc1", "1.0", None),  # tilde before the end
        ("apk", "1.8.1-r1", "1.8.1p1-r1", uv.AlpineLinuxVersion),  # a letter after the digits is later
        ("apk", "1.2", "1.2_cvs1", uv.AlpineLinuxVersion),  # post-release suffix
        ("apk", "1.2_svn2", "1.2_git1", uv.AlpineLinuxVersion),  # cvs < svn < git < hg < p
        ("apk", "1.0_rc1", "1.0", None),  # pre-release suffix
        ("apk", "1.001", "1.01", None),  # a leading zero after a dot makes a fraction
    ],
)
def test_corrected_orders(kind: str, smaller: str, larger: str, univers_class: type | None) -> None:
    assert _lt(kind, smaller, larger)
    assert not _lt(kind, larger, smaller)
    if univers_class is not None:  # the reason for the correction: univers alone gets it wrong
        assert not _univers_lt(univers_class, smaller, larger)


def _univers_lt(cls: type, smaller: str, larger: str) -> bool:
    try:
        return bool(cls(smaller) < cls(larger))
    except Exception:  # univers refusing the version is also wrong
        return False


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("deb", "0.0.0", "0.0.0-00"),
        ("cran", "0.01.0", "0.1-0"),
        ("npm", "v1.2.3+build", "1.2.3+other"),
        ("maven", "1release", "1"),
        ("composer", "v1.9.0-ALPHA.1", "v1.9.0-BETA.1"),
    ],
)
def test_equal_versions(kind: str, a: str, b: str) -> None:
    assert version_key(kind, a) == version_key(kind, b)


def test_go_pseudo_versions_order_by_time() -> None:
    assert _lt("golang", "v0.0.0-20210817142637-7d9622a276b7", "v0.0.0-20220412211240-33da011f77ad")
    assert _lt("golang", "v1.0.1-0.20211012131345-9c444070ec7b", "v1.0.1")


def test_osv_ecosystems_map_to_purl_types() -> None:
    assert purl_type("Debian:11") == "deb"
    assert purl_type("Go") == "golang"
    assert purl_type("crates.io") == "cargo"
    assert purl_type("Alpine:v3.17") == "apk"
    assert purl_type("Something New") == "generic"


def test_unknown_ecosystems_use_the_generic_order() -> None:
    assert _lt("cpe", "1.2.9", "1.2.10")
    assert _lt("generic", "2.0rc1", "2.0.1")
