"""Django for the commands that need it (`server`, `audit`, `worker`): set up lazily, inside a command.

Nothing here imports Django at import time, so importing the CLI (and `opencsms tara ...`) never loads it.
"""

from __future__ import annotations

import os
import sys

SETTINGS_MODULE = "opencsms.config.settings"


def setup_django() -> None:
    """Configure and set up Django (idempotent); call it before importing any app module. A bad
    `OPENCSMS_*` value ends the command with one line naming the variable (exit status 2), not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # config.env.ConfigurationError: a bad OPENCSMS_* value
        print(f"opencsms: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def run_management_command(args: list[str]) -> None:
    """Run a Django management command with a correlation id for the audit records it writes."""
    setup_django()
    from django.core.management import execute_from_command_line

    from opencsms.core.audit import correlation

    with correlation():
        execute_from_command_line(["opencsms server manage", *args])
