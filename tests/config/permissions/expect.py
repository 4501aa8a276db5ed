"""The answer a route owes each caller, derived from its declaration and `organisation.access.GRANTS`.

A membership applies at its level and below (a `DIRECT_ONLY` role's only at its level); what it grants on an
object is `GRANTS[role][the object's level]`. A caller who holds one of the declared permissions gets the
route's success; one who may only view the object 403; one who cannot see it 404 (nothing revealed). A
listing answers everyone and shows the object only to holders. Nobody signed in: 401 from the API, a
redirect to the sign-in page from the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from opencsms.organisation.access import DIRECT_ONLY, GRANTS, Perm
from opencsms.organisation.models import Level
from tests.config.permissions.routes import Route
from tests.config.permissions.world import ANONYMOUS, SUPERUSER, membership

DEPTH = {Level.ORGANISATION: 0, Level.BUSINESS_UNIT: 1, Level.PROJECT: 2}


def held(who: str, level: Level) -> frozenset[Perm]:
    """What `who` holds on an object at `level` of the matrix's organisation (all objects are on one line:
    organisation > business unit > project)."""
    if who == SUPERUSER:
        return frozenset(Perm)
    found = membership(who)
    if found is None:
        return frozenset()
    role, at = found
    if DEPTH[level] < DEPTH[at] or (role in DIRECT_ONLY and level != at):
        return frozenset()
    return GRANTS[role][level]


@dataclass(frozen=True)
class Expected:
    status: int
    shown: bool | None = None  # a listing: whether the object must be in the answer
    sign_in: bool = False  # a page: the redirect goes to the sign-in page

    def __str__(self) -> str:
        shown = "" if self.shown is None else (" shown" if self.shown else " hidden")
        return f"{self.status}{shown}{' to sign-in' if self.sign_in else ''}"


def expected(route: Route, who: str, level: Level | None) -> Expected:
    """What `route` answers `who` when it acts on an object at `level` (None: a route on no object)."""
    rule = route.access
    assert rule is not None
    if who == ANONYMOUS:
        return Expected(401) if route.api else Expected(302, sign_in=True)
    if rule.superuser:
        return Expected(route.success if who == SUPERUSER else 403)
    if not rule.perms:
        return Expected(route.success)
    assert level is not None
    holds = held(who, level)
    allowed = bool(holds & {Perm(perm) for perm in rule.perms})
    if rule.listing:
        return Expected(route.success, shown=allowed)
    if allowed:
        return Expected(route.success)
    return Expected(403 if Perm.VIEW in holds else 404)
