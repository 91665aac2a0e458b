"""What an operator reads on stdout: one JSON object a line, naming the service, the level,
the time (UTC) and the ids bound for the message in hand, for schakel's own lines and the
libraries' alike; below the configured level nothing, and the chatty libraries only from
warnings up."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from schakel.platform.logging import configure_logging


@pytest.fixture
def stdout(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """What the process writes; the logging set-up as it was is restored afterwards."""
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {
        name: logging.getLogger(name).level for name in ("aiokafka", "uvicorn.access", "pymongo")
    }
    try:
        yield capsys
    finally:
        structlog.configure(**config)
        structlog.contextvars.clear_contextvars()
        root.handlers[:], root.level = handlers, level
        for name, old in noisy.items():
            logging.getLogger(name).setLevel(old)


def lines(written: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in written.readouterr().out.splitlines()]


def test_each_line_is_json_with_the_service_level_time_and_bound_ids(
    stdout: pytest.CaptureFixture[str],
) -> None:
    structlog.contextvars.bind_contextvars(stale="from before")
    configure_logging("triage")
    log = structlog.get_logger("test")
    log.debug("not shown")
    with structlog.contextvars.bound_contextvars(correlation_id="corr-1"):
        log.info("event handled", outcome="applied")
    [line] = lines(stdout)
    when = datetime.fromisoformat(line.pop("timestamp"))
    assert when.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 60
    assert line == {
        "service": "triage",
        "correlation_id": "corr-1",
        "event": "event handled",
        "outcome": "applied",
        "level": "info",
    }


def test_a_failure_is_logged_with_its_traceback_in_the_line(
    stdout: pytest.CaptureFixture[str],
) -> None:
    configure_logging("audit", "warning")
    log = structlog.get_logger("test")
    log.info("below the level")
    try:
        raise ValueError("the archive is broken")
    except ValueError:
        log.exception("verify failed")
    [line] = lines(stdout)
    assert (line["event"], line["level"], line["service"]) == ("verify failed", "error", "audit")
    assert "ValueError: the archive is broken" in line["exception"]
    assert line["exception"].startswith("Traceback")


def test_libraries_log_json_too_and_the_chatty_ones_only_from_warnings(
    stdout: pytest.CaptureFixture[str],
) -> None:
    configure_logging("intake", "debug")
    logging.getLogger("a.library").debug("subscriber started %s", "now")
    for noisy in ("aiokafka", "uvicorn.access", "pymongo"):
        logging.getLogger(noisy).info("chatter")
        logging.getLogger(noisy).warning("%s trouble", noisy)
    found = lines(stdout)
    for line in found:
        assert datetime.fromisoformat(line.pop("timestamp")).utcoffset() is not None
    assert found == [
        {
            "event": "subscriber started now",
            "level": "debug",
            "logger": "a.library",
            "service": "intake",
        },
        {
            "event": "aiokafka trouble",
            "level": "warning",
            "logger": "aiokafka",
            "service": "intake",
        },
        {
            "event": "uvicorn.access trouble",
            "level": "warning",
            "logger": "uvicorn.access",
            "service": "intake",
        },
        {"event": "pymongo trouble", "level": "warning", "logger": "pymongo", "service": "intake"},
    ]
    assert logging.getLogger().level == logging.DEBUG


def test_a_command_whose_answer_is_on_stdout_logs_to_stderr(
    stdout: pytest.CaptureFixture[str],
) -> None:
    configure_logging("audit-cli", "WARNING", sys.stderr)
    structlog.get_logger().warning("no signing key")
    logging.getLogger("pymongo").error("server gone")
    written = stdout.readouterr()
    assert written.out == ""
    logged = [json.loads(line) for line in written.err.splitlines()]
    assert [(e["event"], e["level"]) for e in logged] == [
        ("no signing key", "warning"),
        ("server gone", "error"),
    ]
