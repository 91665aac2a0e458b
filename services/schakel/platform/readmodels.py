"""How a service says what replay may rebuild of it: its read models (the collections that
are a function of the event history) and the handlers that rebuild them, the same ones its
consumer runs. Each service declares this in its own ``schakel.<service>.replay`` module
(``READ_MODELS`` and ``replaying()``); the audit's replay finds those modules by name, so no
list elsewhere has to be kept in step with the services."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import schakel
from schakel.platform.handling import EventHandling
from schakel.platform.mongo import MongoStore
from schakel.platform.settings import ServiceSettings

REPLAY_MODULE = "replay"


@dataclass(frozen=True)
class ReadModel:
    """One collection rebuilt by replay and compared with the live one.

    ``key``: the fields that identify a document in every run (``_id`` unless it is minted
    per run); ``referral``: the field naming the referral a difference is reported under;
    ``ignore``: dotted paths that legitimately differ per run (a list's items are matched by
    position, so ``log.at`` means ``at`` of every item of ``log``); ``only``: a filter for the
    documents compared; ``unordered``: dotted paths of lists kept in the order events were
    applied, which may differ from the archive's order, so they compare as multisets.
    """

    collection: str
    key: tuple[str, ...] = ("_id",)
    referral: str = "_id"
    ignore: frozenset[str] = frozenset()
    only: Mapping[str, Any] = field(default_factory=dict)
    unordered: frozenset[str] = frozenset()


class StartHook(Protocol):
    async def __call__(self, store: MongoStore, /) -> None: ...


@dataclass(frozen=True)
class Replaying:
    """What replay needs of a service: its settings (as its process reads them), its
    handling of events, what its process runs on start (indexes, a seeded registry), and its
    read models. No consumer, relay, scheduler or HTTP app: nothing is published or fired."""

    settings: ServiceSettings
    handling: EventHandling
    read_models: tuple[ReadModel, ...]
    on_start: StartHook | None = None

    @property
    def service(self) -> str:
        return self.settings.service_name


def replayable_services() -> list[str]:
    """Every service package of ``schakel`` with a ``replay`` module, by name."""
    found = []
    for module in pkgutil.iter_modules(schakel.__path__):
        if module.ispkg and importlib.util.find_spec(f"schakel.{module.name}.{REPLAY_MODULE}"):
            found.append(module.name)
    return sorted(found)


def replaying(service: str) -> Replaying:
    """The service's own declaration (imported by name at run time: no service imports
    another, and the platform imports none)."""
    module: Any = importlib.import_module(f"schakel.{service}.{REPLAY_MODULE}")
    declared: Replaying = module.replaying()
    return declared
