"""Package URLs and CPE 2.3 names: validation and one canonical spelling, so equal packages compare equal.

ISO/SAE 21434 clause 8.5 needs a component to be identified the same way in the SBOM and in the advisory;
purls are canonicalised with packageurl-python, CPE 2.2 URIs are converted to 2.3 formatted strings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packageurl import PackageURL

CPE23_FIELDS = 13
_CPE22 = re.compile(r"^cpe:/([aho]?)(.*)$", re.IGNORECASE)
_CASE_INSENSITIVE_TYPES = frozenset({"npm", "pypi", "cargo", "gem", "composer", "nuget", "hex", "pub"})
_GO_ESCAPED = re.compile(r"!([a-z])")


@lru_cache(maxsize=65536)
def canonical_purl(text: str) -> str:
    """The canonical string of a purl, or "" when `text` is not a valid purl."""
    try:
        return str(PackageURL.from_string(text.strip()).to_string())
    except ValueError:
        return ""


@lru_cache(maxsize=65536)
def purl_parts(purl: str) -> tuple[str, str, str, str]:
    """(type, namespace, name, version) of a purl; namespace and name normalised for matching."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return ("", "", "", "")
    kind = parsed.type.lower()
    namespace, name = parsed.namespace or "", parsed.name
    if kind == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()
    elif kind in _CASE_INSENSITIVE_TYPES:
        namespace, name = namespace.lower(), name.lower()
    if kind == "golang":  # Go modules are keyed by their whole path, in its own case
        namespace, name = "", go_module_path(f"{namespace}/{name}" if namespace else name)
    return (kind, namespace, name, parsed.version or "")


def go_module_path(text: str) -> str:
    """A Go module path as Go spells it: case kept, the module proxy's escaping undone.

    Go module paths are case-sensitive (go.dev/ref/mod, "Module paths"); the module proxy protocol writes
    each capital as '!' and the lower-case letter, so that paths differing only in case stay apart on
    case-insensitive file systems (go.dev/ref/mod#goproxy-protocol: `github.com/!azure/...` is
    `github.com/Azure/...`). Both sides of a match are keyed by this one spelling; never lower-cased.
    """
    return _GO_ESCAPED.sub(lambda m: m.group(1).upper(), text.strip())


def _cpe22_to_23(text: str) -> str:
    match = _CPE22.match(text)
    if not match:
        return ""
    part = match.group(1).lower() or "*"
    values = [v or "*" for v in match.group(2).lstrip(":").split(":")]
    values = (values + ["*"] * 10)[:10]
    return ":".join(["cpe", "2.3", part, *values])


@lru_cache(maxsize=65536)
def canonical_cpe(text: str) -> str:
    """A CPE 2.3 formatted string (lower-case), converting CPE 2.2 URIs; "" when `text` is not a CPE."""
    text = text.strip()
    if text.lower().startswith("cpe:/"):
        text = _cpe22_to_23(text)
    fields = split_cpe(text)
    if len(fields) != CPE23_FIELDS or fields[0].lower() != "cpe" or fields[1] != "2.3":
        return ""
    if fields[2].lower() not in {"a", "o", "h", "*"} or not fields[3] or not fields[4]:
        return ""
    return ":".join(f.lower() for f in fields)


def pairs(items: Any, first: str, second: str) -> tuple[tuple[str, str], ...]:
    """(first, second) values of a list of objects, e.g. (algorithm, digest) of SBOM hashes."""
    return tuple((str(i.get(first, "")), str(i.get(second, ""))) for i in items or () if isinstance(i, dict))


def cpe_word(text: str) -> str:
    """A vendor or product name as CPE spells it: lower case, spaces as underscores."""
    return re.sub(r"\s+", "_", text.strip().lower())


def split_cpe(text: str) -> list[str]:
    """The fields of a CPE 2.3 string, honouring backslash-escaped colons."""
    return re.split(r"(?<!\\):", text)
