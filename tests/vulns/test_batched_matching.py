"""The batched, memoised re-match (each distinct component matched once across the portfolio, releases in
batches) stores the same findings as the per-release match of an upload and the per-advisory match of an
import (issue 12 speed targets: the results stay identical)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from opencsms.engine.advisories import parse_advisories
from opencsms.organisation.models import Role
from opencsms.vulns import mapping, services
from opencsms.vulns.models import Finding
from opencsms.vulns.services import rematch
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import CRITICAL, MEDIUM, make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db

RECORDS = (
    osv("GHSA-b1", "left-pad", vector=CRITICAL, aliases=("CVE-2099-1",)),
    osv("CVE-2099-1", "left-pad", vector=MEDIUM),  # the same vulnerability: merged into one finding
    osv("GHSA-b2", "right-pad", fixed="1.5.0"),  # unscored
    osv("GO-2099-1", "github.com/Acme/modem", ecosystem="Go", aliases=("GHSA-b3",)),
    osv("GHSA-b3", "github.com/other/thing", ecosystem="Go", vector=MEDIUM),  # lends its score
)
PORTFOLIO = (  # three releases sharing packages, in versions in and out of the ranges
    ("pkg:npm/left-pad@1.0.0", "pkg:npm/right-pad@1.2.0", "pkg:golang/github.com/Acme/modem@v1.0.0"),
    ("pkg:npm/left-pad@1.0.0", "pkg:npm/right-pad@1.6.0", "pkg:npm/up-pad@0.1.0"),
    ("pkg:npm/left-pad@3.0.0", "pkg:npm/right-pad@1.2.0", "pkg:golang/github.com/Acme/modem@v1.0.0"),
)
FIELDS = ("release_id", "component_id", "vulnerability_id", "aliases", "severity", "score", "severity_from",
          "vectors", "remediations", "summary", "kev", "epss", "due_date", "stage", "vex_status")  # fmt: skip


def _stored() -> list[tuple[object, ...]]:
    rows = Finding.objects.order_by("release_id", "component_id", "vulnerability_id")
    return [(*row, sorted(e["advisory"] for e in row[-1])) for row in rows.values_list(*FIELDS, "evidence")]


def _portfolio(team: Team) -> None:
    for number, purls in enumerate(PORTFOLIO):
        make_release(team.engineer, team.project, *purls, version=f"{number}")


def test_rematch_in_batches_stores_what_upload_and_import_matched(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.import_advisories(actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*RECORDS))
    _portfolio(team)  # each upload matched on its own (`match_release`)
    uploaded = _stored()
    assert len(uploaded) == 6
    assert {row[2] for row in uploaded} == {"CVE-2099-1", "GHSA-b2", "GHSA-b3"}

    head = make_user("org-head")
    make_membership(head, team.tree.organisation, Role.CYBERSECURITY_MANAGER)
    monkeypatch.setattr(rematch, "RELEASES_PER_BATCH", 2)  # the memo carried across batches
    Finding.objects.all().delete()
    result = services.rematch_organisation(actor=head, organisation_id=team.tree.organisation.pk)
    assert (result.releases, result.findings_created) == (3, 6)
    assert _stored() == uploaded

    Finding.objects.all().delete()  # the advisories matched again as a sync does (`match_advisories`)
    services.import_advisories(
        actor=team.engineer,
        project_id=team.project.pk,
        raw=osv_bytes(*({**r, "modified": "2099-01-01T00:00:00Z"} for r in RECORDS)),
    )
    assert _stored() == uploaded


def test_advisory_data_is_what_asdict_gives() -> None:
    (advisory,) = parse_advisories(osv_bytes(RECORDS[0]), "a.json")
    assert mapping.advisory_data(advisory) == asdict(advisory)
    assert mapping.data_sha256(mapping.advisory_data(advisory)) == mapping.data_sha256(asdict(advisory))
