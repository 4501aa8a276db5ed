"""The SQLite configuration a real site runs (a file in WAL mode, BEGIN IMMEDIATE, a busy timeout) lets
concurrent writers chain audit records correctly. The in-memory test database cannot show this, so a
subprocess migrates a SQLite file and writes from four threads at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WRITERS = """
import threading
from opencsms.cli.django_setup import setup_django
setup_django()
from django.db import connection, transaction
from opencsms.core import audit, selectors
from opencsms.core.models import User

actor = User.objects.create(username="writer")
start, errors = threading.Barrier(4), []

def write():
    try:
        start.wait()
        for index in range(10):
            with transaction.atomic():
                audit.record(actor=actor, action=audit.AuditAction.USER_CREATED, object_id=str(index))
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=write) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
print(mode, selectors.change_records().count(), errors, audit.verify_chain())
"""


def test_threads_writing_to_a_sqlite_file_keep_one_valid_chain(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCSMS_", "DJANGO_"))}
    env |= {"OPENCSMS_ENV": "test", "OPENCSMS_DATABASE_URL": f"sqlite:///{tmp_path}/csms.sqlite3"}

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    run("-m", "opencsms.cli.main", "server", "manage", "migrate", "--verbosity", "0")
    assert run("-c", WRITERS) == "wal 40 [] []"
