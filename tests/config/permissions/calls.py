"""How the matrix calls a route: URL parameters filled from the world by name, and, for the routes that need
more (a payload that really succeeds when allowed, a TARA in review, another element or file), a `Call`.

A new read route with the usual parameters needs nothing here; a new write route without its payload fails
the matrix for the callers who may use it (the answer is a refusal of the input, not the success).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opencsms.core import services as core_services
from opencsms.core import totp
from opencsms.core.models import TotpDevice, User
from opencsms.organisation.schemas import LevelPath
from opencsms.tara import services as tara_services
from opencsms.tara.models import Kind, Tara
from opencsms.vulns import services as vulns_services
from tests.config.permissions import incident_calls
from tests.config.permissions.routes import Route
from tests.config.permissions.world import World
from tests.factories.tara import FIRMWARE_RULE
from tests.factories.vulns import kev_json, make_proposal
from tests.factories.workspace import VULN_EXAMPLES
from tests.paths import MATRIX_TARA

Values = Callable[[World], Mapping[str, Any]]


def _none(world: World) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Call:
    """`args` override URL parameters, `query` is the query string, `data` the form or JSON body; `before`
    arranges the state the route needs, inside the call's savepoint, and may give URL parameters."""

    args: Values = _none
    query: Values = _none
    data: Values = _none
    before: Callable[[World, User | None], Mapping[str, Any]] | None = None


def _level_args(world: World, route: Route) -> dict[str, Any]:
    """`kind` and `level_id` of a route on a level, and the member there whose role it may change."""
    if route.level is None:
        return {"kind": Kind.THREAT_SCENARIO}
    kind = next(path for path in LevelPath if path.level == route.level) if route.api else route.level
    level_id, member = world.levels()[route.level].pk, world.members[route.level].pk
    return {"kind": kind, "level_id": level_id, "user_id": member}


def default_args(world: World, route: Route) -> dict[str, Any]:
    values = {
        **_level_args(world, route),
        "organisation_id": world.tree.organisation.pk,
        "project_id": world.tree.project.pk,
        "tara_id": world.tara.pk,
        "baseline_id": world.baseline.pk,
        "ref": "TS-01",
        "job_id": world.import_job.pk,
        "rule_file_id": world.rule_file.pk,
        "release_id": world.monitored.release.pk,
        "finding_id": world.monitored.finding.pk,
        "advisory_id": world.monitored.finding.evidence[0]["advisory"],
        "vulnerability_id": world.monitored.finding.vulnerability_id,
        "source_id": world.advisory_source.pk,
        "incident_id": world.incident.pk,
        "action_id": world.action.pk,
    }
    return {name: str(values[name]) for name in route.params if name in values}


def _with_exception(world: World, user: User | None) -> Mapping[str, Any]:
    finding = world.monitored.finding
    vulns_services.set_triage_exception(
        actor=world.author,
        release_id=finding.release_id,
        vulnerability_id=finding.vulnerability_id,
        **EXCEPTION,
    )
    return {}


def _submitted(world: World, user: User | None) -> Mapping[str, Any]:
    tara_services.submit_for_review(actor=world.author, tara_id=world.tara.pk)
    return {}


def _approval(world: World) -> Mapping[str, Any]:
    """The reviewed content's hash, and the small TARA's open items (warnings, uncovered Annex 5 threats)
    acknowledged: the approval the reference model gets without them."""
    sha256 = Tara.objects.get(pk=world.tara.pk).content_sha256
    return {"content_sha256": sha256, "acknowledged": True, "rationale": "matrix: a cut-down model"}


def _new_claim(world: World, user: User | None) -> Mapping[str, Any]:
    data = {"id": "CL-99", "text": "A claim to delete"}
    tara_services.create_element(actor=world.author, tara_id=world.tara.pk, kind=Kind.CLAIM, data=data)
    return {"kind": Kind.CLAIM, "ref": "CL-99"}


def _own_token(world: World, user: User | None) -> Mapping[str, Any]:
    token, _ = core_services.create_api_token(actor=user or world.author, name="to revoke")
    return {"token_id": token.pk}


