"""Fixtures of the core tests shared by several files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opencsms.core.oidc import provider
from tests.core.oidc_provider import Provider, running_provider, sso_settings


@pytest.fixture
def idp(settings: Any) -> Iterator[Provider]:
    """A local OpenID provider, started for the test, that the server is configured to use."""
    with running_provider() as started:
        settings.OIDC = sso_settings(started)
        provider.forget()
        yield started
    provider.forget()
