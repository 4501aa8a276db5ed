"""Colours shared by the HTML and XLSX reports: risk values 1 (green) to 5 (red), and the table style."""

from __future__ import annotations

# risk value -> (background, text), as RGB hex without '#'
RISK_COLOURS: dict[int, tuple[str, str]] = {
    1: ("2E7D32", "FFFFFF"),
    2: ("9CCC65", "1B2A10"),
    3: ("FBC02D", "3A2A00"),
    4: ("EF6C00", "FFFFFF"),
    5: ("C62828", "FFFFFF"),
}
HEADER = ("1F3A5F", "FFFFFF")
ZEBRA = "F3F6FA"


def risk_colour(value: int | None) -> tuple[str, str] | None:
    return RISK_COLOURS.get(value) if value is not None else None


def tint(colour: str, amount: float = 0.7) -> str:
    """`colour` mixed with white (`amount` 0: unchanged, 1: white), for empty heat-map cells."""
    channels = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in channels)


# status (UN R155 Annex 5 coverage, threat scenario review) -> (background, text)
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


def status_key(label: str) -> str:
    """The colour key of a status label: `rejected, obsolete` is coloured as `rejected`."""
    return label.split(",", maxsplit=1)[0].strip()


def status_colour(label: object) -> tuple[str, str] | None:
    return STATUS_COLOURS.get(status_key(label)) if isinstance(label, str) else None


def status_class(label: object) -> str:
    """The CSS class of a status badge, e.g. `st-pending-review`."""
    key = status_key(label) if isinstance(label, str) else ""
    return "st-" + key.replace(" ", "-") if key in STATUS_COLOURS else "st-other"
