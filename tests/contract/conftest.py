"""Fixtures of the independent validators (see validators.py)."""

from __future__ import annotations

import pytest

from schakel_dev.jars import cache_dir
from tests.contract.validators import ASYNCAPI_CLI_VERSION, AsyncAPICli, RecordChecker, ToolMissing

_REPORT: list[str] = []


@pytest.fixture(scope="session")
def asyncapi_cli() -> AsyncAPICli:
    """The official AsyncAPI CLI; skipped, with the reason in the summary, without Node.js."""
    try:
        cli = AsyncAPICli.install(cache_dir())
    except ToolMissing as exc:
        _REPORT.append(f"SKIPPED: {exc}")
        pytest.skip(str(exc))
    how = (
        f"installed from npm in {cli.install_seconds:.0f} s"
        if cli.install_seconds is not None
        else "already installed"
    )
    _REPORT.append(f"@asyncapi/cli {ASYNCAPI_CLI_VERSION} ({how}) in {cli.home}")
    return cli


@pytest.fixture(scope="session")
def record_checker() -> RecordChecker:
    return RecordChecker()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _REPORT:
        terminalreporter.section("contract validators")
        for line in _REPORT:
            terminalreporter.write_line(line)
