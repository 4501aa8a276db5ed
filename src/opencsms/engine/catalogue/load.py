"""Load the shipped catalogues once, validated."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from opencsms.engine import yamlsafe
from opencsms.engine.catalogue.schema import Annex5, AttackHops, Vocabulary, WorkProducts
from opencsms.engine.errors import CatalogueError

_T = TypeVar("_T", bound=BaseModel)


def _load(name: str, shape: type[_T]) -> _T:
    raw = (resources.files("opencsms") / "data" / "catalogues" / name).read_bytes()
    try:
        return shape.model_validate(yamlsafe.load(raw, name).data)
    except ValidationError as exc:
        raise CatalogueError(f"catalogue {name}: {exc}") from None


@cache
def vocabulary() -> Vocabulary:
    return _load("tara-vocabulary.yaml", Vocabulary)


@cache
def annex5() -> Annex5:
    return _load("unece-r155-annex5.yaml", Annex5)


@cache
def work_products() -> WorkProducts:
    return _load("iso21434-work-products.yaml", WorkProducts)


@cache
def attack_hops() -> AttackHops:
    return _load("attack-hops.yaml", AttackHops)
