"""Each vocabulary of the TARA format has one source, and every list that restates it is held to it:
the vocabulary catalogue (properties, STRIDE, component and interface kinds), the method's attack vectors,
the model's enums (treatment, review status, rating approach, CAL method) and the document's lists."""

from __future__ import annotations

from importlib import resources
from typing import get_args

import pytest
import yaml
from pydantic import ValidationError

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.catalogue.schema import InterfaceKind, Vocabulary
from opencsms.engine.method.schema import VECTORS, AttackVectorTable
from opencsms.engine.tara.feasibility import VECTOR_ORDER
from opencsms.engine.tara.model import ELEMENT_LISTS as COLLECTIONS
from opencsms.engine.tara.model import CalMethod, FeasibilityMethod, ReviewStatus, Treatment
from opencsms.engine.tara_as_code import schema
from opencsms.engine.tara_as_code.build import ELEMENTS
from opencsms.engine.tara_as_code.schema import LISTS
from opencsms.engine.threatgen.schema import ThreatTemplate

CATALOGUE = resources.files("opencsms") / "data" / "catalogues" / "tara-vocabulary.yaml"


def _choices(annotation: object) -> tuple[str, ...]:
    """The values a `Literal` (or `Literal | None`) accepts."""
    args = get_args(annotation)
    return tuple(a for a in args if isinstance(a, str)) or _choices(args[0])


def test_the_file_format_accepts_exactly_the_vocabularys_words() -> None:
    words = vocabulary()
    assert _choices(schema.Property) == words.ids("properties")
    assert _choices(schema.Stride) == words.ids("stride")
    assert _choices(schema.ComponentKind) == words.ids("component_kinds")
    assert _choices(schema.InterfaceKind) == words.ids("interface_kinds")
    assert _choices(schema.ThreatScenarioDoc.model_fields["stride"].annotation) == words.ids("stride")
    assert _choices(ThreatTemplate.model_fields["stride"].annotation) == words.ids("stride")


def test_the_file_format_accepts_exactly_the_models_enums() -> None:
    assert _choices(schema.TreatmentOption) == tuple(Treatment)
    assert _choices(schema.Status) == tuple(ReviewStatus)
    assert _choices(schema.MethodName) == tuple(FeasibilityMethod)
    assert _choices(schema.CalName) == tuple(CalMethod)


def test_attack_vectors_are_the_methods_everywhere() -> None:
    assert vocabulary().ids("attack_vectors") == VECTORS == VECTOR_ORDER
    assert _choices(schema.Vector) == VECTORS
    assert _choices(InterfaceKind.model_fields["vector"].annotation) == VECTORS
    assert _choices(get_args(AttackVectorTable.model_fields["mapping"].annotation)[0]) == VECTORS


def test_a_vocabulary_catalogue_with_other_attack_vectors_is_refused() -> None:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    data["attack_vectors"] = list(reversed(data["attack_vectors"]))
    with pytest.raises(ValidationError, match="attack_vectors must be"):
        Vocabulary.model_validate(data)


def test_every_list_of_the_format_is_built_and_compared_by_id() -> None:
    assert sorted(ELEMENTS) == sorted(LISTS)
    assert tuple(k for k in LISTS if k != "annex5_not_applicable") == COLLECTIONS  # diffed by id
