"""The database out of reach, for tests of what the application answers then (core/unavailable.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db import OperationalError
from django.db.backends.utils import CursorWrapper


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every query fails as when the server refuses or has cut the connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise error("connection to server at 127.0.0.1 failed: FATAL: database does not allow connections")

    with (
        mock.patch.object(CursorWrapper, "execute", refuse),
        mock.patch.object(CursorWrapper, "executemany", refuse),
    ):
        yield
