"""`opencsms server tara ...`: TARAs in the management system from the command line (e.g. a CI job that
keeps the server's working state in step with the TARA-as-code file in git).

The acting user is named with `--user` and must be active; the same services and permission checks as the
web pages and the API apply, and every change is audited with that user and the command's correlation id.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # only for annotations: importing it would start Django
    from opencsms.core.models import User

app = typer.Typer(
    help="TARAs in the management system: import, export, threat generation.", no_args_is_help=True
)

UserOption = Annotated[str, typer.Option("--user", "-u", help="The acting user's user name")]


@contextmanager
def _acting(username: str) -> Iterator[User]:
    """Django set up, a correlation id bound, the active user `username`; domain errors end the command."""
    from opencsms.cli.django_setup import setup_django

    setup_django()
    from django.core.exceptions import PermissionDenied

    from opencsms.core.audit import correlation
    from opencsms.core.errors import DomainError, NotFound
    from opencsms.core.selectors import active_users

    try:
        with correlation():
            user = active_users().filter(username=username).first()
            if user is None:
                raise NotFound(f"no active user {username!r}")
            yield user
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    except PermissionDenied as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The TARA-as-code file")],
    project: Annotated[int, typer.Option(help="The project's id")],
    user: UserOption,
    replace: Annotated[bool, typer.Option(help="Make it the working state of the TARA with its id")] = False,
) -> None:
    """Import a TARA file into a project (a new TARA, or with --replace the new working state)."""
    with _acting(user) as actor:
        from opencsms.tara.services import import_tara

        raw = file.read_bytes()
        tara = import_tara(actor=actor, project_id=project, raw=raw, filename=file.name, replace=replace)
    threats = tara.summary["counts"]["threat_scenarios"]
    typer.echo(f"TARA {tara.pk} {tara.name!r}: revision {tara.revision}, {threats} threat scenarios, "
               f"sha256 {tara.content_sha256[:12]}")  # fmt: skip


@app.command("export")
def export_command(
    tara: Annotated[int, typer.Argument(help="The TARA's id")],
    user: UserOption,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output file (default: stdout)")
    ] = None,
) -> None:
    """Write a TARA's working state as a TARA-as-code file."""
    with _acting(user) as actor:
        from opencsms.tara import selectors

        text = selectors.export_yaml(selectors.tara(actor, tara))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command("generate")
def generate_command(
    tara: Annotated[int, typer.Argument(help="The TARA's id")],
    user: UserOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would change")] = False,
    with_paths: Annotated[
        bool, typer.Option("--with-paths", help="Give each new threat scenario its best attack path, rated")
    ] = False,
) -> None:
    """Propose threat scenarios from the TARA's architecture with the threat rules (decisions are kept)."""
    with _acting(user) as actor:
        from opencsms.tara import selectors, services

        if dry_run:
            plan = selectors.generation_plan(selectors.tara(actor, tara))
        else:
            plan = services.generate_threats(actor=actor, tara_id=tara, with_paths=with_paths)
    verb = "would propose" if dry_run else "proposed"
    typer.echo(f"TARA {tara}: {verb} {len(plan.add)} threat scenarios, obsolete {len(plan.obsolete)}, "
               f"revived {len(plan.revive)}")  # fmt: skip
    for proposal in plan.add:
        typer.echo(f"  + {proposal.id}  {proposal.name}")
    for ref in plan.obsolete:
        typer.echo(f"  - {ref}  (its rule no longer matches)")
