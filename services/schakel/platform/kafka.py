"""Kafka wiring: client options, topic creation, the idempotent producer."""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from schakel.contracts.topics import ALL_TOPICS, REFERRAL_EVENTS, TopicSpec
from schakel.platform.logging import get_logger
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)


def _ssl_context(settings: ServiceSettings) -> ssl.SSLContext | None:
    if "SSL" not in settings.kafka_security_protocol:
        return None
    return ssl.create_default_context(cafile=settings.kafka_ssl_cafile)


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """Connection and security options for aiokafka clients."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
        "client_id": f"schakel-{settings.service_name}",
    }
    if context := _ssl_context(settings):
        options["ssl_context"] = context
    if settings.kafka_sasl_mechanism:
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password,
        }
    return options


def broker_security(settings: ServiceSettings) -> BaseSecurity | None:
    """The same security for FastStream's broker."""
    context = _ssl_context(settings)
    mechanism = settings.kafka_sasl_mechanism
    if mechanism is None:
        return BaseSecurity(ssl_context=context) if context else None
    kinds: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
        "PLAIN": SASLPlaintext,
        "SCRAM-SHA-256": SASLScram256,
        "SCRAM-SHA-512": SASLScram512,
    }
    return kinds[mechanism](
        username=settings.kafka_sasl_username or "",
        password=settings.kafka_sasl_password or "",
        ssl_context=context,
    )


def idempotent_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """acks=all with idempotence: broker retries never duplicate or reorder within a partition."""
    return AIOKafkaProducer(
        **client_options(settings),
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        request_timeout_ms=30000,
    )


def _new_topic(spec: TopicSpec, settings: ServiceSettings) -> NewTopic:
    # The referral topic's partition count is a deployment choice; per-key order holds only
    # while it never changes, so it is set once, before the first event.
    partitions = settings.kafka_partitions if spec.name == REFERRAL_EVENTS else spec.partitions
    return NewTopic(
        name=spec.name,
        num_partitions=partitions,
        replication_factor=settings.kafka_replication_factor,
        topic_configs=dict(spec.config),
    )


TOPIC_ALREADY_EXISTS = 36


class TopicCreationError(RuntimeError):
    """The broker refused to create a topic of the plan (ACLs, invalid config, …)."""


async def ensure_topics(
    settings: ServiceSettings, specs: tuple[TopicSpec, ...] = ALL_TOPICS
) -> None:
    """Create the topics of the plan that do not exist yet (several services may race: fine)."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [_new_topic(s, settings) for s in specs if s.name not in existing]
        if not missing:
            return
        response = (await admin.create_topics(missing)).to_object()
    finally:
        await admin.close()
    refused = [
        f"{e['topic']}: {e.get('error_message') or e['error_code']}"
        for e in response.get("topic_errors", [])
        if e["error_code"] not in (0, TOPIC_ALREADY_EXISTS)
    ]
    if refused:
        raise TopicCreationError("; ".join(refused))
    log.info("topics created", topics=[t.name for t in missing])
