"""Attack path analysis turned into attack trees: the k best paths from the architecture's entry points
to a threat scenario's asset, added to the threat scenario (ISO/SAE 21434 15.6, RQ-15-08), each an AND
of one step per hop rated like the hop, so the tree gets the rating the path search gave it (Annex G.2).
"""

from __future__ import annotations

from django.db import transaction

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, from_engine
from opencsms.core.models import User
from opencsms.engine import RuleViolation
from opencsms.engine.analysis.attack_paths import paths_for_threat
from opencsms.engine.tara_as_code.dump import path_document
from opencsms.tara import selectors
from opencsms.tara.models import Element, Kind
from opencsms.tara.services.elements import locked_element, save_element_data
from opencsms.tara.services.evaluation import take_for_edit


@transaction.atomic
def attach_paths(*, actor: User, tara_id: int, threat_ref: str, k: int) -> tuple[Element, list[str]]:
    """Add the k best attack paths to the threat scenario's asset as its attack trees; returns the
    threat scenario and the ids of the paths added (`TS-1.AP2`, ...)."""
    if not 1 <= k <= selectors.MAX_K:
        raise Invalid(f"k must be between 1 and {selectors.MAX_K}")
    tara = take_for_edit(actor, tara_id)
    element = locked_element(tara, Kind.THREAT_SCENARIO, threat_ref)
    result = selectors.evaluated(tara)  # a stored TARA is valid; the kept working state when there is one
    try:
        paths = paths_for_threat(result.model, result.profile, threat_ref, k)
    except RuleViolation as error:
        raise from_engine(error) from None
    if not paths:
        raise Invalid(f"no external entry point reaches the asset of {threat_ref}: there is no path to add")
    existing = list(element.data.get("attack_paths") or [])
    data = {**element.data, "attack_paths": existing + [path_document(p) for p in paths]}
    return save_element_data(actor, element, data, AuditAction.ELEMENT_CHANGED), [p.id for p in paths]
