"""An empty TARA started in the browser or through the API: the header only (id, name, method profile and
an item named like the TARA), checked by the engine's reader like an imported file, so a bad id or an
unknown profile is refused with the reader's message and nothing is created."""

from __future__ import annotations

import json

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict
from opencsms.core.models import User
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level
from opencsms.tara import mapping
from opencsms.tara.models import Tara
from opencsms.tara.services.documents import read_header
from opencsms.tara.services.evaluation import store_evaluation


def empty_document(ref: str, name: str, profile: str) -> bytes:
    """The smallest valid TARA-as-code document with this id, name and method profile."""
    document = {
        "opencsms": "tara/1",
        "id": ref,
        "name": name,
        "version": "0.1",
        "method": {"profile": profile},
        "item": {"name": name},
    }
    return json.dumps(document).encode()


@transaction.atomic
def create_tara(*, actor: User, project_id: int, ref: str, name: str, profile: str = "iso21434") -> Tara:
    """A new, empty TARA in the project (who may import may start one); refused if the id is taken."""
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    require(actor, Perm.EDIT, project)
    header = read_header(empty_document(ref.strip(), name.strip(), profile), "new TARA")
    ref = str(header["id"])
    if Tara.objects.filter(project_id=project.pk, ref=ref).exists():
        raise Conflict(f"the project has a TARA {ref!r}: choose another id")
    tara = Tara.objects.create(project_id=project.pk, ref=ref, name=str(header["name"])[:200], header=header)
    store_evaluation(tara, mapping.assemble(header, ()))
    audit.record(
        actor=actor,
        action=AuditAction.TARA_CREATED,
        obj=tara,
        after={"ref": ref, "name": tara.name, "profile": profile, "content_sha256": tara.content_sha256},
        scope=tara.scope,
    )
    return tara
