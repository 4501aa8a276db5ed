"""Attack path analysis turned into attack trees: the k best paths from the architecture's entry points
to a threat scenario's asset, added to the threat scenario (ISO/SAE 21434 15.6, RQ-15-08), each an AND
of one step per hop rated like the hop, so the tree gets the rating the path search gave it (Annex G.2).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, from_engine
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
    threat scenario and the ids of the paths added (`TS-1.AP2`, ...). A path the threat scenario has
    already (the same route and ratings) is not added twice; when every one is there, `Conflict`."""
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
    attached = {_route(path): str(path.get("id")) for path in existing}
    new = [doc for doc in (path_document(p) for p in paths) if _route(doc) not in attached]
    if not new:
        same = ", ".join(attached[_route(path_document(p))] for p in paths)
        raise Conflict(f"{threat_ref} has these attack paths already ({same}): nothing was added")
    data = {**element.data, "attack_paths": existing + new}
    return save_element_data(actor, element, data, AuditAction.ELEMENT_CHANGED), [d["id"] for d in new]


def _route(path: Any) -> str:
    """An attack path without its ids (the path's, its gates' and steps'): two attachments of the same
    route compare equal however they were numbered."""

    def bare(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: bare(item) for key, item in value.items() if key != "id"}
        if isinstance(value, list):
            return [bare(item) for item in value]
        return value

    return json.dumps(bare(path), sort_keys=True, default=str)
