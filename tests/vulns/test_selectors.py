"""Reads of the vulnerability pages: scoped, sorted (no score last either way), searched by alias, the
portfolio across releases and organisations, the advisory mirror and the pages' shapes."""

from __future__ import annotations

import pytest

from opencsms.core.errors import NotFound
from opencsms.organisation.models import Level, Role
from opencsms.vulns import selectors, services
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_project
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db


_release = pads_release


def _ids(found: object) -> list[str]:
    return [f.vulnerability_id for f in found]  # type: ignore[attr-defined]


def test_sorting_puts_unscored_findings_last_both_ways(team: Team) -> None:
    release = _release(team)

    def order(sort: str) -> list[str]:
        filters = selectors.FindingFilter(sort=sort)
        return _ids(selectors.findings(team.auditor, release_id=release.pk, filters=filters))

    assert order("-score") == ["CVE-2024-1", "GHSA-2", "GHSA-3"]
    assert order("score") == ["GHSA-2", "CVE-2024-1", "GHSA-3"]
    assert order("component") == ["CVE-2024-1", "GHSA-2", "GHSA-3"]  # left-, right-, up-pad
    assert order("nonsense") == order("-score")


def test_search_finds_aliases_and_the_portfolio_shows_every_release_it_affects(team: Team) -> None:
    first, second = _release(team, "1.0"), _release(team, "2.0")
    by_alias = selectors.FindingFilter(q="ghsa-1")
    assert _ids(selectors.findings(team.auditor, release_id=first.pk, filters=by_alias)) == ["CVE-2024-1"]
    page = selectors.portfolio_page(team.manager, selectors.FindingFilter(q="CVE-2024-1"), None)
    assert {f.release_id for f in page.page.object_list} == {first.pk, second.pk}
    assert page.release_count == 2
    elsewhere = make_project()
    stranger = make_user()
    make_membership(stranger, elsewhere, Role.ENGINEER)
    assert selectors.portfolio_page(stranger, selectors.FindingFilter(), None).page.paginator.count == 0
    other_org = selectors.portfolio_page(
        team.manager, selectors.FindingFilter(), elsewhere.business_unit.organisation_id
    )
    assert other_org.page.paginator.count == 0


def test_release_counts_and_pages(team: Team, reference: object) -> None:
    release = _release(team)
    services.triage_finding(
        actor=team.engineer, finding_id=release.findings.get(vulnerability_id="GHSA-3").pk,
        stage="analysed", vex_status="fixed",
    )  # fmt: skip
    row = selectors.releases(team.auditor, project_id=team.project.pk).get()
    assert (row.component_count, row.finding_count, row.open_count) == (4, 3, 2)  # the SBOM's subject too
    assert (row.open_critical, row.open_medium, row.open_low) == (1, 1, 0)
    listing = selectors.project_releases(team.engineer, team.project.pk)
    assert listing.can_edit
    assert [c for t in listing.taras for c in t.components][:2] == [
        ("CGW", "Central gateway"),
        ("TCU", "Telematics control unit"),
    ]
    assert not selectors.project_releases(team.auditor, team.project.pk).can_edit
    with pytest.raises(NotFound):
        selectors.project_releases(team.outsider, team.project.pk)
    page = selectors.finding_page(team.auditor, release.findings.get(vulnerability_id="CVE-2024-1").pk)
    assert (page.threats.can_edit, page.threats.cvss3, page.threats.scenarios) == (
        False,
        "AV:N/AC:L/PR:N/UI:N",
        [],
    )
    assert [name for _, name in page.triage.owners] == ["engineer", "manager"]
    assert page.triage == selectors.triage_panel(team.auditor, page.finding.pk)
    assert page.threats == selectors.threats_panel(team.auditor, page.finding.pk)


def test_the_advisory_mirror_from_the_organisation_and_a_project(team: Team) -> None:
    _release(team)
    from_project = selectors.advisory_page(team.engineer, Level.PROJECT, team.project.pk, q="ghsa-1")
    assert [a.advisory_id for a in from_project.page.object_list] == ["GHSA-1"]
    assert from_project.page.object_list[0].summary == "A flaw in left-pad"
    assert (from_project.can_edit, from_project.sources) == (True, None)
    with pytest.raises(NotFound):  # a project member does not see the organisation's page
        selectors.advisory_page(team.engineer, Level.ORGANISATION, team.tree.organisation.pk)
    admin = make_user()
    make_membership(admin, team.tree.organisation, Role.ADMINISTRATOR)
    services.create_advisory_source(
        actor=admin,
        organisation_id=team.tree.organisation.pk,
        name="osv",
        kind="osv_path",
        location="/srv/osv",
    )
    from_organisation = selectors.advisory_page(admin, Level.ORGANISATION, team.tree.organisation.pk)
    assert from_organisation.page.paginator.count == 3
    assert from_organisation.sources is not None
    assert [row.source.name for row in from_organisation.sources.rows] == ["osv"]
