"""Matching rules in the database (issue 12, item 1): every CPE stored and matched, the best-scored alias's
severity named on the finding, and the re-match of a portfolio after a matching change (service and CLI)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.errors import NotFound
from opencsms.core.models import ChangeRecord, User
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import ComponentKey, Finding, ReleaseComponent
from opencsms.vulns.services.rematch import _key_changes
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db
HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
LOW = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"
TOML = "github.com/BurntSushi/toml"


def _head(team: Team, role: Role = Role.CYBERSECURITY_MANAGER) -> User:
    """A person with `role` at the organisation (re-matching is the organisation's business)."""
    user = make_user(f"org-{role.value}")
    make_membership(user, team.project.business_unit.organisation, role)
    return user


def _import(team: Team, *records: dict[str, object]) -> None:
    services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*records), filename="adv.json"
    )


OLD_SSH = "cpe:2.3:a:openssh:openssh:9.6:*:*:*:*:*:*:*"
BSD_SSH = "cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"


def _spdx(*cpes: str) -> bytes:
    refs = [
        {"referenceCategory": "SECURITY", "referenceType": "http://spdx.org/rdf/references/cpe23Type",
         "referenceLocator": cpe}
        for cpe in cpes
    ]  # fmt: skip
    package = {"SPDXID": "SPDXRef-ssh", "name": "openssh", "versionInfo": "9.6", "externalRefs": refs}
    return json.dumps({"spdxVersion": "SPDX-2.3", "name": "gateway", "packages": [package]}).encode()


