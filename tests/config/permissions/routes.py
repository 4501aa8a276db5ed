"""Every route of the pages and of the API, found in the registries (Django's URL resolver, the API's
routers), with its declaration (`opencsms.core.access`) and the answer it gives when the call is allowed.

Only these framework routes are left out, each for its reason; anything else without a declaration fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from opencsms.config.api import api
from opencsms.core.access import Access, declared
from opencsms.organisation.models import Level

SKIPPED: dict[str, str] = {
    "admin/": "Django's admin: superusers only (core.admin_site), read-only: nothing bypasses the services",
    "api:openapi-json": "the public description of the API (no data)",
    "api:openapi-view": "the API's documentation page (no data)",
    "api:api-root": "Ninja's root of the API (no data)",
    "core:login": "the sign-in page is public by design (throttling has its own tests)",
    "core:logout": "signing out acts on the caller's own session only",
    "core:login_enrol": "setting up a required second factor acts only on the caller's own waiting sign-in "
    "(tests/core/test_second_factor_required.py)",
    "core:login_code": "the sign-in's second step acts only on the caller's own waiting sign-in (tested in "
    "tests/core/test_second_factor_pages.py)",
    "core:sso_start": "single sign-on starts a sign-in in the caller's own session (tests/core/test_sso.py)",
    "core:sso_callback": "single sign-on's return acts only on the caller's own waiting sign-in, checked by "
    "its state (tests/core/test_sso.py)",
}
API_NAMESPACE = "api"  # its operations are enumerated from the routers, method by method


@dataclass(frozen=True)
class Route:
    """One page (by URL name) or one API operation (`METHOD /path`); a route whose URL names a level by its
    `kind` is one route per kind of level (`level`), a page whose pattern fixes the kind has that level."""

    key: str
    api: bool
    method: str
    path: str  # the URL name of a page; the path of an operation, `{parameter}` style
    params: tuple[str, ...]
    view: Callable[..., Any]
    success: int
    level: Level | None = None
    name: str = ""

    @property
    def access(self) -> Access | None:
        return declared(self.view)

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def __str__(self) -> str:
        return self.name or self.key


def _by_level(route: Route, fixed: Any = None) -> list[Route]:
    """`route` for each level its URL may name (`kind` and `level_id`), or the one its pattern fixes."""
    if fixed is not None:
        return [replace(route, level=Level(fixed))]
    if not {"kind", "level_id"} <= set(route.params):
        return [route]
    return [replace(route, level=level, name=f"{route.key} [{level}]") for level in Level]


def _patterns(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace or "")))
            yield from _patterns(pattern.url_patterns, route, inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or ""
            yield name, route, pattern


def skipped(name: str, route: str) -> str | None:
    """Why the URL pattern `name` at `route` is left out, or None."""
    return SKIPPED.get(name) or next((why for key, why in SKIPPED.items() if route.startswith(key)), None)


def url_patterns() -> list[tuple[str, str, URLPattern]]:
    """(name, route, pattern) of every URL pattern, namespaces included."""
    return list(_patterns(get_resolver().url_patterns))


def _page_method(view: Callable[..., Any]) -> str:
    """POST for a view behind `require_POST` (Django keeps the allowed methods in the wrapper), else GET."""
    methods = inspect.getclosurevars(view).nonlocals.get("request_method_list") or ["GET"]
    return "POST" if "POST" in methods else str(methods[0])


def pages() -> list[Route]:
    found = []
    for name, route, pattern in url_patterns():
        if skipped(name, route) or name.partition(":")[0] == API_NAMESPACE:
            continue
        method = _page_method(pattern.callback)
        params = tuple(pattern.pattern.converters)
        success = 302 if method == "POST" else 200
        page = Route(name or route, False, method, name, params, pattern.callback, success)
        found += _by_level(page, pattern.default_args.get("kind"))
    return found


def operations() -> list[Route]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = prefix.rstrip("/") + path
            params = tuple(part[1:-1] for part in full.split("/") if part.startswith("{"))
            for operation in path_view.operations:
                success = min(code for code in operation.response_models if 200 <= code < 300)
                for method in operation.methods:
                    route = Route(
                        f"{method} {full}", True, method, full, params, operation.view_func, success
                    )
                    found += _by_level(route)
    return found


ROUTES = pages() + operations()
