"""The vulnerability pages make as many queries for 20 rows as for 1 (page and htmx partial), and the
header's unread count is one query."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import User
from opencsms.organisation.models import Project, Role
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Release
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_project
from tests.factories.vulns import CRITICAL, make_release, osv, osv_bytes

pytestmark = pytest.mark.django_db
Build = Callable[[int], tuple[User, str]]


def _engineer() -> tuple[User, Project]:
    engineer, project = make_user(), make_project()
    make_membership(engineer, project, Role.ENGINEER)
    return engineer, project


def _advisories(engineer: User, project: Project, rows: int) -> None:
    records = [osv(f"GHSA-{n}", f"lib-{n}", vector=CRITICAL, aliases=(f"CVE-2024-{n}",)) for n in range(rows)]
    services.import_advisories(actor=engineer, project_id=project.pk, raw=osv_bytes(*records))


def _release(engineer: User, project: Project, rows: int) -> Release:
    _advisories(engineer, project, rows)
    release = make_release(engineer, project, *(f"pkg:npm/lib-{n}@1.0.0" for n in range(rows)))
    Finding.objects.filter(release=release).update(owner=engineer)
    return release


def project_releases(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    _advisories(engineer, project, 1)
    for n in range(rows):
        make_release(engineer, project, "pkg:npm/lib-0@1.0.0", version=f"1.{n}")
    return engineer, f"/projects/{project.pk}/releases/"


def release_findings(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    return engineer, f"/releases/{_release(engineer, project, rows).pk}/?sort=component&q=lib"


def components(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    return engineer, f"/releases/{_release(engineer, project, rows).pk}/components/"


def portfolio(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    _advisories(engineer, project, 1)
    for n in range(rows):
        make_release(engineer, project, "pkg:npm/lib-0@1.0.0", version=f"1.{n}")
    return engineer, "/findings/?q=CVE-2024-0"


def advisory_detail(rows: int) -> tuple[User, str]:
    """An advisory's page listing the findings it produced in `rows` releases."""
    engineer, project = _engineer()
    _advisories(engineer, project, 1)
    for n in range(rows):
        make_release(engineer, project, "pkg:npm/lib-0@1.0.0", version=f"1.{n}")
    return engineer, f"/projects/{project.pk}/advisories/GHSA-0/"


def advisories(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    _advisories(engineer, project, rows)
    return engineer, f"/projects/{project.pk}/advisories/?q=GHSA"


def organisation_advisories(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    _advisories(engineer, project, rows)
    organisation = project.business_unit.organisation
    admin = make_user()
    make_membership(admin, organisation, Role.ADMINISTRATOR)
    for n in range(rows):
        services.create_advisory_source(
            actor=admin, organisation_id=organisation.pk, name=f"s{n}", kind="osv_path", location=f"/srv/{n}"
        )
    return admin, f"/organisations/{organisation.pk}/advisories/"


def notifications(rows: int) -> tuple[User, str]:
    engineer, project = _engineer()
    for n in range(rows):
        make_release(engineer, project, "pkg:npm/lib-0@1.0.0", version=f"1.{n}")
    _advisories(engineer, project, 1)  # one notification per release
    assert engineer.notifications.count() == rows
    return engineer, "/notifications/"


def queries(build: Build, rows: int, **headers: str) -> int:
    user, path = build(rows)
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
        assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "build",
    [
        project_releases,
        release_findings,
        components,
        portfolio,
        advisory_detail,
        advisories,
        organisation_advisories,
        notifications,
    ],
)
@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true"}], ids=["page", "partial"])
def test_as_many_queries_for_20_rows_as_for_1(build: Build, headers: dict[str, str]) -> None:
    assert queries(build, 1, **headers) == queries(build, 20, **headers)


def test_the_header_count_is_one_query_and_only_on_full_pages() -> None:
    user, path = notifications(3)
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as page:
        assert 'data-testid="unread-count">3<' in client.get("/organisations/").content.decode()
    with CaptureQueriesContext(connection) as partial:
        client.get(path, HTTP_HX_REQUEST="true")
    counts = [q["sql"] for q in page if "vulns_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT" in counts[0].upper()
    assert not any(
        "COUNT" in q["sql"].upper() and "read_at" in q["sql"] and "IS NULL" in q["sql"] for q in partial
    )
