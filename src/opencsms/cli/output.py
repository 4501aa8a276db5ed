"""What the CLI sub-apps share: where a command's output goes (stdout, or a file with a note on stderr), and
how an engine refusal is shown (every problem, located, one a line; the engine words it:
`EngineError.describe`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from opencsms.engine.errors import EngineError


def write_output(data: bytes, output: Path | None, note: str) -> None:
    """`data` to stdout, or to `output` (folders created) with 'wrote FILE (note)' on stderr."""
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"wrote {output} ({note})", err=True)


def refusal(exc: EngineError) -> str:
    """An engine refusal as the command line shows it: every problem, located, one a line."""
    return exc.describe(limit=None, separator="\n")


@contextmanager
def refusals(code: int = 2) -> Iterator[None]:
    """Engine refusals become their words on stderr and exit `code`, never a traceback."""
    try:
        yield
    except EngineError as exc:
        typer.echo(refusal(exc), err=True)
        raise typer.Exit(code) from None
