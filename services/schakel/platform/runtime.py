"""Composes one service process: MongoDB, the idempotent producer, the outbox relay, the
event consumer (if the service consumes) and its HTTP app; starts and stops them in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker

from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.platform.consumer import EventConsumer, Handler, RecordHandler
from schakel.platform.deadletter import DeadLetters
from schakel.platform.http import create_app
from schakel.platform.kafka import broker_security, ensure_topics, idempotent_producer
from schakel.platform.logging import configure_logging, get_logger
from schakel.platform.mongo import MongoStore
from schakel.platform.outbox import OutboxRelay
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)
StartHook = Callable[[MongoStore], Awaitable[None]]


class Worker(Protocol):
    """A background loop of a service (e.g. followup's deadline scheduler)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


WorkerFactory = Callable[[MongoStore], Worker]
STARTUP_ATTEMPTS = 30


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        handlers: Mapping[str, Handler] | None = None,
        on_start: StartHook | None = None,
        every_record: RecordHandler | None = None,
        workers: tuple[WorkerFactory, ...] = (),
        topics: tuple[str, ...] = (REFERRAL_EVENTS,),  # read by one consumer group
    ) -> None:
        self.settings = settings
        self.store = MongoStore(settings.mongodb_uri, settings.database_name)
        # Started after the outbox relay, stopped before it: what they emit gets relayed.
        self.workers = [make(self.store) for make in workers]
        self.dead_letters = DeadLetters(settings.service_name)
        # aiokafka clients need the running loop: created in start().
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.broker: KafkaBroker | None = None
        self.consumer: EventConsumer | None = None
        self._on_start = on_start
        if handlers or every_record is not None:
            self.broker = KafkaBroker(
                settings.kafka_bootstrap_servers,
                security=broker_security(settings),
                client_id=f"schakel-{settings.service_name}",
                graceful_timeout=15.0,
                # Outside the "faststream" logger tree, which prints its own coloured text:
                # our root handler renders JSON. Per-record access lines only at DEBUG.
                logger=logging.getLogger("schakel.kafka"),
                log_level=logging.DEBUG,
            )
            self.consumer = EventConsumer(
                settings.service_name,
                self.store,
                self.dead_letters,
                handlers,
                every_record,
                partitions_in_parallel=settings.partitions_in_parallel,
            )
            self.consumer.subscribe(self.broker, *topics)

    async def start(self) -> None:
        await self.store.ensure_platform_indexes(self.settings.processed_events_retention)
        if self._on_start is not None:
            await self._on_start(self.store)
        await _retry("kafka", lambda: ensure_topics(self.settings))
        self.producer = idempotent_producer(self.settings)
        await _retry("producer", self.producer.start)
        self.dead_letters.attach(self.producer)
        self.relay = OutboxRelay(self.store, self.producer, self.settings.outbox_poll_seconds)
        self.relay.start()
        for worker in self.workers:
            worker.start()
        if self.broker is not None:
            await _retry("consumer", self.broker.start)
        if self.consumer is not None:
            self.consumer.offsets.start_idle_flush()
        log.info("service started", port=self.settings.http_port)

    async def stop(self) -> None:
        """Stop consuming first (the record in hand is finished and committed), then flush
        the outbox relay."""
        if self.consumer is not None:
            await self.consumer.drain()
        if self.broker is not None:
            await self.broker.stop()
        for worker in self.workers:
            await worker.stop()
        if self.relay is not None:
            await self.relay.stop()
        if self.producer is not None:
            await self.producer.stop()
        await self.store.close()
        log.info("service stopped")

    async def kafka_ready(self) -> None:
        if self.producer is None:
            raise RuntimeError("not started")
        await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout=3)
        if self.broker is not None and not await self.broker.ping(timeout=3):
            raise RuntimeError("consumer not connected")

    def app(self, title: str, routers: list[APIRouter] | None = None, **options: Any) -> FastAPI:
        app = create_app(
            self.settings,
            title=title,
            readiness=[("mongodb", self.store.ping), ("kafka", self.kafka_ready)],
            on_start=self.start,
            on_stop=self.stop,
            **options,
        )
        app.state.runtime = self
        for router in routers or []:
            app.include_router(router)
        return app


async def _retry(what: str, action: Callable[[], Awaitable[Any]]) -> None:
    """Dependencies may start after us (compose, restarts): wait for them, loudly."""
    for attempt in range(1, STARTUP_ATTEMPTS + 1):
        try:
            await action()
            return
        except Exception as exc:
            if attempt == STARTUP_ATTEMPTS:
                raise
            log.warning("waiting for dependency", dependency=what, attempt=attempt, error=str(exc))
            await asyncio.sleep(min(0.5 * attempt, 3.0))


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the service until SIGTERM/SIGINT; uvicorn then runs the app's shutdown."""
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=20,
    )
