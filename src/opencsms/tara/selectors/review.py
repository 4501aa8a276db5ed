"""What is still open when a TARA is approved (ISO/SAE 21434 6.4.8: the approver judges the work product
knowing its gaps), and the TARAs waiting for someone on the dashboard.

The checklist counts, from the last evaluation's summary and one COUNT: threat scenarios above the risk
acceptance without a treatment decision, the method rules' errors and warnings, UN R155 Annex 5 threats no
accepted threat scenario covers, and threat-generation proposals nobody has decided. Approving with any of
them open needs an acknowledgement with a rationale (`services.approve`), kept in the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from opencsms.core.models import User
from opencsms.engine.tara.model import ReviewStatus
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm
from opencsms.tara.models import State, Tara
from opencsms.tara.selectors.analysis import generated_threats

# key -> what a person reads; the order of the checklist
OPEN_ITEMS = {
    "untreated_risks": "untreated risks above acceptance",
    "errors": "method errors",
    "warnings": "method warnings",
    "annex5_uncovered": "uncovered UN R155 Annex 5 threats",
    "pending_proposals": "threat-generation proposals not decided",
}


@dataclass(frozen=True)
class OpenItem:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Checklist:
    """What is open in a TARA now, item by item (zero counts included: the page shows them ticked)."""

    items: tuple[OpenItem, ...]

    @property
    def open(self) -> tuple[OpenItem, ...]:
        return tuple(item for item in self.items if item.count)

    def counts(self) -> dict[str, int]:
        """The open items only, key -> count (what an approval records)."""
        return {item.key: item.count for item in self.open}

    def describe(self) -> str:
        return ", ".join(f"{item.count} {item.label}" for item in self.open)


def checklist(tara_obj: Tara) -> Checklist:
    summary = tara_obj.summary
    counts = {
        "untreated_risks": int(summary.get("untreated_count", 0)),
        "errors": int(summary.get("errors", 0)),
        "warnings": int(summary.get("warnings", 0)),
        "annex5_uncovered": int((summary.get("annex5") or {}).get("uncovered", 0)),
        "pending_proposals": generated_threats(tara_obj, ReviewStatus.PROPOSED).count(),
    }
    return Checklist(tuple(OpenItem(key, label, counts[key]) for key, label in OPEN_ITEMS.items()))


def waiting_for_review(user: User, narrow: dict[str, int] | None = None) -> QuerySet[Tara]:
    """TARAs in review on projects where the user reviews or approves, not submitted by them."""
    reviewing = organisation_selectors.projects(user, perm=Perm.REVIEW).filter(**(narrow or {}))
    return (
        Tara.objects.filter(state=State.IN_REVIEW, project__in=reviewing.values("pk"))
        .exclude(submitted_by=user)
        .defer("findings")
        .select_related("project", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def returned_to(user: User, narrow: dict[str, int] | None = None) -> QuerySet[Tara]:
    """Drafts a reviewer returned to the user (who submitted them), with the reason, newest first."""
    visible = organisation_selectors.projects(user).filter(**(narrow or {}))
    return (
        Tara.objects.filter(state=State.DRAFT, returned_to=user, project__in=visible.values("pk"))
        .defer("findings")
        .select_related("project", "returned_by")
        .order_by("-returned_at", "-pk")
    )
