"""Run one test body against every implementation of a port: the in-memory fake and the
MongoDB adapter (each operation in its own transaction, as a handler runs it)."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from schakel.platform.mongo import MongoStore, Transaction

P = TypeVar("P")
T = TypeVar("T")
BACKENDS = ("fake", "mongo")  # parametrize fixtures with these ids


class Backend(ABC, Generic[P]):
    name: str

    @abstractmethod
    async def run(self, op: Callable[[P], Awaitable[T]]) -> T:
        """Apply ``op`` to the port, as one unit of work."""


class FakeBackend(Backend[P]):
    name = "fake"

    def __init__(self, fake: P) -> None:
        self.fake = fake

    async def run(self, op: Callable[[P], Awaitable[T]]) -> T:
        return await op(self.fake)


class MongoBackend(Backend[P]):
    name = "mongo"

    def __init__(self, store: MongoStore, adapter: Callable[[Transaction], P]) -> None:
        self.store = store
        self._adapter = adapter

    async def run(self, op: Callable[[P], Awaitable[T]]) -> T:
        return await self.store.transaction(lambda tx: op(self._adapter(tx)))


@asynccontextmanager
async def scratch_store(mongodb_uri: str) -> AsyncIterator[MongoStore]:
    """A database of its own on the session's MongoDB server, dropped afterwards."""
    store = MongoStore(mongodb_uri, f"contract_{uuid.uuid4().hex[:12]}")
    try:
        yield store
    finally:
        await store.client.drop_database(store.db.name)
        await store.close()
