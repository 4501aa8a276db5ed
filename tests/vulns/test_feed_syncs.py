"""Syncs of every kind of feed source through the real outbound client against the tests' local HTTP
server: OSV per-ecosystem archives then modified_id.csv, a CSAF provider's ROLIE feed, the NVD API by
lastMod windows, KEV JSON and a gzip EPSS file; each later sync fetches only what changed (its cursor), the
new advisories reach the release they affect, and a refused fetch keeps nothing and says why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from opencsms.core.errors import Invalid
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import Advisory, AdvisorySource, Finding
from tests.core.localhttp import Handler, local_server
from tests.factories.core import make_user
from tests.factories.feeds import (
    csaf_document,
    epss_gzip,
    nvd_api,
    nvd_record,
    osv_ecosystem,
    provider_metadata,
    rolie_feed,
    serve,
)
from tests.factories.organisation import make_membership
from tests.factories.vulns import CRITICAL, epss_csv, make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db


def _source(team: Team, settings: Any, kind: str, location: str, **extra: Any) -> tuple[Any, AdvisorySource]:
    settings.OUTBOUND = {**settings.OUTBOUND, "allow_hosts": ["127.0.0.1"]}
    admin = make_user()
    make_membership(admin, team.tree.organisation, Role.ADMINISTRATOR)
    source = services.create_advisory_source(
        actor=admin,
        organisation_id=team.tree.organisation.pk,
        name=kind,
        kind=kind,
        location=location,
        **extra,
    )
    return admin, source


def _ids(team: Team) -> list[str]:
    return sorted(
        Advisory.objects.filter(organisation=team.tree.organisation).values_list("advisory_id", flat=True)
    )


def test_an_osv_source_reads_its_ecosystems_archive_then_only_changed_records(
    team: Team, settings: Any
) -> None:
    release = make_release(team.engineer, team.project, "pkg:golang/example.com/lib@1.0.0")
    first = osv("GO-2026-1", "example.com/other", ecosystem="Go", modified="2026-01-01T00:00:00Z")
    with local_server() as base:
        osv_ecosystem("Go", [first], [first])
        admin, source = _source(team, settings, "osv_url", f"{base}/files/osv", ecosystems=["Go"])
        services.sync_source(actor=admin, source_id=source.pk)
        assert _ids(team) == ["GO-2026-1"]
        source.refresh_from_db()
        assert source.cursor == {"Go": "2026-01-01T00:00:00Z"}
        new = osv(
            "GO-2026-2", "example.com/lib", ecosystem="Go", modified="2026-02-01T00:00:00Z", vector=CRITICAL
        )
        osv_ecosystem("Go", [new, first], [new, first])
        Handler.hits.clear()
        result = services.sync_source(actor=admin, source_id=source.pk)
        assert (result.new, result.findings) == (1, 1)
        assert Handler.hits == ["/files/osv/Go/modified_id.csv", "/files/osv/Go/GO-2026-2.json"]
        finding = Finding.objects.get(release=release)
        assert (finding.vulnerability_id, finding.severity) == ("GO-2026-2", "CRITICAL")
        source.refresh_from_db()
        assert source.last_result["fetched"] == 1
        assert source.cursor == {"Go": "2026-02-01T00:00:00Z"}


def test_a_csaf_provider_source_fetches_only_entries_updated_since_the_last_sync(
    team: Team, settings: Any
) -> None:
    with local_server() as base:
        a = csaf_document("CVE-2026-0011", "EX-11")
        rolie_feed("csaf/feed.json", {"a.json": (a, "2026-01-01T00:00:00Z")})
        provider_metadata(base, feeds=("csaf/feed.json",))
        admin, source = _source(team, settings, "csaf_rolie", f"{base}/files/csaf/provider-metadata.json")
        services.sync_source(actor=admin, source_id=source.pk)
        assert _ids(team) == ["CVE-2026-0011"]
        b = csaf_document("CVE-2026-0012", "EX-12")
        rolie_feed(
            "csaf/feed.json", {"a.json": (a, "2026-01-01T00:00:00Z"), "b.json": (b, "2026-01-09T00:00:00Z")}
        )
        Handler.hits.clear()
        services.sync_source(actor=admin, source_id=source.pk)
        assert _ids(team) == ["CVE-2026-0011", "CVE-2026-0012"]
        assert "/files/csaf/a.json" not in Handler.hits
        assert "/files/csaf/b.json" in Handler.hits
        assert "/files/csaf/b.json.sha512" in Handler.hits


def test_an_nvd_source_asks_from_where_the_last_sync_stopped(team: Team, settings: Any) -> None:
    with local_server() as base:
        api = nvd_api([nvd_record("CVE-2026-0021", "2026-01-01T00:00:00.000")])
        admin, source = _source(team, settings, "nvd", f"{base}/nvd")
        services.sync_source(actor=admin, source_id=source.pk)
        source.refresh_from_db()
        until = source.cursor["until"]
        assert "lastModStartDate" not in api.queries[0]
        assert _ids(team) == ["CVE-2026-0021"]
        api.records.append(
            nvd_record("CVE-2026-0022", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3])
        )
        api.queries.clear()
        services.sync_source(actor=admin, source_id=source.pk)
        assert api.queries[0]["lastModStartDate"].startswith(until[:19])
        assert _ids(team) == ["CVE-2026-0021", "CVE-2026-0022"]


def test_kev_and_epss_sources_replace_the_copies_and_mark_the_findings(team: Team, settings: Any) -> None:
    release = make_release(team.engineer, team.project, "pkg:golang/example.com/lib@1.0.0")
    services.import_advisories(
        actor=team.engineer,
        project_id=team.project.pk,
        raw=osv_bytes(osv("GO-9", "example.com/lib", ecosystem="Go", aliases=("CVE-2026-9",))),
    )
    with local_server() as base:
        serve("epss.csv.gz", epss_gzip(epss_csv(CVE_2026_9=0.77)))
        serve("kev.json", b'{"vulnerabilities": [{"cveID": "CVE-2026-9"}]}')
        admin, epss = _source(team, settings, "epss_csv", f"{base}/files/epss.csv.gz")
        result = services.sync_source(actor=admin, source_id=epss.pk)
        assert (result.kind, result.entries, result.findings) == ("epss", 1, 1)
        _, kev = _source(team, settings, "kev_json", f"{base}/files/kev.json")
        services.sync_source(actor=admin, source_id=kev.pk)
    finding = Finding.objects.get(release=release)
    assert (finding.kev, finding.epss) == (True, 0.77)


def test_a_refused_fetch_keeps_nothing_and_names_the_problem(team: Team, settings: Any) -> None:
    with local_server() as base:
        serve("kev.json", b"not a catalogue")
        admin, source = _source(team, settings, "kev_json", f"{base}/files/kev.json")
        with pytest.raises(Invalid, match="KEV"):
            services.sync_source(actor=admin, source_id=source.pk)
        _, missing = _source(team, settings, "osv_url", f"{base}/files/osv", ecosystems=["Go"])
        with pytest.raises(Invalid, match=r"osv_url: .*/files/osv/Go/modified_id.csv: HTTP 404"):
            services.sync_source(actor=admin, source_id=missing.pk)
    source.refresh_from_db()
    assert (source.last_synced_at, source.cursor) == (None, {})


def test_ecosystems_are_checked(team: Team, settings: Any) -> None:
    with pytest.raises(Invalid, match="only an OSV archive source"):
        _source(team, settings, "nvd", "https://nvd.example/api", ecosystems=["Go"])
    with pytest.raises(Invalid, match="not an OSV ecosystem name"):
        _source(team, settings, "osv_url", "https://osv.example/", ecosystems=["../etc"])
