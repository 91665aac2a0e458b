"""Service settings from the environment (``SCHAKEL_*``)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_AUTH_SECRET = "schakel-development-secret-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHAKEL_", extra="ignore")

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

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"schakel_{self.service_name}"

    @property
    def source(self) -> str:
        """CloudEvents ``source`` of the events this service produces."""
        return f"/schakel/{self.service_name}"
