"""Which payload model belongs to which event type, and how old versions are read."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from schakel.contracts.envelope import EventPayload, UnreadableEvent, split_type
from schakel.contracts.events import ALL_PAYLOADS
from schakel.contracts.inbound import INBOUND_PAYLOADS
from schakel.contracts.lifecycle import LIFECYCLE_PAYLOADS
from schakel.contracts.persons import PERSON_PAYLOADS
from schakel.contracts.upcasters import UPCASTERS, Json, Upcaster


class EventRegistry:
    def __init__(
        self, payloads: tuple[type[EventPayload], ...], upcasters: dict[tuple[str, int], Upcaster]
    ) -> None:
        self._models = {p.event_type(): p for p in payloads}
        self._latest: dict[str, int] = {}
        for p in payloads:
            self._latest[p.event_name] = max(self._latest.get(p.event_name, 0), p.event_version)
        self._upcasters = upcasters
        self._check_chains()

    def _check_chains(self) -> None:
        for name, latest in self._latest.items():
            versions = [v for v in range(1, latest) if f"{name}.v{v}" in self._models]
            for version in versions:
                if (name, version) not in self._upcasters:
                    raise ValueError(f"no upcaster from {name}.v{version} to v{version + 1}")

    @property
    def event_types(self) -> list[str]:
        return sorted(self._models)

    def model(self, event_type: str) -> type[EventPayload]:
        try:
            return self._models[event_type]
        except KeyError:
            raise UnreadableEvent(f"unknown event type {event_type!r}") from None

    def latest_type(self, name: str) -> str:
        return f"{name}.v{self._latest[name]}"

    def is_latest(self, event_type: str) -> bool:
        name, version = split_type(event_type)
        return self._latest.get(name) == version

    def read(self, event_type: str, data: Json) -> tuple[str, EventPayload]:
        """Validate ``data`` as written, then upcast it step by step to the newest version."""
        name, version = split_type(event_type)
        self._validate(event_type, data)
        while version < self._latest[name]:
            data = self._upcasters[(name, version)](data)
            version += 1
        newest = f"{name}.v{version}"
        return newest, self._validate(newest, data)

    def _validate(self, event_type: str, data: Json) -> EventPayload:
        try:
            return self.model(event_type).model_validate(data)
        except ValidationError as exc:
            raise UnreadableEvent(f"{event_type} payload invalid: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors():
        loc: Any = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{loc}: {error['msg']}")
    return "; ".join(parts)


REGISTRY = EventRegistry(
    (*ALL_PAYLOADS, *LIFECYCLE_PAYLOADS, *INBOUND_PAYLOADS, *PERSON_PAYLOADS), UPCASTERS
)
