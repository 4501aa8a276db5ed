"""An organisation's own threat rule files: checked by the engine beside the shipped rules, replaced by
URN, removed, audited, permitted per role, and used when the organisation's TARAs generate threats."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import ChangeRecord, User
from opencsms.organisation.models import Role
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, RuleFile, Tara
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.tara import FIRMWARE_RULE
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def _org_admin(team: Team) -> User:
    admin = make_user("org-admin")
    make_membership(admin, team.tree.organisation, Role.ADMINISTRATOR)
    return admin


def test_a_rule_file_is_stored_replaced_by_urn_and_audited(team: Team) -> None:
    admin, org = _org_admin(team), team.tree.organisation.pk
    first = services.upload_rule_file(
        actor=admin, organisation_id=org, raw=FIRMWARE_RULE.format(version="1").encode(), filename="acme.yaml"
    )
    assert (first.urn, first.version, first.rules, first.filename) == (
        "urn:opencsms:rules:acme",
        "1",
        1,
        "acme.yaml",
    )
    second = services.upload_rule_file(
        actor=admin, organisation_id=org, raw=FIRMWARE_RULE.format(version="2").encode()
    )
    assert second.pk == first.pk
    assert RuleFile.objects.get().version == "2"
    actions = list(ChangeRecord.objects.filter(object_type="tara.rulefile").values_list("action", flat=True))
    assert actions == [AuditAction.RULE_FILE_ADDED, AuditAction.RULE_FILE_REPLACED]
    replaced = ChangeRecord.objects.get(action=AuditAction.RULE_FILE_REPLACED)
    assert (replaced.before["version"], replaced.after["version"]) == ("1", "2")
    assert replaced.scope == f"organisation:{org}"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (
            FIRMWARE_RULE.format(version="1").replace("ACME-FW-ROLLBACK", "STRIDE-T"),
            "rule id STRIDE-T is already",
        ),
        (
            FIRMWARE_RULE.format(version="1").replace("[firmware]", "[firmwar]"),
            "tags ['firmwar'] are not declared",
        ),
        (
            FIRMWARE_RULE.format(version="1").replace('["12.2"]', '["99.9"]'),
            "are not UN R155 Annex 5 threat ids",
        ),
        (b"urn: &a x\nversion: *a\n", "alias"),
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"x" * 1_000_001, "at most 1000000"),
    ],
    ids=["clashing id", "undeclared tag", "unknown Annex 5 id", "alias", "encoding", "too large"],
)
def test_a_bad_rule_file_is_refused_naming_the_problem(team: Team, raw: str | bytes, problem: str) -> None:
    admin = _org_admin(team)
    data = raw.encode() if isinstance(raw, str) else raw
    with pytest.raises(Invalid, match=problem.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        services.upload_rule_file(actor=admin, organisation_id=team.tree.organisation.pk, raw=data)
    assert not RuleFile.objects.exists()
    assert not ChangeRecord.objects.filter(object_type="tara.rulefile").exists()


def test_who_may_add_and_remove_rule_files(team: Team) -> None:
    org, raw = team.tree.organisation.pk, FIRMWARE_RULE.format(version="1").encode()
    auditor = make_user("org-auditor")
    make_membership(auditor, team.tree.organisation, Role.AUDITOR)
    with pytest.raises(PermissionDenied):  # sees the organisation, may not change it
        services.upload_rule_file(actor=auditor, organisation_id=org, raw=raw)
    with pytest.raises(NotFound):  # members of a project do not see the organisation's page
        services.upload_rule_file(actor=team.engineer, organisation_id=org, raw=raw)
    with pytest.raises(NotFound):
        services.upload_rule_file(actor=team.outsider, organisation_id=org, raw=raw)
    rule_file = services.upload_rule_file(actor=_org_admin(team), organisation_id=org, raw=raw)
    assert [f.urn for f in selectors.rule_files(auditor, org)] == [rule_file.urn]
    with pytest.raises(PermissionDenied):
        services.delete_rule_file(actor=auditor, rule_file_id=rule_file.pk)
    with pytest.raises(NotFound):
        services.delete_rule_file(actor=team.outsider, rule_file_id=rule_file.pk)


def test_the_organisations_rules_generate_and_removal_keeps_their_threats(
    team: Team, reference: Tara
) -> None:
    admin, org = _org_admin(team), team.tree.organisation.pk
    rule_file = services.upload_rule_file(
        actor=admin, organisation_id=org, raw=FIRMWARE_RULE.format(version="1").encode()
    )
    assert "ACME-FW-ROLLBACK" in selectors.rule_set(reference).ids
    plan = services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    acme = sorted(p.id for p in plan.add if p.rule == "ACME-FW-ROLLBACK")
    assets = Element.objects.filter(tara=reference, kind="assets")
    expected = sorted(
        f"G-ACME-FW-ROLLBACK-{a.ref}"
        for a in assets
        if "firmware" in a.data.get("tags", []) and "integrity" in a.data["properties"]
    )
    assert acme == expected
    assert len(acme) >= 5
    services.delete_rule_file(actor=admin, rule_file_id=rule_file.pk)
    again = services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    assert again.skipped_rules == ("ACME-FW-ROLLBACK",)
    assert not set(acme) & set(again.obsolete)
    assert Element.objects.filter(tara=reference, ref__in=acme).count() == len(acme)
