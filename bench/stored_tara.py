"""What the benchmarks share: Django set up on a benchmark database, its user, and the stored TARA.

`set_up(url)` configures Django as a site would run it (dev settings, DEBUG off) on the database at `url`
and migrates it; `bench_user()` is the benchmarks' superuser; `stored_tara(threats)` is the synthetic
model of `tara_scale.py` imported through the service once. Used by `web_load.py` and `tara_edit.py`;
the TARA (ref `bench`) is reused while it has the asked number of threat scenarios, so a database is
built only once.
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Any


def set_up(database_url: str) -> None:
    """Django on `database_url` (the `OPENCSMS_*` environment, which gunicorn inherits), migrated."""
    os.environ.update(
        {"OPENCSMS_DATABASE_URL": database_url, "OPENCSMS_ENV": "dev", "OPENCSMS_DEBUG": "false"}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencsms.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_user() -> Any:
    """The benchmarks' superuser `bench` (a `core.models.User`), made if missing."""
    from opencsms.core.models import User
    from opencsms.core.services import create_superuser

    found = User.objects.filter(username="bench").first()
    return found or create_superuser(username="bench", password=secrets.token_urlsafe(24))


def stored_tara(threats: int) -> Any:
    """The `bench` TARA with `threats` threat scenarios (a `tara.models.Tara`), imported if missing."""
    from opencsms.core.services import system_user
    from opencsms.engine.tara_as_code import dumps
    from opencsms.organisation import services as organisation_services
    from opencsms.tara import services as tara_services
    from opencsms.tara.models import Tara
    from tara_scale import synthetic_model

    actor = system_user()
    tara = Tara.objects.filter(ref="bench").first()
    if tara is not None and tara.summary["counts"]["threat_scenarios"] == threats:
        return tara
    Tara.objects.filter(ref="bench").delete()
    org = organisation_services.create_organisation(actor=actor, name=f"Bench {time.time_ns()}")
    unit = organisation_services.create_business_unit(actor=actor, organisation_id=org.pk, name="BU")
    project = organisation_services.create_project(actor=actor, business_unit_id=unit.pk, name="Vehicle")
    raw = dumps(synthetic_model(threats)).encode()
    started = time.perf_counter()
    tara = tara_services.import_tara(actor=actor, project_id=project.pk, raw=raw, filename="bench.yaml")
    print(f"imported {threats:,} threat scenarios ({len(raw) / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s (once; reused while the size is the same)")  # fmt: skip
    return tara
