"""The header's links (the main navigation and the user menu): a registry each app contributes to.

Core knows no app: an app registers its links from its AppConfig's `ready()` (`register(*LINKS)`), and
`settings.NAVIGATION` orders them, in one place, per area of the header (`main`, `user`). A link that is
registered but not ordered, or ordered but not registered, is an error found by the system check
`opencsms.E001` (`manage check`, run by `migrate` and `serve`) and by the tests. A link's `badge` (a count
beside it, e.g. unread notifications) is evaluated lazily: only a page that renders the header pays it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.checks import register as register_check
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class Link:
    """One link of the header: `key` is how settings.NAVIGATION names it; `badge(request)` a count."""

    key: str
    label: str
    url_name: str
    badge: Callable[[HttpRequest], int] | None = None
    badge_testid: str = ""  # the badge's data-testid (browser tests find it by it)
    visible: Callable[[HttpRequest], bool] | None = None  # who sees the link (None: every signed-in user)


@dataclass(frozen=True)
class Shown:
    """A link as the header renders it."""

    key: str
    label: str
    url: str
    badge: Any  # a lazy count, or None
    badge_testid: str


_registry: dict[str, Link] = {}


def register(*links: Link) -> None:
    """Add an app's links (from its AppConfig.ready()); a key registered twice is a configuration error."""
    for link in links:
        if _registry.get(link.key, link) != link:
            raise ImproperlyConfigured(f"navigation link {link.key!r} is registered twice")
        _registry[link.key] = link


def registered() -> dict[str, Link]:
    return dict(_registry)


def problems() -> list[str]:
    """What keeps settings.NAVIGATION and the registered links from being the same set of keys."""
    ordered = [key for keys in settings.NAVIGATION.values() for key in keys]
    found = [
        f"navigation link {key!r} is ordered twice in settings.NAVIGATION"
        for key in sorted({key for key in ordered if ordered.count(key) > 1})
    ]
    found += [
        f"navigation link {key!r} is registered but not ordered in settings.NAVIGATION"
        for key in sorted(set(_registry) - set(ordered))
    ]
    found += [
        f"settings.NAVIGATION names {key!r}, which no app registers"
        for key in sorted(set(ordered) - set(_registry))
    ]
    return found


@register_check()
def check_navigation(**_: Any) -> list[CheckMessage]:
    return [Error(problem, id="opencsms.E001") for problem in problems()]


def header(request: HttpRequest) -> dict[str, list[Shown]]:
    """The links of each area of the header, in settings.NAVIGATION's order, for this request."""
    return {
        area: [_shown(_registry[key], request) for key in keys if key in _registry and _visible(key, request)]
        for area, keys in settings.NAVIGATION.items()
    }


def _visible(key: str, request: HttpRequest) -> bool:
    visible = _registry[key].visible
    return visible is None or visible(request)


def _shown(link: Link, request: HttpRequest) -> Shown:
    badge = link.badge
    count = None if badge is None else SimpleLazyObject(lambda: badge(request))
    return Shown(link.key, link.label, reverse(link.url_name), count, link.badge_testid)
