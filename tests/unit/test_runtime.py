"""How a service process starts and stops, with its dependencies stood in for: indexes, the
service's own start-up, topics, the producer, the outbox relay, background workers and last
the consumer; stopping consumes no more first and closes the database last, so whatever was
handled is committed and whatever was emitted is relayed. Dependencies that come up later are
waited for, loudly. (The real thing: every integration and e2e test starts services so.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from structlog.testing import capture_logs

from schakel.contracts import EventEnvelope
from schakel.platform import runtime as running
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.runtime import STARTUP_ATTEMPTS, ServiceRuntime, _retry
from schakel.platform.settings import ServiceSettings


async def test_a_dependency_that_comes_up_later_is_waited_for_loudly(pauses: list[float]) -> None:
    tries: list[int] = []

    async def connect() -> None:
        tries.append(len(tries) + 1)
        if len(tries) < 3:
            raise ConnectionError(f"refused {len(tries)}")

    with capture_logs() as logs:
        await _retry("kafka", connect)
    assert tries == [1, 2, 3] and pauses == [0.5, 1.0]
    assert [(e["event"], e["dependency"], e["attempt"], e["error"]) for e in logs] == [
        ("waiting for dependency", "kafka", 1, "refused 1"),
        ("waiting for dependency", "kafka", 2, "refused 2"),
    ]
    assert {e["log_level"] for e in logs} == {"warning"}


async def test_a_dependency_that_never_comes_up_fails_the_start(pauses: list[float]) -> None:
    tries: list[int] = []

    async def never() -> None:
        tries.append(1)
        raise ConnectionError("refused")

    with pytest.raises(ConnectionError, match="refused"):
        await _retry("mongodb", never)
    assert len(tries) == STARTUP_ATTEMPTS == 30
    assert pauses == [min(0.5 * attempt, 3.0) for attempt in range(1, STARTUP_ATTEMPTS)]
    assert pauses[-1] == 3.0


class Steps:
    """Everything the runtime starts and stops, writing down the order."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.ping = True

    def __call__(self, step: str) -> None:
        self.done.append(step)


class FakeStore:
    def __init__(self, steps: Steps) -> None:
        self.steps = steps

    async def ensure_platform_indexes(self, retention: timedelta) -> None:
        self.steps(f"indexes kept {retention.days} days")

    async def close(self) -> None:
        self.steps("database closed")

    async def ping(self) -> None:
        self.steps("database pinged")


class FakeProducer:
    def __init__(self, steps: Steps) -> None:
        self.steps = steps
        self.client = self

    async def start(self) -> None:
        self.steps("producer started")

    async def stop(self) -> None:
        self.steps("producer stopped")

    async def fetch_all_metadata(self) -> None:
        self.steps("kafka asked")


class Part:
    """The relay, a worker or the broker: started and stopped."""

    def __init__(self, steps: Steps, name: str) -> None:
        self.steps, self.name = steps, name

    def start(self) -> None:
        self.steps(f"{self.name} started")

    async def stop(self) -> None:
        self.steps(f"{self.name} stopped")

    async def ping(self, timeout: float) -> bool:  # noqa: ASYNC109 (KafkaBroker.ping's)
        self.steps(f"{self.name} pinged within {timeout}")
        return self.steps.ping


class Broker(Part):
    async def start(self) -> None:  # type: ignore[override]
        super().start()


async def ignore(event: EventEnvelope[Any], tx: Transaction) -> None:
    return None


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> Steps:
    steps = Steps()

    async def topics(settings: ServiceSettings) -> None:
        steps(f"topics of {settings.service_name}")

    monkeypatch.setattr(running, "ensure_topics", topics)
    monkeypatch.setattr(running, "idempotent_producer", lambda settings: FakeProducer(steps))
    monkeypatch.setattr(running, "OutboxRelay", lambda store, producer, poll: Part(steps, "relay"))
    return steps


def runtime(steps: Steps, **options: Any) -> ServiceRuntime:
    async def own_start(store: MongoStore) -> None:
        steps("service's own start-up")

    settings = ServiceSettings(service_name="triage", processed_events_retention_days=40)
    made = ServiceRuntime(settings, on_start=own_start, **options)
    made.store = FakeStore(steps)  # type: ignore[assignment]
    if made.broker is not None:
        made.broker = Broker(steps, "consumer")  # type: ignore[assignment]
    return made


async def test_a_consuming_service_starts_its_consumer_last_and_stops_it_first(
    steps: Steps,
) -> None:
    service = runtime(
        steps,
        handlers={"nl.schakel.referral.received": ignore},
        workers=(lambda store: Part(steps, "worker"),),
    )
    await service.start()
    assert steps.done == [
        "indexes kept 40 days",
        "service's own start-up",
        "topics of triage",
        "producer started",
        "relay started",
        "worker started",
        "consumer started",
    ]
    assert service.dead_letters._producer is service.producer  # dead letters can be sent
    steps.done.clear()
    await service.stop()
    assert steps.done == [
        "consumer stopped",
        "worker stopped",
        "relay stopped",
        "producer stopped",
        "database closed",
    ]


async def test_a_service_that_consumes_nothing_has_no_consumer(steps: Steps) -> None:
    service = runtime(steps)
    assert (service.broker, service.consumer) == (None, None)
    await service.start()
    assert "consumer started" not in steps.done
    await service.stop()
    assert steps.done[-1] == "database closed"


async def test_kafka_is_ready_once_started_with_its_consumer_connected(steps: Steps) -> None:
    service = runtime(steps, handlers={"nl.schakel.referral.received": ignore})
    with pytest.raises(RuntimeError, match="not started"):
        await service.kafka_ready()
    await service.start()
    steps.done.clear()
    await service.kafka_ready()
    assert steps.done == ["kafka asked", "consumer pinged within 3"]
    steps.ping = False
    with pytest.raises(RuntimeError, match="consumer not connected"):
        await service.kafka_ready()
    await service.stop()


async def test_the_app_serves_the_routers_and_checks_the_database_and_kafka(steps: Steps) -> None:
    router = APIRouter()

    @router.get("/api/v1/x")
    async def x() -> dict[str, bool]:
        return {"served": True}

    service = runtime(steps)
    app = service.app("schakel triage", [router], docs_url=None)
    assert app.title == "schakel triage" and app.docs_url is None
    assert app.state.runtime is service
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://triage") as client:
        assert (await client.get("/api/v1/x")).json() == {"served": True}
        ready = await client.get("/readyz")  # the database answers, Kafka is not started
    assert (ready.status_code, ready.json()) == (
        503,
        {"ready": False, "mongodb": "ok", "kafka": "failing"},
    )
    assert service.app("t").title == "t"
