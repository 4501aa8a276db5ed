"""Comments on a TARA and on its elements: added by engineers, reviewers and managers in any state,
listed oldest first, audited with their author; bad input and readers refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.tara import selectors, services
from opencsms.tara.models import Comment, Tara
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def test_comments_on_the_tara_and_on_an_element_are_listed_apart_and_audited(
    team: Team, reference: Tara
) -> None:
    services.submit_for_review(actor=team.engineer, tara_id=reference.pk)  # comments in review too
    on_tara = services.add_comment(actor=team.reviewer, tara_id=reference.pk, text="  Overall fine  ")
    on_threat = services.add_comment(
        actor=team.reviewer, tara_id=reference.pk, text="Rate again", kind="threat_scenarios", ref="TS-03"
    )
    reply = services.add_comment(
        actor=team.engineer, tara_id=reference.pk, text="Done", kind="threat_scenarios", ref="TS-03"
    )
    assert [c.text for c in selectors.comments(reference)] == ["Overall fine"]
    assert list(selectors.comments(reference, "threat_scenarios", "TS-03")) == [on_threat, reply]
    assert (on_tara.author, on_tara.revision) == (team.reviewer, reference.revision)
    record = ChangeRecord.objects.get(action=AuditAction.COMMENT_ADDED, object_id=str(on_threat.pk))
    assert (record.actor, record.scope, record.after["text"], record.after["ref"]) == (
        team.reviewer,
        reference.scope,
        "Rate again",
        "TS-03",
    )
    tara = Tara.objects.get(pk=reference.pk)
    assert (tara.revision, tara.content_sha256) == (reference.revision, reference.content_sha256)


def test_bad_comments_and_readers_are_refused(team: Team, reference: Tara) -> None:
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=team.auditor, tara_id=reference.pk, text="x")
    with pytest.raises(NotFound):
        services.add_comment(actor=team.outsider, tara_id=reference.pk, text="x")
    with pytest.raises(Invalid, match="1 to 5000"):
        services.add_comment(actor=team.engineer, tara_id=reference.pk, text=" ")
    with pytest.raises(Invalid, match="both"):
        services.add_comment(actor=team.engineer, tara_id=reference.pk, text="x", kind="assets")
    with pytest.raises(Invalid, match="kind 'nonsense'"):
        services.add_comment(actor=team.engineer, tara_id=reference.pk, text="x", kind="nonsense", ref="A")
    with pytest.raises(NotFound, match="TS-999"):
        services.add_comment(
            actor=team.engineer, tara_id=reference.pk, text="x", kind="threat_scenarios", ref="TS-999"
        )
    assert not Comment.objects.exists()
    assert not ChangeRecord.objects.filter(action=AuditAction.COMMENT_ADDED).exists()


def test_comments_over_the_api_and_the_pages(team: Team, reference: Tara) -> None:
    reviewer = Client()
    reviewer.force_login(team.reviewer)
    url = f"/api/v1/taras/{reference.pk}/comments"
    body = {"text": "Check A-01", "kind": "assets", "ref": "A-01"}
    added = reviewer.post(url, body, content_type="application/json")
    assert added.status_code == 201
    assert (added.json()["author"], added.json()["ref"]) == ("reviewer", "A-01")
    assert reviewer.post(url, {"text": ""}, content_type="application/json").status_code == 422
    listed = reviewer.get(url, {"kind": "assets", "ref": "A-01"}).json()
    assert [c["text"] for c in listed] == ["Check A-01"]
    assert reviewer.get(url).json() == []
    page = reviewer.post(f"/taras/{reference.pk}/comments/add/", {"text": "On the TARA"})
    assert page["Location"] == f"/taras/{reference.pk}/"
    on_element = reviewer.post(
        f"/taras/{reference.pk}/comments/add/", {"text": "More", "kind": "assets", "ref": "A-01"}
    )
    assert on_element["Location"] == f"/taras/{reference.pk}/assets/A-01/"
    panel = reviewer.get(
        f"/taras/{reference.pk}/comments/", {"kind": "assets", "ref": "A-01"}
    ).content.decode()
    assert panel.index("Check A-01") < panel.index("More")
    assert "On the TARA" not in panel
    assert 'data-testid="comment-form"' in panel
    auditor = Client()
    auditor.force_login(team.auditor)
    read_only = auditor.get(f"/taras/{reference.pk}/comments/").content.decode()
    assert "On the TARA" in read_only
    assert 'data-testid="comment-form"' not in read_only
    refused = auditor.post(f"/taras/{reference.pk}/comments/add/", {"text": "x"})
    assert refused.status_code == 403
