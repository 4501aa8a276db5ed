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
    schedule: Annotated[
        bool, typer.Option("--schedule", help="Start the task that writes one every AUDIT_CHECKPOINT_MINUTES")
    ] = False,
) -> None:
    """Write a signed checkpoint of the chain head (keep it off this machine), or schedule them."""
    if (to is None) == (not schedule):
        typer.echo("give either --to FILE or --schedule", err=True)
        raise typer.Exit(2)
    setup_django()
    from opencsms.core.checkpoints import schedule_checkpoints, write_checkpoint

    if schedule:
        task_id, new = schedule_checkpoints()
        typer.echo(f"{'checkpoints' if new else 'already'} scheduled (task {task_id})")
        return
    assert to is not None
    written = write_checkpoint(to)
    typer.echo(f"checkpoint of record #{written['seq']} written to {to}")
