"""Fixtures of the consumer rig (``tests.integration.rig``): each test gets a service name,
a database, a topic and a dead-letter topic of its own on the session's real servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from schakel.contracts.topics import TopicSpec, dead_letter_spec
from schakel.intake.app import IntakeSettings, build
from schakel.platform.kafka import ensure_topics, idempotent_producer
from schakel.platform.mongo import MongoStore
from schakel.platform.settings import ServiceSettings
from tests.integration.rig import PARTITIONS, Rig


@pytest.fixture
def service() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(kafka_bootstrap_servers: str, mongodb_uri: str, service: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=service,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        mongodb_uri=mongodb_uri,
        outbox_poll_seconds=0.05,
    )


@pytest.fixture
async def topic(settings: ServiceSettings, service: str) -> str:
    name = f"test.{service}.events"
    spec = TopicSpec(
        name=name,
        purpose="test",
        key="referral id",
        partitions=PARTITIONS,
        config={},
        producers=(),
        consumers=(),
    )
    await ensure_topics(settings, (spec, dead_letter_spec(service)))
    return name


@pytest.fixture
async def store(settings: ServiceSettings) -> AsyncIterator[MongoStore]:
    store = MongoStore(settings.mongodb_uri, settings.database_name)
    await store.ensure_platform_indexes(settings.processed_events_retention)
    await store.db.create_collection("effects")
    yield store
    await store.client.drop_database(settings.database_name)
    await store.close()


@pytest.fixture
async def producer(settings: ServiceSettings) -> AsyncIterator[AIOKafkaProducer]:
    producer = idempotent_producer(settings)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
def rig(
    settings: ServiceSettings, store: MongoStore, producer: AIOKafkaProducer, topic: str
) -> Rig:
    return Rig(settings, store, producer, topic)


# --- intake over HTTP, with its consumer; the outbox relay stopped to inspect what it holds --


@pytest.fixture
async def intake(kafka_bootstrap_servers: str, mongodb_uri: str) -> AsyncIterator[FastAPI]:
    config = IntakeSettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        mongodb_uri=mongodb_uri,
        mongodb_database=f"test_intake_{uuid.uuid4().hex[:8]}",
        outbox_poll_seconds=3600,
    )  # keep rows in the outbox to inspect
    app = build(config)
    async with app.router.lifespan_context(app):
        await app.state.runtime.relay.stop()
        yield app
        await app.state.runtime.store.client.drop_database(config.database_name)


@pytest.fixture
async def client(intake: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=intake)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client
