"""Benchmark: single edits of a 20,000-threat TARA through the services, timed and profiled by phase.

    python bench/tara_edit.py                      # SQLite file under var/bench, 5 edits of each kind
    python bench/tara_edit.py --edits 20
    python bench/tara_edit.py --database-url postgresql://postgres@127.0.0.1:5432/bench

The database is built once (migrate, a project, the synthetic TARA of `tara_scale.py` imported through
the service) and reused while the TARA has the asked size. Each edit is one service call in its own
transaction, as a request makes it: `update_element` renaming a threat scenario, `update_element`
re-rating a damage scenario's safety impact, and `edit_attack_tree` re-rating one attack step. It prints,
per kind, min / median / max seconds; then one more edit of each kind under cProfile, split into phases
(profiler time, so larger than the plain figures; the split is what matters). At the end what the edits
stored is compared with what the app's whole evaluation of the stored document stores.
Target (issue 4): a single element edit and a single attack-tree edit in <= 1 s.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

IMPACT = ["negligible", "moderate", "major", "severe"]
POTENTIAL = ["one_day", "one_week", "one_month", "six_months", "beyond_six_months"]

# phase -> the functions whose cumulative time it is (file suffix, function name): the first one the
# profile has (the incremental path's, else the whole-document path's)
PHASES: dict[str, list[tuple[str, str]]] = {
    "take for edit (lock, permissions)": [("services/evaluation.py", "take_for_edit")],
    "document assembly": [("selectors/documents.py", "document")],
    "parse / validate (schema, references)": [
        ("tara_as_code/incremental.py", "replace_entry"),
        ("tara_as_code/io.py", "parse_state"),
    ],
    "evaluate": [("engine/tara/evaluate.py", "reevaluate"), ("engine/tara/evaluate.py", "evaluate")],
    "rows: derived values compared, written": [
        ("services/evaluation.py", "_store_rows"),
        ("tara/mapping.py", "derived"),
    ],
    "summary, heat map": [("tara/mapping.py", "summary")],
    "findings list": [("tara/mapping.py", "findings")],
    "content hash": [("tara/mapping.py", "sha256_of"), ("tara/mapping.py", "content_sha256")],
    "audit record": [("core/audit.py", "record")],
}


def _edits(user: Any, tara_id: int, threats: int, rng: random.Random) -> dict[str, Callable[[], object]]:
    """Kind of edit -> a function making one such edit (another element and another value each time)."""
    from opencsms.tara import selectors, services
    from opencsms.tara.models import Kind, Tara

    tara = Tara.objects.get(pk=tara_id)
    damages = tara.summary["counts"]["damage_scenarios"]

    def threat_name() -> object:
        ref = f"TS-{rng.randrange(threats)}"
        name = f"threat {secrets.token_hex(4)}"
        return services.update_element(
            actor=user, tara_id=tara_id, kind="threat_scenarios", ref=ref, changes={"name": name}
        )

    def damage_impact() -> object:
        ref = f"DS-{rng.randrange(damages)}"
        impact = dict(selectors.element(tara, Kind.DAMAGE_SCENARIO, ref).data["impact"])
        impact["safety"] = IMPACT[(IMPACT.index(impact["safety"]) + 1) % len(IMPACT)]
        return services.update_element(
            actor=user, tara_id=tara_id, kind="damage_scenarios", ref=ref, changes={"impact": impact}
        )

    def tree_step() -> object:
        t = rng.randrange(threats)
        step = selectors.element(tara, Kind.THREAT_SCENARIO, f"TS-{t}").data["attack_paths"][0]["tree"]
        potential = dict(step["and"][0]["or"][0]["attack_potential"])
        current = POTENTIAL.index(potential["elapsed_time"])
        potential["elapsed_time"] = POTENTIAL[(current + 1) % len(POTENTIAL)]
        return services.edit_attack_tree(
            actor=user,
            tara_id=tara_id,
            threat=f"TS-{t}",
            path=f"AP-{t}",
            op="update",
            at="0.0",
            changes={"attack_potential": potential},
        )

    return {
        "update_element: threat scenario name": threat_name,
        "update_element: damage scenario impact": damage_impact,
        "edit_attack_tree: step re-rated": tree_step,
    }


def _phases(profile: cProfile.Profile) -> list[tuple[str, float]]:
    stats = pstats.Stats(profile)
    cumulative: dict[tuple[str, str], float] = {}
    for (file, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for suffix, function in (pair for pairs in PHASES.values() for pair in pairs):
            if name == function and file.endswith(suffix):
                cumulative[(suffix, function)] = cumulative.get((suffix, function), 0.0) + row[3]
    found = {phase: next((p for p in pairs if p in cumulative), None) for phase, pairs in PHASES.items()}
    return [(phase, cumulative[pair]) for phase, pair in found.items() if pair is not None]


def _profiled(edit: Callable[[], object]) -> None:
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(edit)
    total = time.perf_counter() - started
    print(f"    profiled edit: {total:.3f} s (under cProfile)")
    phases = _phases(profile)
    for phase, seconds in [*phases, ("other (rows saved, queries, ...)", total - sum(s for _, s in phases))]:
        print(f"      {phase:40} {seconds:7.3f} s  {100 * seconds / total:5.1f} %")


def _verify(tara_id: int) -> bool:
    """What the edits stored (every row's derived values, the summary, findings and content hash) is
    what the app's whole evaluation of the stored document stores (`store_evaluation`, rolled back)."""
    from django.db import transaction

    from opencsms.tara import selectors
    from opencsms.tara.models import Element, Tara
    from opencsms.tara.services.evaluation import DERIVED_FIELDS, store_evaluation

    def stored() -> tuple[Any, ...]:
        tara = Tara.objects.get(pk=tara_id)
        rows = sorted(Element.objects.filter(tara=tara).values_list("kind", "ref", *DERIVED_FIELDS))
        return rows, tara.summary, tara.findings, tara.content_sha256

    with transaction.atomic():
        edited = stored()
        tara = Tara.objects.select_for_update().get(pk=tara_id)
        store_evaluation(tara, selectors.document(tara))
        whole = stored()
        transaction.set_rollback(True)
    return edited == whole


def _timed(edit: Callable[[], object]) -> float:
    started = time.perf_counter()
    edit()
    return time.perf_counter() - started


def _refused(user: Any, tara_id: int) -> float:
    """Seconds for an edit the engine refuses (a dangling reference); it changes nothing."""
    from opencsms.core.errors import Invalid
    from opencsms.tara import services

    started = time.perf_counter()
    try:
        services.update_element(
            actor=user, tara_id=tara_id, kind="threat_scenarios", ref="TS-1", changes={"asset": "NO-SUCH"}
        )
    except Invalid:
        return time.perf_counter() - started
    raise AssertionError("a dangling reference was accepted")


def _table(edits: dict[str, Callable[[], object]], count: int) -> bool:
    """Time `count` edits of each kind; whether every one took <= 1 s."""
    met = True
    print(f"  {'edit':42} {'min':>7} {'median':>7} {'max':>7}")
    for name, edit in edits.items():
        times = [_timed(edit) for _ in range(count)]
        print(f"  {name:42} {min(times):7.3f} {statistics.median(times):7.3f} {max(times):7.3f}")
        met &= max(times) <= 1.0
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threats", type=int, default=20_000)
    parser.add_argument("--edits", type=int, default=5, help="edits of each kind")
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT}/var/bench/tara_edit.sqlite3")
    args = parser.parse_args()
    from stored_tara import bench_user, set_up, stored_tara

    set_up(args.database_url)
    from opencsms.core.audit import correlation
    from opencsms.tara import working

    with correlation():
        user, tara_id = bench_user(), stored_tara(args.threats).pk
        edits = _edits(user, tara_id, args.threats, random.Random(11))
        print(f"{args.threats:,} threat scenarios, {args.database_url.split(':')[0]}, "
              f"python {sys.version.split()[0]}; {args.edits} edits of each kind, seconds")  # fmt: skip
        working.forget()  # as in a new process: the first edit reads the whole document
        first = _timed(next(iter(edits.values())))
        print(f"  first edit in this process (the whole TARA read and evaluated once): {first:.3f}")
        met = _table(edits, args.edits)
        print(f"  refused edit (a dangling reference; rolled back): {_refused(user, tara_id):.3f}")
        for name, edit in edits.items():
            print(f"  {name}")
            _profiled(edit)
        same = _verify(tara_id)
    print(f"what the edits stored equals what a whole evaluation stores: {'yes' if same else 'NO'}")
    print(f"target <= 1 s per edit: {'met' if met else 'MISSED'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
