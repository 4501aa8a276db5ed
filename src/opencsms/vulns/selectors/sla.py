"""Reads of the remediation service levels (SLAs): an organisation's terms (its own policy or the shipped
defaults), which findings are open and which are overdue.

A finding is closed, and so never overdue, when it is triaged not affected or fixed, evaluated not
relevant, or its risk is accepted; every other finding past its due date is overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from opencsms.core.models import User
from opencsms.engine.catalogue.sla import SlaTerms, default_sla
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, permissions
from opencsms.organisation.models import Level, Organisation
from opencsms.vulns.models import Decision, Finding, Stage, VexStatus
from opencsms.vulns.models.sla import SlaPolicy

CLOSED_STATUSES = (VexStatus.NOT_AFFECTED, VexStatus.FIXED)


def open_q() -> Q:
    """Findings still to remediate (see the module)."""
    return ~Q(vex_status__in=CLOSED_STATUSES) & ~Q(stage=Stage.NOT_RELEVANT) & ~Q(decision=Decision.ACCEPT)


def overdue_q(today: dt.date) -> Q:
    """Open findings whose due date passed before `today`."""
    return open_q() & Q(due_date__lt=today)


def is_open(finding: Finding) -> bool:
    return not (
        finding.vex_status in CLOSED_STATUSES
        or finding.stage == Stage.NOT_RELEVANT
        or finding.decision == Decision.ACCEPT
    )


def days_overdue(finding: Finding, today: dt.date) -> int:
    """How many days an open finding is past its due date (0 when it is not overdue or closed)."""
    if finding.due_date is None or not is_open(finding):
        return 0
    return max((today - finding.due_date).days, 0)


def terms_for(organisation_id: int) -> SlaTerms:
    """The organisation's SLA terms: its policy, or the shipped defaults when it has none."""
    policy = SlaPolicy.objects.filter(organisation_id=organisation_id).first()
    return policy.terms() if policy is not None else default_sla().terms


@dataclass(frozen=True)
class SlaView:
    """An organisation's SLA as the page and the API show it."""

    organisation: Organisation
    terms: SlaTerms
    own: bool  # False: the shipped defaults apply
    version: int  # 0 while the defaults apply
    source: str  # where the defaults come from, or who changed the policy last
    can_edit: bool

    @property
    def etag(self) -> str:
        return str(self.version)


def sla_policy(user: User, organisation_id: int) -> SlaView:
    """The SLA of an organisation the user may see (`NotFound` otherwise)."""
    organisation = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    assert isinstance(organisation, Organisation)
    policy = SlaPolicy.objects.filter(organisation=organisation).select_related("updated_by").first()
    can_edit = Perm.ADMINISTER in permissions(user, organisation)
    if policy is None:
        defaults = default_sla()
        source = f"{defaults.urn} {defaults.version}: {defaults.cites}"
        return SlaView(organisation, defaults.terms, False, 0, source, can_edit)
    return policy_view(policy, can_edit)


def policy_view(policy: SlaPolicy, can_edit: bool) -> SlaView:
    """An organisation's own policy as the page and the API show it."""
    source = f"set by {policy.updated_by.get_username()} at {policy.updated_at:%Y-%m-%d %H:%M} UTC"
    return SlaView(policy.organisation, policy.terms(), True, policy.version, source, can_edit)
