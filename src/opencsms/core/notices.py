"""Telling people about a change, for apps that sit below the one that keeps the notifications.

Core knows no app: the app that stores and delivers notifications (vulns: in the app, by email and by
webhook) registers its sender from its AppConfig's `ready()`; a lower app (tara: submit, return and
approval of a TARA) calls `send` inside its service's transaction, so the notifications commit with the
change or not at all. Without a registered sender nothing is sent (an installation without the app).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the app configs import this module before the models are loaded
    from opencsms.core.models import User


@dataclass(frozen=True)
class Notice:
    """One message to some people about an object of a project (`subject`, e.g. a TARA)."""

    users: tuple[User, ...]
    project: Any  # an organisation.models.Project (core does not import the organisation app)
    message: str
    subject: Any = None


class Sender(Protocol):
    def __call__(self, notice: Notice) -> int: ...


_senders: list[Sender] = []


def register(sender: Sender) -> None:
    """Add the app's sender (from its AppConfig.ready()); registering it again changes nothing."""
    if sender not in _senders:
        _senders.append(sender)


def send(*, users: Iterable[User], project: Any, message: str, subject: Any = None) -> int:
    """Notify `users` (each once, in the order given); how many notifications were written."""
    unique = tuple({user.pk: user for user in users}.values())
    if not unique:
        return 0
    notice = Notice(unique, project, message, subject)
    return sum(sender(notice) for sender in _senders)
