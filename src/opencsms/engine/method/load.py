"""Load method profiles: shipped ones by name, or an organisation's file that `extends` one of them."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from opencsms.engine import yamlsafe
from opencsms.engine.errors import CatalogueError, ParseError
from opencsms.engine.method.profile import MethodProfile, build_profile
from opencsms.engine.method.schema import ProfileFile

SHIPPED_PROFILES = {"iso21434": "iso21434.yaml", "heavens-1.0": "heavens-1.0.yaml", "evita": "evita.yaml"}
MAX_EXTENDS = 4


def _shipped_bytes(name: str) -> bytes:
    return (resources.files("opencsms") / "data" / "methods" / SHIPPED_PROFILES[name]).read_bytes()


def _raw(reference: str, base: Path | None, depth: int) -> dict[str, Any]:
    """The profile's data with its `extends` chain merged in (child values win; null removes)."""
    if depth > MAX_EXTENDS:
        raise CatalogueError(f"profile {reference!r}: `extends` nests deeper than {MAX_EXTENDS}")
    if reference in SHIPPED_PROFILES:
        raw, name, here = _shipped_bytes(reference), f"<shipped profile {reference}>", None
    else:
        path = (base / reference) if base else Path(reference)
        if not path.is_file():
            known = ", ".join(SHIPPED_PROFILES)
            raise CatalogueError(
                f"method profile {reference!r} is neither a shipped one ({known}) nor a file"
            )
        raw, name, here = path.read_bytes(), str(path), path.parent
    data = yamlsafe.load(raw, name).data
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: a method profile is a mapping")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    return _merge(_raw(str(parent), here, depth + 1), data)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _load_cached(reference: str, base: str) -> MethodProfile:
    data = _raw(reference, Path(base) if base else None, 0)
    try:
        source = ProfileFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CatalogueError(f"method profile {reference!r}: {where}: {first['msg']}") from None
    return build_profile(source)


def load_profile(reference: str = "iso21434", base: Path | None = None) -> MethodProfile:
    """A shipped profile by name, or a profile file relative to `base` (the TARA file's folder)."""
    try:
        return _load_cached(reference, str(base) if base and reference not in SHIPPED_PROFILES else "")
    except ParseError as exc:
        raise CatalogueError(str(exc)) from None
