"""Validate every kind of data file: method profiles, catalogues and threat rules, shipped or a user's own."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ValidationError

from opencsms.engine import yamlsafe
from opencsms.engine.catalogue.schema import Annex5, AttackHops, Vocabulary, WorkProducts
from opencsms.engine.catalogue.sla import SlaDefaults
from opencsms.engine.errors import CatalogueError, ParseError
from opencsms.engine.method.load import load_profile
from opencsms.engine.threatgen.rules import load_rules

_SHAPES: dict[str, type[BaseModel]] = {
    "urn:opencsms:catalogue:tara-vocabulary": Vocabulary,
    "urn:opencsms:catalogue:unece-r155-annex5": Annex5,
    "urn:opencsms:catalogue:iso21434-work-products": WorkProducts,
    "urn:opencsms:catalogue:attack-hops": AttackHops,
    "urn:opencsms:catalogue:sla-defaults": SlaDefaults,
}


def shipped_files() -> list[Path]:
    data = Path(str(resources.files("opencsms") / "data"))
    return sorted(data.glob("*/*.yaml"))


def validate_file(path: Path) -> str:
    """One line describing a valid file; `CatalogueError` naming the problem otherwise."""
    try:
        data = yamlsafe.load(path.read_bytes(), str(path)).data
    except (OSError, ParseError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    urn = data.get("urn", "") if isinstance(data, dict) else ""
    if urn.startswith("urn:opencsms:method:") or "extends" in (data if isinstance(data, dict) else {}):
        profile = load_profile(path.name, path.parent)
        return f"{path}: method profile {profile.urn} {profile.source.version} ({', '.join(profile.methods)})"
    if urn.startswith("urn:opencsms:rules:"):
        rules = load_rules((path,), shipped=False)
        return f"{path}: threat rules {urn} {data.get('version')} ({len(rules.rules)} rules)"
    shape = _SHAPES.get(urn)
    if shape is None:
        raise CatalogueError(
            f"{path}: unknown urn {urn!r}; expected a method profile or one of {sorted(_SHAPES)}"
        )
    try:
        shape.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    return f"{path}: catalogue {urn} {data.get('version')}"
