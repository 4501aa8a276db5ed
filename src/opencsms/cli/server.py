"""`opencsms server ...`: the web application. The ONE module of the CLI that starts Django, lazily.

Nothing here imports Django at import time, so `opencsms tara ...` never loads it.
"""

from __future__ import annotations

import os

import typer

SETTINGS_MODULE = "opencsms.config.settings"

app = typer.Typer(help="The web application: database, management commands.", no_args_is_help=True)


def setup_django() -> None:
    """Configure and set up Django (idempotent); call it before importing any app module."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def run_management_command(args: list[str]) -> None:
    """Run a Django management command with a correlation id for the audit records it writes."""
    setup_django()
    from django.core.management import execute_from_command_line

    from opencsms.core.audit import correlation

    with correlation():
        execute_from_command_line(["opencsms server manage", *args])


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `opencsms server manage migrate` (`manage help` lists all)."""
    run_management_command(list(ctx.args))