def _nvd(vendor: str) -> bytes:
    criteria = {"criteria": f"cpe:2.3:a:{vendor}:openssh:*:*:*:*:*:*:*:*", "vulnerable": True,
                "versionEndExcluding": "9.8"}  # fmt: skip
    cve = {"id": "CVE-2099-0100", "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [criteria]}]}]}
    return json.dumps({"format": "NVD_CVE", "vulnerabilities": [{"cve": cve}]}).encode()


def test_every_cpe_is_stored_keyed_and_matched(team: Team) -> None:
    services.import_advisories(actor=team.engineer, project_id=team.project.pk, raw=_nvd("openbsd"))
    release = services.upload_sbom(
        actor=team.engineer,
        project_id=team.project.pk,
        name="gateway",
        version="1",
        raw=_spdx(
            "cpe:2.3:a:openssh:openssh:9.6:*:*:*:*:*:*:*", "cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"
        ),
        filename="gw.spdx.json",
    )
    component = ReleaseComponent.objects.get(release=release)
    assert component.cpe == "cpe:2.3:a:openssh:openssh:9.6:*:*:*:*:*:*:*"
    assert component.other_cpes == ["cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"]
    keys = set(ComponentKey.objects.filter(component=component).values_list("key", flat=True))
    assert keys == {"cpe\x1fopenssh\x1fopenssh", "cpe\x1fopenbsd\x1fopenssh"}
    (finding,) = Finding.objects.filter(release=release)
    assert finding.evidence[0]["identifier"] == "cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"


def test_unscored_go_finding_takes_the_stored_alias_score_and_names_it(team: Team) -> None:
    _import(
        team,
        osv("GHSA-aaaa", "github.com/other/x", ecosystem="Go", vector=HIGH, aliases=("CVE-2099-0101",)),
        osv("CVE-2099-0101", "github.com/other/y", ecosystem="Go", vector=LOW),
    )
    _import(team, osv("GO-2099-0101", TOML, ecosystem="Go", aliases=("CVE-2099-0101", "GHSA-aaaa")))
    release = make_release(team.engineer, team.project, f"pkg:golang/{TOML}@v1.0.0")
    (finding,) = Finding.objects.filter(release=release)
    assert (finding.vulnerability_id, finding.severity, finding.score) == ("CVE-2099-0101", "HIGH", 7.5)
    assert finding.severity_from == "GHSA-aaaa"


def test_rematch_picks_up_a_rules_change_and_is_audited(team: Team) -> None:
    _import(team, osv("GO-2099-0102", TOML, ecosystem="Go", aliases=("GHSA-bbbb",)))
    release = make_release(team.engineer, team.project, f"pkg:golang/{TOML}@v1.0.0")
    (finding,) = Finding.objects.filter(release=release)
    assert finding.severity == "UNKNOWN"
    # what the old rules stored: a lower-cased Go key, so the advisory's key never met it
    ComponentKey.objects.filter(component__release=release, key__contains="BurntSushi").update(
        key="golang\x1f\x1fgithub.com/burntsushi/toml"
    )
    Finding.objects.all().delete()
    _import(team, osv("GHSA-bbbb", "github.com/other/z", ecosystem="Go", vector=HIGH))
    organisation = team.project.business_unit.organisation
    head = _head(team)
    result = services.rematch_organisation(actor=head, organisation_id=organisation.pk)
    assert (result.releases, result.findings_created, result.keys_changed) == (1, 1, 1)
    (finding,) = Finding.objects.filter(release=release)
    assert (finding.vulnerability_id, finding.severity, finding.severity_from) == (
        "GHSA-bbbb",
        "HIGH",
        "GHSA-bbbb",
    )
    assert set(ComponentKey.objects.filter(component__release=release).values_list("key", flat=True)) >= {
        f"golang\x1f\x1f{TOML}"
    }
    record = ChangeRecord.objects.get(action="vulns_findings.rematched")
    assert (record.actor_id, record.after["findings_created"]) == (head.pk, 1)
    again = services.rematch_organisation(actor=head, organisation_id=organisation.pk)
    assert (again.keys_changed, again.findings_created, again.findings_updated) == (0, 0, 0)


def test_rematch_updates_the_severity_of_an_existing_finding_and_keeps_its_triage(team: Team) -> None:
    _import(team, osv("GO-2099-0103", TOML, ecosystem="Go", aliases=("GHSA-cccc",)))
    release = make_release(team.engineer, team.project, f"pkg:golang/{TOML}@v1.0.0")
    Finding.objects.filter(release=release).update(rationale="looked at it")
    _import(team, osv("GHSA-cccc", "github.com/other/w", ecosystem="Go", vector=HIGH))
    organisation = team.project.business_unit.organisation
    result = services.rematch_organisation(actor=_head(team), organisation_id=organisation.pk)
    assert (result.findings_created, result.findings_updated) == (0, 1)
    (finding,) = Finding.objects.filter(release=release)
    assert (finding.severity, finding.severity_from, finding.rationale) == (
        "HIGH",
        "GHSA-cccc",
        "looked at it",
    )


def test_rematch_reread_recovers_every_cpe_of_a_stored_sbom(team: Team) -> None:
    services.import_advisories(actor=team.engineer, project_id=team.project.pk, raw=_nvd("openbsd"))
    release = services.upload_sbom(
        actor=team.engineer, project_id=team.project.pk, name="gw", version="1",
        raw=_spdx(OLD_SSH, BSD_SSH),
        filename="gw.spdx.json",
    )  # fmt: skip
    ReleaseComponent.objects.filter(release=release).update(other_cpes=[])  # stored by the old rules
    ComponentKey.objects.filter(key__contains="openbsd").delete()
    Finding.objects.all().delete()
    organisation = team.project.business_unit.organisation
    result = services.rematch_organisation(actor=_head(team), organisation_id=organisation.pk, reread=True)
    assert result.findings_created == 1
    assert ReleaseComponent.objects.get(release=release).other_cpes == [
        "cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"
    ]


def test_rematch_needs_edit_rights_on_the_organisation(team: Team) -> None:
    organisation = team.project.business_unit.organisation
    before = ChangeRecord.objects.count()
    with pytest.raises(NotFound):  # a project's people do not see the organisation's mirror
        services.rematch_organisation(actor=team.engineer, organisation_id=organisation.pk)
    with pytest.raises(PermissionDenied):
        services.rematch_organisation(actor=_head(team, Role.AUDITOR), organisation_id=organisation.pk)
    assert ChangeRecord.objects.count() == before


def test_rematch_command(team: Team) -> None:
    _import(team, osv("GO-2099-0104", TOML, ecosystem="Go"))
    make_release(team.engineer, team.project, f"pkg:golang/{TOML}@v1.0.0")
    Finding.objects.all().delete()
    organisation = team.project.business_unit.organisation
    head = _head(team)
    args = ["server", "vulns", "rematch", "--organisation", str(organisation.pk), "--user"]
    args.append(head.username)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 releases, 2 components against 1 advisories" in result.output
    assert "1 new findings" in result.output
    refused = CliRunner().invoke(app, [*args[:-1], _head(team, Role.AUDITOR).username])
    assert refused.exit_code == 1
    assert Finding.objects.count() == 1


def test_an_unreadable_csaf_range_is_named_on_the_advisories_page(team: Team) -> None:
    document = {
        "document": {"csaf_version": "2.0", "tracking": {"id": "ACME-2099-2"}, "title": "Relay"},
        "product_tree": {
            "branches": [
                {"category": "vendor", "name": "ACME", "branches": [
                    {"category": "product_name", "name": "Relay", "branches": [
                        {"category": "product_version_range", "name": "NMC2 <= 6.9.6",
                         "product": {"name": "Relay NMC2", "product_id": "RELAY-1"}},
                    ]},
                ]},
            ]
        },
        "vulnerabilities": [{"cve": "CVE-2099-0300", "product_status": {"known_affected": ["RELAY-1"]}}],
    }  # fmt: skip
    services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=json.dumps(document).encode(), filename="r.json"
    )
    client = Client()
    client.force_login(team.engineer)
    page = client.get(f"/projects/{team.project.pk}/advisories/").content.decode()
    assert 'data-testid="advisory-problem"' in page
    assert "product RELAY-1: &#x27;NMC2 &lt;= 6.9.6&#x27; is neither a vers range" in page


def test_only_the_keys_that_changed_are_written() -> None:
    stored = [
        (10, 1, "a", "1"),  # as wanted: untouched
        (20, 2, "a", "1"),
        (21, 2, "a", "1"),  # a duplicate
        (22, 2, "b", "1"),  # no longer wanted
    ]  # owner 3's keys were deleted (a rules change's reset): inserts only
    wanted = {1: {("a", "1")}, 2: {("a", "1"), ("c", "2")}, 3: {("d", "3")}}
    owners, stale, added = _key_changes(stored, wanted)
    assert (owners, sorted(stale), sorted(added)) == (2, [21, 22], [(2, "c", "2"), (3, "d", "3")])
