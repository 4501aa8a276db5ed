"""Small typed builders for the vulnerability app: CycloneDX SBOMs and OSV records as bytes (our own)."""

from __future__ import annotations

import json
from typing import Any

from opencsms.core.models import User
from opencsms.organisation.models import Project
from opencsms.vulns import services
from opencsms.vulns.mapping import cvss3_base
from opencsms.vulns.models import Finding, Release, StepLink

CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
MEDIUM = "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:L"


def cyclonedx(*purls: str, name: str = "ecu-firmware") -> bytes:
    """A CycloneDX 1.5 JSON SBOM of library components given by purl (`pkg:npm/left-pad@1.0.0`)."""
    components = [
        {
            "type": "library",
            "bom-ref": purl,
            "name": purl.split("/")[-1].split("@")[0],
            "version": purl.rsplit("@", 1)[-1],
            "purl": purl,
        }
        for purl in purls
    ]
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {"component": {"type": "firmware", "name": name, "version": "1.0"}},
        "components": components,
    }
    return json.dumps(document).encode()


def osv(
    identifier: str,
    name: str,
    *,
    ecosystem: str = "npm",
    fixed: str = "2.0.0",
    aliases: tuple[str, ...] = (),
    vector: str = "",
    modified: str = "2024-01-01T00:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    """One OSV record: versions of `name` below `fixed` are affected."""
    record: dict[str, Any] = {
        "id": identifier,
        "modified": modified,
        "aliases": list(aliases),
        "summary": f"A flaw in {name}",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            }
        ],
        **extra,
    }
    if vector:
        record["severity"] = [{"type": "CVSS_V3", "score": vector}]
    return record


def osv_bytes(*records: dict[str, Any]) -> bytes:
    return json.dumps(records[0] if len(records) == 1 else list(records)).encode()


def make_release(actor: User, project: Project, *purls: str, version: str = "1.0", **kwargs: Any) -> Release:
    return services.upload_sbom(
        actor=actor,
        project_id=project.pk,
        name=kwargs.pop("name", "ecu"),
        version=version,
        raw=cyclonedx(*purls),
        filename="ecu.cdx.json",
        **kwargs,
    )


def kev_json(*cves: str) -> bytes:
    """A CISA KEV catalogue (JSON) listing `cves` (our own, made-up entries)."""
    entries = [
        {
            "cveID": cve,
            "dateAdded": "2026-01-15",
            "dueDate": "2026-02-05",
            "knownRansomwareCampaignUse": "Unknown",
            "requiredAction": "Apply the vendor's update.",
        }
        for cve in cves
    ]
    return json.dumps({"catalogVersion": "2026.01.15", "vulnerabilities": entries}).encode()


def epss_csv(**scores: float) -> bytes:
    """A FIRST EPSS CSV (`CVE_2024_1=0.5` for CVE-2024-1; the percentile is the score here)."""
    rows = [f"{name.replace('_', '-')},{score},{score}" for name, score in scores.items()]
    return ("#model_version:v2025.03.14,score_date:2026-01-15T00:00:00+0000\ncve,epss,percentile\n"
            + "\n".join(rows) + "\n").encode()  # fmt: skip


def make_proposal(
    finding: Finding, threat: str = "TS-05", path: str = "AP-05a", address: str = "0"
) -> StepLink:
    """A proposed re-rating of an attack step by `finding` (as the organisation's rule `propose` makes)."""
    release = finding.release
    assert release.tara_id is not None
    return StepLink.objects.create(
        finding=finding,
        tara_id=release.tara_id,
        threat_ref=threat,
        path_ref=path,
        address=address,
        cvss=cvss3_base(finding.vectors),
    )
