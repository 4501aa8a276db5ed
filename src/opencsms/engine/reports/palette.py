"""How the TARA report shows its own kinds of values, in every format: risk values 1 (green) to 5 (red),
statuses (UN R155 Annex 5 coverage, review of threat scenarios), finding severities and attack-tree gates."""

from __future__ import annotations

from opencsms.engine.documents import Badge

# risk value -> (background, text), as RGB hex without '#'
RISK_COLOURS: dict[int, tuple[str, str]] = {
    1: ("2E7D32", "FFFFFF"),
    2: ("9CCC65", "1B2A10"),
    3: ("FBC02D", "3A2A00"),
    4: ("EF6C00", "FFFFFF"),
    5: ("C62828", "FFFFFF"),
}

# status -> (background, text)
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "covered": ("2E7D32", "FFFFFF"),
    "implemented": ("2E7D32", "FFFFFF"),
    "not applicable": ("CFD6DE", "33404F"),
    "pending review": ("FBC02D", "3A2A00"),
    "proposed": ("FBC02D", "3A2A00"),
    "uncovered": ("C62828", "FFFFFF"),
    "missing": ("C62828", "FFFFFF"),
    "rejected": ("5D6B7C", "FFFFFF"),
    "merged": ("8A9BB0", "FFFFFF"),
    "obsolete": ("CFD6DE", "33404F"),
}

RISK = Badge(
    "risk",
    "risk",
    {str(value): colours for value, colours in RISK_COLOURS.items()},
    prefix="r",
    title="risk value",
    numeric=True,
)
STATUS = Badge("status", "state", STATUS_COLOURS, prefix="st-", fallback="st-other")
SEVERITY = Badge("severity", "status", classes={"error": "err"}, fallback="warn")
GATE = Badge("gate", "gate", tag=True)
BADGES = (RISK, STATUS, SEVERITY, GATE)


def status_class(label: object) -> str:
    """The CSS class of a status badge, e.g. `st-pending-review`; `rejected, obsolete` is `st-rejected`."""
    return STATUS.variant(label if isinstance(label, str) else "")
