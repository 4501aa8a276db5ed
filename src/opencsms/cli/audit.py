"""`opencsms audit ...`: the audit trail in the database."""

from __future__ import annotations

import typer

from opencsms.cli.django_setup import setup_django

app = typer.Typer(
    help="The audit trail: check that no record was edited, deleted or reordered.", no_args_is_help=True
)


@app.command()
def verify() -> None:
    """Recompute the hash chain of every change record; exit 1 and list the problems if any."""
    setup_django()
    from opencsms.core import selectors
    from opencsms.core.audit import verify_chain

    problems = verify_chain()
    count = selectors.change_records().count()
    if problems:
        typer.echo(f"{count} records, {len(problems)} problems:", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{count} records, chain intact")
