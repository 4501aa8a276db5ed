"""In the browser: an engineer imports VEX documents on a release. A statement without a justification is
refused with its number and nothing changes; a good document shows its per-statement report (applied, in
conflict with the engineer's newer decision, no matching finding) and the applied finding's new triage.
An administrator imports one on the organisation's advisories page for every release it names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.vulns import services
from opencsms.vulns.models import Finding
from tests.browser.conftest import settled, sign_in
from tests.factories.vulns import make_release, osv, osv_bytes


def _openvex(path: Path, *statements: tuple[str, str, str, str]) -> Path:
    path.write_text(json.dumps({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:example:vex:browser", "author": "Supplier",
        "timestamp": "2026-01-01T00:00:00Z", "version": 1,
        "statements": [
            {"vulnerability": {"name": v}, "products": [{"@id": p}], "status": s,
             **({"justification": j} if j else {})}
            for v, p, s, j in statements
        ],
    }))  # fmt: skip
    return path


def _import(page: Any, file: Path) -> None:
    form = page.get_by_test_id("import-vex")
    form.locator("input[type=file]").set_input_files(str(file))
    form.get_by_role("button", name="Import VEX").click()


def test_import_vex_on_a_release_see_the_report_and_a_refusal(page: Any, demo: Demo, tmp_path: Path) -> None:
    engineer = User.objects.get(username="engineer")
    services.import_advisories(
        actor=engineer,
        project_id=demo.project.pk,
        raw=osv_bytes(osv("GHSA-1", "left-pad"), osv("GHSA-2", "up-pad")),
    )
    release = make_release(engineer, demo.project, "pkg:npm/left-pad@1.0.0", "pkg:npm/up-pad@0.1.0")
    decided = Finding.objects.get(release=release, vulnerability_id="GHSA-2")
    services.triage_finding(actor=engineer, finding_id=decided.pk, stage="analysed", vex_status="affected")
    left, up = "pkg:npm/left-pad@1.0.0", "pkg:npm/up-pad@0.1.0"
    bad = _openvex(tmp_path / "bad.openvex.json", ("GHSA-1", left, "not_affected", ""))
    good = _openvex(
        tmp_path / "supplier.openvex.json",
        ("GHSA-1", left, "not_affected", "vulnerable_code_not_present"),
        ("GHSA-2", up, "fixed", ""),
        ("CVE-2099-1", left, "affected", ""),
    )
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/releases/{release.pk}/")
    imports = page.get_by_test_id("vex-imports")
    expect(imports).to_contain_text("No VEX document imported yet")
    _import(page, bad)
    expect(page.locator("#toasts")).to_contain_text(
        "bad.openvex.json: statement 1 (GHSA-1): not_affected needs a justification"
    )
    expect(imports).to_contain_text("No VEX document imported yet")
    _import(page, good)
    expect(page.locator("#toasts")).to_contain_text(
        "OpenVEX supplier.openvex.json imported: 1 applied, 1 conflict, 1 no matching finding.",
        timeout=15_000,
    )
    report = imports.get_by_test_id("vex-report")
    expect(report.locator("tr[data-statement='1']").get_by_test_id("outcome")).to_have_text("applied")
    second = report.locator("tr[data-statement='2']")
    expect(second.get_by_test_id("outcome")).to_have_text("conflict")
    expect(second).to_contain_text("not applied: engineer concluded affected")
    expect(report.locator("tr[data-statement='3']").get_by_test_id("outcome")).to_have_text(
        "no matching finding"
    )
    expect(imports).to_contain_text("issued 2026-01-01T00:00:00Z")
    report.locator("tr[data-statement='1']").get_by_role("link", name="left-pad 1.0.0").click()
    expect(page.locator("body")).to_contain_text("VEX supplier.openvex.json, statement 1: not_affected")
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_import_vex_on_the_organisation(page: Any, demo: Demo, tmp_path: Path) -> None:
    engineer = User.objects.get(username="engineer")
    services.import_advisories(
        actor=engineer, project_id=demo.project.pk, raw=osv_bytes(osv("GHSA-1", "left-pad"))
    )
    for version in ("1.0", "2.0"):
        make_release(engineer, demo.project, "pkg:npm/left-pad@1.0.0", version=version)
    vex = _openvex(tmp_path / "org.openvex.json", ("GHSA-1", "pkg:npm/left-pad", "fixed", ""))
    page.goto("/login/")
    sign_in(page, "admin")
    page.goto(f"/organisations/{demo.organisation.pk}/advisories/")
    _import(page, vex)
    expect(page.locator("#toasts")).to_contain_text(
        "OpenVEX org.openvex.json imported: 1 applied.", timeout=15_000
    )
    row = page.get_by_test_id("vex-report").locator("tr[data-statement='1']")
    expect(row).to_contain_text("(ecu 1.0)")
    expect(row).to_contain_text("(ecu 2.0)")
    assert Finding.objects.filter(vulnerability_id="GHSA-1", vex_status="fixed").count() == 2
    settled(page)
    assert page.console.errors == []
