"""The objects the permission matrix calls every route on, built once through the services, and the callers.

The world is the page tests' monitored workspace around a small TARA (tests/fixtures/matrix.tara.yaml: the
reference model cut down to three threat scenarios, with every kind of element the routes act on) in the
project, the TCU release with its findings, imported by the project's engineer, with a baseline, a queued
import, an organisation's rule file and advisory source, and an engineer at each level whose role the member
routes change. Each signed-in caller has one session, made once: every call sends its cookie, and what a
call changes in it (a renewal, a new key after a password change) is rolled back with the call.

Callers: each role held at the business unit (the supplier guest at the project, the only level a guest is
invited to), each role but the guest's held at the organisation (for routes on the organisation and what
belongs to it), no membership, a superuser, an administrator of another organisation ("out of scope"), and
nobody signed in ("anonymous").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.test import Client

from opencsms.core.models import User
from opencsms.incidents import services as incidents_services
from opencsms.incidents.models import Incident, RemedialAction
from opencsms.organisation.models import Level, LevelObject, Role
from opencsms.tara import services as tara_services
from opencsms.tara.models import Baseline, ImportJob, RuleFile, Tara
from opencsms.vulns import services as vulns_services
from opencsms.vulns.models import AdvisorySource, Finding
from tests.factories.core import make_admin, make_user
from tests.factories.incidents import make_incident, make_plan
from tests.factories.organisation import Tree, make_matrix_user, make_membership
from tests.factories.tara import FIRMWARE_RULE
from tests.factories.workspace import Monitored, make_workspace, monitor
from tests.paths import MATRIX_TARA

ANONYMOUS, SUPERUSER, OUT_OF_SCOPE, NOBODY = "anonymous", "superuser", "out of scope", "no membership"
GUEST = str(Role.SUPPLIER_GUEST)
AT_UNIT = tuple(str(role) for role in Role if role != Role.SUPPLIER_GUEST)
AT_ORGANISATION = {f"{role} at organisation": Role(role) for role in AT_UNIT}
CALLERS = (*AT_UNIT, GUEST, NOBODY, SUPERUSER, OUT_OF_SCOPE, ANONYMOUS)


def membership(who: str) -> tuple[Role, Level] | None:
    """The role a caller holds and the level it is held at (None: no role in the matrix's organisation)."""
    if who in AT_ORGANISATION:
        return AT_ORGANISATION[who], Level.ORGANISATION
    if who == GUEST:
        return Role.SUPPLIER_GUEST, Level.PROJECT
    if who in AT_UNIT:
        return Role(who), Level.BUSINESS_UNIT
    return None


@dataclass(frozen=True)
class World:
    monitored: Monitored
    users: dict[str, User]  # by caller; anonymous has none
    sessions: dict[str, str]  # the session key of each caller in `users`
    members: dict[Level, User]  # an engineer at each level, whose role the member routes change or remove
    newcomer: User  # no membership: the member routes add them
    baseline: Baseline
    import_job: ImportJob
    rule_file: RuleFile
    advisory_source: AdvisorySource
    incident: Incident  # of the project, opened from the finding, under the project's plan
    action: RemedialAction  # the incident's, not done

    @property
    def tree(self) -> Tree:
        return self.monitored.workspace.tree

    @property
    def tara(self) -> Tara:
        return self.monitored.workspace.tara

    @property
    def author(self) -> User:
        """The project's engineer who imported the TARA and the release (and submits the TARA for review)."""
        return self.users[Role.ENGINEER]

    def levels(self) -> dict[Level, LevelObject]:
        return _levels(self.tree)

    def objects(self) -> dict[str, Any]:
        """What a declaration's `on` names (`level`: the one the route's URL names)."""
        return {
            **{str(kind): level for kind, level in self.levels().items()},
            "tara": self.tara,
            "import_job": self.import_job,
            "release": self.monitored.release,
            "finding": self.monitored.finding,
            "rule_file": self.rule_file,
            "advisory_source": self.advisory_source,
            "incident": self.incident,
        }


def marker(obj: Any) -> str:
    """The text that shows `obj` in a page or a JSON answer: its name (a finding's vulnerability id, a job's
    file name)."""
    if isinstance(obj, Finding):
        return obj.vulnerability_id
    if isinstance(obj, Incident):
        return obj.title
    return str(obj.filename if isinstance(obj, ImportJob) else obj.name)


def level_of(obj: Any) -> Level:
    """The level whose permissions govern `obj`: its own, or the one its audit scope names (`project:12`)."""
    return Level(obj.scope.partition(":")[0])


def _levels(tree: Tree) -> dict[Level, LevelObject]:
    return {
        Level.ORGANISATION: tree.organisation,
        Level.BUSINESS_UNIT: tree.business_unit,
        Level.PROJECT: tree.project,
    }


def _member(user: User, level: LevelObject, role: Role) -> User:
    make_membership(user, level, role)
    return user


def _sessions(users: dict[str, User]) -> dict[str, str]:
    """A signed-in session per caller (`force_login` once, not once per call)."""
    keys = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        keys[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def build_world() -> World:
    monitored = monitor(make_workspace(MATRIX_TARA))
    tree, tara, users = monitored.workspace.tree, monitored.workspace.tara, dict(monitored.workspace.users)
    users.update({who: make_matrix_user(tree, who) for who in (NOBODY, SUPERUSER)})
    users.update(
        {who: _member(make_user(), tree.organisation, role) for who, role in AT_ORGANISATION.items()}
    )
    users[OUT_OF_SCOPE] = _member(make_user(), tree.other_organisation, Role.ADMINISTRATOR)
    organisation, author, admin, raw = (
        tree.organisation.pk,
        users[Role.ENGINEER],
        make_admin(),
        MATRIX_TARA.read_bytes(),
    )
    incident, action = _incident(monitored, author)
    return World(
        monitored=monitored,
        users=users,
        sessions=_sessions(users),
        members={kind: _member(make_user(), level, Role.ENGINEER) for kind, level in _levels(tree).items()},
        newcomer=make_user("matrix-newcomer"),
        baseline=tara_services.create_baseline(actor=author, tara_id=tara.pk, name="matrix baseline"),
        import_job=tara_services.request_import(
            actor=author, project_id=tree.project.pk, raw=raw, filename="queued.tara.yaml", replace=True
        ),
        rule_file=tara_services.upload_rule_file(
            actor=admin, organisation_id=organisation, raw=FIRMWARE_RULE.format(version="1").encode()
        ),
        advisory_source=vulns_services.create_advisory_source(
            actor=admin, organisation_id=organisation, name="Matrix OSV", kind="osv_path", location="/srv/osv"
        ),
        incident=incident,
        action=action,
    )


def _incident(monitored: Monitored, author: User) -> tuple[Incident, RemedialAction]:
    """The project's plan and an incident opened from the finding, with an open remedial action."""
    make_plan(author, Level.PROJECT, monitored.release.project_id)
    incident = make_incident(author, monitored.finding, title="Matrix incident")
    action = incidents_services.add_action(actor=author, incident_id=incident.pk, title="Matrix action")
    return incident, action
