"""One row of the matrix: a route called by every caller, each call in a savepoint that is rolled back, and
what each caller got next to what they should have got, both as short text (`404`, `200 shown`).

Besides the status: a listing shows the object exactly to those who may see it; a 404 does not reveal the
object; an API refusal has the `{code, detail}` shape; a page sends nobody signed in to the sign-in page; a
refused write leaves the database as it was (every table's row count, the audit chain, the TARA).
"""

from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client

from opencsms.organisation.models import Level
from opencsms.tara.models import Tara
from tests.config.permissions.calls import arrange, send
from tests.config.permissions.expect import Expected, expected
from tests.config.permissions.routes import Route
from tests.config.permissions.world import AT_ORGANISATION, CALLERS, World, level_of, marker

REFUSED = (401, 403, 404)
SIGN_IN = "/login/"
APPS = ("core", "organisation", "tara", "vulns", "incidents", "django_tasks_database")


def target(world: World, route: Route) -> object | None:
    """The object the route's declaration names (None: a route on no object)."""
    on = route.access.on if route.access else ""
    if not on:
        return None
    if on == "level":
        assert route.level is not None, f"{route} is declared on the level its URL names, but names none"
        return world.levels()[route.level]
    known = world.objects()
    assert on in known, f"{route} is declared on {on!r}; the matrix knows {', '.join(sorted(known))}"
    return known[on]


def callers(route: Route, level: Level | None) -> tuple[str, ...]:
    """Everyone; for a route on the organisation (or what belongs to it), roles held there too."""
    return (*CALLERS, *AT_ORGANISATION) if level == Level.ORGANISATION else CALLERS


def database_state(world: World) -> tuple[object, ...]:
    """Every table's row count (one query) and the TARA's content, state and revision."""
    tables = [model._meta.db_table for label in APPS for model in apps.get_app_config(label).get_models()]
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)  # noqa: S608 - models' names
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    tara = Tara.objects.values_list("content_sha256", "state", "revision").get(pk=world.tara.pk)
    return (*row, *tara)


def _body(response: HttpResponse) -> str:
    if response.streaming:  # a download sent as it is made (the audit CSV)
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")


def _status(response: HttpResponse) -> int:
    """The status, an htmx client redirect (`HX-Redirect`: a form that stays on its page until it
    succeeds) counted as the redirect it is."""
    return 302 if response.status_code == 200 and response.has_header("HX-Redirect") else response.status_code


def _is_error_json(body: str) -> bool:
    try:
        return {"code", "detail"} <= set(json.loads(body))
    except ValueError:
        return False


def _notes(route: Route, want: Expected, response: HttpResponse, shown_as: str) -> str:
    """What an answer shows besides its status, as text ('' when nothing to say)."""
    body, status = _body(response), response.status_code
    if want.sign_in:
        return " to sign-in" if status == 302 and response["Location"].startswith(SIGN_IN) else ""
    if want.shown is not None:
        return " shown" if shown_as in body else " hidden"
    if status == 404 and shown_as and shown_as in body:
        return f" reveals {shown_as!r}"
    if route.api and status >= 400 and not _is_error_json(body):
        return " without code and detail"
    return ""


def row(world: World, route: Route) -> tuple[dict[str, str], dict[str, str]]:
    """(what each caller got, what each should get) for `route`."""
    assert route.access is not None, (
        f"{route} declares no access: see CONTRIBUTING.md, 'Who may call a route'"
    )
    obj = target(world, route)
    level = level_of(obj) if obj is not None else None
    shown_as = marker(obj) if obj is not None else ""
    got, want = {}, {}
    for who in callers(route, level):
        expectation = expected(route, who, level)
        want[who] = str(expectation)
        user = world.users.get(who)
        with transaction.atomic():
            client = Client()
            if who in world.sessions:
                client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
            request = arrange(world, route, user)
            checks = route.writes and (expectation.status in REFUSED or expectation.sign_in)
            before = database_state(world) if checks else None
            response = send(client, request)
            got[who] = f"{_status(response)}{_notes(route, expectation, response, shown_as)}"
            if checks and database_state(world) != before:
                got[who] += " changed the database"
            transaction.set_rollback(True)
    return got, want
