"""A small generic document with every kind of block and value, and reading a PDF back as text."""

from __future__ import annotations

import pytest

from opencsms.engine.documents import (
    Axis,
    Badge,
    Column,
    Document,
    Fact,
    Facts,
    Figure,
    HeatCell,
    HeatMap,
    Level,
    Section,
    Svg,
    Table,
)
from tests.paths import GOLDEN as GOLDEN_ROOT

GOLDEN = GOLDEN_ROOT / "documents"

GRADE = Badge(
    "grade",
    "grade",
    {"1": ("2E7D32", "FFFFFF"), "2": ("FBC02D", "3A2A00"), "3": ("C62828", "FFFFFF")},
    prefix="g",
    title="grade",
    numeric=True,
)
STATE = Badge("state", "state", {"done": ("2E7D32", "FFFFFF"), "open": ("FBC02D", "3A2A00")}, prefix="s-")
PICTURE = (
    '<svg viewBox="0 0 200 80" width="200" height="80"><title>Two boxes</title>'
    '<rect x="10" y="10" width="70" height="40" fill="#EAF1FB" stroke="#2F6FB2"/>'
    '<rect x="120" y="10" width="70" height="40" fill="#FFF3E0" stroke="#E08A00"/>'
    '<path d="M80,30 L120,30" stroke="#C62828" stroke-width="2"/>'
    '<text x="45" y="35" font-size="9" text-anchor="middle">Left \u2192 box</text></svg>'
)


def _checks() -> Section:
    table = Table(
        "checks",
        "Checks",
        (
            Column("id", "ID", "id"),
            Column("name", "Check"),
            Column("grade", "Grade", "grade"),
            Column("state", "State", "state"),
            Column("needs", "Needs", "ids"),
            Column("steps", "Steps", "lines"),
            Column("automated", "Automated", "bool"),
            Column("passed", "Passed", "check"),
            Column("hours", "Hours", "number"),
        ),
        (
            ("C-1", "Policy | <owner>", 1, "done", (), ("Read", "Sign"), True, True, 1.5),
            (
                "C-2",
                "Supplier review \u2014 \u201cinterfaces\u201d",
                3,
                "open, late",
                ("C-1",),
                (),
                False,
                None,
                12,
            ),
            (
                "C-3",
                "A check with a rather long name that wraps in narrow columns",
                None,
                None,
                (),
                (),
                False,
                False,
                0,
            ),
        ),
        note="Every check of the plan, graded 1 (best) to 3.",
    )
    facts = Facts(
        "status",
        "Status",
        (
            Fact("Owner", "Quality"),
            Fact("Worst grade", 3, "grade"),
            Fact("Sites", ("Berlin", "Lyon"), "lines"),
        ),
    )
    cards = Facts("counts", "Counts", (Fact("Done", 1, "number"), Fact("Open", 2, "number")), True, "state")
    intro = "What was checked; the first table defines the ids."
    return Section(
        "CP-1", "Checks of the plan", "Checks", "4.2", intro, (facts, cards, table), True, "Example 1:2024"
    )


def _overview() -> Section:
    tree = Table(
        "work",
        "Work breakdown",
        (Column("item", "Item", "tree"), Column("owner", "Owner", "id")),
        (("Release", "C-1"), ("Build", "C-2"), ("Sign", None)),
        depths=(0, 1, 2),
    )
    levels = (Level("low", "Low"), Level("high", "High"))
    heat = HeatMap(
        "grid",
        "Effort by impact",
        Axis("impact", "impacts", "Impact", "Impact", levels[::-1]),
        Axis("effort", "efforts", "Effort", "Effort needed", levels),
        (
            (HeatCell("high", "low", 2, 1), HeatCell("high", "high", 3, 0)),
            (HeatCell("low", "low", 1, 4), HeatCell("low", "high", 2, 2)),
        ),
        value="grade",
        value_label="grade",
        badge="grade",
        counted="checks",
        total_label="graded checks",
    )
    figure = Figure("boxes", "Two boxes", Svg(PICTURE), note="A picture.", steps=("1. Left", "2. Right"))
    empty = Table("none", "Nothing here", (Column("id", "ID", "id"),), ())
    intro = "The work, a picture and the effort."
    return Section("overview", "Overview", "Overview", "", intro, (tree, figure, heat, empty), False)


@pytest.fixture(scope="session")
def document() -> Document:
    return Document(
        title="Plan <2024>",
        sections=(_checks(), _overview()),
        kind="Check plan",
        kicker=("Example", "Not about TARAs"),
        facts=(Fact("Plan", "P-7", "id"), Fact("Grade", 2, "grade")),
        meta={"plan": {"id": "P-7"}},
        format="example-plan/1",
        badges=(GRADE, STATE),
    )
