"""Whole TARA documents: import a TARA-as-code file into a project (new, or replacing a working state).

The file is read by the engine's hardened reader (size, depth, aliases, encoding; every problem located
by line and column), so a refused file changes nothing. Export is a read: `selectors.export_yaml`.
"""

from __future__ import annotations

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, from_engine
from opencsms.core.models import User
from opencsms.engine import ParseError
from opencsms.engine.tara_as_code import read_document
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level
from opencsms.tara import mapping
from opencsms.tara.models import Element, Tara
from opencsms.tara.services.evaluation import store_evaluation, take_for_edit


def _read(raw: bytes, filename: str) -> tuple[dict[str, object], list[mapping.Row]]:
    try:
        data, _model, _profile = read_document(raw, filename or "<upload>")
    except ParseError as exc:
        raise from_engine(exc, "the file is not a valid TARA") from None
    return mapping.split(data)


def read_header(raw: bytes, filename: str) -> dict[str, object]:
    """The document's header once the engine's reader accepted the whole document."""
    return _read(raw, filename)[0]


def _create_rows(tara: Tara, rows: list[mapping.Row]) -> None:
    Element.objects.bulk_create(
        (
            Element(tara=tara, kind=r.kind, ref=r.ref, position=r.position, data=r.data, label=r.label)
            for r in rows
        ),
        batch_size=1000,
    )


@transaction.atomic
def import_tara(
    *, actor: User, project_id: int, raw: bytes, filename: str = "", replace: bool = False
) -> Tara:
    """A TARA-as-code file into the project: a new TARA, or (`replace`) the new working state of the TARA
    with the same id, which starts a new revision if it was approved."""
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    require(actor, Perm.EDIT, project)
    header, rows = _read(raw, filename)
    ref = str(header["id"])
    existing = Tara.objects.filter(project_id=project.pk, ref=ref).first()
    if existing is not None and not replace:
        raise Conflict(f"the project has a TARA {ref!r}: import with replace to make this its working state")
    if existing is None:
        tara = Tara.objects.create(
            project_id=project.pk, ref=ref, name=str(header["name"])[:200], header=header
        )
        action, before = AuditAction.TARA_IMPORTED, None
    else:
        tara = take_for_edit(actor, existing.pk)
        before = {"content_sha256": tara.content_sha256, "revision": tara.revision}
        tara.elements.all().delete()
        tara.header = header
        tara.save(update_fields=["header", "updated_at"])
        action = AuditAction.TARA_REPLACED
    _create_rows(tara, rows)
    document = mapping.assemble(header, ((r.kind.value, r.data) for r in rows))
    store_evaluation(tara, document)
    audit.record(
        actor=actor,
        action=action,
        obj=tara,
        before=before,
        after={"file": filename, "content_sha256": tara.content_sha256, "counts": tara.summary["counts"]},
        scope=tara.scope,
    )
    return tara


@transaction.atomic
def import_if_missing(*, actor: User, project_id: int, raw: bytes, filename: str = "") -> tuple[Tara, bool]:
    """`import_tara` unless the project has a TARA with the file's id: (the TARA, whether it was imported).
    For loaders that run again and again (the demo data)."""
    header, _rows = _read(raw, filename)
    existing = Tara.objects.filter(project_id=project_id, ref=str(header["id"])).first()
    if existing is not None:
        return existing, False
    return import_tara(actor=actor, project_id=project_id, raw=raw, filename=filename), True
