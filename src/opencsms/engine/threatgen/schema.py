"""The shape of a threat-rule file (src/opencsms/data/threat-rules/*.yaml, or a user's own)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from opencsms.engine.tara_as_code.schema import Property, Stride

RuleId = Field(pattern=r"^[A-Z][A-Z0-9\-]*$", max_length=40)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetMatch(_Strict):
    properties: list[Property] = Field([], description="Any of these properties (empty: any)")
    tags: list[str] = Field([], description="Any of these tags (empty: any)")


class ComponentMatch(_Strict):
    kinds: list[str] = []
    tags: list[str] = []
    in_scope: bool | None = None


class InterfaceMatch(_Strict):
    kinds: list[str] = []
    tags: list[str] = []
    external: bool | None = None
    anywhere: bool = Field(False, description="Any interface of the item, not only of the asset's component")


class Match(_Strict):
    """Every given criterion must hold; within a list, any entry suffices."""

    asset: AssetMatch = AssetMatch()
    component: ComponentMatch | None = Field(None, description="Criteria on the asset's component")
    interface: InterfaceMatch | None = Field(
        None, description="Criteria on an interface of that component: one threat per matching interface"
    )
    only_if_uncovered: bool = Field(
        False, description="Propose only where no other threat scenario targets the asset and property"
    )


class ThreatTemplate(_Strict):
    property: Property
    stride: Stride
    name: str = Field(description="Template: $asset, $component, $interface, $interface_kind")
    cause: str = ""
    annex5: list[str] = Field(min_length=1, description="UN R155 Annex 5 Part A threat ids")
    mitigations: list[str] = Field([], description="UN R155 Annex 5 mitigations that answer it")


class RuleDoc(_Strict):
    id: str = RuleId
    name: str
    cites: str
    match: Match
    threat: ThreatTemplate


class RuleFile(_Strict):
    urn: str = Field(pattern=r"^urn:opencsms:rules:[a-z0-9.\-]+$")
    version: str
    name: str
    cites: str
    tags: dict[Literal["asset", "component", "interface"], dict[str, str]] = Field(
        {}, description="The tags these rules match, with what each means"
    )
    rules: list[RuleDoc] = Field(min_length=1)
