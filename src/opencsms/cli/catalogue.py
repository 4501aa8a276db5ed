"""`opencsms catalogue ...`: method profiles and catalogues as data (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opencsms.cli.output import refusals
from opencsms.engine.datafiles import shipped_files, validate_file

app = typer.Typer(
    help="Method profiles, catalogues and threat rules: validate the shipped ones or your own.",
    no_args_is_help=True,
)


@app.command()
def validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Files to check (default: every shipped file)")
    ] = None,
) -> None:
    """Check method profiles, catalogues and threat-rule files; exit 1 on the first invalid one."""
    with refusals(code=1):
        for path in files or shipped_files():
            typer.echo(validate_file(path))
