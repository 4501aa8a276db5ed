"""The outbound policy: which server paths may be read and which URLs fetched.

Paths: absolute, without `..`, and inside a directory the operator allows once every symbolic link is
resolved (a link inside an allowed folder pointing out of it is refused too). No directory is allowed by
default, so folder sources are off until the operator names one.
URLs: http or https, no credentials in the URL, and a host whose every address is public: not loopback,
private, link-local, multicast, reserved or unspecified (IPv4 inside IPv6 included). A host the operator
names in `allow_hosts` (a name or an address, as written in the URL) skips the address check.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from opencsms.core.errors import Invalid

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5


class Refused(Invalid):
    """A path or URL the policy does not allow, or a fetch that broke a limit."""


@dataclass(frozen=True)
class Policy:
    directories: tuple[Path, ...] = ()
    allow_hosts: frozenset[str] = frozenset()
    max_bytes: int = 256 * 1024 * 1024
    timeout: float = 300.0  # seconds for a whole fetch, redirects included
    max_redirects: int = MAX_REDIRECTS


def current() -> Policy:
    """The policy of `settings.OUTBOUND`, read at each call (tests and operators may change it)."""
    config: dict[str, Any] = settings.OUTBOUND
    return Policy(
        directories=tuple(Path(d) for d in config["source_directories"]),
        allow_hosts=frozenset(_host_key(h) for h in config["allow_hosts"]),
        max_bytes=int(config["max_bytes"]),
        timeout=float(config["timeout"]),
    )


def allowing(policy: Policy, url: str) -> Policy:
    """`policy` with the host of `url` allowed: a URL the operator configured (a webhook) is trusted by
    being configured, as if its host were in OPENCSMS_OUTBOUND_ALLOW_HOSTS."""
    host = urlsplit(url).hostname or ""
    return replace(policy, allow_hosts=policy.allow_hosts | {_host_key(host)})


def _host_key(host: str) -> str:
    return host.strip().lower().rstrip(".").strip("[]")


def _inside(path: Path, directories: tuple[Path, ...]) -> bool:
    return any(path.is_relative_to(d.resolve()) for d in directories)


def checked_path(location: str, policy: Policy) -> Path:
    """The resolved path of `location` if it lies inside an allowed directory, else `Refused`."""
    if not policy.directories:
        raise Refused(
            "folder sources are off: the operator allows no server directory (OPENCSMS_SOURCE_DIRECTORIES)"
        )
    given = Path(location)
    if not given.is_absolute():
        raise Refused(f"{location!r}: give an absolute path")
    if ".." in given.parts:
        raise Refused(f"{location!r}: a path with '..' is not read")
    resolved = given.resolve()
    if not _inside(resolved, policy.directories):
        allowed = ", ".join(str(d) for d in policy.directories)
        raise Refused(f"{location!r} is outside the directories the operator allows ({allowed})")
    return resolved


def checked_folder(location: str, policy: Policy) -> Path:
    """`checked_path`, and every file and folder under it must resolve inside the allowed directories."""
    root = checked_path(location, policy)
    if root.is_dir():
        for entry in root.rglob("*"):
            if entry.is_symlink() and not _inside(entry.resolve(), policy.directories):
                raise Refused(f"{entry} links outside the directories the operator allows")
    return root


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the addresses checked) and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...] = field(default=())


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host}: the host name cannot be resolved ({exc})") from None
    return tuple(dict.fromkeys(str(info[4][0]) for info in found))


def internal_kind(address: str) -> str:
    """Why `address` is not public ("loopback", "private", ...), or "" for a public address."""
    ip = ipaddress.ip_address(address.split("%", maxsplit=1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    kinds = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),
    )
    return next((name for name, flag in kinds if flag), "")


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise Refused(f"{url!r}: only http and https URLs are fetched")
    if not parts.hostname:
        raise Refused(f"{url!r}: the URL names no host")
    if parts.username is not None or parts.password is not None:
        raise Refused(f"{url!r}: a URL with a user name or password is not fetched")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise Refused(f"{url!r}: the port is not a number from 0 to 65535") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def checked_url(url: str, policy: Policy) -> Target:
    """The URL's target if the policy allows it: every address of its host public, or the host allowed."""
    scheme, host, port, path = _split(url)
    addresses = _resolve(host, port)
    if _host_key(host) not in policy.allow_hosts:
        for address in addresses:
            kind = internal_kind(address)
            if kind:
                raise Refused(
                    f"{host} is at {address}, a {kind} address: the server fetches only from public "
                    "addresses unless the operator allows the host (OPENCSMS_OUTBOUND_ALLOW_HOSTS)"
                )
    return Target(url, scheme, host, port, path, addresses)
