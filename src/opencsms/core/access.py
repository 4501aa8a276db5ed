"""Who may call a route: a declaration on every page view and API operation, read by the permission matrix.

A declaration checks nothing at run time (services check, with `organisation.access.require`); it says what
they must decide, and `tests/config/permissions` holds every route to it: it finds the routes in Django's URL
resolver and the API's routers, calls each one as every role, and compares the answer with the one the
declaration and `organisation.access.GRANTS` imply. A route without a declaration fails that test.

    @needs(Perm.EDIT, on="tara")          # EDIT on the TARA's project: 404 unseen, 403 seen, else success
    @lists(Perm.VIEW, on="tara")          # everyone gets the list; the TARA is in it only for viewers
    @signed_in                            # any signed-in user: what it shows or changes is their own
    @superuser_only                       # 403 for everyone else

Permissions are `organisation.access.Perm` values (core cannot import them, so they are plain names here);
`on` names the object the route acts on: a level (`organisation`, `business_unit`, `project`, or `level`,
the one the route's `kind` names) or an object that belongs to one (`tara`, `release`, `finding`...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

View = TypeVar("View", bound=Callable[..., object])


@dataclass(frozen=True)
class Access:
    """What a route asks of its caller.

    `perms`: one of them is needed on `on` (none: any signed-in user). `listing`: everyone is answered, and
    only holders see `on` in the answer. `superuser`: only superusers.
    """

    perms: tuple[str, ...] = ()
    on: str = ""
    listing: bool = False
    superuser: bool = False


_DECLARED: dict[Callable[..., object], Access] = {}


def declare(rule: Access) -> Callable[[View], View]:
    """Attach `rule` to a view or API operation (it is returned unchanged)."""

    def attach(view: View) -> View:
        _DECLARED[view] = rule
        return view

    return attach


def needs(*perms: str, on: str) -> Callable[[View], View]:
    return declare(Access(perms, on))


def lists(perm: str, *, on: str) -> Callable[[View], View]:
    return declare(Access((perm,), on, listing=True))


def signed_in(view: View) -> View:
    return declare(Access())(view)


def superuser_only(view: View) -> View:
    return declare(Access(superuser=True))(view)


def declared(view: Callable[..., object]) -> Access | None:
    """The declaration of `view`, looked up through the decorators that wrap it (`functools.wraps`)."""
    current: Callable[..., object] | None = view
    while current is not None:
        if current in _DECLARED:
            return _DECLARED[current]
        current = getattr(current, "__wrapped__", None)
    return None


def declared_views() -> list[Callable[..., object]]:
    """Every view and operation that carries a declaration."""
    return list(_DECLARED)