def _with_password(world: World, user: User | None) -> Mapping[str, Any]:
    if user is not None:  # a copy: the world's user object must keep the password it signs in with
        copy = User.objects.get(pk=user.pk)
        copy.set_password("matrix-old-password-1")
        copy.save(update_fields=["password"])
    return {}


MATRIX_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _with_authenticator(confirmed: bool) -> Callable[[World, User | None], Mapping[str, Any]]:
    """The caller's authenticator with a known secret: waiting for its first code, or on (and a password)."""

    def arrange(world: World, user: User | None) -> Mapping[str, Any]:
        if user is not None:
            _with_password(world, user)
            TotpDevice.objects.create(
                user=user, secret=MATRIX_SECRET, confirmed=timezone.now() if confirmed else None
            )
        return {}

    return arrange


def _newcomer_with_authenticator(world: World, user: User | None) -> Mapping[str, Any]:
    TotpDevice.objects.create(user=world.newcomer, secret=MATRIX_SECRET, confirmed=timezone.now())
    return {"user_id": world.newcomer.pk}


NEW_PASSWORD = {"password": "Tulip-Orbit-4417"}
NEWCOMER = Call(args=lambda w: {"user_id": w.newcomer.pk})


def _file(filename: str, raw: bytes, **fields: str) -> Values:
    return lambda world: {"file": SimpleUploadedFile(filename, raw), **fields}


TARA_FILE = _file("ev.tara.yaml", MATRIX_TARA.read_bytes(), replace="true")
RULE_FILE = _file("acme.yaml", FIRMWARE_RULE.format(version="2").encode())
GATEWAY = (VULN_EXAMPLES / "cgw-firmware-1.8.0.cdx.json").read_bytes()
SBOM = Call(data=_file("cgw.cdx.json", GATEWAY, name="Gateway firmware", version="1.8.0"))
OPENVEX = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "statements": [
        {"vulnerability": {"name": "CVE-2099-1"}, "products": ["pkg:npm/none@1"], "status": "affected"}
    ],
}
VEX = Call(data=_file("vex.json", json.dumps(OPENVEX).encode()))
NEW_REVISION = Call(data=_file("cgw.cdx.json", GATEWAY))  # another SBOM than the release's
EXCEPTION = {"stage": "analysed", "vex_status": "fixed", "rationale": "matrix: patched here"}
ADVISORIES = Call(data=_file("new.json", (VULN_EXAMPLES / "new-advisory.osv.json").read_bytes()))
KEV = Call(data=_file("kev.json", kev_json("CVE-2022-32149"), kind="kev"))


def _fixed(**values: Any) -> Values:
    return lambda world: values


CLAIM = _fixed(kind=Kind.CLAIM, ref="CL-01")
DECISION = Call(data=_fixed(stage="decided", vex_status="affected", decision="mitigate", rationale="matrix"))
NEW_CLAIM = _fixed(kind=Kind.CLAIM)
IN_REVIEW = Call(before=_submitted)
RETURN = Call(before=_submitted, data=_fixed(reason="rate TS-01 again"))
APPROVE = Call(before=_submitted, data=_approval)
BASELINE = Call(data=_fixed(name="b1"))
COMMENT = Call(data=_fixed(text="Please rate TS-01 again", kind="threat_scenarios", ref="TS-01"))
DIFF = Call(query=lambda w: {"old": f"baseline:{w.baseline.pk}"})
DECIDE = Call(data=_fixed(refs=["TS-01"], status="accepted"))
PATHS = Call(query=_fixed(asset="A-01", k="1"))
TREE_EDIT = Call(data=_fixed(op="set_gate", path="AP-01a", gate="or"))
DELETE_CLAIM = Call(before=_new_claim)
LINK = Call(data=_fixed(threat="TS-05", path="AP-05a", address="0"))


def _proposal(world: World, user: User | None) -> Mapping[str, Any]:
    return {"link_id": make_proposal(world.monitored.finding).pk}


