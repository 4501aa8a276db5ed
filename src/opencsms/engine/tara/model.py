"""The TARA model of ISO/SAE 21434 clause 15 (and the item definition of 9.3) as frozen values.

Every element has a stable `id`; references between elements are by id, checked when a model is built
(see `opencsms.engine.tara_as_code`). Ratings are the ids of levels of the model's method profile.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class FeasibilityMethod(StrEnum):
    """ISO/SAE 21434:2021 15.7 (RC-15-12..14), Annex G: the three rating approaches."""

    ATTACK_POTENTIAL = "attack_potential"
    CVSS = "cvss"
    ATTACK_VECTOR = "attack_vector"


class CalMethod(StrEnum):
    ANNEX_E = "annex_e"  # impact x attack vector (ISO/SAE 21434 Annex E)
    RISK_BASED = "risk_based"  # risk value -> CAL (a vendor convention, not ISO)


class Treatment(StrEnum):
    """ISO/SAE 21434:2021 15.9 (RQ-15-17)."""

    AVOID = "avoid"
    REDUCE = "reduce"
    SHARE = "share"
    RETAIN = "retain"


@dataclass(frozen=True)
class Method:
    profile: str = "iso21434"
    feasibility: FeasibilityMethod = FeasibilityMethod.ATTACK_POTENTIAL
    cal: CalMethod = CalMethod.ANNEX_E
    acceptance: int = 1  # highest risk value that may be retained without a rationale


@dataclass(frozen=True)
class Function:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Assumption:
    id: str
    text: str


@dataclass(frozen=True)
class Item:
    """ISO/SAE 21434:2021 9.3 (RQ-09-01, RQ-09-02): the item, its boundary and environment."""

    name: str
    description: str = ""
    functions: tuple[Function, ...] = ()
    boundary: str = ""
    out_of_scope: tuple[str, ...] = ()
    operational_environment: tuple[str, ...] = ()
    assumptions: tuple[Assumption, ...] = ()


class ReviewStatus(StrEnum):
    """Where a threat scenario stands: generated ones start `proposed`; hand-written ones are `accepted`."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # with a rationale; kept so that regeneration does not propose it again
    MERGED = "merged"  # folded into another threat scenario (`merged_into`)


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    kind: str
    description: str = ""
    functions: tuple[str, ...] = ()
    in_scope: bool = True
    tags: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()  # controls protecting the component (attack path analysis)


@dataclass(frozen=True)
class Interface:
    """A channel: a bus joining components, or an external interface of one."""

    id: str
    name: str
    kind: str
    components: tuple[str, ...]
    external: bool = False
    description: str = ""
    tags: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()  # controls protecting the channel (attack path analysis)


@dataclass(frozen=True)
class DataFlow:
    id: str
    source: str
    target: str
    interface: str
    data: str = ""


@dataclass(frozen=True)
class Asset:
    """ISO/SAE 21434:2021 15.3 (RQ-15-02): an asset and the properties whose loss causes damage."""

    id: str
    name: str
    properties: tuple[str, ...]
    component: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    damage: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # property -> damage scenario ids


@dataclass(frozen=True)
class DamageScenario:
    """ISO/SAE 21434:2021 15.3 and 15.5: a damage scenario with its impact rating per category."""

    id: str
    name: str
    impact: Mapping[str, str]
    description: str = ""
    rationale: str = ""


@dataclass(frozen=True)
class Cvss:
    """The exploitability metrics of CVSS v3.1 (Annex G.3)."""

    av: str
    ac: str
    pr: str
    ui: str
    scope_changed: bool = False

    def vector_string(self) -> str:
        scope = "/S:C" if self.scope_changed else ""
        return f"AV:{self.av}/AC:{self.ac}/PR:{self.pr}/UI:{self.ui}{scope}"


@dataclass(frozen=True)
class Rating:
    """The feasibility inputs of one attack step, for any of the three approaches."""

    attack_potential: Mapping[str, str] | None = None
    cvss: Cvss | None = None
    vector: str | None = None


@dataclass(frozen=True)
class Step:
    """A leaf of an attack tree: one action of the attacker, the interface used and its rating.

    `residual` is the rating after the listed `controls` are in place (15.9: residual risk).
    """

    id: str
    name: str
    rating: Rating
    interface: str | None = None
    controls: tuple[str, ...] = ()
    residual: Rating | None = None


