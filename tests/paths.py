"""Where the tests find the repository's files, in one place: a test module can move without its paths."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPOSITORY = TESTS.parent
EXAMPLES = REPOSITORY / "examples"
REFERENCE = EXAMPLES / "connected-ev.tara.yaml"  # the reference model
GOLDEN = TESTS / "golden"  # expected outputs (`pytest --update-golden` rewrites them)
FIXTURES = TESTS / "fixtures"  # inputs that are not golden: databases made by landed versions
MATRIX_TARA = FIXTURES / "matrix.tara.yaml"  # the reference model cut down for the permission matrix
