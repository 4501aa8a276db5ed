"""Undo of an element's last change from its history: the inverse is applied when the element is still
what the change left, audited with its actor; refused, naming why, otherwise."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict
from opencsms.core.models import ChangeRecord
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.factories.workspace import Workspace
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def _data(tara: Tara, kind: str, ref: str) -> dict[str, object]:
    return dict(Element.objects.get(tara=tara, kind=kind, ref=ref).data)


def test_undo_restores_the_data_before_and_undoing_again_redoes(team: Team, reference: Tara) -> None:
    edit = {"actor": team.engineer, "tara_id": reference.pk, "kind": Kind.THREAT_SCENARIO, "ref": "TS-01"}
    before = _data(reference, Kind.THREAT_SCENARIO, "TS-01")
    services.update_element(**edit, changes={"name": "Renamed", "stride": "S"})
    changed = _data(reference, Kind.THREAT_SCENARIO, "TS-01")
    undone = services.undo_last_change(**edit)
    assert undone is not None
    assert undone.data == before == _data(reference, Kind.THREAT_SCENARIO, "TS-01")
    record = ChangeRecord.objects.order_by("-seq").first()
    assert record is not None
    assert (record.action, record.actor_id) == (AuditAction.ELEMENT_UNDONE, team.engineer.pk)
    assert (record.before, record.after) == (changed, before)
    services.undo_last_change(**edit)
    assert _data(reference, Kind.THREAT_SCENARIO, "TS-01") == changed


def test_undo_of_a_creation_removes_the_element(team: Team, reference: Tara) -> None:
    data = {"id": "CL-77", "text": "A claim made by mistake"}
    services.create_element(actor=team.engineer, tara_id=reference.pk, kind=Kind.CLAIM, data=data)
    kept = services.undo_last_change(actor=team.engineer, tara_id=reference.pk, kind=Kind.CLAIM, ref="CL-77")
    assert kept is None
    assert not Element.objects.filter(tara=reference, ref="CL-77").exists()


def test_undo_is_refused_naming_why_and_changes_nothing(team: Team, reference: Tara) -> None:
    edit = {"actor": team.engineer, "tara_id": reference.pk, "kind": Kind.CLAIM, "ref": "CL-01"}
    with pytest.raises(Conflict, match="CL-01 has no change in its history to undo"):
        services.undo_last_change(**edit)
    services.update_element(**edit, changes={"text": "Changed once"})
    element = Element.objects.get(tara=reference, kind=Kind.CLAIM, ref="CL-01")
    Element.objects.filter(pk=element.pk).update(data={**element.data, "text": "Changed outside the history"})
    count = ChangeRecord.objects.count()
    with pytest.raises(Conflict, match=r"CL-01 is no longer what its last change \(#\d+ by engineer\) left"):
        services.undo_last_change(**edit)
    assert _data(reference, Kind.CLAIM, "CL-01")["text"] == "Changed outside the history"
    assert ChangeRecord.objects.count() == count
    with pytest.raises(PermissionDenied):
        services.undo_last_change(**{**edit, "actor": team.reviewer})


def test_the_undo_button_on_the_element_page(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    url = f"/taras/{workspace.tara.pk}/claims/CL-01/"
    assert 'data-testid="undo-form"' not in client.get(url).content.decode()
    client.post(f"{url}edit/", {"f_text": "Changed claim"})
    page = client.get(url).content.decode()
    assert 'data-testid="undo-form"' in page
    assert f"by {workspace.users['engineer'].get_username()}," in page
    response = client.post(f"{url}undo/", follow=True)
    assert "The last change of CL-01 was undone." in response.content.decode()
    assert _data(workspace.tara, Kind.CLAIM, "CL-01")["text"] != "Changed claim"
    assert 'data-testid="undo-form"' not in workspace.client("reviewer").get(url).content.decode()
