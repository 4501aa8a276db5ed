"""HTTP requests under the outbound policy: pinned to the checked addresses, redirects checked, limited.

The connection goes to an address `policy.checked_url` checked, never to a second DNS answer (a host that
answers a public address to the check and a loopback one to the connection gains nothing); https still
verifies the certificate against the host name. A GET follows at most `Policy.max_redirects` redirects,
each target checked again; a POST follows none. The body is read in pieces within `Policy.max_bytes`, and
the whole exchange, redirects included, within `Policy.timeout` seconds.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from typing import Any
from urllib.parse import urljoin

from opencsms.core.outbound.policy import Policy, Refused, Target, checked_url, current

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
USER_AGENT = "OpenCSMS"


class _Deadline:
    def __init__(self, url: str, seconds: float) -> None:
        self.url, self.seconds, self.end = url, seconds, time.monotonic() + seconds

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise Refused(f"{self.url}: no complete answer within {self.seconds:g} seconds")
        return left


def _connection(
    target: Target, address: str, timeout: float, opened: list[socket.socket]
) -> http.client.HTTPConnection:
    """A connection to `address` (https: the certificate checked against the host name); the socket it
    opens is put in `opened` (the answer is read from it after http.client lets go of it)."""
    kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    extra: dict[str, Any] = {"context": ssl.create_default_context()} if target.scheme == "https" else {}
    connection = kind(target.host, target.port, timeout=timeout, **extra)

    def pinned(_: tuple[str, int], timeout: float, source: Any = None) -> socket.socket:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((address, target.port))  # an address: no name resolution here
        except OSError:
            sock.close()
            raise
        opened.append(sock)
        return sock

    connection._create_connection = pinned  # type: ignore[attr-defined]  # the checked address, not DNS
    return connection


def _open(
    target: Target, method: str, body: bytes | None, headers: dict[str, str], deadline: _Deadline
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, socket.socket]:
    problem: OSError | None = None
    for address in target.addresses:
        opened: list[socket.socket] = []
        connection = _connection(target, address, deadline.left(), opened)
        try:
            connection.request(method, target.path, body=body, headers={"User-Agent": USER_AGENT, **headers})
            return connection, connection.getresponse(), opened[-1]
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            if isinstance(exc, TimeoutError):
                raise Refused(
                    f"{target.url}: no complete answer within {deadline.seconds:g} seconds"
                ) from None
            problem = exc if isinstance(exc, OSError) else OSError(str(exc))
    raise Refused(f"{target.url}: cannot be reached ({problem})")


def _read(
    sock: socket.socket,
    response: http.client.HTTPResponse,
    policy: Policy,
    deadline: _Deadline,
) -> bytes:
    url = deadline.url
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise Refused(f"{url}: the answer is larger than {policy.max_bytes:,} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            sock.settimeout(deadline.left())
            chunk = response.read1(CHUNK)  # what has arrived: the deadline is checked between pieces
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > policy.max_bytes:
                raise Refused(f"{url}: the answer is larger than {policy.max_bytes:,} bytes")
            chunks.append(chunk)
    except TimeoutError:
        raise Refused(f"{url}: no complete answer within {policy.timeout:g} seconds") from None
    except (OSError, http.client.HTTPException) as exc:
        raise Refused(f"{url}: the answer broke off ({exc})") from None


def _exchange(
    url: str, *, method: str, body: bytes | None, headers: dict[str, str], policy: Policy, deadline: _Deadline
) -> tuple[int, str, bytes]:
    """One request to a checked URL: (status, Location header, body)."""
    target = checked_url(url, policy)
    connection, response, sock = _open(target, method, body, headers, deadline)
    try:
        location = response.getheader("Location", "") or ""
        if response.status in REDIRECTS:
            return response.status, location, b""
        return response.status, location, _read(sock, response, policy, deadline)
    finally:
        response.close()
        connection.close()


def fetch(url: str, policy: Policy | None = None, headers: dict[str, str] | None = None) -> bytes:
    """GET `url` under the policy (the current one by default): the body of a 2xx answer, else `Refused`."""
    policy = policy or current()
    deadline = _Deadline(url, policy.timeout)
    for _ in range(policy.max_redirects + 1):
        status, location, body = _exchange(
            url, method="GET", body=None, headers=headers or {}, policy=policy, deadline=deadline
        )
        if status in REDIRECTS and location:
            url = urljoin(url, location)
            continue
        if not 200 <= status < 300:
            raise Refused(f"{url}: HTTP {status}")
        return body
    raise Refused(f"{url}: more than {policy.max_redirects} redirects")


def post(url: str, body: bytes, headers: dict[str, str], policy: Policy | None = None) -> int:
    """POST `body` to `url` under the policy (no redirect followed): the answer's HTTP status."""
    return submit(url, body, headers, policy)[0]


def submit(url: str, body: bytes, headers: dict[str, str], policy: Policy | None = None) -> tuple[int, bytes]:
    """POST `body` to `url` under the policy (no redirect followed): the answer's HTTP status and body."""
    policy = policy or current()
    deadline = _Deadline(url, policy.timeout)
    status, _, answer = _exchange(
        url, method="POST", body=body, headers=headers, policy=policy, deadline=deadline
    )
    return status, answer
