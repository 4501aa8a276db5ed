"""`opencsms`: the command-line root. Sub-apps are registered here and nowhere else.

Each sub-app is imported only when its command runs (`_SUBCOMMANDS` names its module), so
`opencsms vulns scan` does not pay for the TARA reports' imports and no command imports Django at import
time: `server` and `audit` start it inside their commands.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

# name -> (module, one-line help shown by `opencsms --help` without importing the module)
_SUBCOMMANDS = {
    "tara": (
        "opencsms.cli.tara",
        "TARA-as-code: check, report and compare ISO/SAE 21434 TARAs kept in YAML.",
    ),
    "catalogue": ("opencsms.cli.catalogue", "Method profiles, catalogues and threat rules: validate them."),
    "vulns": ("opencsms.cli.vulns", "Vulnerability monitoring: scan SBOMs against advisories, apply VEX."),
    "server": ("opencsms.cli.server", "The management system: Django management commands, serve, worker."),
    "audit": ("opencsms.cli.audit", "The audit trail: verify the keyed chain, write signed checkpoints."),
}


class _LazyRoot(TyperGroup):
    """A root group whose sub-apps are imported on first use."""

    # typer vendors click privately (typer._click): its Context is not the public typer.Context
    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [*_SUBCOMMANDS, *super().list_commands(ctx)]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> TyperGroup | None:  # type: ignore[override]
        if cmd_name not in _SUBCOMMANDS:
            return super().get_command(ctx, cmd_name)  # type: ignore[return-value]
        module, help_text = _SUBCOMMANDS[cmd_name]
        group = typer.main.get_group(import_module(module).app)
        group.name = cmd_name
        group.short_help = help_text
        return group


app = typer.Typer(
    name="opencsms",
    cls=_LazyRoot,
    help="OpenCSMS: cybersecurity management for road vehicles (ISO/SAE 21434, UNECE R155/R156).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """OpenCSMS: cybersecurity management for road vehicles (ISO/SAE 21434, UNECE R155/R156)."""


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def worker(ctx: typer.Context) -> None:
    """Run the background task worker (django-tasks' `db_worker`; `--batch` runs the queue once and exits)."""
    import_module("opencsms.cli.server").run_worker(list(ctx.args))


@app.command()
def backup(archive: Path) -> None:
    """Back up the database and the uploaded files into one archive (.tar.gz) with a manifest."""
    import_module("opencsms.cli.backup").run_backup(archive)


@app.command()
def restore(
    archive: Path,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a database that holds data")] = False,
) -> None:
    """Restore a backup archive, then verify the audit chain and compare with the manifest."""
    import_module("opencsms.cli.backup").run_restore(archive, force=force)


if __name__ == "__main__":  # pragma: no cover
    app()
