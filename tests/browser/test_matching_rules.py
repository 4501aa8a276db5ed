"""In the browser (issue 12, item 1): an engineer uploads an SPDX 2.3 SBOM whose references are written as
URIs, with a Go module path in capitals and a package of two CPEs; imports a Go record without CVSS, the
GHSA record of the same vulnerability with a score, and an NVD record naming the package's second CPE; the
Go finding shows its severity and the alias it came from, the CPE finding shows both CPEs and the one that
matched."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.tara.services import import_if_missing
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

URI = "http://spdx.org/rdf/references/"
SSH_CPES = ("cpe:2.3:a:openssh:openssh:9.6:*:*:*:*:*:*:*", "cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*")


def _ref(kind: str, locator: str) -> dict[str, str]:
    category = "PACKAGE-MANAGER" if kind == "purl" else "SECURITY"
    return {"referenceCategory": category, "referenceType": f"{URI}{kind}", "referenceLocator": locator}


SBOM = {
    "spdxVersion": "SPDX-2.3",
    "name": "gateway",
    "packages": [
        {
            "SPDXID": "SPDXRef-toml",
            "name": "github.com/BurntSushi/toml",
            "versionInfo": "v1.2.0",
            "externalRefs": [_ref("purl", "pkg:golang/github.com/BurntSushi/toml@v1.2.0")],
        },
        {
            "SPDXID": "SPDXRef-ssh",
            "name": "openssh",
            "versionInfo": "9.6",
            "externalRefs": [_ref("cpe23Type", cpe) for cpe in SSH_CPES],
        },
    ],
}
GO = {
    "id": "GO-2099-0200",
    "modified": "2099-01-01T00:00:00Z",
    "aliases": ["CVE-2099-0200", "GHSA-go99-0200-toml"],
    "affected": [
        {
            "package": {"ecosystem": "Go", "name": "github.com/BurntSushi/toml"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}],
        }
    ],
}
GHSA = {
    "id": "GHSA-go99-0200-toml",
    "modified": "2099-01-01T00:00:00Z",
    "aliases": ["CVE-2099-0200"],
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
    "affected": [{"package": {"ecosystem": "Go", "name": "github.com/other/module"}}],
}
NVD = {
    "format": "NVD_CVE",
    "vulnerabilities": [
        {
            "cve": {
                "id": "CVE-2099-0201",
                "configurations": [
                    {
                        "nodes": [
                            {
                                "operator": "OR",
                                "cpeMatch": [
                                    {
                                        "criteria": "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*",
                                        "vulnerable": True,
                                        "versionEndExcluding": "9.8",
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        }
    ],
}


def _advisories(folder: Path) -> Path:
    path = folder / "advisories.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, record in (("go.json", GO), ("ghsa.json", GHSA), ("nvd.json", NVD)):
            archive.writestr(name, json.dumps(record))
    return path


def test_capitals_uri_references_every_cpe_and_the_alias_score_on_the_pages(
    page: Any, demo: Demo, tmp_path: Path
) -> None:
    import_if_missing(actor=system_user(), project_id=demo.project.pk, raw=REFERENCE.read_bytes())
    sbom = tmp_path / "gateway.spdx.json"
    sbom.write_text(json.dumps(SBOM))
    page.goto("/login/")
    sign_in(page, "engineer")
    page.get_by_test_id("projects").get_by_role("link", name="Connected EV", exact=True).click()
    page.get_by_test_id("advisories-link").click()
    form = page.get_by_test_id("import-advisories")
    form.locator("input[type=file]").set_input_files(str(_advisories(tmp_path)))
    form.get_by_role("button", name="Import").click()
    expect(page.locator("#toasts")).to_contain_text("3 new")
    page.locator("nav.breadcrumbs").get_by_role("link", name="Connected EV", exact=True).click()
    form = page.get_by_test_id("upload-sbom")
    form.locator("input[type=file]").set_input_files(str(sbom))
    form.locator("input[name=name]").fill("Gateway firmware")
    form.locator("input[name=version]").fill("2.0")
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("release-header")).to_contain_text("gateway.spdx.json")
    expect(page.get_by_test_id("count")).to_have_text("2 findings")
    page.get_by_test_id("finding-table").get_by_role("link", name="CVE-2099-0200").click()
    expect(page.get_by_test_id("finding-facts")).to_contain_text("high (CVSS 7.5 from GHSA-go99-0200-toml)")
    expect(page.get_by_test_id("severity-from")).to_have_text("from GHSA-go99-0200-toml")
    expect(page.get_by_test_id("component-facts")).to_contain_text(
        "pkg:golang/github.com/BurntSushi/toml@v1.2.0"
    )
    page.go_back()
    page.get_by_test_id("finding-table").get_by_role("link", name="CVE-2099-0201").click()
    expect(page.get_by_test_id("component-cpes")).to_have_text("".join(SSH_CPES))
    expect(page.get_by_test_id("evidence")).to_contain_text(SSH_CPES[1])
    expect(page.get_by_test_id("severity-from")).to_have_count(0)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
