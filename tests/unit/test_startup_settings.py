"""Outside development mode no service starts on a secret anyone knows: a missing, published or
short auth secret, vault master key, followup notes key or metrics token stops it, and the
error names the setting.
No service starts with a retention that would break exactly-once either."""

from __future__ import annotations

import base64
import importlib
import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from schakel.intake.app import DEV_BLIND_INDEX_KEY
from schakel.platform.settings import DEV_AUTH_SECRET, DEV_METRICS_TOKEN, UnsafeSettings

SERVICES = ("intake", "triage", "matching", "followup", "feedback", "audit", "gateway")
STRONG = "s" * 32
VAULT_KEY = base64.b64encode(b"k" * 32).decode()
NOTES_KEY = base64.b64encode(b"n" * 32).decode()
SIGNING_KEY = base64.b64encode(b"a" * 32).decode()
SETTINGS = ("SCHAKEL_AUTH_SECRET", "SCHAKEL_METRICS_TOKEN", "SCHAKEL_VAULT_MASTER_KEY")


def starting(service: str) -> Callable[[], FastAPI]:
    """What ``python -m schakel.<service>`` does before it serves: settings, then the app."""
    app = importlib.import_module(f"schakel.{service}.app")
    return lambda: app.build(app.settings())


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The environment of a production service with good secrets; tests spoil one."""
    monkeypatch.setenv("SCHAKEL_ENV", "production")
    monkeypatch.setenv("SCHAKEL_AUTH_SECRET", STRONG)
    monkeypatch.setenv("SCHAKEL_VAULT_MASTER_KEY", VAULT_KEY)
    monkeypatch.setenv("SCHAKEL_FOLLOWUP_NOTES_KEY", NOTES_KEY)
    monkeypatch.setenv("SCHAKEL_BLIND_INDEX_KEY", "b" * 32)
    monkeypatch.setenv("SCHAKEL_AUDIT_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.delenv("SCHAKEL_METRICS_TOKEN", raising=False)
    return monkeypatch


def refusal(env: pytest.MonkeyPatch, setting: str, value: str | None, service: str) -> str:
    """Why ``service`` refuses to start with ``setting`` unset (None) or set to ``value``."""
    if value is None:
        env.delenv(setting)
    else:
        env.setenv(setting, value)
    with pytest.raises(UnsafeSettings) as refused:
        starting(service)()
    return str(refused.value)


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_starts_with_real_secrets(
    production: pytest.MonkeyPatch, service: str
) -> None:
    production.setenv("SCHAKEL_METRICS_TOKEN", "m" * 32)
    assert isinstance(starting(service)(), FastAPI)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    ("value", "says"),
    [
        (None, "SCHAKEL_AUTH_SECRET is not set"),
        (DEV_AUTH_SECRET, "SCHAKEL_AUTH_SECRET is the published development value"),
        ("x" * 31, "SCHAKEL_AUTH_SECRET is shorter than 32 bytes"),
    ],
)
def test_no_service_starts_on_an_unsafe_auth_secret(
    production: pytest.MonkeyPatch, service: str, value: str | None, says: str
) -> None:
    assert says in refusal(production, "SCHAKEL_AUTH_SECRET", value, service)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (DEV_METRICS_TOKEN, "SCHAKEL_METRICS_TOKEN is the published development value"),
        ("short-token", "SCHAKEL_METRICS_TOKEN is shorter than 32 bytes"),
    ],
)
def test_a_metrics_token_that_is_set_must_be_a_secret(
    production: pytest.MonkeyPatch, value: str, says: str
) -> None:
    assert says in refusal(production, "SCHAKEL_METRICS_TOKEN", value, "matching")


def test_an_empty_metrics_token_turns_metrics_off_and_is_no_reason_to_refuse(
    production: pytest.MonkeyPatch,
) -> None:
    production.setenv("SCHAKEL_METRICS_TOKEN", "")
    assert isinstance(starting("feedback")(), FastAPI)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (None, "SCHAKEL_VAULT_MASTER_KEY is not set"),
        (
            "ZGV2ZWxvcG1lbnQtb25seS1rZXktbm90LXNlY3JldCE=",  # the old compose fallback
            "SCHAKEL_VAULT_MASTER_KEY is the published development value",
        ),
    ],
)
def test_intake_does_not_start_without_a_vault_master_key_of_its_own(
    production: pytest.MonkeyPatch, value: str | None, says: str
) -> None:
    assert says in refusal(production, "SCHAKEL_VAULT_MASTER_KEY", value, "intake")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (None, "SCHAKEL_BLIND_INDEX_KEY is not set"),
        (DEV_BLIND_INDEX_KEY, "SCHAKEL_BLIND_INDEX_KEY is the published development value"),
        ("x" * 31, "SCHAKEL_BLIND_INDEX_KEY is shorter than 32 bytes"),
    ],
)
def test_intake_does_not_start_without_a_blind_index_key_of_its_own(
    production: pytest.MonkeyPatch, value: str | None, says: str
) -> None:
    """The duplicate check's keyed hashes are only as secret as this key."""
    assert says in refusal(production, "SCHAKEL_BLIND_INDEX_KEY", value, "intake")


