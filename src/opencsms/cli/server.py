"""`opencsms server ...`: the web application: serve, worker, demo data, superusers, TARAs, management.

Django is started inside the commands (`cli.django_setup`), never at import time, so `opencsms tara ...`
never loads it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opencsms.cli import server_tara
from opencsms.cli.django_setup import run_management_command, setup_django
from opencsms.cli.jobs import sweep_jobs, sweeping, tick_schedules, ticking
from opencsms.cli.supervisor import supervise

if TYPE_CHECKING:  # only for annotations: importing it would start Django
    from opencsms.organisation.demo import Demo
    from opencsms.tara.models import Tara
    from opencsms.vulns.models import Release

app = typer.Typer(
    help="The web application: serve it, demo data, superusers, TARAs, management commands.",
    no_args_is_help=True,
)
app.add_typer(server_tara.app, name="tara")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `opencsms server manage migrate` (`manage help` lists all)."""
    run_management_command(list(ctx.args))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, min=1, help="gunicorn worker processes."),
    with_worker: bool = typer.Option(
        False, "--with-worker", help="Run the background task worker beside the server; Ctrl-C stops both."
    ),
) -> None:
    """Migrate the database, collect static files, then serve the web application with gunicorn."""
    run_management_command(["migrate", "--noinput"])
    run_management_command(["collectstatic", "--noinput", "--verbosity", "0"])
    from django.conf import settings

    server = gunicorn_command(host=host, port=port, workers=workers, timeout=settings.SERVE_TIMEOUT)
    if with_worker:
        raise typer.Exit(supervise([server, WORKER_COMMAND]))
    os.execv(sys.executable, server)  # noqa: S606


# `opencsms worker` in a process of its own (the interpreter of this one, so the same virtualenv)
WORKER_COMMAND = [sys.executable, "-m", "opencsms.cli.main", "worker"]


def gunicorn_command(*, host: str, port: int, workers: int, timeout: int = 60) -> list[str]:
    """The gunicorn command line of `serve` (WhiteNoise serves the static files inside the WSGI app);
    `timeout` (settings.SERVE_TIMEOUT) fits the largest synchronous TARA import."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [sys.executable, "-m", "gunicorn", "opencsms.config.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--timeout", str(timeout),
            "--access-logfile", "-"]  # fmt: skip


def run_worker(args: list[str]) -> None:
    """The django-tasks database worker (`db_worker`); `--batch` runs what is queued, then exits. Jobs whose
    worker was lost are swept, and the apps' schedules ticked, first and then repeatedly while it runs
    (`cli.jobs`)."""
    setup_django()
    from django.conf import settings

    with sweeping(float(settings.JOBS["sweep_seconds"])), ticking(float(settings.JOBS["tick_seconds"])):
        run_management_command(["db_worker", *args])


@app.command()
def tick() -> None:
    """Start what is due on the schedules once (the worker ticks itself every OPENCSMS_JOB_TICK_SECONDS)."""
    setup_django()
    started = tick_schedules()
    typer.echo(", ".join(f"{name}: {count}" for name, count in started.items()) or "no schedules")
    if any(count < 0 for count in started.values()):
        raise typer.Exit(1)


@app.command()
def sweep() -> None:
    """Retry or fail the background jobs whose worker stopped (the worker does this itself; for cron)."""
    setup_django()
    swept = sweep_jobs()
    typer.echo(", ".join(f"{count} {kind}" for kind, count in swept.items()) + " swept")


DEMO_TARA = Path("examples/connected-ev.tara.yaml")
DEMO_VULNS = Path("examples/vulns")


@app.command()
def demo(
    tara: Annotated[
        Path, typer.Option(help="The TARA-as-code file imported into the demo project")
    ] = DEMO_TARA,
    vulns: Annotated[
        Path, typer.Option(help="The folder of the demo releases' SBOMs and advisories")
    ] = DEMO_VULNS,
) -> None:
    """Load the demo organisation, users, TARA, releases and advisories (idempotent; not in production);
    print the credentials."""
    if not tara.is_file():
        raise typer.BadParameter(f"{tara} is not a file (run from the repository root, or give --tara)")
    if not (vulns / "advisories").is_dir():
        raise typer.BadParameter(
            f"{vulns} has no advisories/ folder (run from the repository root, or give --vulns)"
        )
    loaded, imported, releases = load_demo_data(tara, vulns)
    typer.echo(f"Demo data: {loaded.organisation} > {loaded.business_unit} > {loaded.project}")
    typer.echo(f"TARA {imported.name!r}: {imported.summary['counts']['threat_scenarios']} threat scenarios")
    for release, findings in releases:
        typer.echo(f"Release {release} on {release.component_ref}: {findings} findings")
    typer.echo(f"Try: import {vulns / 'new-advisory.osv.json'} on the project's advisories page")
    typer.echo(f"{'user name':<10}  {'password':<20}  role at level")
    for user in loaded.users:
        typer.echo(
            f"{user.username:<10}  {user.password:<20}  {user.role.label} at {user.level.label.lower()}"
        )


def load_demo_data(tara_file: Path, vulns_folder: Path) -> tuple[Demo, Tara, list[tuple[Release, int]]]:
    """The demo data, the reference TARA in its project and the demo releases with their findings, made by
    the system user (audited)."""
    setup_django()
    from opencsms.core.audit import correlation
    from opencsms.core.services import system_user
    from opencsms.organisation.demo import load_demo
    from opencsms.tara.services import import_if_missing
    from opencsms.vulns.demo import load_demo_releases

    with correlation():
        actor = system_user()
        loaded = load_demo(actor=actor)
        tara, _ = import_if_missing(
            actor=actor, project_id=loaded.project.pk, raw=tara_file.read_bytes(), filename=tara_file.name
        )
        releases = load_demo_releases(
            actor=actor, project_id=loaded.project.pk, folder=vulns_folder, tara_id=tara.pk
        )
    return loaded, tara, releases


@app.command("createsuperuser")
def create_superuser(
    username: str = typer.Option(..., prompt=True),
    email: str = typer.Option("", prompt=False),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a superuser through the audited service (Django's `createsuperuser` writes no audit record)."""
    setup_django()
    from opencsms.core.audit import correlation
    from opencsms.core.errors import DomainError
    from opencsms.core.services import create_superuser as create

    try:
        with correlation():
            user = create(username=username, password=password, email=email)
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Superuser {user} created (audited as created by the system user).")
