"""An organisation's own threat rule files: uploaded (checked by the engine together with the shipped rules
and the organisation's other files, so a rule id clash or an undeclared tag is refused), replaced by URN,
deleted. Threat scenarios generated from a deleted file's rules stay as they are: regeneration skips rules
that are no longer loaded and never marks their threat scenarios obsolete."""

from __future__ import annotations

import hashlib

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, from_engine
from opencsms.core.models import User
from opencsms.engine import CatalogueError
from opencsms.engine.threatgen import load_rules, read_rule_file
from opencsms.engine.threatgen.schema import RuleFile as RuleFileDoc
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level
from opencsms.tara import selectors
from opencsms.tara.models import RuleFile

MAX_RULE_FILE_BYTES = 1_000_000


def _checked(raw: bytes, filename: str, organisation_id: int) -> RuleFileDoc:
    """The rule file read, or `Invalid` naming the engine's reason; checked with the shipped rules and the
    organisation's other files (the one it replaces left out)."""
    if len(raw) > MAX_RULE_FILE_BYTES:
        raise Invalid(f"{filename}: {len(raw)} bytes; a rule file may have at most {MAX_RULE_FILE_BYTES}")
    try:
        new = read_rule_file(raw, filename)
        load_rules(texts=(*selectors.rule_texts(organisation_id, without=new.urn), (filename, raw)))
    except CatalogueError as exc:
        raise from_engine(exc, "not a valid threat rule file") from None
    return new


@transaction.atomic
def upload_rule_file(*, actor: User, organisation_id: int, raw: bytes, filename: str = "") -> RuleFile:
    """Add a rule file to the organisation, or replace the one with the same URN (a new version)."""
    organisation = organisation_selectors.level(actor, Level.ORGANISATION, organisation_id)
    require(actor, Perm.EDIT, organisation)
    filename = filename or "rules.yaml"
    doc = _checked(raw, filename, organisation.pk)
    found = RuleFile.objects.select_for_update().filter(organisation_id=organisation.pk, urn=doc.urn).first()
    before = audit.snapshot(found) if found else None
    rule_file = found or RuleFile(organisation_id=organisation.pk, urn=doc.urn)
    rule_file.name, rule_file.version, rule_file.filename = doc.name, doc.version, filename[:255]
    rule_file.content = raw.decode("utf-8-sig")
    rule_file.sha256, rule_file.rules = hashlib.sha256(raw).hexdigest(), len(doc.rules)
    rule_file.uploaded_by = actor
    rule_file.save()
    audit.record(
        actor=actor,
        action=AuditAction.RULE_FILE_REPLACED if found else AuditAction.RULE_FILE_ADDED,
        obj=rule_file,
        before=before,
        after=audit.snapshot(rule_file),
        scope=rule_file.scope,
    )
    return rule_file


@transaction.atomic
def delete_rule_file(*, actor: User, rule_file_id: int) -> RuleFile:
    """Remove a rule file from its organisation (generated threat scenarios are kept); returns it."""
    found = selectors.rule_file(actor, rule_file_id)
    require(actor, Perm.EDIT, found.organisation)
    rule_file = RuleFile.objects.select_for_update().get(pk=found.pk)
    audit.record(
        actor=actor,
        action=AuditAction.RULE_FILE_DELETED,
        obj=rule_file,
        before=audit.snapshot(rule_file),
        scope=rule_file.scope,
    )
    rule_file.delete()
    return rule_file
