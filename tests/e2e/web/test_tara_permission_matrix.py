"""The TARA pages and actions: a role x page/action permission matrix. Every request carries HX-Request,
so a success is 200 (page) or 302 (redirect to the result), a refusal by the state of the TARA is 200
with the message inline, and the permission check gives 403 (visible, not permitted) or 404 (outside)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencsms.tara import services
from opencsms.tara.models import State
from tests.e2e.web.conftest import REFERENCE, Workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

ACTIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "overview": ("get", "/taras/{t.pk}/", {}),
    "threat list": ("get", "/taras/{t.pk}/threat_scenarios/", {}),
    "threat detail": ("get", "/taras/{t.pk}/threat_scenarios/TS-01/", {}),
    "export": ("get", "/taras/{t.pk}/export.yaml", {}),
    "edit element": ("post", "/taras/{t.pk}/claims/CL-01/edit/", {"f_text": "Changed claim"}),
    "edit tree": (
        "post",
        "/taras/{t.pk}/threat_scenarios/TS-01/tree/edit/",
        {"op": "set_gate", "path": "AP-01a", "gate": "or"},
    ),
    "baseline": ("post", "/taras/{t.pk}/baselines/", {"name": "b1"}),
    "submit": ("post", "/taras/{t.pk}/submit/", {}),
    "approve": ("post", "/taras/{t.pk}/approve/", {}),
    "import": ("post", "/projects/{t.project_id}/taras/import/", {}),
}
EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": (200, 200, 200, 200, 302, 302, 302, 302, 302, 302),
    "cybersecurity_manager": (200, 200, 200, 200, 302, 302, 302, 302, 302, 302),
    "engineer": (200, 200, 200, 200, 302, 302, 302, 302, 403, 302),
    "reviewer": (200, 200, 200, 200, 403, 403, 302, 403, 302, 403),
    "auditor": (200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "supplier_guest": (200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "no membership": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 200, 200, 302, 302, 302, 302, 302, 302),
}
MATRIX = [
    pytest.param(who, action, statuses[index], id=f"{who}-{action}")
    for who, statuses in EXPECTED.items()
    for index, action in enumerate(ACTIONS)
]


@pytest.mark.parametrize(("who", "action", "expected"), MATRIX)
def test_tara_permission_matrix(workspace: Workspace, who: str, action: str, expected: int) -> None:
    assert len(EXPECTED[who]) == len(ACTIONS)
    tara = workspace.tara
    method, path, data = ACTIONS[action]
    if action == "approve":  # someone else sent it for review: four eyes do not refuse the approver
        services.submit_for_review(actor=workspace.users["engineer"], tara_id=tara.pk)
        tara.refresh_from_db()
        data = {"content_sha256": tara.content_sha256}
    if action == "import":
        data = {"file": SimpleUploadedFile("ev.yaml", REFERENCE.read_bytes()), "replace": "on"}
    response = getattr(workspace.client(who), method)(path.format(t=tara), data, **HX)
    assert response.status_code == expected
    assert 'role="alert"' not in response.content.decode()  # no refusal by state in this matrix
    if action == "approve" and expected == 302:
        tara.refresh_from_db()
        assert tara.state == State.APPROVED


def test_a_reviewer_sees_the_tara_read_only_and_may_approve(workspace: Workspace) -> None:
    page = workspace.client("reviewer").get(f"/taras/{workspace.tara.pk}/claims/CL-01/").content.decode()
    assert "Save the YAML" not in page
    assert "readonly" in page
    services.submit_for_review(actor=workspace.users["engineer"], tara_id=workspace.tara.pk)
    overview = workspace.client("reviewer").get(f"/taras/{workspace.tara.pk}/").content.decode()
    assert 'data-testid="approve-form"' in overview
    assert 'data-testid="return-form"' in overview
    assert "Withdraw" not in overview


def test_the_auditor_reads_but_sees_no_action(workspace: Workspace) -> None:
    overview = workspace.client("auditor").get(f"/taras/{workspace.tara.pk}/").content.decode()
    for form in ("submit-form", "approve-form", "baseline-form", "item-edit"):
        assert f'data-testid="{form}"' not in overview
    tree = (
        workspace.client("auditor")
        .get(f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/")
        .content.decode()
    )
    assert "Save rating" not in tree
