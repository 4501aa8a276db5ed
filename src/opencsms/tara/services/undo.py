"""Undo of an element's last change, from its history: the inverse of the last audited change is applied
when the element still is what that change left, else refused naming why. The undo is itself a change
(audited as `tara_element.undone`, checked and rated like any other), so undoing it again redoes.
"""

from __future__ import annotations

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict
from opencsms.core.models import User
from opencsms.tara.models import Element
from opencsms.tara.selectors.workspace import last_change
from opencsms.tara.services.elements import kind_of, locked_element, remove_element, save_element_data
from opencsms.tara.services.evaluation import take_for_edit

UNDOABLE = (
    AuditAction.ELEMENT_CREATED,
    AuditAction.ELEMENT_CHANGED,
    AuditAction.ATTACK_TREE_EDITED,
    AuditAction.ELEMENT_UNDONE,
)


@transaction.atomic
def undo_last_change(*, actor: User, tara_id: int, kind: str, ref: str) -> Element | None:
    """Apply the inverse of the element's last change: its data before a change, or no element after its
    creation (returns None then). Refused (`Conflict`) when there is nothing to undo or the element has
    changed since that record (an import, a change outside the history)."""
    tara = take_for_edit(actor, tara_id)
    element = locked_element(tara, kind_of(kind), ref)
    record = last_change(element)
    if record is None or record.action not in UNDOABLE:
        raise Conflict(f"{ref} has no change in its history to undo")
    if audit.as_recorded(element.data) != record.after:
        raise Conflict(
            f"{ref} is no longer what its last change (#{record.seq} by {record.actor_name}) left: "
            "undo only applies to an element as its last change made it"
        )
    if record.before is None:
        remove_element(actor, element, AuditAction.ELEMENT_UNDONE)
        return None
    return save_element_data(actor, element, dict(record.before), AuditAction.ELEMENT_UNDONE)
