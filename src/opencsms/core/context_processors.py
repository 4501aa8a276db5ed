"""What every page's layout (`core/base.html`) needs beyond Django's own context: the header's links."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from opencsms.core import navigation as links


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header's links (`core.navigation`) for a signed-in, active user; nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    return {"navigation": links.header(request)}
