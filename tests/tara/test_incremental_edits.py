"""Edits checked and rated incrementally store exactly what a whole evaluation of the document gives.

After every random edit through the services (accepted or refused), the stored rows' derived values,
summary, findings and content hash are compared with a whole-document evaluation made here; a refused
edit gives the message the whole-document path gives, and changes nothing.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import ChangeRecord
from opencsms.engine import evaluate
from opencsms.engine.tara.coverage import annex5_coverage
from opencsms.engine.tara_as_code import dump_data, parse_data, parse_state, read_document
from opencsms.tara import mapping, selectors, services, working
from opencsms.tara.models import Element, Kind, Tara
from opencsms.tara.selectors import documents
from tests.tara.conftest import REFERENCE, Team

pytestmark = pytest.mark.django_db

LEVELS = ["negligible", "moderate", "major", "severe", "bogus"]
POTENTIAL = ["one_day", "one_week", "one_month", "six_months", "beyond_six_months"]
DECISIONS = ["reduce", "retain", "share", "avoid"]
INTERFACE_KINDS = ["can", "cellular", "obd", "usb", "bluetooth", "debug"]


def _whole(tara: Tara) -> dict[str, Any]:
    """What the stored TARA holds after a whole-document evaluation, made here independently."""
    document = selectors.document(tara)
    result = evaluate(*parse_data(document))
    derived = mapping.document_derived(result, document)
    summary = mapping.summary(result, int(document["method"].get("acceptance", 1)))
    statuses: dict[str, set[str]] = {}
    for (kind, _ref), values in derived.items():
        if values.status:
            statuses.setdefault(kind, set()).add(values.status)
    summary["statuses"] = {kind: sorted(found) for kind, found in statuses.items()}
    findings = mapping.findings(result)
    kept = working.kept(tara)  # the edit kept its state, and the next edit starts from it
    assert kept is not None
    assert kept.parsed.model == result.model
    # its result rates every row as the whole evaluation does (not `==`: the order of a result's risk
    # cells follows an entry's keys, which PostgreSQL's JSONB keeps in another order than the file)
    assert mapping.document_derived(kept.result, document) == derived
    return {
        "rows": {key: tuple(values) for key, values in derived.items()},
        "summary": summary,
        "findings": findings,
        "sha256": mapping.content_sha256(document),
    }


def _stored(tara: Tara) -> dict[str, Any]:
    tara.refresh_from_db()
    fields = ("kind", "ref", "risk", "residual_risk", "feasibility", "impact", "cal", "status")
    rows = {(k, r): tuple(v) for k, r, *v in Element.objects.filter(tara=tara).values_list(*fields)}
    findings = selectors.findings(tara)
    assert tara.findings_head == findings[: mapping.FINDINGS_HEAD]
    return {"rows": rows, "summary": tara.summary, "findings": findings, "sha256": tara.content_sha256}


def _data(tara: Tara, kind: Kind, ref: str) -> dict[str, Any]:
    return copy.deepcopy(selectors.element(tara, kind, ref).data)


def _refs(tara: Tara, kind: Kind) -> list[str]:
    return list(
        Element.objects.filter(tara=tara, kind=kind).order_by("position").values_list("ref", flat=True)
    )


def _steps(node: dict[str, Any], address: str = "") -> list[str]:
    gate = next((g for g in ("and", "or") if g in node), None)
    if gate is None:
        return [address]
    return [a for i, child in enumerate(node[gate]) for a in _steps(child, f"{address}.{i}".lstrip("."))]


Edit = Callable[[], object]


def _impact(rng: random.Random, tara: Tara, change: dict[str, Any]) -> Edit:
    ref = rng.choice(_refs(tara, Kind.DAMAGE_SCENARIO))
    impact = _data(tara, Kind.DAMAGE_SCENARIO, ref)["impact"]
    impact[rng.choice(sorted(impact))] = rng.choice(LEVELS)
    return lambda: services.update_element(
        **change, kind="damage_scenarios", ref=ref, changes={"impact": impact}
    )


def _step(rng: random.Random, tara: Tara, change: dict[str, Any]) -> Edit:
    threat = rng.choice(_refs(tara, Kind.THREAT_SCENARIO))
    path = rng.choice(_data(tara, Kind.THREAT_SCENARIO, threat)["attack_paths"])
    factors = {"elapsed_time": rng.choice(POTENTIAL), "equipment": rng.choice(["standard", "bespoke"])}
    interface = rng.choice([*_refs(tara, Kind.INTERFACE)[:3], "NO-SUCH-INTERFACE"])
    step_id = rng.choice(["S-NEW", _refs(tara, Kind.COMPONENT)[0]])
    new = rng.choice(
        [{"attack_potential": {**HARD_FACTORS, **factors}}, {"interface": interface}, {"id": step_id}]
    )
    tree = {"threat": threat, "path": path["id"], "op": "update", "at": rng.choice(_steps(path["tree"]))}
    return lambda: services.edit_attack_tree(**change, **tree, changes=new)


def _threat(rng: random.Random, tara: Tara, change: dict[str, Any]) -> Edit:
    threat = rng.choice(_refs(tara, Kind.THREAT_SCENARIO))
    treatment = {"decision": rng.choice(DECISIONS), "goals": rng.choice([[], ["CG-01"]]), "rationale": "r"}
    retained = {"decision": "retain", "claims": [rng.choice(["CL-01", "CL-NEW", "NO-SUCH-CLAIM"])]}
    fields = rng.choice(
        [
            {"status": "rejected"},
            {"asset": "NO-SUCH-ASSET"},
            {"name": "renamed"},
            {"property": "availability"},
            {"treatment": treatment},
            {"treatment": retained},
        ]
    )
    return lambda: services.update_element(**change, kind="threat_scenarios", ref=threat, changes=fields)


def _other(rng: random.Random, tara: Tara, change: dict[str, Any]) -> Edit:
    """An asset's properties, an interface's kind, a goal's CAL, or a new claim."""
    asset, interface, goal = (
        rng.choice(_refs(tara, kind)) for kind in (Kind.ASSET, Kind.INTERFACE, Kind.GOAL)
    )
    properties = rng.sample(["confidentiality", "integrity", "availability"], rng.randint(1, 3))
    claim = {"id": rng.choice(["CL-NEW", "CL-01", "A-01"]), "text": "A new claim"}
    return rng.choice(
        [
            lambda: services.update_element(
                **change, kind="assets", ref=asset, changes={"properties": properties}
            ),
            lambda: services.update_element(
                **change, kind="interfaces", ref=interface, changes={"kind": rng.choice(INTERFACE_KINDS)}
            ),
            lambda: services.update_element(
                **change, kind="goals", ref=goal, changes={"cal": rng.choice([None, 1, 4])}
            ),
            lambda: services.create_element(**change, kind="claims", data=claim),
        ]
    )


