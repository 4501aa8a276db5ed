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
