"""The incident reads are scoped: a project's incident is seen by whoever may view the project, an
organisation's own incident only by those who may view the organisation; the plan in force is the
project's, else the organisation's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from opencsms.core.errors import NotFound
from opencsms.incidents import selectors, services
from opencsms.organisation.models import Level, Role
from opencsms.vulns.models import Finding
from tests.factories.core import make_admin, make_user
from tests.factories.incidents import make_incident, make_plan
from tests.factories.organisation import make_membership
from tests.incidents.conftest import Team

pytestmark = pytest.mark.django_db


def test_who_sees_which_incident(team: Team, finding: Finding) -> None:
    admin = make_admin()
    of_project = make_incident(team.engineer, finding, title="Of the project")
    of_organisation = services.open_incident(
        actor=admin,
        kind=Level.ORGANISATION,
        level_id=team.tree.organisation.pk,
        title="Of the organisation",
        detected_at=timezone.now(),
        reported_by="SOC",
    )
    organisation_auditor = make_user()
    make_membership(organisation_auditor, team.tree.organisation, Role.AUDITOR)
    assert [i.title for i in selectors.incidents(team.auditor)] == ["Of the project"]
    assert [i.title for i in selectors.incidents(team.manager)] == ["Of the project"]  # at the business unit
    assert {i.title for i in selectors.incidents(organisation_auditor)} == {
        "Of the project",
        "Of the organisation",
    }
    assert list(selectors.incidents(team.outsider)) == []
    with pytest.raises(NotFound):
        selectors.incident(team.engineer, of_organisation.pk)
    with pytest.raises(NotFound):
        selectors.incident(team.outsider, of_project.pk)
    assert selectors.incident(team.auditor, of_project.pk) == of_project
    assert [i.title for i in selectors.incidents(admin, project_id=team.project.pk)] == ["Of the project"]
    assert list(selectors.incidents(admin, status="closed")) == []


def test_the_plan_in_force_and_the_plan_page(team: Team) -> None:
    admin = make_admin()
    organisation, project = team.tree.organisation, team.project
    assert selectors.plan_in_force(organisation, project) is None
    own_of_organisation = make_plan(admin, Level.ORGANISATION, organisation.pk)
    assert selectors.plan_in_force(organisation, project) == own_of_organisation
    page = selectors.plan_page(team.auditor, Level.PROJECT, project.pk)
    assert (page.plan, page.inherited, page.can_edit) == (None, own_of_organisation, False)
    own = make_plan(team.engineer, Level.PROJECT, project.pk)
    assert selectors.plan_in_force(organisation, project) == own
    page = selectors.plan_page(team.engineer, Level.PROJECT, project.pk)
    assert (page.plan, page.inherited, page.can_edit) == (own, None, True)
    with pytest.raises(NotFound):
        selectors.plan_page(team.outsider, Level.PROJECT, project.pk)