@dataclass(frozen=True)
class Gate:
    """An inner node of an attack tree: AND needs every child, OR needs any one."""

    id: str
    name: str
    kind: str  # "and" | "or"
    children: tuple[Node, ...]


Node = Step | Gate


@dataclass(frozen=True)
class AttackPath:
    """ISO/SAE 21434:2021 15.6 (RQ-15-08, RQ-15-09): an attack path as an attack tree."""

    id: str
    name: str
    tree: Node
    method: FeasibilityMethod | None = None  # None: the TARA's method
    description: str = ""


@dataclass(frozen=True)
class TreatmentDecision:
    """ISO/SAE 21434:2021 15.9 (RQ-15-17) with its links to goals (RQ-09-05) and claims (RQ-09-06)."""

    options: tuple[Treatment, ...]
    goals: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    rationale: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where a generated threat scenario came from: the rule, the asset and the interface it matched."""

    rule: str
    asset: str
    interface: str | None = None
    mitigations: tuple[str, ...] = ()  # UN R155 Annex 5 mitigations the rule suggests
    obsolete: bool = False  # the architecture no longer matches the rule


@dataclass(frozen=True)
class ThreatScenario:
    """ISO/SAE 21434:2021 15.4 (RQ-15-03): targeted asset, compromised property, cause."""

    id: str
    name: str
    asset: str
    property: str
    damage_scenarios: tuple[str, ...]
    description: str = ""
    cause: str = ""
    stride: str | None = None
    annex5: tuple[str, ...] = ()
    attack_paths: tuple[AttackPath, ...] = ()
    treatment: TreatmentDecision | None = None
    status: ReviewStatus = ReviewStatus.ACCEPTED
    rationale: str = ""  # why it was rejected or merged
    merged_into: str | None = None
    generated: Provenance | None = None

    @builtins.property  # the field `property` shadows the builtin in this class body
    def in_analysis(self) -> bool:
        """Rejected, merged and obsolete threat scenarios stay in the file, not in the risk assessment."""
        obsolete = self.generated is not None and self.generated.obsolete
        return self.status in (ReviewStatus.ACCEPTED, ReviewStatus.PROPOSED) and not obsolete


@dataclass(frozen=True)
class Goal:
    """ISO/SAE 21434:2021 9.4 (RQ-09-05): a cybersecurity goal; `cal` is a declared CAL, if any."""

    id: str
    name: str
    description: str = ""
    cal: int | None = None


@dataclass(frozen=True)
class Claim:
    """ISO/SAE 21434:2021 9.4 (RQ-09-06): a cybersecurity claim."""

    id: str
    text: str


@dataclass(frozen=True)
class Control:
    """A cybersecurity control; `mitigations` are the UN R155 Annex 5 mitigations (M1-M24) it realises."""

    id: str
    name: str
    description: str = ""
    mitigations: tuple[str, ...] = ()
    raises: Mapping[str, str] = field(default_factory=dict)  # attack-potential factor -> least level needed


@dataclass(frozen=True)
class NotApplicable:
    """A UN R155 Annex 5 threat or mitigation judged not applicable to the item, with the reason."""

    id: str
    rationale: str


@dataclass(frozen=True)
class Requirement:
    """ISO/SAE 21434:2021 9.5 (RQ-09-08..10): a cybersecurity requirement allocated to components."""

    id: str
    text: str
    goals: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaraModel:
    id: str
    name: str
    item: Item
    method: Method = Method()
    version: str = ""
    components: tuple[Component, ...] = ()
    interfaces: tuple[Interface, ...] = ()
    data_flows: tuple[DataFlow, ...] = ()
    assets: tuple[Asset, ...] = ()
    damage_scenarios: tuple[DamageScenario, ...] = ()
    threat_scenarios: tuple[ThreatScenario, ...] = ()
    goals: tuple[Goal, ...] = ()
    claims: tuple[Claim, ...] = ()
    controls: tuple[Control, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    annex5_not_applicable: tuple[NotApplicable, ...] = ()
    # where each element was written (element id -> (line, column)); not part of the model's identity
    locations: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    source: str = field(default="", compare=False, repr=False)


# The model's lists of elements with ids, in the file's order (the Annex 5 declarations are not elements):
# what a diff compares and what references point into.
ELEMENT_LISTS = (
    "components",
    "interfaces",
    "data_flows",
    "assets",
    "damage_scenarios",
    "threat_scenarios",
    "goals",
    "claims",
    "controls",
    "requirements",
)
