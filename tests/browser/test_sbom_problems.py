"""In the browser: an engineer uploads an SBOM with an invalid purl and a component without a name; the
release is made, a warning says the SBOM has problems, and the release page lists them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.tara.services import import_if_missing
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "components": [
        {"name": "zlib", "version": "1.2.13", "purl": "pkg:generic/zlib@1.2.13"},
        {"name": "broken", "version": "1", "purl": "pkg:/broken"},
        {"version": "2", "purl": "pkg:npm/anon@2"},
    ],
}


def test_an_sbom_with_problems_is_uploaded_and_its_problems_are_shown(
    page: Any, demo: Demo, tmp_path: Path
) -> None:
    import_if_missing(actor=system_user(), project_id=demo.project.pk, raw=REFERENCE.read_bytes())
    sbom = tmp_path / "odd.cdx.json"
    sbom.write_text(json.dumps(SBOM))
    page.goto("/login/")
    sign_in(page, "engineer")
    page.get_by_test_id("projects").get_by_role("link", name="Connected EV", exact=True).click()
    form = page.get_by_test_id("upload-sbom")
    form.locator("input[type=file]").set_input_files(str(sbom))
    form.locator("input[name=name]").fill("Odd firmware")
    form.locator("input[name=version]").fill("0.1")
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("release-header")).to_contain_text("odd.cdx.json")
    expect(page.locator("#toasts")).to_contain_text("The SBOM has 2 problems")
    problems = page.get_by_test_id("sbom-problems")
    expect(problems).to_contain_text("component 'broken': purl 'pkg:/broken' is not valid")
    expect(problems).to_contain_text("component 'pkg:npm/anon@2' has no name")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
