"""Where a command's output goes: stdout, or a file with a note on stderr (shared by the CLI sub-apps)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def write_output(data: bytes, output: Path | None, note: str) -> None:
    """`data` to stdout, or to `output` (folders created) with 'wrote FILE (note)' on stderr."""
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"wrote {output} ({note})", err=True)
