"""Where the shared real-world data lives (`../shared/data` from the repository root), and how to need it.

CI (CI=true) FAILS when the folder is missing: the conformance suites are part of the gate. Elsewhere the
suites skip with the reason, so a checkout without the data still runs the unit tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.paths import REPOSITORY

SHARED = (REPOSITORY / ".." / "shared" / "data").resolve()


def shared(*parts: str) -> Path:
    """The shared data path, after checking it exists (fail in CI, skip locally)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"the shared data folder {path} is missing (expected ../shared/data beside the repository)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def files_under(*parts: str, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """Files below a shared folder, sorted, at collection time (empty when the folder is absent)."""
    root = SHARED.joinpath(*parts)
    if not root.exists():
        return []
    return sorted(
        p for p in root.rglob("*") if p.is_file() and (not suffixes or p.suffix.lower() in suffixes)
    )