CONFIRM = Call(before=_proposal)
REJECT = Call(before=_proposal, data=_fixed(reason="not reachable"))
LOOP_RULE = Call(data=_fixed(mode="propose"))
SLA = Call(data=_fixed(critical=5, high=20, medium=60, low=120, unknown=60, kev=3, escalation=2))
SOURCE = Call(data=_fixed(name="Go", kind="osv_path", location="/srv/go"))


def _item(world: World) -> Mapping[str, Any]:
    functions = yaml.safe_dump(world.tara.header["item"]["functions"])
    return {"name": "Renamed item", "description": "d", "functions": functions}


PAGE_CALLS: dict[str, Call] = {
    "core:history": Call(args=lambda w: {"object_type": "tara.tara", "object_id": w.tara.pk}),
    "organisation:business_unit_create": Call(data=_fixed(name="Matrix unit")),
    "organisation:project_create": Call(data=_fixed(name="Matrix project")),
    "organisation:member_add": Call(data=lambda w: {"user": w.newcomer.username, "role": "engineer"}),
    "organisation:member_role": Call(data=_fixed(role="reviewer")),
    "tara:import": Call(data=TARA_FILE),
    "tara:create": Call(data=_fixed(ref="matrix-new", name="Matrix new", profile="iso21434")),
    "tara:rule_upload": Call(data=RULE_FILE),
    "tara:item_edit": Call(data=_item),
    "tara:report": Call(args=_fixed(fmt="md")),
    "tara:baseline_report": Call(args=_fixed(fmt="md")),
    "tara:traceability_file": Call(args=_fixed(fmt="csv")),
    "tara:diff": DIFF,
    "tara:withdraw": IN_REVIEW,
    "tara:return": RETURN,
    "tara:approve": APPROVE,
    "tara:comment_add": COMMENT,
    "tara:baseline_create": BASELINE,
    "tara:decide": DECIDE,
    "tara:element_bulk": Call(data=_fixed(refs=["TS-01"], set_status="accepted")),
    "tara:element_export": Call(args=_fixed(fmt="csv")),
    "tara:paths": PATHS,
    "tara:attach_paths": Call(data=_fixed(threat="TS-08", k="1")),
    "tara:not_applicable": Call(data=_fixed(annex5="14.2", rationale="not in this item")),
    "tara:tree_edit": TREE_EDIT,
    "tara:element_create": Call(args=NEW_CLAIM, data=_fixed(yaml="id: CL-99\ntext: New claim\n")),
    "tara:element_create_fields": Call(
        args=_fixed(kind=Kind.ASSET), data=_fixed(id="A-99", name="Spare key", properties=["integrity"])
    ),
    "tara:element_edit": Call(args=CLAIM, data=_fixed(f_text="Changed claim")),
    "tara:element_yaml": Call(
        args=CLAIM, data=_fixed(yaml="id: CL-01\ntext: Changed\n", previous_keys="id,text")
    ),
    "tara:element_delete": DELETE_CLAIM,
    "tara:element_undo": DELETE_CLAIM,  # the last change of the new claim is its creation
    "vulns:upload": SBOM,
    "vulns:replace_sbom": NEW_REVISION,
    "vulns:release_vex_import": VEX,
    "vulns:organisation_vex_import": VEX,
    "vulns:vex": Call(args=_fixed(fmt="csaf")),
    "vulns:findings_export": Call(args=_fixed(fmt="csv")),
    "vulns:portfolio_export": Call(args=_fixed(fmt="csv")),
    "vulns:triage": Call(data=_fixed(stage="weakness", vex_status="under_investigation")),
    "vulns:link": LINK,
    "vulns:bulk_triage": Call(data=_fixed(all_matching="on", set_stage="weakness")),
    "vulns:portfolio_bulk_triage": Call(
        data=lambda w: {"ids": [w.monitored.finding.pk], "set_stage": "weakness"}
    ),
    "vulns:confirm_link": CONFIRM,
    "vulns:reject_link": REJECT,
    "vulns:loop_rule": LOOP_RULE,
    "vulns:sla_policy_edit": SLA,
    "vulns:organisation_advisory_import": ADVISORIES,
    "vulns:project_advisory_import": ADVISORIES,
    "vulns:organisation_exploitation_import": KEV,
    "vulns:project_exploitation_import": KEV,
    "vulns:source_create": SOURCE,
    "vulns:source_schedule": Call(data=_fixed(every="3600")),
    "vulns:vulnerability_decision": DECISION,
    "vulns:triage_exception": Call(data=_fixed(**EXCEPTION)),
    "vulns:triage_exception_remove": Call(before=_with_exception),
    "vulns:organisation_vulnerability_export": Call(args=_fixed(fmt="csv")),
    "vulns:project_vulnerability_export": Call(args=_fixed(fmt="csv")),
    "core:profile_save": Call(data=_fixed(first_name="Matrix", last_name="Caller", email="m@example.org")),
    "core:password_change": Call(
        before=_with_password,
        data=_fixed(
            current="matrix-old-password-1", new="a-new-matrix-password-7", repeat="a-new-matrix-password-7"
        ),
    ),
    "core:token_create": Call(data=_fixed(name="matrix page token")),
    "core:factor_confirm": Call(
        before=_with_authenticator(False), data=lambda w: {"code": totp.code_at(MATRIX_SECRET, time.time())}
    ),
    "core:factor_disable": Call(before=_with_authenticator(True), data=_fixed(proof="matrix-old-password-1")),
    "core:token_revoke": Call(before=_own_token),
    "core:user_create": Call(data=_fixed(username="newly-made", **NEW_PASSWORD)),
    "core:user_deactivate": NEWCOMER,
    "core:user_activate": NEWCOMER,
    "core:user_password": Call(args=NEWCOMER.args, data=_fixed(**NEW_PASSWORD)),
    "core:user_second_factor_reset": Call(before=_newcomer_with_authenticator),
    **{name: Call(**parts) for name, parts in incident_calls.PAGES.items()},
}
T = "/taras/{tara_id}"
API_CALLS: dict[str, Call] = {
    "POST /users": Call(data=_fixed(username="matrix-created")),
    "POST /tokens": Call(data=_fixed(name="matrix token")),
    "DELETE /tokens/{token_id}": Call(before=_own_token),
    "POST /organisations": Call(data=_fixed(name="Matrix organisation")),
    "POST /business-units": Call(data=lambda w: {"organisation_id": w.tree.organisation.pk, "name": "New"}),
    "POST /projects": Call(data=lambda w: {"business_unit_id": w.tree.business_unit.pk, "name": "New"}),
    "POST /{kind}/{level_id}/members": Call(data=lambda w: {"user_id": w.newcomer.pk, "role": "engineer"}),
    "PATCH /{kind}/{level_id}/members/{user_id}": Call(data=_fixed(role="reviewer")),
    "POST /projects/{project_id}/taras": Call(data=TARA_FILE),
    "POST /projects/{project_id}/tara-imports": Call(data=TARA_FILE),
    "POST /projects/{project_id}/taras/new": Call(data=_fixed(ref="matrix-new", name="Matrix new")),
    f"PATCH {T}": Call(data=_fixed(changes={"name": "Renamed TARA"})),
    f"GET {T}/report": Call(query=_fixed(format="md")),
    f"POST {T}/elements/{{kind}}": Call(args=NEW_CLAIM, data=_fixed(data={"id": "CL-99", "text": "x"})),
    f"PATCH {T}/elements/{{kind}}/{{ref}}": Call(args=CLAIM, data=_fixed(changes={"text": "Changed"})),
    f"DELETE {T}/elements/{{kind}}/{{ref}}": DELETE_CLAIM,
    f"POST {T}/elements/{{kind}}/bulk": Call(data=_fixed(refs=["TS-01"], changes={"status": "accepted"})),
    f"POST {T}/threat_scenarios/{{ref}}/tree": TREE_EDIT,
    f"POST {T}/threat-decisions": DECIDE,
    f"GET {T}/attack-paths": PATHS,
    f"POST {T}/threat_scenarios/{{ref}}/attack-paths": Call(args=_fixed(ref="TS-08"), data=_fixed(k=1)),
    "POST /organisations/{organisation_id}/threat-rules": Call(data=RULE_FILE),
    f"POST {T}/submit": Call(data=_fixed(note="")),
    f"POST {T}/withdraw": IN_REVIEW,
    f"POST {T}/return": RETURN,
    f"POST {T}/approve": APPROVE,
    f"POST {T}/comments": COMMENT,
    f"POST {T}/baselines": BASELINE,
    f"GET {T}/diff": DIFF,
    "POST /projects/{project_id}/releases": SBOM,
    "POST /releases/{release_id}/sbom-revisions": NEW_REVISION,
    "POST /releases/{release_id}/vex-imports": VEX,
    "POST /organisations/{organisation_id}/vex-imports": VEX,
    "GET /releases/{release_id}/vex": Call(query=_fixed(format="csaf")),
    "PATCH /findings/{finding_id}": Call(data=_fixed(stage="weakness")),
    "POST /findings/{finding_id}/tara-link": LINK,
    "POST /releases/{release_id}/findings/bulk-triage": Call(
        data=_fixed(all_matching=True, changes={"stage": "weakness"})
    ),
    "POST /findings/bulk-triage": Call(
        data=lambda w: {"ids": [w.monitored.finding.pk], "changes": {"stage": "weakness"}}
    ),
    "POST /findings/{finding_id}/step-links/{link_id}/confirm": CONFIRM,
    "POST /findings/{finding_id}/step-links/{link_id}/reject": REJECT,
    "PUT /organisations/{organisation_id}/tara-loop-rule": LOOP_RULE,
    "PUT /organisations/{organisation_id}/sla-policy": SLA,
    "POST /projects/{project_id}/advisories": ADVISORIES,
    "POST /organisations/{organisation_id}/advisories": ADVISORIES,
    "POST /projects/{project_id}/exploitation": KEV,
    "POST /organisations/{organisation_id}/exploitation": KEV,
    "POST /organisations/{organisation_id}/advisory-sources": SOURCE,
    "PUT /advisory-sources/{source_id}/schedule": Call(data=_fixed(every=3600)),
    "PUT /organisations/{organisation_id}/vulnerabilities/{vulnerability_id}/decision": DECISION,
    "PUT /releases/{release_id}/vulnerabilities/{vulnerability_id}/exception": Call(data=_fixed(**EXCEPTION)),
    "DELETE /releases/{release_id}/vulnerabilities/{vulnerability_id}/exception": Call(
        before=_with_exception
    ),
    "POST /notifications/read": Call(data=_fixed(ids=[])),
    **{name: Call(**parts) for name, parts in incident_calls.API.items()},
}


