"""Malformed input answers a clear 4xx on every route, never a server error: ids beyond 64 bits in every
path, huge pages, a lone surrogate in JSON. The routes come from the permission matrix's registries, so a
new route is covered without a line here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from opencsms.tara.models import Kind
from opencsms.vulns.models import AdvisorySource
from tests.config.permissions.routes import ROUTES, Route
from tests.factories.core import make_admin
from tests.factories.organisation import make_tree
from tests.shared_world import rolled_back
from tests.vulns.test_api import _release

pytestmark = pytest.mark.django_db
HUGE = str(2**70)


def _url(route: Route) -> str:
    args = dict.fromkeys(route.params, HUGE)
    args.update({"kind": Kind.THREAT_SCENARIO, "ref": "TS-01"} if "kind" in args else {})
    if route.level is not None:
        args["kind"] = route.level if not route.api else {"organisation": "organisations",
                       "business_unit": "business-units", "project": "projects"}[route.level]  # fmt: skip
    if route.api:
        return "/api/v1" + route.path.format(**args)
    return reverse(route.path, kwargs={name: args[name] for name in route.params})


def _answer(client: Client, route: Route) -> tuple[int, bytes]:
    send = getattr(client, route.method.lower())
    response = send(_url(route), "{}", content_type="application/json") if route.writes else send(_url(route))
    return response.status_code, response.content


@pytest.fixture(scope="module")
def admin_session(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """An administrator's session, made once for the module (tests/shared_world.py), not once per test."""
    with rolled_back(django_db_blocker):
        client = Client()
        client.force_login(make_admin())
        yield client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def signed_in(admin_session: str, db: None) -> Client:
    """A client signed in as the administrator that answers a server error instead of raising it."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = admin_session
    return client


@pytest.mark.parametrize("route", [r for r in ROUTES if any(p.endswith("_id") for p in r.params)], ids=str)
def test_an_id_beyond_64_bits_is_a_client_error(route: Route, signed_in: Client) -> None:
    status, body = _answer(signed_in, route)
    assert 400 <= status < 500 if route.api else status < 500, (route, status, body[:300])
    if route.api:
        assert {"code", "detail"} <= set(json.loads(body))


@pytest.mark.parametrize("query", [{"limit": HUGE}, {"offset": HUGE}, {"limit": 10**9}])
def test_huge_pages_are_refused_by_name(query: dict[str, object], signed_in: Client) -> None:
    release = _release(make_tree())
    for url in (f"/api/v1/releases/{release.pk}/findings", "/api/v1/notifications"):
        response = signed_in.get(url, query)
        assert response.status_code == 422, (url, response.content[:300])
        assert next(iter(query)) in json.dumps(response.json()["errors"])


def test_a_filter_id_beyond_64_bits_is_a_client_error(signed_in: Client) -> None:
    response = signed_in.get("/api/v1/projects", {"business_unit": HUGE})
    assert response.status_code == 422
    assert "business_unit" in json.dumps(response.json()["errors"])


def test_a_lone_surrogate_in_json_is_refused_and_nothing_is_stored(signed_in: Client) -> None:
    response = signed_in.post(
        "/api/v1/organisations", '{"name": "a\\ud800b"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]
    paired = signed_in.post(
        "/api/v1/organisations", '{"name": "a\\ud83d\\ude00b"}', content_type="application/json"
    )
    assert paired.status_code == 201
    assert paired.json()["name"] == "a\U0001f600b"


def test_a_json_file_with_a_lone_surrogate_is_refused_by_name(signed_in: Client) -> None:
    tree = make_tree()
    osv = b'{"id": "GHSA-x", "summary": "bad \\udc00 text", "affected": []}'
    response = signed_in.post(
        f"/api/v1/projects/{tree.project.pk}/advisories", {"file": SimpleUploadedFile("a.json", osv)}
    )
    assert response.status_code == 422, response.content[:300]
    assert "lone-surrogate" in response.json()["detail"]


def test_a_second_advisory_source_of_the_same_name_is_a_conflict_in_api_and_pages(signed_in: Client) -> None:
    tree = make_tree()
    url = f"/api/v1/organisations/{tree.organisation.pk}/advisory-sources"
    body = {"name": "OSV", "kind": "osv_path", "location": "/srv/osv"}  # a folder the tests allow (conftest)
    assert signed_in.post(url, body, content_type="application/json").status_code == 201
    again = signed_in.post(url, body, content_type="application/json")
    assert again.status_code == 409
    assert "already has an advisory source named 'OSV'" in again.json()["detail"]
    page = reverse("vulns:source_create", args=[tree.organisation.pk])
    answer = signed_in.post(page, body, follow=True)
    assert "already has an advisory source named" in answer.content.decode()
    assert AdvisorySource.objects.filter(organisation=tree.organisation).count() == 1


def test_page_filters_beyond_64_bits_are_not_server_errors(signed_in: Client) -> None:
    release = _release(make_tree())
    tara = release.project.taras.first()
    urls = ["/findings/", "/audit/", "/notifications/", reverse("vulns:release", args=[release.pk])]
    urls += [reverse("tara:workspace", args=[tara.pk])] if tara else []
    for url in urls:
        for name in ("organisation", "page", "before", "owner", "tara", "id"):
            response = signed_in.get(url, {name: HUGE})
            assert response.status_code < 500, (url, name, response.status_code)


LONG = "x" * 1001


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/organisations", {"name": LONG}, "name"),
        ("/api/v1/organisations", {"name": "ok", "slug": LONG}, "slug"),
        ("/api/v1/business-units", {"organisation_id": 1, "name": LONG}, "name"),
        ("/api/v1/projects", {"business_unit_id": 1, "name": LONG}, "name"),
        ("/api/v1/tokens", {"name": LONG}, "name"),
        ("/api/v1/users", {"username": LONG}, "username"),
        ("/api/v1/users", {"username": "abc", "email": LONG}, "email"),
        (
            "/api/v1/organisations/1/advisory-sources",
            {"name": LONG, "kind": "osv_url", "location": "https://a"},
            "name",
        ),
        (
            "/api/v1/organisations/1/advisory-sources",
            {"name": "a", "kind": "osv_url", "location": "https://" + LONG},
            "location",
        ),
    ],
)
def test_a_text_longer_than_its_column_is_refused_by_name(
    url: str, body: dict[str, object], field: str, signed_in: Client
) -> None:
    make_tree()
    response = signed_in.post(url, body, content_type="application/json")
    assert response.status_code == 422, response.content[:300]
    [error] = response.json()["errors"]
    assert (error["loc"][-1], error["type"]) == (field, "string_too_long")


def test_a_value_the_database_refuses_is_a_clear_client_error(signed_in: Client) -> None:
    refusal = DataError("value too long for type character varying(200)")
    with mock.patch("opencsms.organisation.services.create_organisation", side_effect=refusal):
        response = signed_in.post("/api/v1/organisations", {"name": "a"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "detail": "a value does not fit where it is stored: value too long for type character varying(200)",
    }
