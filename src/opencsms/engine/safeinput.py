"""Read machine-made documents (SBOMs, advisories, VEX) without trusting them.

ISO/SAE 21434 clause 8 (vulnerability analysis) consumes supplier and public data; every reader here refuses
oversized files, text that is not UTF-8, nesting deeper than a limit, XML with a DTD or entities (billion
laughs, external entities: every XML parse goes through defusedxml) and zip archives whose members are too
large, too many or compressed suspiciously well (zip bombs). Each refusal is a `ParseError` naming the file
and the problem.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XmlSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from opencsms.engine.errors import ParseError, Problem
from opencsms.engine.yamlsafe import decode

MAX_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 100
MAX_ZIP_MEMBERS = 100_000
MAX_ZIP_TOTAL = 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def refuse(file: str, rule: str, message: str) -> ParseError:
    """One problem, as the error every reader raises."""
    return ParseError([Problem(rule, message, file)])


def csv_rows(lines: Iterable[str], file: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV text; a malformed CSV or a field longer than the csv module's limit
    (128 KiB) is refused, named, instead of escaping as `csv.Error`."""
    reader = csv.DictReader(lines)
    try:
        return list(reader.fieldnames or ()), list(reader)
    except csv.Error as exc:
        raise refuse(file, "csv-syntax", f"line {reader.line_num}: {exc}") from None


def json_depth(raw: bytes) -> int:
    """Deepest nesting of arrays and objects, found without parsing (strings removed, pairs peeled off)."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = 0
    while brackets and depth <= MAX_DEPTH:
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            break  # unbalanced: the JSON parser will name the syntax error
        brackets, depth = shorter, depth + 1
    return depth


def lone_surrogate(raw: bytes, data: Any) -> bool:
    """Whether JSON `data` (parsed from `raw`) holds a string with a lone surrogate (an escape such as
    \\ud800 without its pair): valid JSON, but not Unicode text, so no database or file can store it. Only
    text with such an escape is checked further."""
    if not _SURROGATE_ESCAPE.search(raw):
        return False
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def load_json(raw: bytes, file: str, max_bytes: int | None = None) -> Any:
    """UTF-8 JSON to plain data, refusing oversized input, other encodings, deep nesting and strings that are
    not Unicode text (lone surrogates)."""
    text = decode(raw, file, max_bytes or MAX_BYTES)
    if json_depth(raw) > MAX_DEPTH:
        raise refuse(file, "too-deep", f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError([Problem("json-syntax", exc.msg, file, exc.lineno, exc.colno)]) from None
    except RecursionError:  # pragma: no cover - json_depth refuses first
        raise refuse(file, "too-deep", "JSON nested too deeply") from None
    if lone_surrogate(raw, data):
        raise refuse(file, "lone-surrogate", "a string has a lone surrogate escape (e.g. \\ud800): not text")
    return data


def load_xml(raw: bytes, file: str, max_bytes: int | None = None) -> Element:
    """XML to an element tree through defusedxml: no DTD, entities or external references; bounded depth."""
    max_bytes = max_bytes or MAX_BYTES
    if len(raw) > max_bytes:
        raise refuse(file, "file-too-large", f"{len(raw):,} bytes; the limit is {max_bytes:,}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(file, "encoding", "the file is UTF-16; save it as UTF-8")
    depth = 0
    root: Element | None = None
    try:
        for event, element in iterparse(io.BytesIO(raw), events=("start", "end"), forbid_dtd=True):
            if event == "end":
                depth -= 1
                continue
            root = element if root is None else root
            depth += 1
            if depth > MAX_DEPTH:
                raise refuse(file, "too-deep", f"XML nested deeper than {MAX_DEPTH} levels")
    except DefusedXmlException as exc:
        raise refuse(file, "xml-forbidden", f"DTDs and entities are not accepted ({exc})") from None
    except XmlSyntaxError as exc:
        line, column = exc.position
        raise ParseError([Problem("xml-syntax", str(exc), file, line, column)]) from None
    if root is None:  # pragma: no cover - the parser refuses an empty document
        raise refuse(file, "xml-syntax", "no root element")
    return root


def zip_members(raw: bytes, file: str) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each file in a zip archive, refusing archives that expand too far (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise refuse(file, "zip", f"not a readable zip archive ({exc})") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_ZIP_MEMBERS:
        raise refuse(file, "zip-bomb", f"{len(members):,} members; the limit is {MAX_ZIP_MEMBERS:,}")
    _check_sizes(members, file)
    for member in members:
        try:
            with archive.open(member) as stream:
                data = stream.read(member.file_size + 1)  # a lying header cannot expand further than declared
        except (zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
            raise refuse(file, "zip", f"{member.filename} cannot be read ({exc})") from None
        if len(data) > member.file_size:
            raise refuse(file, "zip-bomb", f"{member.filename} is larger than its header says")
        yield f"{file}!{member.filename}", data


def _check_sizes(members: list[zipfile.ZipInfo], file: str) -> None:
    """Refuse the archive before reading anything when a member or the total would expand too far."""
    total = 0
    for member in members:
        ratio = member.file_size // max(member.compress_size, 1)
        if ratio > MAX_ZIP_RATIO and member.file_size > 1 << 20:
            raise refuse(
                file, "zip-bomb", f"{member.filename} expands {ratio}-fold; the limit is {MAX_ZIP_RATIO}"
            )
        total += member.file_size
        if total > MAX_ZIP_TOTAL:
            raise refuse(file, "zip-bomb", f"more than {MAX_ZIP_TOTAL:,} bytes uncompressed")


def gunzip(raw: bytes, file: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The content of a gzip file (RFC 1952), refusing one that expands past `max_bytes` (a gzip bomb)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise refuse(file, "gzip", f"not a readable gzip file ({exc})") from None
    if len(data) > max_bytes or inflater.unconsumed_tail:
        raise refuse(file, "gzip-bomb", f"more than {max_bytes:,} bytes uncompressed")
    return data
