"""What a service does with one event, shared by the Kafka consumer and the audit's replay:
the record as written goes to one ``every_record`` handler, or, read through the upcasters,
to the handler of its event name; either way it runs in the unit of work with the
processed-event marker (``MongoStore.apply_once``), so an event counts once per database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.kafka_binding import RawEvent, upcast
from schakel.platform.mongo import MongoStore, Transaction


@dataclass(frozen=True)
class Delivery:
    """The Kafka record an event arrived in, exactly as written (before any upcasting), and
    the event as the CloudEvents reader read it from that record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes
    event: RawEvent


Handler = Callable[[EventEnvelope[Any], Transaction], Awaitable[None]]
# Gets every schakel record as written, known type or not (the audit keeps them all).
RecordHandler = Callable[[Delivery, Transaction], Awaitable[None]]
Work = Callable[[Transaction], Awaitable[None]]


def in_turn(*tables: Mapping[str, Handler]) -> dict[str, Handler]:
    """Several handler tables as one: an event that several of them handle goes to each of
    their handlers in turn, in the order given, in the same unit of work."""
    names = {name: [t[name] for t in tables if name in t] for table in tables for name in table}
    return {name: found[0] if len(found) == 1 else _each(found) for name, found in names.items()}


def _each(handlers: list[Handler]) -> Handler:
    async def handle(event: EventEnvelope[Any], tx: Transaction) -> None:
        for handler in handlers:
            await handler(event, tx)

    return handle


class EventHandling:
    """A service's handlers by event name (version-free: the registry upcasts older
    versions), or one ``every_record`` handler, which also gets types this build does not
    know."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        every_record: RecordHandler | None = None,
    ) -> None:
        if bool(handlers) == (every_record is not None):
            raise ValueError("give either handlers by event name or one every_record handler")
        self._handlers = dict(handlers or {})
        self._every_record = every_record

    def takes(self, event_name: str) -> bool:
        return self._every_record is not None or event_name in self._handlers

    def work(self, delivery: Delivery) -> Work:
        """What applying the event means here; raises UnreadableEvent (e.g. a version this
        build cannot upcast)."""
        every_record = self._every_record
        if every_record is not None:
            return lambda tx: every_record(delivery, tx)
        event = upcast(delivery.event)
        handler = self._handlers[event.name]
        return lambda tx: handler(event, tx)

    async def apply(self, store: MongoStore, delivery: Delivery) -> bool:
        """Apply the event once to ``store`` (False: this database already had it)."""
        return await store.apply_once(delivery.event.id, self.work(delivery))
