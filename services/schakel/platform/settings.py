"""Service settings from the environment (``SCHAKEL_*``).

Development defaults (an auth secret everybody knows, a vault key derived from it) make
`make run` and the tests work without a secret store. They are accepted only in development
mode, ``SCHAKEL_ENV=development``; outside it a service refuses to start with a missing,
known or short secret and names the setting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import timedelta
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schakel.contracts.topics import DLQ_RETENTION_MS
from schakel.platform.logging import get_logger

log = get_logger(__name__)
DEV_AUTH_SECRET = "schakel-development-secret-change-me"
# What `make run` and the benchmarks send for /metrics; public, so never a real token.
DEV_METRICS_TOKEN = "schakel-development-metrics-token"
# HS256 wants a key at least as long as its hash (RFC 7518 3.2); tokens are guessable below.
MIN_SECRET_BYTES = 32
DEVELOPMENT = "development"
DEAD_LETTER_DAYS = DLQ_RETENTION_MS / (24 * 3600 * 1000)


class UnsafeSettings(RuntimeError):
    """A service was about to start with secrets that do not protect anything."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHAKEL_", extra="ignore")

    # SCHAKEL_ENV: "development" accepts the development defaults; anything else is production.
    env: Literal["development", "production"] = "production"
    service_name: str = "schakel"
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("SCHAKEL_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"),
    )
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    mongodb_uri: str = Field(
        default="mongodb://127.0.0.1:27017/?retryWrites=false&directConnection=true",
        validation_alias=AliasChoices("SCHAKEL_MONGODB_URI", "MONGODB_URI"),
    )
    mongodb_database: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    auth_secret: str = DEV_AUTH_SECRET
    # Bearer token a Prometheus scraper sends for /metrics; unset, /metrics is off (404).
    metrics_token: SecretStr | None = None
    log_level: str = "INFO"
    outbox_poll_seconds: float = 0.5
    # Apply the partitions of one poll side by side (a transaction each) instead of in turn
    # (one transaction for the poll). In turn is the default: on SecantusDB, which serves one
    # transaction at a time, it needs less than half the round trips and about 40% less CPU
    # per signal (`make bench`); side by side suits a database that runs transactions in
    # parallel.
    partitions_in_parallel: bool = False
    # How long a processed-event marker is kept: longer than any copy of its event can still
    # arrive (dead letters are redriven within their 30 days; see deploy/README.md, Retention).
    processed_events_retention_days: float = 90.0

    @field_validator("processed_events_retention_days")
    @classmethod
    def _outlives_dead_letters(cls, days: float) -> float:
        if days <= DEAD_LETTER_DAYS:
            raise ValueError(
                f"SCHAKEL_PROCESSED_EVENTS_RETENTION_DAYS must be more than the "
                f"{DEAD_LETTER_DAYS:g} days dead letters are kept: a redriven event whose "
                "marker had expired would be applied a second time"
            )
        return days

    @property
    def processed_events_retention(self) -> timedelta:
        return timedelta(days=self.processed_events_retention_days)

    def refuse_unsafe_secrets(self) -> None:
        """Raise UnsafeSettings naming every unsafe secret, unless in development mode."""
        if self.env == DEVELOPMENT:
            return
        problems = self.secret_problems()
        if problems:
            raise UnsafeSettings(
                f"{self.service_name} refuses to start: {'; '.join(problems)} "
                f"(development defaults are accepted only with SCHAKEL_ENV={DEVELOPMENT})"
            )

    def secret_problems(self) -> list[str]:
        """What is wrong with the secrets outside development mode; services add theirs."""
        given = self.auth_secret if "auth_secret" in self.model_fields_set else None
        problems = secret_problems("SCHAKEL_AUTH_SECRET", given, known=DEV_AUTH_SECRET)
        token = self.metrics_token.get_secret_value() if self.metrics_token else ""
        if token:  # optional: unset or empty turns /metrics off
            problems += secret_problems("SCHAKEL_METRICS_TOKEN", token, known=DEV_METRICS_TOKEN)
        return problems

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"schakel_{self.service_name}"

    @property
    def source(self) -> str:
        """CloudEvents ``source`` of the events this service produces."""
        return f"/schakel/{self.service_name}"


def secret_problems(setting: str, value: str | None, *, known: str) -> list[str]:
    """Why ``value`` cannot be the secret of ``setting`` (none: it can)."""
    if value is None:
        return [f"{setting} is not set"]
    if value == known:
        return [f"{setting} is the published development value"]
    if len(value.encode()) < MIN_SECRET_BYTES:
        return [f"{setting} is shorter than {MIN_SECRET_BYTES} bytes"]
    return []


KEY_BYTES = 32


def checked_key(setting: str, value: str | None) -> str | None:
    """``value`` when it is base64 of a 32-byte key (or unset); a key that is set must be one
    in any mode: a typo would seal or sign with nothing anyone can check."""
    if value is None:
        return None
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{setting} is not base64: {exc}") from exc
    if len(key) != KEY_BYTES:
        raise ValueError(f"{setting} must be base64 of {KEY_BYTES} bytes, not {len(key)}")
    return value


def key_bytes(config: ServiceSettings, setting: str, value: str | None, purpose: str) -> bytes:
    """The key ``value`` holds; unset, refused outside development, where a fixed key derived
    from the auth secret for ``purpose`` stands in."""
    if value:
        return base64.b64decode(value)
    if config.env != DEVELOPMENT:
        raise UnsafeSettings(f"{config.service_name} refuses to start: {setting} is not set")
    log.warning(f"{setting} not set: using a development key")
    return hashlib.sha256(f"{purpose}:{config.auth_secret}".encode()).digest()
