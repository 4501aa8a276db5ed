"""Colours every format shares: the brand (headers), the zebra stripes of tables, and tints of a colour."""

from __future__ import annotations

HEADER = ("1F3A5F", "FFFFFF")  # (background, text), RGB hex without '#'
ZEBRA = "F3F6FA"
MUTED = "5D6B7C"


def tint(colour: str, amount: float = 0.7) -> str:
    """`colour` mixed with white (`amount` 0: unchanged, 1: white), e.g. for an empty matrix cell."""
    channels = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in channels)
