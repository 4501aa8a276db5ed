"""Threat rule files: an organisation's own, and the rule set a TARA generates with (the shipped rules and
its organisation's files)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from opencsms.core.errors import NotFound, from_engine
from opencsms.core.models import User
from opencsms.engine import CatalogueError
from opencsms.engine.threatgen import RuleSet, load_rules
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, permissions
from opencsms.organisation.models import Level, Organisation
from opencsms.tara.models import RuleFile, Tara


def rule_files(user: User, organisation_id: int) -> QuerySet[RuleFile]:
    """The organisation's own rule files (404 outside the user's scope); content not loaded."""
    return _files_of(organisation_selectors.level(user, Level.ORGANISATION, organisation_id).pk)


def _files_of(organisation_id: int) -> QuerySet[RuleFile]:
    found = RuleFile.objects.filter(organisation_id=organisation_id).select_related("uploaded_by")
    return found.defer("content")


def rule_file(user: User, rule_file_id: int) -> RuleFile:
    found = RuleFile.objects.filter(
        pk=rule_file_id, organisation__in=organisation_selectors.organisations(user).values("pk")
    ).first()
    if found is None:
        raise NotFound(f"no threat rule file {rule_file_id}")
    return found


def rule_texts(organisation_id: int, *, without: str = "") -> tuple[tuple[str, bytes], ...]:
    """The organisation's rule files as the engine reads them, (name, content), except URN `without`."""
    files = RuleFile.objects.filter(organisation_id=organisation_id).exclude(urn=without).order_by("urn")
    return tuple((f"{f.urn} {f.version}", f.content.encode()) for f in files)


def organisation_rules(organisation_id: int) -> RuleSet:
    """The shipped rules and the organisation's rule files; `Invalid` names a file that no longer loads
    beside the shipped rules (e.g. a rule id a newer release of OpenCSMS ships too)."""
    try:
        return load_rules(texts=rule_texts(organisation_id))
    except CatalogueError as exc:
        raise from_engine(exc, "the organisation's threat rule files do not load") from None


def rule_set(tara_obj: Tara) -> RuleSet:
    """What a TARA generates with: the shipped rules and its organisation's rule files."""
    return organisation_rules(tara_obj.project.business_unit.organisation_id)


@dataclass(frozen=True)
class RuleFilesPage:
    organisation: Organisation
    files: list[RuleFile]
    shipped: RuleSet
    can_edit: bool


def rule_files_page(user: User, organisation_id: int) -> RuleFilesPage:
    organisation = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    assert isinstance(organisation, Organisation)
    can_edit = Perm.EDIT in permissions(user, organisation)
    return RuleFilesPage(organisation, list(_files_of(organisation.pk)), load_rules(), can_edit)
