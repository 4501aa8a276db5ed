"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

Every test here is marked `browser` and `django_db(transaction=True)` (the live server runs in a thread and
needs committed data), so it runs in both database passes of `make test`. Without Chromium the tests skip
with the reason, except in CI (`CI=true`), where they fail: a browser suite must never vanish silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from opencsms.core.services import system_user
from opencsms.organisation.demo import DEMO_USERS, Demo, load_demo

CHROMIUM = Path("/usr/bin/chromium")
PASSWORDS = {user.username: user.password for user in DEMO_USERS}
MISSING = f"Chromium is missing at {CHROMIUM}: `make test` installs it (apt-get install -y chromium)"

# Playwright's synchronous API runs an asyncio loop in this thread, and Django refuses database calls from a
# thread with a running loop. The test code is synchronous, so the check is off while a browser is open.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# Collects the page's CSP violations (an init script runs through the DevTools protocol, not under the CSP).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{MISSING}. CI runs the browser tests: this run FAILS.")
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


class Console:
    """The errors a page wrote to its console and its CSP violations."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def csp_violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__cspViolations || []")
        return found


@contextmanager
def browser_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page in a browser context of its own (its own cookies: one person), watched for CSP violations
    and console errors; closed once no request of it is in flight."""
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(WATCH_CSP)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.console = Console(page)
    try:
        yield page
    finally:
        settled(page)
        context.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    with browser_page(browser, live_server) as opened:
        yield opened


def settled(page: Any) -> None:
    """Wait until the page has no request in flight (a partial htmx loads after a save, say): the live
    server must not be answering one while the test's database is flushed, or the flush fails."""
    try:
        page.wait_for_load_state("networkidle", timeout=5000)
    except Exception:  # a page that never settles is the next assertion's business
        return


@pytest.fixture
def demo() -> Demo:
    """The demo organisation, project and one user per role (their passwords in `PASSWORDS`)."""
    return load_demo(actor=system_user())


def sign_in(page: Any, username: str, password: str | None = None) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORDS[username])
    page.click("button[type=submit]")
