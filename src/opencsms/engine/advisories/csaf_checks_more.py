"""More CSAF 2.0 mandatory tests (section 6.1): CVSS consistency, involvements, hashes, version ranges in
product versions, versioning schemes. Split from `csaf_checks` by subject; same `(test id, message)` output.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from cvss import CVSS2, CVSS3
from cvss.exceptions import CVSSError

Problems = Iterator[tuple[str, str]]
_V3 = {
    "attackVector": ("AV", {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}),
    "attackComplexity": ("AC", {"L": "LOW", "H": "HIGH"}),
    "privilegesRequired": ("PR", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "userInteraction": ("UI", {"N": "NONE", "R": "REQUIRED"}),
    "scope": ("S", {"U": "UNCHANGED", "C": "CHANGED"}),
    "confidentialityImpact": ("C", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "integrityImpact": ("I", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "availabilityImpact": ("A", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
}
_V2 = {
    "accessVector": ("AV", {"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}),
    "accessComplexity": ("AC", {"H": "HIGH", "M": "MEDIUM", "L": "LOW"}),
    "authentication": ("Au", {"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}),
    "confidentialityImpact": ("C", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "integrityImpact": ("I", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "availabilityImpact": ("A", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
}
_RANGE_WORDS = re.compile(r"(<|>|(^|\s)(after|all|before|earlier|later|prior|versions)(\s|$))", re.IGNORECASE)


def _metrics(vector: str) -> dict[str, str]:
    return dict(
        part.split(":", 1) for part in vector.split("/") if ":" in part and not part.startswith("CVSS")
    )


def _scores(vuln: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    for score in vuln.get("scores") or ():
        for field in ("cvss_v3", "cvss_v2"):
            if isinstance(score.get(field), dict) and score[field].get("vectorString"):
                yield field, score[field], list(score.get("products") or ())


def cvss_consistency(document: dict[str, Any]) -> Problems:
    """6.1.7 one score per CVSS version and product; 6.1.9 scores as computed; 6.1.10 properties match."""
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        seen = Counter((str(data.get("version")), p) for _, data, products in _scores(vuln) for p in products)
        for (version, product), count in sorted(seen.items()):
            if count > 1:
                yield "6.1.7", f"vulnerability {index}: {product} has {count} CVSS {version} scores"
        for field, data, _ in _scores(vuln):
            yield from _one_score(index, field, data)


def _one_score(index: int, field: str, data: dict[str, Any]) -> Problems:
    vector = str(data["vectorString"])
    try:
        computed = CVSS3(vector) if field == "cvss_v3" else CVSS2(vector)
    except (CVSSError, ValueError, KeyError):
        return  # 6.1.8 reports the vector itself
    names = ("baseScore", "temporalScore", "environmentalScore")
    for name, value in zip(names, computed.scores(), strict=False):
        if name in data and value is not None and float(data[name]) != float(value):
            yield "6.1.9", f"vulnerability {index}: {field} {name} {data[name]} is {value} for its vector"
    if (
        field == "cvss_v3"
        and "baseSeverity" in data
        and data["baseSeverity"] != computed.severities()[0].upper()
    ):
        yield "6.1.9", f"vulnerability {index}: baseSeverity {data['baseSeverity']} does not fit the vector"
    metrics = _metrics(vector)
    for name, (metric, values) in (_V3 if field == "cvss_v3" else _V2).items():
        if name in data and values.get(metrics.get(metric, "")) != data[name]:
            yield "6.1.10", f"vulnerability {index}: {field} {name} {data[name]} contradicts the vector"


def involvements_and_hashes(document: dict[str, Any]) -> Problems:
    """6.1.24 one involvement per party and date; 6.1.25 one use of each hash algorithm per file."""
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        keys = Counter((i.get("party"), i.get("date")) for i in vuln.get("involvements") or ())
        for (party, date), count in sorted(keys.items(), key=str):
            if count > 1:
                yield "6.1.24", f"vulnerability {index}: {count} involvements of {party} on {date}"
    stack: list[Any] = [document.get("product_tree") or {}]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for file_hash in (
                item.get("hashes") or () if "hashes" in item and isinstance(item["hashes"], list) else ()
            ):
                algorithms = Counter(h.get("algorithm") for h in file_hash.get("file_hashes") or ())
                for algorithm, count in sorted(algorithms.items(), key=str):
                    if count > 1:
                        yield "6.1.25", f"{file_hash.get('filename')}: {algorithm} is used {count} times"
            stack.extend(v for k, v in item.items() if k != "hashes")
        elif isinstance(item, list):
            stack.extend(item)


def versions(document: dict[str, Any]) -> Problems:
    """6.1.30 integer and semantic versioning mixed; 6.1.31 a version range in a product_version branch."""
    stack: list[Any] = [(document.get("product_tree") or {}).get("branches") or []]
    while stack:
        for branch in stack.pop():
            name = str(branch.get("name", ""))
            if branch.get("category") == "product_version" and _RANGE_WORDS.search(name):
                yield "6.1.31", f"product_version {name!r} is a range; use product_version_range"
            stack.append(branch.get("branches") or [])
    tracking = document["document"].get("tracking") or {}
    numbers = [str(tracking.get("version", ""))] + [
        str(r.get("number", "")) for r in tracking.get("revision_history") or ()
    ]
    kinds = {n.isdigit() for n in numbers if n}
    if len(kinds) > 1:
        yield "6.1.30", f"integer and semantic versions are mixed: {', '.join(numbers)}"
