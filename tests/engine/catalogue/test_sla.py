"""The remediation SLA rule and its shipped defaults (engine.catalogue.sla, data/catalogues)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from opencsms.engine.catalogue.sla import SlaTerms, days_for, default_sla, due_on

TERMS = SlaTerms(critical=7, high=30, medium=90, low=180, unknown=60, kev=14, escalation=7)


@pytest.mark.parametrize(
    ("severity", "kev", "days"),
    [
        ("CRITICAL", False, 7),
        ("CRITICAL", True, 7),  # already stricter than KEV's
        ("HIGH", True, 14),  # KEV caps it
        ("medium", False, 90),
        ("NONE", False, 180),  # a CVSS "none" takes the low term
        ("UNKNOWN", True, 14),
        ("SEVERE", False, 60),  # not a severity: the unknown term
    ],
)
def test_the_days_by_severity_with_kev_stricter(severity: str, kev: bool, days: int) -> None:
    assert days_for(TERMS, severity, kev) == days


def test_the_due_date_and_the_shipped_defaults() -> None:
    assert due_on(dt.date(2026, 1, 30), TERMS, "HIGH", False) == dt.date(2026, 3, 1)
    shipped = default_sla()
    assert (shipped.urn, shipped.terms.kev) == ("urn:opencsms:catalogue:sla-defaults", 14)
    assert "BOD 22-01" in shipped.cites
    with pytest.raises(ValidationError):
        SlaTerms(critical=0, high=30, medium=90, low=180, unknown=60, kev=14, escalation=7)
