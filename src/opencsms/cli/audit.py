"""`opencsms audit ...`: the audit trail in the database, and its signed checkpoints outside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from opencsms.cli.django_setup import setup_django

app = typer.Typer(
    help="The audit trail: check that no record was edited, deleted or reordered.", no_args_is_help=True
)


@app.command()
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="A checkpoint file, or a folder of them (the latest is used)"),
    ] = None,
) -> None:
    """Recompute the keyed hash chain of every change record; exit 1 and list the problems if any."""
    setup_django()
    from opencsms.core import selectors
    from opencsms.core.audit import verify_chain
    from opencsms.core.checkpoints import checkpoint_problems, read_checkpoint

    try:
        saved = read_checkpoint(checkpoint) if checkpoint else None
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    problems = verify_chain() + (checkpoint_problems(saved) if saved else [])
    count = selectors.change_records().count()
    if problems:
        typer.echo(f"{count} records, {len(problems)} problems:", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    against = f", and it reaches checkpoint #{saved['seq']}" if saved else ""
    typer.echo(f"{count} records, chain intact{against}")


@app.command()
def checkpoint(
    to: Annotated[Path | None, typer.Option("--to", help="Write the signed checkpoint to this file")] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver", help="Send one now to every target of OPENCSMS_AUDIT_CHECKPOINT_TO")
    ] = False,
) -> None:
    """Write a signed checkpoint of the chain head (keep it off this machine), or deliver one now.

    Exit 1 when a target could not be reached (the others are still delivered; the scheduler retries)."""
    if (to is None) == (not deliver):
        typer.echo("give either --to FILE or --deliver", err=True)
        raise typer.Exit(2)
    setup_django()
    from opencsms.core.checkpoints import deliver_now, write_checkpoint
    from opencsms.core.services import system_user

    if deliver:
        from opencsms.core.audit import correlation

        with correlation():
            results = deliver_now(actor=system_user())
        if not results:
            typer.echo("no target: set OPENCSMS_AUDIT_CHECKPOINT_TO (a folder, mailto:, https://)", err=True)
            raise typer.Exit(2)
        for target, problem in results:
            typer.echo(f"not delivered to {target}: {problem}" if problem else f"delivered to {target}")
        raise typer.Exit(1 if any(problem for _, problem in results) else 0)
    assert to is not None
    written = write_checkpoint(to)
    typer.echo(f"checkpoint of record #{written['seq']} written to {to}")
