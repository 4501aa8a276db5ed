"""VEX documents imported as triage: per statement applied, unchanged, in conflict with a person's newer
decision, or without a matching finding; CycloneDX justifications mapped; on one release or on every
release of an organisation; all or nothing, refusals naming the statement; audited with the file's hash;
the finding's version raised (a triage form opened before is stale). Over the API too."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencsms.core.errors import Invalid, NotFound, Stale
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Release, VexImport
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import make_release
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db
UP_PAD = "pkg:npm/up-pad@0.1.0"
PADS = ("pkg:npm/left-pad@1.0.0", "pkg:npm/right-pad@1.2.0", "pkg:npm/up-pad@0.1.0")


def openvex(*statements: dict[str, Any], timestamp: str = "2026-01-01T00:00:00Z") -> bytes:
    """An OpenVEX 0.2.0 document (our own) of `statements`."""
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "urn:example:vex:1",
        "author": "Supplier",
        "timestamp": timestamp,
        "version": 1,
        "statements": list(statements),
    }
    return json.dumps(document).encode()


def statement(vulnerability: str, product: str, status: str, **extra: str) -> dict[str, Any]:
    return {
        "vulnerability": {"name": vulnerability},
        "products": [{"@id": product}],
        "status": status,
        **extra,
    }


def _finding(release: Release, vulnerability: str) -> Finding:
    return Finding.objects.get(release=release, vulnerability_id=vulnerability)


def _person_concludes(team: Team, finding: Finding) -> None:
    services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, stage="not_relevant", vex_status="not_affected",
        justification="component_not_present", rationale="checked the image",
    )  # fmt: skip


def test_each_statement_is_reported_and_only_what_may_change_is_applied(team: Team) -> None:
    release = pads_release(team)
    _person_concludes(team, _finding(release, "GHSA-2"))
    before = _finding(release, "CVE-2024-1")
    raw = openvex(
        statement("GHSA-1", "pkg:npm/left-pad@1.0.0", "not_affected",
                  justification="vulnerable_code_not_in_execute_path", impact_statement="not called"),
        statement("GHSA-2", "pkg:npm/right-pad", "affected", action_statement="update"),
        statement("CVE-2099-9", "pkg:npm/left-pad@1.0.0", "affected"),
        statement("GHSA-3", "pkg:npm/up-pad@0.1.0", "under_investigation"),
    )  # fmt: skip
    made = services.import_vex(
        actor=team.engineer, release_id=release.pk, raw=raw, filename="pads.openvex.json"
    )
    assert (made.kind, made.issued, made.sha256) == (
        "OpenVEX",
        "2026-01-01T00:00:00Z",
        hashlib.sha256(raw).hexdigest(),
    )
    assert made.counts == {"applied": 1, "unchanged": 1, "conflict": 1, "no_matching_finding": 1}
    assert [e["outcome"] for e in made.report] == ["applied", "conflict", "no_matching_finding", "unchanged"]
    (conflict,) = made.report[1]["conflicts"]
    assert (conflict["vex_status"], conflict["by"], conflict["component"]) == (
        "not_affected", "engineer", "right-pad 1.2.0",
    )  # fmt: skip
    applied = _finding(release, "CVE-2024-1")
    assert (applied.stage, applied.vex_status, applied.justification, applied.version) == (
        "analysed", "not_affected", "vulnerable_code_not_in_execute_path", before.version + 1,
    )  # fmt: skip
    assert applied.rationale == (
        "VEX pads.openvex.json, statement 1: not_affected (vulnerable_code_not_in_execute_path): not called"
    )
    assert _finding(release, "GHSA-2").vex_status == "not_affected"  # the person's decision stands
    with pytest.raises(Stale):  # a triage form opened before the import
        services.triage_finding(
            actor=team.engineer, finding_id=applied.pk, stage="weakness", vex_status="under_investigation",
            justification="", expected=before.etag,
        )  # fmt: skip
    (record,) = ChangeRecord.objects.filter(action="vulns_vex.imported")
    assert (record.actor, record.after["sha256"], record.scope) == (team.engineer, made.sha256, release.scope)
    assert (
        ChangeRecord.objects.filter(action="vulns_finding.vex_applied", object_id=str(applied.pk)).count()
        == 1
    )
    assert selectors.vex_imports(release_obj=release) == [made]


def test_a_document_newer_than_the_person_wins_and_an_undated_one_never_does(team: Team) -> None:
    release = pads_release(team)
    finding = _finding(release, "GHSA-2")
    _person_concludes(team, finding)
    affected = statement("GHSA-2", "pkg:npm/right-pad@1.2.0", "affected")
    undated = json.loads(openvex(affected))
    del undated["timestamp"]
    old = services.import_vex(actor=team.engineer, release_id=release.pk, raw=json.dumps(undated).encode())
    assert (old.issued, old.counts["conflict"]) == ("", 1)
    newer = services.import_vex(
        actor=team.engineer, release_id=release.pk, raw=openvex(affected, timestamp="2999-01-01T00:00:00Z")
    )
    assert newer.counts["applied"] == 1
    finding.refresh_from_db()
    assert (finding.vex_status, finding.justification, finding.stage) == ("affected", "", "analysed")


def test_cyclonedx_justifications_are_mapped_and_the_later_statement_wins(team: Team) -> None:
    release = pads_release(team)
    document = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"timestamp": "2026-02-01T00:00:00Z"},
        "vulnerabilities": [
            {"id": "GHSA-3", "analysis": {"state": "exploitable"}, "affects": [{"ref": UP_PAD}]},
            {"id": "GHSA-3", "analysis": {"state": "not_affected", "justification": "protected_at_runtime"},
             "affects": [{"ref": UP_PAD}]},
        ],
    }  # fmt: skip
    made = services.import_vex(actor=team.engineer, release_id=release.pk, raw=json.dumps(document).encode())
    assert (made.kind, made.counts["applied"]) == ("CycloneDX VEX", 2)
    finding = _finding(release, "GHSA-3")
    assert (finding.vex_status, finding.justification) == ("not_affected", "inline_mitigations_already_exist")
    assert "not_affected (protected_at_runtime)" in finding.rationale


def test_an_organisation_import_reaches_every_release_naming_the_products(team: Team) -> None:
    first = pads_release(team)
    second = make_release(team.engineer, team.project, *PADS, version="2.0")
    other = make_release(team.engineer, team.project, "pkg:npm/left-pad@1.5.0", version="3.0")
    _person_concludes(team, _finding(first, "GHSA-2"))
    csaf = selectors.vex_bytes(Release.objects.get(pk=first.pk), "csaf")  # the first release's triage
    admin = make_user("org-admin")
    make_membership(admin, team.tree.organisation, Role.ADMINISTRATOR)
    made = services.import_vex(
        actor=admin, organisation_id=team.tree.organisation.pk, raw=csaf, filename="first.csaf.json"
    )
    assert (made.kind, made.release) == ("CSAF VEX", None)
    taken = _finding(second, "GHSA-2")
    assert (taken.vex_status, taken.justification) == ("not_affected", "component_not_present")
    assert _finding(other, "CVE-2024-1").vex_status == "under_investigation"  # another version of left-pad
    ghsa2 = next(e for e in made.report if e["vulnerability"] == "GHSA-2")
    assert [f["release"] for f in ghsa2["applied"]] == ["ecu 2.0"]
    assert [f["release"] for f in ghsa2["unchanged"]] == ["ecu 1.0"]
    assert selectors.vex_imports(organisation_id=team.tree.organisation.pk) == [made]
    with pytest.raises(NotFound):  # an engineer of the project does not see the organisation
        services.import_vex(actor=team.engineer, organisation_id=team.tree.organisation.pk, raw=csaf)


def test_refusals_name_the_problem_and_change_nothing(team: Team) -> None:
    release = pads_release(team)
    before = list(Finding.objects.filter(release=release).values_list("pk", "vex_status", "version"))
    refusals = {
        b'{"statements": ': "not a readable VEX document",
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5"}': "the document has no VEX statement",
        openvex(
            statement("GHSA-1", "pkg:npm/left-pad@1.0.0", "affected"),
            statement("GHSA-3", "pkg:npm/up-pad@0.1.0", "not_affected", justification="trust me"),
        ): "statement 2 (GHSA-3): not_affected needs a justification",
    }
    for raw, problem in refusals.items():
        with pytest.raises(Invalid, match=re.escape(problem)):
            services.import_vex(actor=team.engineer, release_id=release.pk, raw=raw, filename="bad.json")
    with pytest.raises(PermissionDenied):
        services.import_vex(actor=team.auditor, release_id=release.pk, raw=openvex())
    assert list(Finding.objects.filter(release=release).values_list("pk", "vex_status", "version")) == before
    assert not VexImport.objects.exists()
    assert not ChangeRecord.objects.filter(
        action__in=("vulns_vex.imported", "vulns_finding.vex_applied")
    ).exists()


def test_import_over_the_api(team: Team) -> None:
    release = pads_release(team)
    client = Client()
    client.force_login(team.engineer)
    url = f"/api/v1/releases/{release.pk}/vex-imports"
    bad = openvex(statement("GHSA-3", "pkg:npm/up-pad@0.1.0", "not_affected"))
    refused = client.post(url, {"file": SimpleUploadedFile("bad.openvex.json", bad)})
    assert refused.status_code == 422
    assert (
        "bad.openvex.json: statement 1 (GHSA-3): not_affected needs a justification"
        in refused.json()["detail"]
    )
    good = openvex(statement("GHSA-3", "pkg:npm/up-pad@0.1.0", "fixed", status_notes="0.2.0 shipped"))
    made = client.post(url, {"file": SimpleUploadedFile("good.openvex.json", good)})
    assert made.status_code == 201
    body = made.json()
    assert (body["filename"], body["kind"], body["counts"]["applied"]) == ("good.openvex.json", "OpenVEX", 1)
    (entry,) = body["report"]
    assert (entry["outcome"], entry["applied"][0]["component"]) == ("applied", "up-pad 0.1.0")
    assert _finding(release, "GHSA-3").vex_status == "fixed"


def test_a_long_document_finds_its_findings_by_alias_past_the_first_query(team: Team) -> None:
    release = pads_release(team)
    many = [statement(f"CVE-2099-{n:04d}", "pkg:npm/left-pad@1.0.0", "affected") for n in range(150)]
    last = statement("GHSA-1", "pkg:npm/left-pad@1.0.0", "fixed")  # the alias of CVE-2024-1, sorted last
    made = services.import_vex(actor=team.engineer, release_id=release.pk, raw=openvex(*many, last))
    assert made.counts == {"applied": 1, "unchanged": 0, "conflict": 0, "no_matching_finding": 150}
    assert _finding(release, "CVE-2024-1").vex_status == "fixed"
