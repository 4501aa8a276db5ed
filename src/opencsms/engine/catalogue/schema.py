"""Shapes of the catalogue files in src/opencsms/data/catalogues/."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from opencsms.engine.method.schema import VECTORS, Vector


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogueHeader(_Strict):
    urn: str = Field(pattern=r"^urn:opencsms:catalogue:[a-z0-9.\-]+$")
    version: str
    name: str
    cites: str
    confidence: Literal["high", "medium", "low"]


class Entry(_Strict):
    id: str
    label: str


class StrideEntry(Entry):
    property: str


class InterfaceKind(Entry):
    vector: Vector


WordList = Literal["properties", "stride", "component_kinds", "interface_kinds", "attack_vectors"]


class Vocabulary(CatalogueHeader):
    """The TARA format's words (properties, STRIDE classes, component and interface kinds, attack vectors):
    the file format, the threat rules and the server's forms take them from here."""

    properties: list[Entry]
    stride: list[StrideEntry]
    component_kinds: list[Entry]
    interface_kinds: list[InterfaceKind]
    attack_vectors: list[Entry]

    @model_validator(mode="after")
    def _engine_vectors(self) -> Vocabulary:
        if self.ids("attack_vectors") != VECTORS:
            raise ValueError(f"attack_vectors must be {list(VECTORS)} in this order (the method's vectors)")
        return self

    def ids(self, words: WordList) -> tuple[str, ...]:
        """The ids of one list, in the catalogue's order."""
        entries: list[Entry] = getattr(self, words)
        return tuple(entry.id for entry in entries)


class Annex5Category(_Strict):
    id: str
    title: str


class Annex5Group(_Strict):
    id: str
    category: str
    summary: str


class Annex5Threat(_Strict):
    id: str
    group: str
    category: str
    summary: str
    mitigations: list[str]
    status: Literal["adopted", "part_c_only", "draft_only"]
    aliases: list[str] = []


class Annex5Mitigation(_Strict):
    id: str
    part: str
    tables: str
    summary: str
    threats: list[str]


class Annex5(CatalogueHeader):
    categories: list[Annex5Category]
    groups: list[Annex5Group]
    threats: list[Annex5Threat]
    mitigations: list[Annex5Mitigation]

    def threat_ids(self) -> dict[str, str]:
        """Every accepted threat reference (ids and aliases) -> its canonical id."""
        ids = {t.id: t.id for t in self.threats}
        ids.update({alias: t.id for t in self.threats for alias in t.aliases})
        return ids


class WorkProduct(_Strict):
    id: str
    name: str
    clause: str


class WorkProducts(CatalogueHeader):
    work_products: list[WorkProduct]


class AttackHops(CatalogueHeader):
    """Default attack-potential ratings (factor -> level) of hops through an architecture."""

    entry: dict[str, dict[str, str]]
    bus_access: dict[str, str]
    pivot: dict[str, dict[str, str]]
    component: dict[str, dict[str, str]] = {}
