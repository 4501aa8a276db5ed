"""In the browser: the API documentation page shows the operations, with Swagger UI served by the
application itself (from npm), under the strict Content-Security-Policy and without a console error.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in


def test_the_api_docs_page_shows_the_operations_without_a_csp_violation(page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    docs = page.get_by_test_id("swagger-ui")
    expect(docs).to_contain_text("OpenCSMS API")
    expect(docs.locator(".opblock").first).to_be_visible()
    expect(docs).to_contain_text("/api/v1/me")
    expect(docs).to_contain_text("/api/v1/tokens")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
    base = page.url.split("/api/")[0]
    assert [url for url in requested if not url.startswith(base)] == []  # nothing from a CDN


def test_try_it_out_calls_the_api_with_the_session(page: Any, demo: Demo) -> None:
    page.goto("/login/?next=/api/v1/docs")
    sign_in(page, "engineer")
    operation = page.locator(".opblock", has=page.locator('.opblock-summary-path[data-path="/api/v1/me"]'))
    # Swagger UI renders the whole contract (hundreds of operations) first: seconds on a loaded machine
    expect(operation).to_be_visible(timeout=20_000)
    # each click re-renders part of that contract (and moves the address's #fragment): seconds when loaded
    operation.locator(".opblock-summary").click(timeout=20_000)
    operation.get_by_role("button", name="Try it out").click(timeout=20_000)
    operation.get_by_role("button", name="Execute").click(timeout=20_000)
    expect(operation.locator(".live-responses-table")).to_contain_text(
        '"username": "engineer"', timeout=20_000
    )
    assert page.console.csp_violations() == []
