"""Read and write TARA-as-code files: YAML <-> `TaraModel`, with errors naming file, line and column."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from opencsms.engine import yamlsafe
from opencsms.engine.errors import CatalogueError, ParseError, Problem
from opencsms.engine.method import MethodProfile, load_profile
from opencsms.engine.method.load import SHIPPED_PROFILES
from opencsms.engine.tara.model import TaraModel
from opencsms.engine.tara_as_code.build import Builder
from opencsms.engine.tara_as_code.dump import to_document
from opencsms.engine.tara_as_code.order import canonical_order
from opencsms.engine.tara_as_code.schema import FORMAT, MethodDoc, TaraDoc
from opencsms.engine.yamlsafe import Path

MAX_PROBLEMS = 50
_UNION_TAG = re.compile(r"[\[(]|^function-")  # pydantic names union members in error locations


def schema_problems(exc: ValidationError, source: yamlsafe.Document, prefix: Path = ()) -> list[Problem]:
    """The schema's complaints as problems; `prefix`: where the validated value sits in the document."""
    problems, seen = [], set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        path = prefix + tuple(p for p in loc if isinstance(p, int) or not _UNION_TAG.search(str(p)))
        where = source.where(path)
        if (where, path[:2]) in seen:
            continue  # one message per place: unions report each alternative
        seen.add((where, path[:2]))
        dotted = ".".join(str(p) for p in path) or "(top level)"
        rule = {"missing": "missing-field", "extra_forbidden": "unknown-field"}.get(
            error["type"], "invalid-value"
        )
        message = error["msg"].removeprefix("Value error, ")
        problems.append(source.problem(path, rule, f"{dotted}: {message}", at_key=rule == "unknown-field"))
    return problems[:MAX_PROBLEMS]


def parse(
    raw: bytes, file: str = "<input>", base: FsPath | None = None, generating: bool = False
) -> tuple[TaraModel, MethodProfile]:
    """Bytes of a TARA file -> the model and its method profile, or `ParseError` listing every problem.

    The file is read keeping only the positions of mappings and lists; when there are problems, it is
    read again with the position of every value, so that each problem points at its exact place.
    `generating`: references from generated threat scenarios may dangle (the architecture changed and
    generation is about to mark them obsolete); such a model is for generation, not for evaluation.
    """
    light = yamlsafe.load(raw, file, every_value=False)  # syntax and hostile input fail here, precisely
    return _parse_located(raw, light, base, generating)


def _parse_located(
    raw: bytes, light: yamlsafe.Document, base: FsPath | None, generating: bool
) -> tuple[TaraModel, MethodProfile]:
    try:
        return _parse(light, base, generating)
    except ParseError:
        pass
    return _parse(yamlsafe.load(raw, light.file), base, generating)


def shipped_profile_only(data: Any, file: str) -> None:
    method = data.get("method") if isinstance(data, dict) else None
    profile = method.get("profile", "iso21434") if isinstance(method, dict) else "iso21434"
    if profile not in SHIPPED_PROFILES:
        known = ", ".join(SHIPPED_PROFILES)
        message = f"method.profile {profile!r}: only the shipped profiles are accepted here ({known})"
        raise ParseError([Problem("bad-profile", message, file)])


@dataclass(frozen=True)
class Parsed:
    """A valid document's model and profile with what checking a changed entry of it needs
    (`incremental.replace_entry`)."""

    model: TaraModel
    profile: MethodProfile
    method: MethodDoc  # the document's method settings (the default rating approach)
    kinds: Mapping[str, str]  # every id the document declares -> what it is (component, attack step, ...)
    unresolved: frozenset[str]  # ids obsolete generated threat scenarios name that nothing declares
    file: str


def parse_state(data: Any, file: str = "<database>") -> Parsed:
    """Plain data in the TARA-as-code shape (e.g. assembled from database rows) -> the parsed document:
    its model and profile with the ids it declares; or `ParseError` listing every problem.

    The data has no positions, so problems name their place by path and id instead of line and column.
    Only the shipped method profiles are accepted (a profile file path would be read from disk).
    """
    shipped_profile_only(data, file)
    source = yamlsafe.Document(data, file)
    doc, profile = validated(source)
    model, builder = build_model(doc, source, profile)
    return Parsed(model, profile, doc.method, builder.kinds, frozenset(builder.unresolved), file)


def parse_data(data: Any, file: str = "<database>") -> tuple[TaraModel, MethodProfile]:
    """`parse_state` for who needs only the model and its profile."""
    parsed = parse_state(data, file)
    return parsed.model, parsed.profile


def read_document(raw: bytes, file: str = "<input>") -> tuple[dict[str, Any], TaraModel, MethodProfile]:
    """Bytes of a TARA file -> its plain data, model and profile (shipped profiles only, as `parse_data`).

    For storing a document elsewhere: the data is what the file says, in its order.
    """
    light = yamlsafe.load(raw, file, every_value=False)
    shipped_profile_only(light.data, file)
    model, profile = _parse_located(raw, light, None, False)
    data: dict[str, Any] = light.data
    return data, model, profile


def _parse(
    source: yamlsafe.Document, base: FsPath | None, generating: bool
) -> tuple[TaraModel, MethodProfile]:
    doc, profile = validated(source, base)
    return build_model(doc, source, profile, generating)[0], profile


def validated(source: yamlsafe.Document, base: FsPath | None = None) -> tuple[TaraDoc, MethodProfile]:
    """The document checked against the schema, and its method profile; or `ParseError`."""
    data: Any = source.data
    if not isinstance(data, dict) or data.get("opencsms") != FORMAT:
        raise ParseError([source.problem((), "not-a-tara", f"a TARA file starts with `opencsms: {FORMAT}`")])
    try:
        doc = TaraDoc.model_validate(data)
    except ValidationError as exc:
        raise ParseError(schema_problems(exc, source)) from None
    try:
        profile = load_profile(doc.method.profile, base)
    except CatalogueError as exc:
        raise ParseError([source.problem(("method", "profile"), "bad-profile", str(exc))]) from None
    return doc, profile


def build_model(
    doc: TaraDoc, source: yamlsafe.Document, profile: MethodProfile, generating: bool = False
) -> tuple[TaraModel, Builder]:
    """The model with the builder that made it (the ids it declared), or `ParseError` (every reference
    and rating checked)."""
    builder = Builder(doc, source, profile, generating)
    model = builder.build()
    if builder.problems:
        raise ParseError(builder.problems[:MAX_PROBLEMS])
    return model, builder


def load_file(path: FsPath, max_bytes: int = yamlsafe.MAX_BYTES) -> tuple[TaraModel, MethodProfile]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(
                [Problem("file-too-large", f"{size:,} bytes; the limit is {max_bytes:,}", str(path))]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError([Problem("unreadable", exc.strerror or str(exc), str(path))]) from None
    return parse(raw, str(path), path.parent)


def dump_data(data: dict[str, Any]) -> str:
    """Plain data in the TARA-as-code shape as YAML, keys in the schema's order (`order.py`)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(
        canonical_order(data), Dumper=dumper, sort_keys=False, allow_unicode=True, width=110
    )
    return text


def dumps(model: TaraModel) -> str:
    """The model as TARA-as-code YAML (no comments); `parse(dumps(m))` gives back an equal model."""
    return yaml.safe_dump(to_document(model), sort_keys=False, allow_unicode=True, width=110)
