"""The document model: how a value is shown as text, badge classes and colours, a document's heading."""

from __future__ import annotations

from opencsms.engine.documents import Badge, Document, display
from tests.engine.documents.conftest import GRADE, STATE


def test_cells_as_text() -> None:
    assert [display(v) for v in (None, True, False, ("a", "b"), 0.91, 2.0, 7, "x")] == [
        "",
        "yes",
        "no",
        "a, b",
        "0.91",
        "2",
        "7",
        "x",
    ]


def test_badge_classes_and_colours() -> None:
    assert GRADE.variant(3) == "g3"
    assert GRADE.colour(3) == ("C62828", "FFFFFF")
    assert GRADE.colour(None) is None
    assert STATE.variant("Open, late") == "s-open"  # the first label, in lower case
    assert STATE.variant("in review") == "s-in-review"  # no colours needed without a fallback
    other = Badge("state", "state", {"done": ("2E7D32", "FFFFFF")}, prefix="s-", fallback="s-other")
    assert other.variant("done") == "s-done"
    assert other.variant("in review") == "s-other"
    named = Badge("severity", "status", classes={"error": "err"}, fallback="warn")
    assert (named.variant("error"), named.variant("warning")) == ("err", "warn")


def test_heading_and_lookups(document: Document) -> None:
    assert document.heading == "Check plan: Plan <2024>"
    assert Document("Alone", ()).heading == "Alone"
    assert document.badge("grade") is GRADE
    assert document.badge("nothing") is None
    assert document.section("CP-1").table("checks").column("grade") == 2
    assert [f.key for f in document.section("overview").figures] == ["boxes"]
    assert all(b.kind != "figure" for b in document.section("overview").data_blocks)
