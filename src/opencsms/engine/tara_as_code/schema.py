"""The TARA-as-code file format (`opencsms: tara/1`), as pydantic models; `json_schema()` documents it.

Values that depend on the method profile (impact levels, attack-potential factors) are checked when the
model is built (`build.py`), where the profile is known; this schema checks shape, enums and types.
The enums are not spelled out here: the vocabulary catalogue (properties, STRIDE, component and interface
kinds), the method's attack vectors and the model's enums (treatment, review status, rating approach, CAL
method) are their one source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from opencsms.engine.catalogue.load import vocabulary
from opencsms.engine.method.schema import Vector
from opencsms.engine.tara.model import CalMethod, FeasibilityMethod, ReviewStatus, Treatment

FORMAT = "tara/1"
Id = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$", max_length=100, description="Stable id, unique in the file")
if (
    TYPE_CHECKING
):  # to mypy each is a string; pydantic accepts only the listed ones (the JSON Schema lists them)
    Property = str
    Stride = str
    ComponentKind = str
    InterfaceKind = str
    TreatmentOption = str
    Status = str
    MethodName = str
    CalName = str
else:
    Property = Literal[vocabulary().ids("properties")]
    Stride = Literal[vocabulary().ids("stride")]
    ComponentKind = Literal[vocabulary().ids("component_kinds")]
    InterfaceKind = Literal[vocabulary().ids("interface_kinds")]
    TreatmentOption = Literal[tuple(t.value for t in Treatment)]
    Status = Literal[tuple(s.value for s in ReviewStatus)]
    MethodName = Literal[tuple(m.value for m in FeasibilityMethod)]
    CalName = Literal[tuple(m.value for m in CalMethod)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MethodDoc(_Doc):
    profile: str = Field("iso21434", description="iso21434, heavens-1.0, evita, or a profile file path")
    feasibility: MethodName = Field(
        FeasibilityMethod.ATTACK_POTENTIAL.value, description="Default rating approach (Annex G)"
    )
    cal: CalName = Field(CalMethod.ANNEX_E.value, description="CAL from Annex E, or risk-based")
    acceptance: int = Field(1, ge=1, le=5, description="Highest risk value retained without a rationale")


class FunctionDoc(_Doc):
    id: str = Id
    name: str
    description: str = ""


class AssumptionDoc(_Doc):
    id: str = Id
    text: str


class ItemDoc(_Doc):
    name: str
    description: str = ""
    functions: list[FunctionDoc] = []
    boundary: str = Field("", description="What the item boundary includes (9.3)")
    out_of_scope: list[str] = []
    operational_environment: list[str] = []
    assumptions: list[AssumptionDoc] = []


class ComponentDoc(_Doc):
    id: str = Id
    name: str
    kind: ComponentKind
    description: str = ""
    functions: list[str] = Field([], description="Ids of the item functions it realises")
    in_scope: bool = Field(True, description="False for elements outside the item boundary")
    tags: list[str] = Field([], description="Free tags that threat rules match, e.g. update_client")
    controls: list[str] = Field([], description="Ids of controls protecting this component (attack paths)")


class InterfaceDoc(_Doc):
    id: str = Id
    name: str
    kind: InterfaceKind
    components: list[str] = Field(min_length=1, description="Ids of the components on this channel")
    external: bool = Field(False, description="True when an outside party can reach the channel")
    description: str = ""
    tags: list[str] = []
    controls: list[str] = Field([], description="Ids of controls protecting this channel (attack paths)")


class DataFlowDoc(_Doc):
    id: str = Id
    source: str
    target: str
    interface: str
    data: str = ""


class AssetDoc(_Doc):
    id: str = Id
    name: str
    properties: list[Property] = Field(min_length=1)
    component: str | None = None
    description: str = ""
    tags: list[str] = Field([], description="Free tags that threat rules match, e.g. firmware, key")
    damage: dict[Property, list[str]] = Field(
        {}, description="Property -> ids of the damage scenarios its loss leads to (used by generation)"
    )


class DamageScenarioDoc(_Doc):
    id: str = Id
    name: str
    description: str = ""
    impact: dict[str, str] = Field(min_length=1, description="Category -> impact level of the profile")
    rationale: str = ""


class RatingDoc(_Doc):
    attack_potential: dict[str, str] | None = Field(None, description="Factor -> level (Annex G.2)")
    cvss: str | None = Field(None, description="CVSS v3.1 exploitability, e.g. AV:N/AC:L/PR:N/UI:N (G.3)")
    vector: Vector | None = Field(None, description="Attack vector (G.4); defaults to the interface's")


class ResidualDoc(RatingDoc):
    controls: list[str] = Field([], description="Ids of the controls that change this step")


class NodeDoc(_Doc):
    """An attack-tree node: a gate with `and` or `or` children, or a step with its rating."""

    id: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    name: str
    and_: list[NodeDoc] | None = Field(None, alias="and")
    or_: list[NodeDoc] | None = Field(None, alias="or")
    interface: str | None = None
    attack_potential: dict[str, str] | None = None
    cvss: str | None = None
    vector: Vector | None = None
    residual: ResidualDoc | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> NodeDoc:
        gates = [g for g in (self.and_, self.or_) if g is not None]
        rated = any(v is not None for v in (self.attack_potential, self.cvss, self.vector, self.interface))
        if len(gates) > 1:
            raise ValueError("a node is either `and` or `or`, not both")
        if gates and (rated or self.residual):
            raise ValueError("a gate (`and`/`or`) has children, not a rating")
        if gates and not gates[0]:
            raise ValueError("a gate needs at least one child")
        return self


class AttackPathDoc(_Doc):
    id: str = Id
    name: str
    description: str = ""
    method: MethodName | None = Field(None, description="Overrides the TARA's rating approach for this path")
    tree: NodeDoc


class TreatmentDoc(_Doc):
    decision: TreatmentOption | list[TreatmentOption]
    goals: list[str] = []
    claims: list[str] = []
    rationale: str = ""


class ProvenanceDoc(_Doc):
    rule: str
    asset: str
    interface: str | None = None
    mitigations: list[str] = []
    obsolete: bool = False


class ThreatScenarioDoc(_Doc):
    id: str = Id
    name: str
    description: str = ""
    asset: str
    property: Property
    cause: str = ""
    stride: Stride | None = None
    damage_scenarios: list[str] = []
    annex5: list[str] = Field([], description="UN R155 Annex 5 Part A threat ids, e.g. '5.1'")
    attack_paths: list[AttackPathDoc] = []
    treatment: TreatmentDoc | None = None
    status: Status = Field(
        ReviewStatus.ACCEPTED.value, description="Review status; generated threat scenarios start as proposed"
    )
    rationale: str = Field("", description="Why the threat scenario was rejected or merged")
    merged_into: str | None = Field(None, description="The threat scenario a merged one was folded into")
    generated: ProvenanceDoc | None = Field(None, description="Written by `opencsms tara generate`")

    @field_validator("annex5", mode="before")
    @classmethod
    def _quoted_annex5(cls, value: Any) -> Any:
        if isinstance(value, list) and any(isinstance(v, int | float) for v in value):
            raise ValueError('write UN R155 Annex 5 ids as quoted strings, e.g. annex5: ["18.3"]')
        return value


class GoalDoc(_Doc):
    id: str = Id
    name: str
    description: str = ""
    cal: int | None = Field(None, ge=1, le=4, description="Declared CAL; by default it is determined")


class ClaimDoc(_Doc):
    id: str = Id
    text: str


class ControlDoc(_Doc):
    id: str = Id
    name: str
    description: str = ""
    mitigations: list[str] = Field([], description="UN R155 Annex 5 mitigations realised, e.g. M10")
    raises: dict[str, str] = Field(
        {}, description="Attack-potential factor -> the least level an attacker needs past this control"
    )


class RequirementDoc(_Doc):
    id: str = Id
    text: str
    goals: list[str] = []
    controls: list[str] = []
    components: list[str] = []


class NotApplicableDoc(_Doc):
    id: str = Field(description="A UN R155 Annex 5 threat id ('2.1') or mitigation id (M4)")
    rationale: str = Field(min_length=1)


class TaraDoc(_Doc):
    opencsms: Literal["tara/1"] = Field(description="Format version")
    id: str = Id
    name: str
    version: str = ""
    method: MethodDoc = MethodDoc()
    item: ItemDoc
    components: list[ComponentDoc] = []
    interfaces: list[InterfaceDoc] = []
    data_flows: list[DataFlowDoc] = []
    assets: list[AssetDoc] = []
    damage_scenarios: list[DamageScenarioDoc] = []
    threat_scenarios: list[ThreatScenarioDoc] = []
    goals: list[GoalDoc] = []
    claims: list[ClaimDoc] = []
    controls: list[ControlDoc] = []
    requirements: list[RequirementDoc] = []
    annex5_not_applicable: list[NotApplicableDoc] = Field(
        [], description="UN R155 Annex 5 threats and mitigations not applicable to the item, with rationale"
    )


# The lists of a document in the file's order; each entry is one element (`build.ELEMENTS` builds them; a
# server keeps one row each: `tara.models.Kind`, held equal by tests/tara/test_element_kinds.py).
LISTS: tuple[str, ...] = tuple(
    name for name, field in TaraDoc.model_fields.items() if get_origin(field.annotation) is list
)


def json_schema() -> dict[str, Any]:
    schema = TaraDoc.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:opencsms:schema:tara:1"
    schema["title"] = "OpenCSMS TARA-as-code (tara/1)"
    return schema
