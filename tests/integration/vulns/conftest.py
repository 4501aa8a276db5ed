"""Fixtures of the vulnerability app tests: the TARA app's team (a project with people in every role)."""

from __future__ import annotations

from tests.integration.tara.conftest import Team, import_file, reference, team

__all__ = ["Team", "import_file", "reference", "team"]