def _edit(rng: random.Random, team: Team, tara: Tara) -> Edit:
    """One random edit of the TARA through a service (some of them are refused)."""
    make = rng.choice([_impact, _step, _step, _threat, _threat, _other, _other])
    return make(rng, tara, {"actor": team.engineer, "tara_id": tara.pk})


HARD_FACTORS = {
    "specialist_expertise": "expert",
    "knowledge_of_item": "restricted",
    "window_of_opportunity": "easy",
}


def _outcome(edit: Edit, monkeypatch: pytest.MonkeyPatch) -> tuple[Invalid | Conflict | None, int]:
    """What `edit` raised (None if it was kept), and how many times it read the whole document."""
    reads: list[Tara] = []
    whole = selectors.document
    with monkeypatch.context() as m:
        m.setattr(selectors, "document", lambda tara: reads.append(tara) or whole(tara))
        try:
            edit()
        except (Invalid, Conflict) as exc:
            return exc, len(reads)
    return None, len(reads)


def _refused_the_same_way(edit: Edit, monkeypatch: pytest.MonkeyPatch) -> tuple[str | None, int]:
    """None if `edit` was kept, else its message, checked against the whole-document path's; and how
    many times the edit read the whole document."""
    incremental, reads = _outcome(edit, monkeypatch)
    if incremental is None:
        return None, reads
    with monkeypatch.context() as m:
        m.setattr(working, "kept", lambda _tara: None)  # no working state: the whole document
        with pytest.raises(type(incremental)) as whole:
            edit()
    assert str(incremental) == str(whole.value)
    return str(incremental), reads


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_store_what_a_whole_evaluation_gives(
    team: Team, reference: Tara, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    kept = whole_reads = refused_alone = 0
    for _ in range(25):
        before = _stored(reference)
        records = ChangeRecord.objects.count()
        refused, reads = _refused_the_same_way(_edit(rng, team, reference), monkeypatch)
        if refused is not None:
            refused_alone += reads == 0
            assert _stored(reference) == before
            assert ChangeRecord.objects.count() == records
            continue
        kept += 1
        whole_reads += reads
        assert _stored(reference) == _whole(reference)
    assert kept >= 10
    assert whole_reads == 0  # no accepted edit here needs the whole document: each went incremental
    assert refused_alone > 0  # and refusals are found in the changed entry alone too


def _large(copies: int) -> bytes:
    """The reference model with every threat scenario copied `copies` times (new ids inside)."""
    document, _model, _profile = parse_reference()
    threats = []
    for k in range(copies):
        for threat in document["threat_scenarios"]:
            copied = copy.deepcopy(threat)
            copied["id"] = f"{threat['id']}-{k}"
            for path in copied.get("attack_paths", []):
                path["id"] = f"{path['id']}-{k}"
            threats.append(copied)
    return dump_data({**document, "threat_scenarios": threats}).encode()


def parse_reference() -> tuple[dict[str, Any], Any, Any]:
    return read_document(REFERENCE.read_bytes())


def test_refused_edits_of_a_large_tara_roll_back_and_the_next_edit_is_right(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _large(10)
    tara = services.import_tara(actor=team.engineer, project_id=team.project.pk, raw=raw, filename="big.yaml")
    assert tara.summary["counts"]["threat_scenarios"] == 600
    change = {"actor": team.engineer, "tara_id": tara.pk, "kind": "threat_scenarios", "ref": "TS-01-7"}
    before, records = _stored(tara), ChangeRecord.objects.count()
    with pytest.raises(Invalid, match="NO-SUCH-ASSET"):
        services.update_element(**change, changes={"asset": "NO-SUCH-ASSET"})
    path = _data(tara, Kind.THREAT_SCENARIO, "TS-01-7")["attack_paths"][0]
    duplicate = {
        "threat": "TS-01-7",
        "path": path["id"],
        "op": "update",
        "at": "",
        "changes": {"id": "TS-02-3"},
    }
    with pytest.raises(Invalid, match="duplicate-id"):
        services.edit_attack_tree(actor=team.engineer, tara_id=tara.pk, **duplicate)
    assert _stored(tara) == before
    assert ChangeRecord.objects.count() == records
    monkeypatch.setattr(selectors, "document", _no_whole_document)  # the next edit is incremental
    services.update_element(**change, changes={"treatment": {"decision": "retain", "claims": ["CL-01"]}})
    monkeypatch.undo()
    assert _stored(tara) == _whole(tara)


def _no_whole_document(tara: Tara) -> dict[str, Any]:
    raise AssertionError("an edit of one entry read the whole document")


@pytest.fixture
def kept_states() -> Iterator[None]:
    """For tests that keep states of their own: none of them outlives the test (the cache is global)."""
    yield
    working.forget()


@pytest.mark.usefixtures("kept_states")
def test_a_working_state_that_is_not_the_stored_content_is_a_bug_not_a_whole_evaluation(
    team: Team, reference: Tara
) -> None:
    """The content hash makes the kept state the stored document; were it not, the edit fails loudly."""
    kept = working.kept(reference)
    assert kept is not None
    document = selectors.document(reference)
    document["threat_scenarios"][0] = {**document["threat_scenarios"][0], "name": "not what is stored"}
    working.keep(reference, replace(kept, parsed=parse_state(document)))
    with pytest.raises(ValueError, match="not the entry"):
        services.update_element(
            actor=team.engineer,
            tara_id=reference.pk,
            kind="threat_scenarios",
            ref=document["threat_scenarios"][0]["id"],
            changes={"name": "renamed"},
        )


@pytest.mark.usefixtures("kept_states")
def test_a_read_keeps_the_working_state_for_the_next_read_and_edit(
    team: Team, reference: Tara, monkeypatch: pytest.MonkeyPatch
) -> None:
    working.forget()  # as a new process: the first read reads and evaluates the whole document
    result = selectors.evaluated(reference)
    kept = working.kept(reference)
    assert kept is not None
    assert kept.result is result
    monkeypatch.setattr(documents, "document", _no_whole_document)
    monkeypatch.setattr(selectors, "document", _no_whole_document)
    assert selectors.evaluated(reference) is result
    assert selectors.coverage(reference) == annex5_coverage(result.model)
    services.update_element(
        actor=team.engineer, tara_id=reference.pk, kind="assets", ref="A-01", changes={"name": "renamed"}
    )
    monkeypatch.undo()
    assert _stored(reference) == _whole(reference)


def test_the_content_hash_from_entries_is_the_canonical_json_hash() -> None:
    """Approvals and baselines compare hashes stored earlier: the pieces must give the same digest."""
    document = {**parse_reference()[0], "name": "Zoë's TARA \u2028", "claims": []}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert mapping.content_sha256(document) == hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.usefixtures("kept_states")
@pytest.mark.parametrize("bound", [1, 4])
def test_the_process_keeps_the_states_of_the_taras_used_last_each_for_its_content(
    reference: Tara, settings: Any, bound: int
) -> None:
    assert settings.TARA_KEPT_STATES == 4  # OPENCSMS_KEPT_TARA_STATES's default
    settings.TARA_KEPT_STATES = bound
    kept = working.kept(reference)
    assert kept is not None  # the import kept it
    assert kept.sha256 == reference.content_sha256
    others = [Tara(pk=10_000 + n, content_sha256=f"{n}") for n in range(bound)]
    for other in others:
        working.keep(other, replace(kept, sha256=other.content_sha256))
    assert working.kept(reference) is None  # the least recently used went
    assert working.kept(others[-1]) is not None
    others[-1].content_sha256 = "changed since"
    assert working.kept(others[-1]) is None  # never for other content


@pytest.mark.usefixtures("kept_states")
def test_a_process_may_keep_no_state(
    team: Team, reference: Tara, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TARA_KEPT_STATES = 0
    working.build(reference, selectors.document(reference))  # built whole, and not kept
    assert working.kept(reference) is None
    whole, reads = _outcome(
        lambda: services.update_element(
            actor=team.engineer, tara_id=reference.pk, kind="assets", ref="A-01", changes={"name": "x"}
        ),
        monkeypatch,
    )
    assert (whole, reads) == (None, 1)  # the edit was kept, reading the whole document
    assert working.kept(reference) is None
    assert selectors.element(reference, Kind.ASSET, "A-01").data["name"] == "x"
