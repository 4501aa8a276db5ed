"""The diff of two SBOM revisions: the same package and version is kept, a version change is a removal, an
addition and a change, duplicates pair up in order, a component without purl is known by its name."""

from __future__ import annotations

from opencsms.engine.sbom import Component
from opencsms.engine.sbom.diff import diff_components, identity, version


def _c(ref: str, name: str, ver: str = "", purl: str = "") -> Component:
    return Component(ref=ref, name=name, version=ver, purl=purl)


def test_kept_added_removed_and_changed() -> None:
    old = [
        ("row-zlib", _c("a", "zlib", "1.3", "pkg:generic/zlib@1.3")),
        ("row-ssl", _c("b", "openssl", "1.1.1w", "pkg:generic/openssl@1.1.1w")),
        ("row-gone", _c("c", "busybox", "1.36.0", "pkg:generic/busybox@1.36.0")),
    ]
    new = [
        _c("other-ref", "zlib", "1.3", "pkg:generic/zlib@1.3?arch=arm"),  # qualifiers and ref do not count
        _c("b2", "openssl", "3.0.13", "pkg:generic/openssl@3.0.13"),
        _c("d", "curl", "8.5.0", "pkg:generic/curl@8.5.0"),
    ]
    diff = diff_components(old, new)
    assert [(item, c.ref) for item, c in diff.kept] == [("row-zlib", "other-ref")]
    assert [c.name for c in diff.added] == ["openssl", "curl"]
    assert diff.removed == ("row-ssl", "row-gone")
    assert [(item, c.version) for item, c in diff.changed] == [("row-ssl", "3.0.13")]
    assert diff.counts() == {"kept": 1, "added": 1, "removed": 1, "changed": 1}


def test_identity_is_the_package_and_name_and_the_version_may_come_from_the_purl() -> None:
    go = _c("x", "github.com/Azure/go-autorest", "", "pkg:golang/github.com/Azure/go-autorest@v14.2.0")
    assert identity(go)[0] == "golang"
    assert identity(go)[3] == "github.com/azure/go-autorest"
    assert version(go) == "v14.2.0"
    assert identity(_c("y", "Linux-Kernel", "6.1")) == ("", "", "", "linux-kernel")


def test_same_package_under_another_name_is_another_component() -> None:
    old = [("row", _c("a", "libfoo", "1.0", "pkg:deb/debian/foo@1.0"))]
    diff = diff_components(old, [_c("a", "foo-dev", "1.0", "pkg:deb/debian/foo@1.0")])
    assert (diff.kept, diff.removed, len(diff.added)) == ((), ("row",), 1)
    assert diff.changed == ()
    assert diff.counts() == {"kept": 0, "added": 1, "removed": 1, "changed": 0}


def test_duplicates_pair_up_in_order_and_the_extra_one_is_removed() -> None:
    same = _c("a", "zlib", "1.3", "pkg:generic/zlib@1.3")
    diff = diff_components([("first", same), ("second", same)], [same])
    assert [item for item, _ in diff.kept] == ["first"]
    assert diff.removed == ("second",)
    assert diff.counts() == {"kept": 1, "added": 0, "removed": 1, "changed": 0}


def test_nothing_old_means_everything_is_added() -> None:
    diff = diff_components([], [_c("a", "zlib", "1.3")])
    assert diff.counts() == {"kept": 0, "added": 1, "removed": 0, "changed": 0}
