"""What a service's routes (its ``api`` module) get from the running process, as FastAPI
dependencies: a route declares ``store: Store`` and never reaches into ``request.app.state``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from schakel.platform.mongo import MongoStore
from schakel.platform.readaudit import ViewRecorder
from schakel.platform.settings import ServiceSettings


def store(request: Request) -> MongoStore:
    """The service's database (its ``ServiceRuntime`` opened it at start-up)."""
    found: MongoStore = request.app.state.runtime.store
    return found


def settings(request: Request) -> ServiceSettings:
    """The service's settings (``create_app`` keeps them)."""
    found: ServiceSettings = request.app.state.settings
    return found


def correlation_id(request: Request) -> str:
    """The id the correlation middleware gave this request (sent on with every call)."""
    found: str = request.state.correlation_id
    return found


Store = Annotated[MongoStore, Depends(store)]
Settings = Annotated[ServiceSettings, Depends(settings)]
CorrelationId = Annotated[str, Depends(correlation_id)]


def view_recorder(store: Store, correlation: CorrelationId) -> ViewRecorder:
    """Records that someone opened a view of a referral (reads are audited)."""
    return ViewRecorder(store, correlation)


RecordView = Annotated[ViewRecorder, Depends(view_recorder)]
