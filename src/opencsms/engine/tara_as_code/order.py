"""The canonical key order of a TARA document: the order of the fields in the `tara/1` schema.

A document read from a file keeps the file's order, but a database need not (PostgreSQL's JSONB sorts
keys). Writing every document in the schema's order makes an export independent of where the document
was kept: the same content gives the same bytes. Mappings whose keys are data (impact per category,
attack-potential factors) are written with their keys sorted.
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

from pydantic import BaseModel

from opencsms.engine.tara_as_code.schema import TaraDoc


def _models_in(annotation: Any) -> tuple[type[BaseModel], ...]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    return tuple(model for arg in typing.get_args(annotation) for model in _models_in(arg))


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel] | None], ...]:
    """(key in the file, the model of its value or of its list items, if any), in schema order."""
    fields = []
    for name, info in model.model_fields.items():
        models = _models_in(info.annotation)
        fields.append((info.alias or name, models[0] if models else None))
    return tuple(fields)


def _ordered(value: Any, model: type[BaseModel] | None) -> Any:
    if model is None:  # a mapping with free keys (impact categories, rating factors): sorted keys
        return {key: value[key] for key in sorted(value)} if isinstance(value, dict) else value
    if isinstance(value, list):
        return [_ordered(item, model) for item in value]
    if not isinstance(value, dict):
        return value
    known = _fields(model)
    ordered = {key: _ordered(value[key], sub) for key, sub in known if key in value}
    ordered.update((key, item) for key, item in value.items() if key not in ordered)  # unknown keys last
    return ordered


def canonical_order(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the keys of every mapping in the schema's order, free keys sorted (values kept)."""
    result: dict[str, Any] = _ordered(document, TaraDoc)
    return result
