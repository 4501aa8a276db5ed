"""Django for the commands that need it (`server`, `audit`, `worker`): set up lazily, inside a command.

Nothing here imports Django at import time, so importing the CLI (and `opencsms tara ...`) never loads it.
"""

from __future__ import annotations

import os

SETTINGS_MODULE = "opencsms.config.settings"


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
