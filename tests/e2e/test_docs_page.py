"""Swagger UI at /docs in a real browser on a machine without internet: Debian's Chromium,
driven by Playwright, with every request to another host than the gateway's refused. The page
must still render, list every public operation, and log in through the token endpoint."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, sync_playwright

from schakel.gateway.openapi_merge import forwarded_routes
from schakel_dev.stack import Stack

pytestmark = pytest.mark.e2e
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOGIN = ("POST", "/api/v1/auth/token")
WAIT_MS = 30_000


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "tests/e2e/test_docs_page.py needs Debian's Chromium on the PATH: "
            "apt-get install -y chromium (as root, or with sudo)",
            pytrace=False,
        )
    return path


@contextlib.contextmanager
def offline_browser(profile: Path) -> Iterator[tuple[BrowserContext, list[str]]]:
    """Chromium with a fresh profile that may reach 127.0.0.1 only; yields the URLs it
    refused too. Called in the test itself, so a missing Chromium fails the test."""
    executable = chromium()
    refused: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            context.route("**/*", local_only)
            yield context, refused
        finally:
            context.close()


def listed_operations(page: Page) -> set[tuple[str, str]]:
    rows: list[list[str]] = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent.trim(),
            b.querySelector('.opblock-summary-path').getAttribute('data-path'),
        ])""",
    )
    return {(method.upper(), path) for method, path in rows}


def test_swagger_ui_lists_every_public_operation_without_internet(
    stack: Stack, tmp_path: Path, screenshots: Path
) -> None:
    expected = {(m, r.path) for r in forwarded_routes() for m in r.methods or ()} | {LOGIN}
    errors: list[str] = []
    with offline_browser(tmp_path / "chromium-profile") as (context, refused):
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{stack['gateway'].url}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=WAIT_MS)
        page.wait_for_function(
            f"document.querySelectorAll('.opblock').length >= {len(expected)}", timeout=WAIT_MS
        )
        page.screenshot(path=screenshots / "docs.png", full_page=True)

        assert "schakel" in page.inner_text(".swagger-ui .info .title")
        assert listed_operations(page) == expected
        assert page.locator(".btn.authorize").count() == 1  # the bearer token can be entered
    assert errors == []
    assert refused == []  # nothing was even tried elsewhere: no CDN, no validator badge


def test_swagger_ui_logs_in_with_the_password_form_and_calls_an_endpoint(
    stack: Stack, tmp_path: Path, screenshots: Path
) -> None:
    """The OAuth2 password form against the token endpoint, then the token in "Authorize"
    and an authenticated call: all from the page, with the internet cut off."""
    with offline_browser(tmp_path / "chromium-profile") as (context, refused):
        page = context.new_page()
        page.goto(f"{stack['gateway'].url}/docs")

        login = operation(page, "post", "/api/v1/auth/token")
        login.locator(".try-out__btn").click()
        login.locator(".opblock-section-request-body select").select_option(
            "application/x-www-form-urlencoded"
        )
        for name, value in (("username", "auditor"), ("password", "demo-auditor")):
            login.locator(f'tr[data-property-name="{name}"] input[type=text]').fill(value)
        token = json.loads(execute(login, screenshots / "login.png"))["access_token"]

        page.locator(".btn.authorize").first.click()
        page.locator("#auth-bearer-value").fill(token)
        page.locator(".auth-btn-wrapper .authorize").first.click()
        page.locator(".auth-btn-wrapper .btn-done").first.click()
        verify = operation(page, "get", "/api/v1/audit/verify")
        verify.locator(".try-out__btn").click()
        checked = json.loads(execute(verify, screenshots / "verify.png"))  # auditors only

        assert "intact" in checked["report"]
    assert refused == []


def operation(page: Page, method: str, path: str) -> Locator:
    """One operation of the page, opened."""
    found = page.locator(f".opblock-{method}", has=page.locator(f'[data-path="{path}"]'))
    found.locator(".opblock-summary").click()
    return found


def execute(operation: Locator, screenshot: Path) -> str:
    """Press Execute; the live answer's body, after checking it is a 200."""
    operation.locator(".execute").click()
    answer = operation.locator(".live-responses-table tbody .response-col_status").first
    answer.wait_for(timeout=WAIT_MS)
    operation.page.screenshot(path=screenshot, full_page=True)
    assert answer.inner_text().strip() == "200"
    return operation.locator(".live-responses-table .microlight").first.inner_text()
