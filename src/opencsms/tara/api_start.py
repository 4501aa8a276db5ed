"""The API's route that starts an empty TARA in a project (the "New TARA" form's counterpart)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from opencsms.core.access import needs
from opencsms.core.http import actor
from opencsms.core.schemas import Id
from opencsms.organisation.access import Perm
from opencsms.tara import services
from opencsms.tara.models import Tara
from opencsms.tara.schemas import TaraDetailOut

router = Router(tags=["tara"])
Profile = Literal["iso21434", "heavens-1.0", "evita"]  # the shipped profiles (a test holds them equal)


class NewTaraIn(Schema):
    ref: str = Field(min_length=1, max_length=100, description="The TARA's id, e.g. door-unlock")
    name: str = Field(min_length=1, max_length=200)
    profile: Profile = Field("iso21434", description="The method profile the ratings use")


@router.post("/projects/{project_id}/taras/new", response={201: TaraDetailOut})
@needs(Perm.EDIT, on="project")
def create_tara(request: HttpRequest, project_id: Id, payload: NewTaraIn) -> Status[Tara]:
    """An empty TARA (header only) to fill element by element; 409 if the project has one with that id."""
    tara = services.create_tara(
        actor=actor(request),
        project_id=project_id,
        ref=payload.ref,
        name=payload.name,
        profile=payload.profile,
    )
    return Status(201, tara)
