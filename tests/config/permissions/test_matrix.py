"""The permission matrix: every route of the pages and of the API, called by every caller, answers what its
declaration (`opencsms.core.access`) and `organisation.access.GRANTS` say. Routes come from the registries,
so a new route is in the matrix at once, and fails it until it declares who may call it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.http import HttpRequest, HttpResponse

from opencsms.core.access import declared_views
from tests.config.permissions.calls import API_CALLS, PAGE_CALLS
from tests.config.permissions.matrix import row
from tests.config.permissions.routes import ROUTES, SKIPPED, Route, skipped, url_patterns
from tests.config.permissions.world import World


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_caller_gets_the_declared_answer(world: World, route: Route) -> None:
    got, want = row(world, route)
    assert got == want


def _wrapped(view: Callable[..., object]) -> Iterator[Callable[..., object]]:
    current: Callable[..., object] | None = view
    while current is not None:
        yield current
        current = getattr(current, "__wrapped__", None)


def test_the_declared_routes_are_the_routes() -> None:
    undeclared = [str(route) for route in ROUTES if route.access is None]
    routed = {view for route in ROUTES for view in _wrapped(route.view)}
    unrouted = [view.__qualname__ for view in declared_views() if view not in routed]
    assert (undeclared, unrouted) == ([], [])


def _undeclared_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def test_a_route_without_a_declaration_fails_the_matrix_by_name() -> None:
    route = Route("demo:undeclared", False, "GET", "demo:undeclared", (), _undeclared_view, 200)
    with pytest.raises(AssertionError, match="demo:undeclared declares no access"):
        row(None, route)  # type: ignore[arg-type]  # refused before the world is used


def test_only_the_framework_routes_are_left_out() -> None:
    """Every skip still matches a route, and every URL under the API is one of the operations."""
    patterns = url_patterns()
    used = {skipped(name, path) for name, path, _ in patterns}
    unused = [key for key, why in SKIPPED.items() if why not in used]
    api = {path for name, path, _ in patterns if name.startswith("api:") and not skipped(name, path)}
    operations = {"api/v1" + r.path.replace("{", "<").replace("}", ">") for r in ROUTES if r.api}
    assert (unused, api) == ([], operations)


def test_every_call_is_of_a_route() -> None:
    pages, operations = {r.key for r in ROUTES if not r.api}, {r.key for r in ROUTES if r.api}
    assert (set(PAGE_CALLS) - pages, set(API_CALLS) - operations) == (set(), set())
