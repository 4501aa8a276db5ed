"""Advisory intake (ISO/SAE 21434 clause 8.4, R155 7.2.2.2(g)): files, folders and zip archives -> advisories.

`parse_advisories(raw, file)` detects the format of one JSON document and calls the parser registered for it
in `ADVISORY_PARSERS` (explicit; no discovery). `read_advisories(paths)` walks folders and zip archives:
files that are not advisories (READMEs, schemas, ROLIE feeds) are listed as skipped with the reason, while a
malformed advisory stops the read with a `ParseError` naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opencsms.engine.advisories.csaf import parse_csaf
from opencsms.engine.advisories.cve5 import parse_cve5
from opencsms.engine.advisories.exploits import parse_epss, parse_kev
from opencsms.engine.advisories.model import (
    Advisory,
    Affected,
    EpssScore,
    Event,
    KevEntry,
    Range,
    RangeKind,
    Severity,
)
from opencsms.engine.advisories.nvd import parse_nvd
from opencsms.engine.advisories.osv import parse_osv
from opencsms.engine.errors import ParseError, Problem
from opencsms.engine.safeinput import load_json, refuse, zip_members

__all__ = [
    "ADVISORY_PARSERS",
    "Advisory",
    "AdvisoryRead",
    "Affected",
    "EpssScore",
    "Event",
    "KevEntry",
    "Range",
    "RangeKind",
    "Severity",
    "detect_advisory_format",
    "parse_advisories",
    "parse_epss",
    "parse_kev",
    "read_advisories",
]

ADVISORY_PARSERS: dict[str, Callable[[Any, str], list[Advisory]]] = {
    "osv": lambda data, file: [parse_osv(data, file)],
    "osv-list": lambda data, file: [parse_osv(item, file) for item in data],
    "nvd-api-2.0": parse_nvd,
    "cve-json-5": lambda data, file: [parse_cve5(data, file)],
    "csaf-2.0": parse_csaf,
}


@dataclass(frozen=True)
class AdvisoryRead:
    """What a read found: the advisories, and the files skipped as not advisories (with the reason)."""

    advisories: tuple[Advisory, ...]
    skipped: tuple[Problem, ...] = ()


def detect_advisory_format(data: Any, file: str) -> str:
    """The registry key for a loaded JSON document, or a `ParseError` (rule 'not-an-advisory')."""
    if isinstance(data, list) and data and all(isinstance(d, dict) and "id" in d for d in data):
        return "osv-list"
    if not isinstance(data, dict):
        raise refuse(file, "not-an-advisory", "neither an object nor a list of OSV records")
    if isinstance(data.get("document"), dict) and "csaf_version" in data["document"]:
        return "csaf-2.0"
    if data.get("dataType") == "CVE_RECORD":
        return "cve-json-5"
    if data.get("format") == "NVD_CVE" or (
        isinstance(data.get("vulnerabilities"), list) and "cve" in str(data["vulnerabilities"][:1])
    ):
        return "nvd-api-2.0"
    if "id" in data and ("modified" in data or "affected" in data or "schema_version" in data):
        return "osv"
    if "feed" in data:
        raise refuse(file, "not-an-advisory", "a ROLIE feed: it lists advisories to fetch, it is not one")
    raise refuse(file, "not-an-advisory", "not OSV, NVD API 2.0, CVE JSON 5 or CSAF 2.0")


def parse_advisories(raw: bytes, file: str = "<input>") -> list[Advisory]:
    """Bytes of one advisory document (any registered format) to advisories."""
    data = load_json(raw, file)
    return ADVISORY_PARSERS[detect_advisory_format(data, file)](data, file)


def _documents(paths: Iterable[Path]) -> Iterator[tuple[str, bytes]]:
    for path in paths:
        if path.is_dir():
            yield from _documents(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.suffix.lower() == ".zip":
            yield from zip_members(path.read_bytes(), str(path))
        elif path.exists():
            yield str(path), path.read_bytes()
        else:
            raise refuse(str(path), "unreadable", "no such file or folder")


def read_advisories(
    paths: Iterable[Path],
    explicit_files_must_parse: bool = True,
    progress: Callable[[str], None] | None = None,
) -> AdvisoryRead:
    """Advisories from files, folders (recursively) and zip archives; non-advisory files are skipped.

    `progress`, when given, is called with each document's name before it is read (for progress bars).
    """
    paths = list(paths)
    named = {str(p) for p in paths if p.is_file() and p.suffix.lower() != ".zip"}
    advisories: list[Advisory] = []
    skipped: list[Problem] = []
    for name, raw in _documents(paths):
        if progress is not None:
            progress(name)
        if not name.lower().endswith(".json") and name not in named:
            skipped.append(Problem("not-json", "only .json files are read in folders and archives", name))
            continue
        try:
            advisories.extend(parse_advisories(raw, name))
        except ParseError as exc:
            if exc.problems[0].rule != "not-an-advisory" or (explicit_files_must_parse and name in named):
                raise
            skipped.extend(exc.problems)
    return AdvisoryRead(tuple(advisories), tuple(skipped))
