"""Import and export of TARA documents: round trip, refusals that change nothing, replacement, audit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.engine.tara_as_code import parse
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, Tara
from tests.tara.conftest import EXAMPLES, REFERENCE, Team, import_file

pytestmark = pytest.mark.django_db


def test_import_stores_every_element_and_what_the_engine_derives(reference: Tara) -> None:
    counts = reference.summary["counts"]
    assert (
        counts["threat_scenarios"] == Element.objects.filter(tara=reference, kind="threat_scenarios").count()
    )
    assert (counts["assets"], counts["threat_scenarios"], counts["attack_paths"]) == (46, 60, 64)
    assert reference.summary["errors"] == 0
    first = Element.objects.get(tara=reference, kind="threat_scenarios", position=0)
    model, profile = parse(REFERENCE.read_bytes())
    from opencsms.engine import evaluate

    expected = evaluate(model, profile).threats[first.ref]
    assert (first.risk, first.feasibility, first.impact) == (
        expected.risk,
        expected.feasibility,
        expected.impact,
    )
    assert sum(int(v) for v in reference.summary["risk"].values()) == 60


def test_the_content_hash_is_that_of_the_stored_documents_canonical_json(reference: Tara) -> None:
    """Approvals and baselines compare it with hashes stored earlier: it must not depend on the path."""
    document = selectors.document(reference)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert reference.content_sha256 == hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.parametrize("name", ["connected-ev.tara.yaml", "keyless-heavens.tara.yaml"])
def test_export_gives_back_the_same_model_and_is_a_fixpoint(team: Team, name: str) -> None:
    source = EXAMPLES / name
    tara = import_file(team, source)
    exported = selectors.export_yaml(tara)
    assert parse(exported.encode())[0] == parse(source.read_bytes())[0]
    again = services.import_tara(
        actor=team.engineer, project_id=team.project.pk, raw=exported.encode(), replace=True
    )
    assert selectors.export_yaml(again) == exported
    assert again.content_sha256 == tara.content_sha256


def test_a_refused_file_names_the_problem_and_changes_nothing(team: Team, tmp_path: Path) -> None:
    bad = REFERENCE.read_text().replace("asset: A-", "asset: MISSING-", 1)
    records = ChangeRecord.objects.count()
    with pytest.raises(Invalid, match="MISSING-"):
        services.import_tara(
            actor=team.engineer, project_id=team.project.pk, raw=bad.encode(), filename="x.yaml"
        )
    with pytest.raises(Invalid, match="not a valid TARA"):
        services.import_tara(actor=team.engineer, project_id=team.project.pk, raw=b"a: &x [*x]")
    assert (Tara.objects.count(), Element.objects.count(), ChangeRecord.objects.count()) == (0, 0, records)


def test_custom_profile_files_are_refused_on_the_server(team: Team) -> None:
    with pytest.raises(Invalid, match="only the shipped profiles"):
        import_file(team, EXAMPLES / "headlamp.tara.yaml")


def test_import_twice_needs_replace_and_is_audited(team: Team, reference: Tara) -> None:
    with pytest.raises(Conflict):
        import_file(team)
    record = ChangeRecord.objects.filter(action=AuditAction.TARA_IMPORTED).get()
    assert (record.actor, record.scope, record.object_id) == (
        team.engineer,
        reference.scope,
        str(reference.pk),
    )
    assert record.after["content_sha256"] == reference.content_sha256


def test_people_outside_the_project_cannot_see_or_import(team: Team, reference: Tara) -> None:
    with pytest.raises(NotFound):
        selectors.tara(team.outsider, reference.pk)
    with pytest.raises(NotFound):
        services.import_tara(actor=team.outsider, project_id=team.project.pk, raw=REFERENCE.read_bytes())
    assert list(selectors.taras(team.auditor)) == [reference]
    assert list(selectors.taras(team.outsider)) == []
