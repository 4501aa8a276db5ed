"""`opencsms catalogue ...`: method profiles and catalogues as data (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opencsms.engine import CatalogueError
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
    for path in files or shipped_files():
        try:
            typer.echo(validate_file(path))
        except CatalogueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
