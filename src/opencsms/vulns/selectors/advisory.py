"""The advisory detail page: every record of one advisory id in an organisation's mirror (one per origin:
OSV, NVD, a CSAF document...), with its aliases, summary, affected packages and ranges, remediations and
severities (each with the source that published it), and the findings it produced in the releases the
user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opencsms.core.errors import NotFound
from opencsms.core.models import User
from opencsms.engine.matching.scoring import score_vector
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, LevelObject, Organisation, Project
from opencsms.vulns.models import Advisory, Finding

MAX_FINDINGS = 500  # findings listed on the page (the count says how many there are)


@dataclass(frozen=True)
class AdvisoryRecord:
    """One record of the advisory as its origin published it (the engine's value, as stored)."""

    row: Advisory
    data: dict[str, Any]

    @property
    def severities(self) -> list[dict[str, Any]]:
        """Each severity as published, scored (CVSS base score and rating) and named by its source."""
        shown = []
        for severity in self.data.get("severities") or ():
            score, rated = score_vector(severity.get("vector") or "")
            given = severity.get("score")
            shown.append({**severity, "score": score if given is None else given, "rating": rated,
                          "source": self.row.source})  # fmt: skip
        return shown

    @property
    def affected(self) -> list[dict[str, Any]]:
        return list(self.data.get("affected") or ())


@dataclass(frozen=True)
class AdvisoryDetail:
    level: LevelObject  # the organisation or project the page is seen from
    organisation: Organisation
    advisory_id: str
    records: list[AdvisoryRecord]
    aliases: list[str]
    findings: list[Finding]
    finding_count: int

    @property
    def kind(self) -> str:
        return str(type(self.level).level)

    @property
    def summary(self) -> str:
        return next((r.data.get("summary") or "" for r in self.records if r.data.get("summary")), "")

    def data(self) -> dict[str, Any]:
        """The page's content for the API (`AdvisoryDetailOut`)."""
        records = [
            {"origin": r.row.origin, "source": r.row.source, "modified": r.row.modified,
             "withdrawn": r.row.withdrawn, "severities": r.severities, "affected": r.affected,
             "remediations": list(r.data.get("remediations") or ())}
            for r in self.records
        ]  # fmt: skip
        return {
            "advisory_id": self.advisory_id,
            "aliases": self.aliases,
            "summary": self.summary,
            "records": records,
            "finding_count": self.finding_count,
            "findings": self.findings,
        }


def _organisation(level_obj: LevelObject) -> Organisation:
    if isinstance(level_obj, Project):
        return Organisation.objects.get(pk=level_obj.business_unit.organisation_id)
    assert isinstance(level_obj, Organisation)
    return level_obj


def _findings(user: User, organisation: Organisation, records: list[Advisory]) -> list[Finding]:
    """The findings whose evidence names the advisory, in the releases the user may see (a finding is
    filed under its CVE when there is one: looked up by the advisory's ids, then by its evidence)."""
    advisory_id = records[0].advisory_id
    ids = {advisory_id, *(alias for r in records for alias in r.aliases)}
    projects = organisation_selectors.projects(user).filter(business_unit__organisation=organisation)
    found = (
        Finding.objects.filter(vulnerability_id__in=ids, release__project__in=projects.values("pk"))
        .select_related("component", "release__project")
        .order_by("release__name", "release__version", "component__name", "pk")
    )
    return [f for f in found if any(e.get("advisory") == advisory_id for e in f.evidence)]


def advisory_detail(user: User, kind: Level, level_id: int, advisory_id: str) -> AdvisoryDetail:
    """One advisory of the organisation's mirror seen from the organisation or one of its projects;
    `NotFound` when the mirror has no record of that id."""
    level_obj = organisation_selectors.level(user, kind, level_id)
    organisation = _organisation(level_obj)
    rows = list(
        Advisory.objects.filter(organisation=organisation, advisory_id=advisory_id).order_by("origin")
    )
    if not rows:
        raise NotFound(f"no advisory {advisory_id} in the mirror of {organisation.name}")
    aliases = sorted({alias for r in rows for alias in r.aliases} - {advisory_id})
    findings = _findings(user, organisation, rows)
    records = [AdvisoryRecord(r, r.data) for r in rows]
    return AdvisoryDetail(
        level_obj, organisation, advisory_id, records, aliases, findings[:MAX_FINDINGS], len(findings)
    )
