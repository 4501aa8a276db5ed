"""The header's links of vulnerability monitoring (registered by `VulnsConfig.ready`): the findings
portfolio, and the notifications with the user's unread count beside them (one indexed COUNT, paid only
by a page that renders the header)."""

from __future__ import annotations

from django.http import HttpRequest

from opencsms.core.http import actor
from opencsms.core.navigation import Link
from opencsms.vulns import selectors


def unread(request: HttpRequest) -> int:
    return selectors.unread_count(actor(request))


LINKS = (
    Link("findings", "Findings", "vulns:portfolio"),
    Link("notifications", "Notifications", "vulns:notifications", badge=unread, badge_testid="unread-count"),
)
