"""What routes get from FastAPI's dependency injection, the one way they reach the process's
parts (never ``request.app.state`` in a route body)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from schakel.platform.mongo import MongoStore


def _store(request: Request) -> MongoStore:
    store: MongoStore = request.app.state.runtime.store
    return store


def _correlation_id(request: Request) -> str:
    correlation_id: str = request.state.correlation_id
    return correlation_id


Store = Annotated[MongoStore, Depends(_store)]
CorrelationId = Annotated[str, Depends(_correlation_id)]