def test_followup_does_not_start_without_a_key_for_the_owners_notes(
    production: pytest.MonkeyPatch,
) -> None:
    says = "followup refuses to start: SCHAKEL_FOLLOWUP_NOTES_KEY is not set"
    assert says in refusal(production, "SCHAKEL_FOLLOWUP_NOTES_KEY", None, "followup")


def test_the_audit_does_not_start_without_a_checkpoint_signing_key(
    production: pytest.MonkeyPatch,
) -> None:
    says = "audit refuses to start: SCHAKEL_AUDIT_SIGNING_KEY is not set"
    assert says in refusal(production, "SCHAKEL_AUDIT_SIGNING_KEY", None, "audit")


@pytest.mark.parametrize("env", ["production", "development"])
@pytest.mark.parametrize(
    ("setting", "service"),
    [("SCHAKEL_VAULT_MASTER_KEY", "intake"), ("SCHAKEL_FOLLOWUP_NOTES_KEY", "followup")],
)
@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("not base64!", "is not base64"),
        (base64.b64encode(b"k" * 16).decode(), "must be base64 of 32 bytes, not 16"),
    ],
)
def test_a_sealing_key_that_is_no_key_is_refused_in_any_mode(
    production: pytest.MonkeyPatch, env: str, setting: str, service: str, value: str, says: str
) -> None:
    production.setenv("SCHAKEL_ENV", env)
    production.setenv(setting, value)
    with pytest.raises(ValidationError, match=f"{setting}.*{says}"):
        starting(service)()


def test_every_problem_is_named_at_once(production: pytest.MonkeyPatch) -> None:
    production.delenv("SCHAKEL_AUTH_SECRET")
    production.delenv("SCHAKEL_VAULT_MASTER_KEY")
    production.setenv("SCHAKEL_METRICS_TOKEN", "short")
    with pytest.raises(UnsafeSettings) as refused:
        starting("intake")()
    for setting in SETTINGS:
        assert setting in str(refused.value)


@pytest.mark.parametrize("service", SERVICES)
def test_development_mode_accepts_the_development_defaults(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    monkeypatch.setenv("SCHAKEL_ENV", "development")
    for setting in SETTINGS:
        monkeypatch.delenv(setting, raising=False)
    assert isinstance(starting(service)(), FastAPI)


def test_production_is_the_default_and_the_process_exits_naming_the_setting() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SCHAKEL_ENV", *SETTINGS)}
    done = subprocess.run(
        [sys.executable, "-m", "schakel.triage"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "triage refuses to start: SCHAKEL_AUTH_SECRET is not set" in done.stderr


@pytest.mark.parametrize("service", ["triage", "intake"])
def test_markers_must_outlive_the_dead_letters_a_redrive_republishes(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    monkeypatch.setenv("SCHAKEL_PROCESSED_EVENTS_RETENTION_DAYS", "30")
    with pytest.raises(ValidationError, match="SCHAKEL_PROCESSED_EVENTS_RETENTION_DAYS"):
        starting(service)()
    monkeypatch.setenv("SCHAKEL_PROCESSED_EVENTS_RETENTION_DAYS", "31")
    assert isinstance(starting(service)(), FastAPI)


def test_idempotency_keys_are_kept_for_some_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHAKEL_IDEMPOTENCY_KEY_RETENTION_DAYS", "0")
    with pytest.raises(ValidationError, match="idempotency_key_retention_days"):
        starting("intake")()
