"""`opencsms`: the command-line root. Sub-apps are registered here and nowhere else.

No module imported here imports Django at import time: `server` and `audit` start it inside their commands,
so `opencsms tara ...` stays as fast and as Django-free as the engine.
"""

from __future__ import annotations

import typer

from opencsms.cli import audit, catalogue, server, tara

app = typer.Typer(
    name="opencsms",
    help="OpenCSMS: cybersecurity management for road vehicles (ISO/SAE 21434, UNECE R155/R156).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(tara.app, name="tara")
app.add_typer(catalogue.app, name="catalogue")
app.add_typer(server.app, name="server")
app.add_typer(audit.app, name="audit")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def worker(ctx: typer.Context) -> None:
    """Run the background task worker (django-tasks' `db_worker`; `--batch` runs the queue once and exits)."""
    server.run_worker(list(ctx.args))


if __name__ == "__main__":  # pragma: no cover
    app()
