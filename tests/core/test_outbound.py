"""The outbound policy: which server folders advisory sources read and which URLs the server fetches.

Requests go to a local HTTP server the tests start on 127.0.0.1: refused by default (loopback), fetched when
the host is allowed, a redirect from an allowed host to a loopback name refused, an oversize body and a slow
server refused within the limits. Paths inside and outside the allowed directory, `..` and symbolic links.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opencsms.core import outbound
from opencsms.core.outbound.policy import internal_kind
from tests.core.localhttp import BIG, Handler, local_server

LOCAL = outbound.Policy(allow_hosts=frozenset({"127.0.0.1"}), timeout=5.0)


@pytest.fixture
def server() -> Iterator[str]:
    with local_server() as base:
        yield base


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, not a bind
        ("100.64.0.1", "non-public"),
        ("8.8.8.8", ""),
        ("2001:4860:4860::8888", ""),
    ],
)
def test_internal_addresses_are_named(address: str, kind: str) -> None:
    assert internal_kind(address) == kind


def test_a_loopback_server_is_refused_by_default(server: str) -> None:
    with pytest.raises(outbound.Refused, match=r"127\.0\.0\.1, a loopback address.*OUTBOUND_ALLOW_HOSTS"):
        outbound.fetch(f"{server}/ok", outbound.Policy())
    with pytest.raises(outbound.Refused, match="loopback"):
        outbound.fetch(f"{server.replace('127.0.0.1', 'localhost')}/ok", outbound.Policy())
    assert Handler.hits == []  # nothing was sent


def test_an_allowed_host_is_fetched(server: str) -> None:
    assert outbound.fetch(f"{server}/ok", LOCAL) == b"fetched"
    assert outbound.post(f"{server}/hook", b"{}", {"Content-Type": "application/json"}, LOCAL) == 204
    with pytest.raises(outbound.Refused, match="HTTP 404"):
        outbound.fetch(f"{server}/missing", LOCAL)


def test_redirects_are_checked_hop_by_hop(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    assert outbound.fetch(f"{server}/redirect?to=/ok", LOCAL) == b"fetched"
    to_loopback = f"{server}/redirect?to=http://localhost:{port}/ok"
    with pytest.raises(outbound.Refused, match=r"localhost is at .*loopback"):
        outbound.fetch(to_loopback, LOCAL)
    assert Handler.hits == ["/redirect?to=/ok", "/ok", f"/redirect?to=http://localhost:{port}/ok"]
    with pytest.raises(outbound.Refused, match="only http and https"):
        outbound.fetch(f"{server}/redirect?to=file:///etc/passwd", LOCAL)
    looping = f"{server}/redirect?to=/redirect%3Fto=/ok"
    with pytest.raises(outbound.Refused, match="more than 0 redirects"):
        outbound.fetch(looping, outbound.Policy(allow_hosts=LOCAL.allow_hosts, max_redirects=0))


def test_an_oversize_body_is_refused(server: str) -> None:
    small = outbound.Policy(allow_hosts=LOCAL.allow_hosts, max_bytes=BIG - 1)
    with pytest.raises(outbound.Refused, match="larger than 4,095 bytes"):
        outbound.fetch(f"{server}/big", small)
    assert outbound.fetch(f"{server}/big", outbound.Policy(allow_hosts=LOCAL.allow_hosts, max_bytes=BIG)) == (
        b"x" * BIG
    )
    with pytest.raises(outbound.Refused, match="larger than"):  # no Content-Length: counted while read
        outbound.fetch(f"{server}/trickle", outbound.Policy(allow_hosts=LOCAL.allow_hosts, max_bytes=5))


def test_a_slow_server_is_timed_out(server: str) -> None:
    quick = outbound.Policy(allow_hosts=LOCAL.allow_hosts, timeout=0.5)
    with pytest.raises(outbound.Refused, match=r"within 0\.5 seconds"):
        outbound.fetch(f"{server}/slow", quick)
    with pytest.raises(outbound.Refused, match=r"within 0\.5 seconds"):  # bytes keep coming, too slowly
        outbound.fetch(f"{server}/trickle", quick)


def test_the_connection_goes_to_the_checked_address(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the host is resolved once per hop and the connection uses that answer."""
    port = int(server.rsplit(":", 1)[1])
    answers = iter(["127.0.0.1", "10.9.9.9"])
    calls: list[str] = []

    def rebinding(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    policy = outbound.Policy(allow_hosts=frozenset({"feeds.example"}), timeout=5.0)
    assert outbound.fetch(f"http://feeds.example:{port}/ok", policy) == b"fetched"
    assert calls == ["feeds.example"]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.org/feed", "only http and https"),
        ("http:///feed", "names no host"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://example.org:99999/", "port"),
        ("http://name.invalid/", "cannot be resolved"),
    ],
)
def test_malformed_urls_are_refused(url: str, problem: str) -> None:
    with pytest.raises(outbound.Refused, match=problem):
        outbound.checked_url(url, outbound.Policy())


@pytest.fixture
def allowed(tmp_path: Path) -> outbound.Policy:
    (tmp_path / "allowed" / "osv").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.json").write_text("{}")
    return outbound.Policy(directories=(tmp_path / "allowed",))


def test_folders_are_read_only_inside_the_allowed_directories(
    tmp_path: Path, allowed: outbound.Policy
) -> None:
    inside = tmp_path / "allowed" / "osv"
    assert outbound.checked_folder(str(inside), allowed) == inside.resolve()
    assert outbound.checked_path(str(inside / "later.zip"), allowed) == (inside / "later.zip").resolve()
    with pytest.raises(outbound.Refused, match="outside the directories the operator allows"):
        outbound.checked_folder(str(tmp_path / "outside"), allowed)
    with pytest.raises(outbound.Refused, match=r"'\.\.'"):
        outbound.checked_folder(f"{inside}/../../outside", allowed)
    with pytest.raises(outbound.Refused, match="absolute path"):
        outbound.checked_folder("allowed/osv", allowed)
    with pytest.raises(outbound.Refused, match="folder sources are off"):
        outbound.checked_folder(str(inside), outbound.Policy())


def test_a_symbolic_link_does_not_escape(tmp_path: Path, allowed: outbound.Policy) -> None:
    linked = tmp_path / "allowed" / "elsewhere"
    linked.symlink_to(tmp_path / "outside")
    with pytest.raises(outbound.Refused, match="outside the directories"):
        outbound.checked_folder(str(linked), allowed)
    inside = tmp_path / "allowed" / "osv"
    (inside / "GO-1.json").symlink_to(tmp_path / "outside" / "secret.json")
    with pytest.raises(outbound.Refused, match=r"GO-1\.json links outside"):
        outbound.checked_folder(str(inside), allowed)
    (inside / "GO-1.json").unlink()
    (inside / "GO-2.json").symlink_to(tmp_path / "allowed" / "osv")  # a link that stays inside is read
    assert outbound.checked_folder(str(inside), allowed) == inside.resolve()


def test_the_policy_comes_from_the_settings(settings: Any) -> None:
    settings.OUTBOUND = {
        "source_directories": ["/srv/advisories"],
        "allow_hosts": ["Feeds.Example.", "[::1]"],
        "max_bytes": 10,
        "timeout": 2.5,
    }
    assert outbound.current() == outbound.Policy(
        directories=(Path("/srv/advisories"),),
        allow_hosts=frozenset({"feeds.example", "::1"}),
        max_bytes=10,
        timeout=2.5,
    )
