"""The fuzz run's world: the demo data (organisation tree, the reference TARA, releases with findings) and a
superuser who calls the API with a token, plus the Django application as a WSGI callable.

The world is loaded once per module, not once per test: loading the demo costs seconds and the run has
one test per operation. It is written inside a transaction that the module's end rolls back, and each
test runs in a savepoint of it (pytest-django's per-test atomic block nests), so a test's writes are
undone after it and no other module ever sees the world (pytest ends a module's fixtures before the
next module's tests run).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from opencsms.cli.server import DEMO_TARA, DEMO_VULNS, load_demo_data
from opencsms.core.models import ApiToken, User
from opencsms.incidents.models import Incident, RemedialAction
from opencsms.organisation.models import BusinessUnit, Organisation, Project
from opencsms.tara.models import Element, ImportJob, RuleFile, Tara
from opencsms.vulns.models import AdvisorySource, Finding, Release
from tests.factories.core import make_admin, make_token
from tests.paths import REPOSITORY
from tests.shared_world import rolled_back


@dataclass(frozen=True)
class World:
    """Who calls (`headers`) and the ids that exist, by path parameter name (`known`)."""

    headers: dict[str, str]
    known: dict[str, list[Any]]


def _ids(model: Any, **filters: Any) -> list[int]:
    return sorted(model.objects.filter(**filters).values_list("pk", flat=True))


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield _load_world()


def _load_world() -> World:
    load_demo_data(REPOSITORY / DEMO_TARA, REPOSITORY / DEMO_VULNS)
    admin = make_admin("fuzzer")
    own, token = make_token(admin)
    make_token(admin, "spare")  # the one a DELETE may revoke: the fuzzer's own stays valid
    levels = _ids(Organisation) + _ids(BusinessUnit) + _ids(Project)
    known: dict[str, list[Any]] = {
        "organisation_id": _ids(Organisation),
        "project_id": _ids(Project),
        "level_id": levels,
        "user_id": _ids(User),
        "tara_id": _ids(Tara),
        "ref": sorted(set(Element.objects.values_list("ref", flat=True))),
        "release_id": _ids(Release),
        "finding_id": _ids(Finding),
        "source_id": _ids(AdvisorySource),
        "job_id": _ids(ImportJob),
        "rule_file_id": _ids(RuleFile),
        "token_id": [pk for pk in _ids(ApiToken) if pk != own.pk],
        "incident_id": _ids(Incident),
        "action_id": _ids(RemedialAction),
    }
    return World({"Authorization": f"Bearer {token}"}, {name: ids for name, ids in known.items() if ids})


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The application as a server runs it, in this process and this test's transaction: like Django's test
    client, it must not close the database connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
