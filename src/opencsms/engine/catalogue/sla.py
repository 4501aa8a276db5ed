"""Remediation service levels (SLAs) as data: the days a vulnerability of each severity has before it is
due, fewer for one known to be exploited (CISA KEV), and the days overdue before it is escalated.

`data/catalogues/sla-defaults.yaml` is the policy of an organisation that has not set its own. The rule
is pure: `days_for(terms, severity, kev)` and `due_on(detected, terms, severity, kev)`; the server
stores an organisation's own terms (`vulns.models.SlaPolicy`) and applies them to findings.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from pydantic import Field

from opencsms.engine.catalogue.load import _load
from opencsms.engine.catalogue.schema import CatalogueHeader, _Strict

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN")
MAX_DAYS = 3650  # ten years: a longer term is a typing slip, not a policy
ALSO = {"NONE": "LOW"}  # a scored severity without its own term (CVSS "none") takes this one's


class SlaTerms(_Strict):
    """The days to remediate by severity, for KEV-listed findings (the stricter of the two applies) and
    the days overdue before escalation."""

    critical: int = Field(ge=1, le=MAX_DAYS)
    high: int = Field(ge=1, le=MAX_DAYS)
    medium: int = Field(ge=1, le=MAX_DAYS)
    low: int = Field(ge=1, le=MAX_DAYS)
    unknown: int = Field(ge=1, le=MAX_DAYS)
    kev: int = Field(ge=1, le=MAX_DAYS)
    escalation: int = Field(ge=0, le=MAX_DAYS)


class SlaDefaults(CatalogueHeader):
    """The shape of `sla-defaults.yaml`: a catalogue header and the terms."""

    terms: SlaTerms


def days_for(terms: SlaTerms, severity: str, kev: bool) -> int:
    """The days a finding of `severity` has (an unknown severity: `unknown`); a KEV-listed one has at
    most `kev` days (CISA BOD 22-01 asks for remediation within the KEV entry's due date)."""
    name = ALSO.get(severity.upper(), severity.upper())
    days: int = getattr(terms, name.lower()) if name in SEVERITIES else terms.unknown
    return min(days, terms.kev) if kev else days


def due_on(detected: dt.date, terms: SlaTerms, severity: str, kev: bool) -> dt.date:
    """The day a finding detected on `detected` is due under `terms`."""
    return detected + dt.timedelta(days=days_for(terms, severity, kev))


@cache
def default_sla() -> SlaDefaults:
    """The shipped defaults (`data/catalogues/sla-defaults.yaml`), read once."""
    return _load("sla-defaults.yaml", SlaDefaults)
