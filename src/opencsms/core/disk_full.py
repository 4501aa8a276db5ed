"""The server's disk full while a request stores what it was sent: 507 naming the problem, not 500.

Django writes an upload larger than `FILE_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB) to a temporary file in
`FILE_UPLOAD_TEMP_DIR` (`OPENCSMS_UPLOAD_TEMP_DIR`; the system's temporary folder by default) while it reads
the request. When that disk is full the write fails with `OSError(ENOSPC)` (or `EDQUOT`: over a quota),
before any view or service has run, so nothing has been written to the database. The request answers 507
"the server's disk is full: ...", JSON `{code: "disk_full", detail}` under the API and a small page
elsewhere, both naming the request id; the error is logged on `opencsms.disk` with that id. The upload's
temporary files are closed at once, which removes them: no stray file is left.

Three places map it, as for a database outage (`core.unavailable`): `DiskFullMiddleware` for errors raised
in a page's view, the API's exception handler (config/api.py), and `unavailable.server_error` (the
`handler500`) for errors raised before the view, e.g. by the CSRF check, which reads the form first.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opencsms.core import audit
from opencsms.core.http import bare_error

logger = logging.getLogger("opencsms.disk")
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
STATUS = 507  # Insufficient Storage (RFC 4918): the server cannot store what the request needs


def is_disk_full(exception: BaseException | None) -> bool:
    """Whether `exception`, or one it was raised from, is a write refused for lack of space."""
    seen: set[int] = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, OSError) and exception.errno in DISK_FULL:
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


def _discard_uploads(request: HttpRequest) -> None:
    """Close the temporary files the upload handlers opened (closing one deletes it)."""
    for handler in getattr(request, "_upload_handlers", None) or []:
        file = getattr(handler, "file", None)
        if file is not None:
            with contextlib.suppress(OSError):  # its buffer cannot be flushed to a full disk: still removed
                file.close()


def disk_full(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 507 answer to `request` that met a full disk, logged with the request id."""
    _discard_uploads(request)
    request_id = audit.current_correlation_id()
    logger.error(
        "disk full: %s %s answered 507 (request id %s): %s",
        request.method, request.path, request_id, str(exception).strip() or type(exception).__name__,
    )  # fmt: skip
    detail = (
        "the server's disk is full: what was sent could not be stored and nothing was saved; "
        f"tell the operator (request id {request_id})"
    )
    return bare_error(
        request,
        status=STATUS,
        code="disk_full",
        title="The server's disk is full",
        detail=detail,
        link="Back",
    )


class DiskFullMiddleware:
    """A page's view that met a full disk answers 507 (the API maps its own, see config/api.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return disk_full(request, exception) if is_disk_full(exception) else None
