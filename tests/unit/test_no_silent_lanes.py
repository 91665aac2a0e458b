"""A run that cannot kill and restart the servers says so: in CI the tests that need them fail,
elsewhere they are skipped and the end of the report names them; a wait gives up with its
message before pytest's timeout. Each case is a pytest run of its own (pytester), with this
suite's conftest and servers given by address, so nothing is started."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    monkeypatch.setenv("MONGODB_URI", "mongodb://127.0.0.1:9/")
    monkeypatch.delenv("SCHAKEL_TEST_LANE", raising=False)
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    pytester.makepyfile(
        test_kills="""
        def test_kill_the_broker(dev_servers):
            raise AssertionError("never runs without the local servers")
        """
    )
    return pytester


def test_in_ci_a_test_needing_the_local_servers_fails_when_they_are_not_in_use(
    run: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = run.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*kafka lane=env, mongodb lane=env*in CI every test must run*"])
    assert result.ret != 0


def test_elsewhere_it_is_skipped_and_the_report_ends_saying_so(
    run: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = run.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*NOT RUN: tests that kill and restart the servers*", "*needs the local development*"]
    )


def test_a_wait_ends_with_its_message_before_the_test_times_out(run: pytest.Pytester) -> None:
    run.makepyfile(
        test_waits="""
        import pytest
        from tests.e2e.conftest import eventually

        @pytest.mark.timeout(23)
        def test_waits_for_what_never_comes():
            eventually(lambda: None, within=600, what="the event that was lost")
        """
    )
    result = run.runpytest_subprocess("-p", "no:cacheprovider", "test_waits.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*AssertionError: not before the test's timeout: the event that was lost*"]
    )
    result.stdout.no_fnmatch_line("*Timeout*")
