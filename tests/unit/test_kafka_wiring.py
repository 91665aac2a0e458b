"""How a service connects to Kafka, as an operator configures it: plaintext, TLS with the
deployment's CA, SASL (PLAIN, SCRAM) for aiokafka's clients and FastStream's broker alike; a
producer that never duplicates or reorders; the topic plan created where topics are missing,
with a refusal naming each topic and the broker's reason. The clients are stood in for here;
against a real broker: tests/integration/test_platform.py."""

from __future__ import annotations

import ssl
from typing import Any, ClassVar

import certifi
import pytest
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from schakel.contracts.topics import ALL_TOPICS, REFERRAL_EVENTS, TopicSpec
from schakel.platform import kafka
from schakel.platform.kafka import (
    TopicCreationError,
    broker_security,
    client_options,
    ensure_topics,
    idempotent_producer,
)
from schakel.platform.settings import ServiceSettings


def settings(**fields: Any) -> ServiceSettings:
    return ServiceSettings(
        service_name="triage", kafka_bootstrap_servers="k1:9092,k2:9092", **fields
    )


SASL = {"kafka_sasl_username": "triage", "kafka_sasl_password": "geheim"}


def test_a_plaintext_client_names_the_servers_and_the_service() -> None:
    assert client_options(settings()) == {
        "bootstrap_servers": "k1:9092,k2:9092",
        "security_protocol": "PLAINTEXT",
        "client_id": "schakel-triage",
    }
    assert broker_security(settings()) is None


def test_sasl_over_tls_trusts_the_configured_ca_and_sends_the_credentials() -> None:
    config = settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_ssl_cafile=certifi.where(),
        **SASL,
    )
    options = client_options(config)
    context = options.pop("ssl_context")
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    assert context.get_ca_certs()  # the CA file was read
    assert options == {
        "bootstrap_servers": "k1:9092,k2:9092",
        "security_protocol": "SASL_SSL",
        "client_id": "schakel-triage",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "triage",
        "sasl_plain_password": "geheim",
    }
    security = broker_security(config)
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password) == ("triage", "geheim")
    assert isinstance(security.ssl_context, ssl.SSLContext)


@pytest.mark.parametrize(
    ("mechanism", "kind"),
    [("PLAIN", SASLPlaintext), ("SCRAM-SHA-256", SASLScram256), ("SCRAM-SHA-512", SASLScram512)],
)
def test_each_sasl_mechanism_without_tls(mechanism: str, kind: type[BaseSecurity]) -> None:
    config = settings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_mechanism=mechanism)
    assert "ssl_context" not in client_options(config)
    security = broker_security(config)
    assert type(security) is kind
    assert security.ssl_context is None
    assert (security.username, security.password) == ("", "")  # type: ignore[attr-defined]


def test_tls_without_sasl_is_tls_only() -> None:
    config = settings(kafka_security_protocol="SSL", kafka_ssl_cafile=certifi.where())
    options = client_options(config)
    assert "sasl_mechanism" not in options and isinstance(options["ssl_context"], ssl.SSLContext)
    security = broker_security(config)
    assert type(security) is BaseSecurity and isinstance(security.ssl_context, ssl.SSLContext)


def test_the_producer_waits_for_every_replica_and_is_idempotent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[dict[str, Any]] = []
    monkeypatch.setattr(kafka, "AIOKafkaProducer", lambda **options: made.append(options))
    idempotent_producer(settings())
    assert made == [
        {
            **client_options(settings()),
            "enable_idempotence": True,
            "acks": "all",
            "linger_ms": 2,
            "request_timeout_ms": 30000,
        }
    ]


class Admin:
    """A Kafka admin client that knows ``existing`` and answers creations with ``errors``."""

    existing: ClassVar[list[str]] = []
    errors: ClassVar[list[dict[str, Any]]] = []
    made: ClassVar[list[Admin]] = []

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.created: list[Any] = []
        self.started = self.closed = False
        Admin.made.append(self)

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True

    async def list_topics(self) -> list[str]:
        return list(self.existing)

    async def create_topics(self, topics: list[Any]) -> Any:
        self.created = topics
        errors = self.errors
        return type("Response", (), {"to_object": lambda _: {"topic_errors": errors}})()


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> type[Admin]:
    monkeypatch.setattr(kafka, "AIOKafkaAdminClient", Admin)
    Admin.existing, Admin.errors, Admin.made = [], [], []
    return Admin


async def test_missing_topics_are_created_as_the_plan_says(admin: type[Admin]) -> None:
    admin.existing = [ALL_TOPICS[1].name]
    await ensure_topics(settings(kafka_partitions=12, kafka_replication_factor=3))
    [client] = admin.made
    assert client.options == client_options(settings()) and client.started and client.closed
    created = {t.name: t for t in client.created}
    assert set(created) == {s.name for s in ALL_TOPICS} - {ALL_TOPICS[1].name}
    for spec in ALL_TOPICS[2:]:
        topic = created[spec.name]
        partitions = 12 if spec.name == REFERRAL_EVENTS else spec.partitions
        assert (topic.num_partitions, topic.replication_factor) == (partitions, 3)
        assert topic.topic_configs == dict(spec.config)
    assert created[REFERRAL_EVENTS].num_partitions == 12


async def test_nothing_is_created_when_every_topic_exists(admin: type[Admin]) -> None:
    admin.existing = [s.name for s in ALL_TOPICS]
    await ensure_topics(settings())
    [client] = admin.made
    assert client.created == [] and client.closed


async def test_a_refused_topic_is_named_with_the_broker_s_reason(admin: type[Admin]) -> None:
    specs = tuple(TopicSpec(name, "test", "referral_id", 1, {}, (), ()) for name in "abc")
    admin.errors = [
        {"topic": "a", "error_code": 0, "error_message": None},
        {"topic": "b", "error_code": 36, "error_message": "exists"},  # a racing service made it
        {"topic": "c", "error_code": 29, "error_message": "not authorised"},
    ]
    with pytest.raises(TopicCreationError, match=r"^c: not authorised$"):
        await ensure_topics(settings(), specs)
    admin.errors = [{"topic": "a", "error_code": 41, "error_message": None}]
    with pytest.raises(TopicCreationError, match=r"^a: 41$"):
        await ensure_topics(settings(), specs)
    admin.errors = [{"topic": "b", "error_code": 36, "error_message": "exists"}]
    await ensure_topics(settings(), specs)
    assert all(client.closed for client in admin.made)