@dataclass(frozen=True)
class Request:
    route: Route
    url: str
    data: Mapping[str, Any]
    query: Mapping[str, Any]


def arrange(world: World, route: Route, user: User | None) -> Request:
    """Arrange what `route` needs (its `Call.before`) and make the request `user` will send."""
    call = (API_CALLS if route.api else PAGE_CALLS).get(route.key, Call())
    arranged = call.before(world, user) if call.before else {}
    given = {**call.args(world), **arranged}
    args = {**default_args(world, route), **{name: str(value) for name, value in given.items()}}
    url = "/api/v1" + route.path.format(**args) if route.api else reverse(route.path, kwargs=args)
    return Request(route, url, call.data(world), call.query(world))


def send(client: Client, request: Request) -> HttpResponse:
    """Pages: a GET, or an htmx POST (a success redirects; a refusal by a rule would answer 200 inline).
    API: a GET, a multipart POST with files, else a JSON body."""
    route, url, data = request.route, request.url, request.data
    if route.method == "GET":
        return client.get(url, request.query)
    if not route.api:
        return client.post(url, data, HTTP_HX_REQUEST="true")
    if any(isinstance(value, SimpleUploadedFile) for value in data.values()):
        return client.post(url, data)
    body = json.dumps(data) if data else ""
    return client.generic(route.method, url, body, content_type="application/json")
