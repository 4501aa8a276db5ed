"""`opencsms`: the command-line root. Sub-apps are registered here and nowhere else."""

from __future__ import annotations

import typer

from opencsms.cli import catalogue, tara

app = typer.Typer(
    name="opencsms",
    help="OpenCSMS: cybersecurity management for road vehicles (ISO/SAE 21434, UNECE R155/R156).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(tara.app, name="tara")
app.add_typer(catalogue.app, name="catalogue")


if __name__ == "__main__":  # pragma: no cover
    app()
