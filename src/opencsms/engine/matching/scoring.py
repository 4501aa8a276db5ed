"""CVSS v2, v3.x and v4.0 vectors scored with the `cvss` package; the qualitative rating (21434 8.5, 15.5).

Ratings follow the CVSS specifications: v3/v4 None 0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9,
Critical 9.0-10.0; v2 has no Critical (High 7.0-10.0). A vector the package refuses scores None.
"""

from __future__ import annotations

from functools import lru_cache

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from opencsms.engine.advisories.model import Severity

_WORDS = {
    "critical": "CRITICAL",
    "high": "HIGH",
    "important": "HIGH",
    "moderate": "MEDIUM",
    "medium": "MEDIUM",
    "low": "LOW",
    "negligible": "LOW",
    "none": "NONE",
}


def rating(score: float, version: int) -> str:
    """The qualitative severity of a CVSS base score."""
    if score == 0:
        return "NONE"
    if score < 4:
        return "LOW"
    if score < 7:
        return "MEDIUM"
    if score < 9 or version == 2:
        return "HIGH"
    return "CRITICAL"


@lru_cache(maxsize=65536)
def score_vector(vector: str) -> tuple[float | None, str]:
    """(base score, rating) of a CVSS vector of any version; (None, 'UNKNOWN') when it cannot be scored."""
    text = vector.strip()
    try:
        if text.startswith("CVSS:4"):
            return float(CVSS4(text).base_score), rating(float(CVSS4(text).base_score), 4)
        if text.startswith("CVSS:3"):
            value = float(CVSS3(text).scores()[0])
            return value, rating(value, 3)
        value = float(CVSS2(text.removeprefix("(").removesuffix(")")).scores()[0])
        return value, rating(value, 2)
    except (CVSSError, ValueError, KeyError, IndexError):
        return None, _WORDS.get(text.lower(), "UNKNOWN")


def worst(severities: tuple[Severity, ...]) -> tuple[float | None, str]:
    """The highest-scoring vector of an advisory (newest CVSS version wins a tie)."""
    best: tuple[float | None, str] = (None, "UNKNOWN")
    for severity in severities:
        value, label = score_vector(severity.vector)
        if value is not None and (best[0] is None or value > best[0]):
            best = (value, label)
        elif best[0] is None and label != "UNKNOWN":
            best = (None, label)
    return best


def best_alias(scored: tuple[tuple[str, Severity], ...]) -> tuple[float | None, str, str]:
    """(score, rating, advisory id) of the highest-scoring vector among other records of the same
    vulnerability ((advisory id, vector) pairs), the first in id order on a tie; the id is "" when none
    has a score. The rule for a record without CVSS (Go's vulndb): its severity is its best-scored
    alias's, and the finding names that alias."""
    best: tuple[float | None, str, str] = (None, "UNKNOWN", "")
    for identifier, severity in sorted(scored, key=lambda pair: pair[0]):
        value, label = score_vector(severity.vector)
        if value is not None and (best[0] is None or value > best[0]):
            best = (value, label, identifier)
    return best


_EXPLOITABILITY = {  # CVSS v3.1 specification 7.4, scope unchanged: the metrics' weights
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "PR": {"N": 0.85, "L": 0.62, "H": 0.27},
    "UI": {"N": 0.85, "R": 0.62},
}


def exploitability(vector: str) -> float:
    """The CVSS v3.1 exploitability sub-score (8.22 x AV x AC x PR x UI, CVSS v3.1 7.1) of an
    `AV:x/AC:x/PR:x/UI:x` part (what a TARA attack step's `cvss` holds; other metrics ignored); 0.0 when
    a metric is missing or unknown, so any rated vector ranks above it (ISO/SAE 21434 G.3)."""
    parts = dict(p.split(":", 1) for p in vector.split("/") if ":" in p)
    product = 8.22
    for metric, weights in _EXPLOITABILITY.items():
        weight = weights.get(parts.get(metric, ""))
        if weight is None:
            return 0.0
        product *= weight
    return round(product, 2)
