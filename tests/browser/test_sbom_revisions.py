"""In the browser: an engineer replaces a release's SBOM. A malformed file is refused with the reason and
changes nothing; a new SBOM shows its summary (components added, removed, changed, kept; findings carried,
closed, new) in the toast and in the release's list of revisions, the new finding in the list and the
closed one with its record. An auditor sees the revisions but no form to replace them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.vulns import services
from tests.browser.conftest import settled, sign_in
from tests.factories.vulns import cyclonedx, make_release, osv, osv_bytes


def test_replace_an_sbom_see_the_summary_and_a_refusal(page: Any, demo: Demo, tmp_path: Path) -> None:
    engineer = User.objects.get(username="engineer")
    advisories = osv_bytes(osv("GHSA-1", "left-pad"), osv("GHSA-3", "up-pad"), osv("GHSA-4", "down-pad"))
    services.import_advisories(actor=engineer, project_id=demo.project.pk, raw=advisories)
    release = make_release(engineer, demo.project, "pkg:npm/left-pad@1.0.0", "pkg:npm/up-pad@0.1.0")
    broken = tmp_path / "broken.cdx.json"
    broken.write_bytes(b'{"lockfileVersion": 3}')
    second = tmp_path / "ecu-r2.cdx.json"
    second.write_bytes(cyclonedx("pkg:npm/left-pad@1.0.0", "pkg:npm/up-pad@2.0.0", "pkg:npm/down-pad@1.0.0"))
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/releases/{release.pk}/")
    revisions = page.get_by_test_id("sbom-revisions")
    expect(revisions.locator("tr[data-revision]")).to_have_count(1)
    expect(revisions.locator("tr[data-revision='1']")).to_contain_text("the first SBOM")
    form = page.get_by_test_id("replace-sbom")
    form.locator("input[type=file]").set_input_files(str(broken))
    form.get_by_role("button", name="Replace the SBOM").click()
    expect(page.locator("#toasts")).to_contain_text("not-an-sbom")
    expect(revisions.locator("tr[data-revision]")).to_have_count(1)
    page.get_by_test_id("replace-sbom").locator("input[type=file]").set_input_files(str(second))
    page.get_by_test_id("replace-sbom").get_by_role("button", name="Replace the SBOM").click()
    summary = "components: 2 kept, 1 added, 0 removed, 1 changed; findings: 1 carried, 1 closed, 1 new"
    # the replacement (diff, closures, re-match) may take a while on a loaded 2-core machine
    expect(page.locator("#toasts")).to_contain_text(f"SBOM revision 2 uploaded: {summary}", timeout=15_000)
    row = revisions.locator("tr[data-revision='2']")
    expect(row).to_contain_text("ecu-r2.cdx.json")
    expect(row).to_contain_text("engineer")
    expect(row.get_by_test_id("revision-summary")).to_contain_text(summary)
    expect(row.get_by_test_id("revision-summary")).to_contain_text("up-pad 0.1.0 -> 2.0.0")
    table = page.get_by_test_id("finding-table")
    expect(table).to_contain_text("GHSA-4")
    table.get_by_role("link", name="GHSA-3").click()
    expect(page.locator("body")).to_contain_text("Component up-pad 0.1.0 left the release in SBOM revision 2")
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_an_auditor_sees_the_revisions_but_cannot_replace(page: Any, demo: Demo) -> None:
    engineer = User.objects.get(username="engineer")
    release = make_release(engineer, demo.project, "pkg:npm/left-pad@1.0.0")
    page.goto("/login/")
    sign_in(page, "auditor")
    page.goto(f"/releases/{release.pk}/")
    expect(page.get_by_test_id("sbom-revisions").locator("tr[data-revision='1']")).to_contain_text("engineer")
    expect(page.get_by_test_id("replace-sbom")).to_have_count(0)
    settled(page)
    assert page.console.errors == []
