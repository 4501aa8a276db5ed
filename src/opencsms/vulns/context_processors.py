"""What the layout (`core/base.html`) shows for vulnerability monitoring without core knowing the app: the
main navigation's link to the findings portfolio and the unread notification count. The count is lazy, so
only a page that shows the header pays its one indexed COUNT (htmx partials never do)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from opencsms.core.http import actor
from opencsms.vulns import selectors


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    return {
        "app_links": [("Findings", reverse("vulns:portfolio"))],
        "notifications": {
            "url": reverse("vulns:notifications"),
            "unread": SimpleLazyObject(lambda: selectors.unread_count(actor(request))),
        },
    }
