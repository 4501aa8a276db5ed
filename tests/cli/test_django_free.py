"""TARA-as-code stays Django-free: importing the CLI, and running `tara check`, never import Django."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import REFERENCE

MODEL = REFERENCE


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )


def test_importing_the_cli_does_not_import_django() -> None:
    result = _python("import opencsms.cli.main, sys; assert 'django' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_tara_check_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "from opencsms.cli.main import app\n"
        "try:\n"
        f"    app(['tara', 'check', {str(MODEL)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "assert 'django' not in sys.modules, 'tara check imported Django'\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
