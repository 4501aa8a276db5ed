"""`opencsms backup FILE` and `opencsms restore FILE [--force]` (the work is in `core.backup`)."""

from __future__ import annotations

from pathlib import Path

import typer

from opencsms.cli.django_setup import setup_django


def run_backup(archive: Path) -> None:
    setup_django()
    from opencsms.core.backup import BackupError, create_backup

    try:
        manifest = create_backup(archive)
    except BackupError as exc:
        typer.echo(f"backup refused: {exc}", err=True)
        raise typer.Exit(1) from None
    rows = sum(manifest["counts"].values())
    head = manifest["audit_head"]["seq"]
    typer.echo(f"{archive}: {manifest['database']} database, {rows} rows, audit head #{head}")


def run_restore(archive: Path, *, force: bool) -> None:
    setup_django()
    from opencsms.core.backup import BackupError, restore_backup

    try:
        restored = restore_backup(archive, force=force)
    except BackupError as exc:
        typer.echo(f"restore refused: {exc}", err=True)
        raise typer.Exit(2) from None
    manifest = restored.manifest
    typer.echo(
        f"restored {archive} (OpenCSMS {manifest['version']}, {manifest['created']}):"
        f" {sum(manifest['counts'].values())} rows, {restored.media_files} uploaded files"
    )
    if restored.problems:
        typer.echo(f"{len(restored.problems)} problems after the restore:", err=True)
        for problem in restored.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit chain intact up to record #{manifest['audit_head']['seq']}; counts match the backup")
