"""Comments on a TARA or on one of its elements, oldest first, with their authors."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from opencsms.core.models import User
from opencsms.organisation.access import Perm, permissions
from opencsms.tara.models import Comment, Tara
from opencsms.tara.selectors.documents import tara


def comments(tara_obj: Tara, kind: str = "", ref: str = "") -> QuerySet[Comment]:
    """The comments on the TARA itself (no `kind`), or on its element `kind`/`ref`."""
    return (
        Comment.objects.filter(tara=tara_obj, kind=kind, ref=ref)
        .select_related("author")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class CommentsPanel:
    tara: Tara
    kind: str
    ref: str
    comments: list[Comment]
    can_comment: bool


def comments_panel(user: User, tara_id: int, kind: str = "", ref: str = "") -> CommentsPanel:
    found = tara(user, tara_id)
    may = bool(permissions(user, found.project) & {Perm.EDIT, Perm.REVIEW})
    return CommentsPanel(found, kind, ref, list(comments(found, kind, ref)), may)
