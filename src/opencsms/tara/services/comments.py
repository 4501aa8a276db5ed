"""Comments on a TARA and on its elements: the review conversation kept beside the work product
(ISO/SAE 21434 6.4.7). Engineers, reviewers and managers comment in any state (a comment changes no
content, so it starts no revision); each comment is audited with its author."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation.access import Perm, permissions
from opencsms.tara import selectors
from opencsms.tara.models import Comment, Kind

MAX_COMMENT_CHARS = 5000


@transaction.atomic
def add_comment(*, actor: User, tara_id: int, text: str, kind: str = "", ref: str = "") -> Comment:
    """Comment on the TARA, or on its element `ref` of the list `kind` (both or neither)."""
    tara = selectors.tara(actor, tara_id)
    if not permissions(actor, tara.project) & {Perm.EDIT, Perm.REVIEW}:
        raise PermissionDenied("only engineers, reviewers and managers of the project comment")
    text = text.strip()
    if not text or len(text) > MAX_COMMENT_CHARS:
        raise Invalid(f"a comment needs a text of 1 to {MAX_COMMENT_CHARS} characters")
    if bool(kind) != bool(ref):
        raise Invalid("name both the element's list (kind) and its id (ref), or neither")
    if kind:
        if kind not in Kind.values:
            raise Invalid(f"kind {kind!r}: use one of {', '.join(Kind.values)}")
        selectors.element(tara, Kind(kind), ref)  # NotFound (404) for an element the TARA lacks
    comment = Comment.objects.create(
        tara=tara, kind=kind, ref=ref, author=actor, text=text, revision=tara.revision
    )
    audit.record(
        actor=actor,
        action=AuditAction.COMMENT_ADDED,
        obj=comment,
        after=audit.snapshot(comment),
        scope=tara.scope,
    )
    return comment
