"""Figures from the services' `/metrics` (the Prometheus text format)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND_SAMPLE = re.compile(r"^schakel_mongo_commands_total\{([^}]*)\} (\S+)$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class ServiceLoad:
    name: str
    consumed: int  # records read, including those of types it does not handle
    handled: int
    handler_seconds: float

    @property
    def mean(self) -> float:
        return self.handler_seconds / self.handled if self.handled else 0.0


def service_load(name: str, text: str) -> ServiceLoad:
    """What the consumer of service `name` did so far, from its `/metrics` text."""
    return ServiceLoad(
        name,
        consumed=int(metric_total(text, "schakel_events_consumed_total")),
        handled=int(metric_total(text, "schakel_handler_seconds_count")),
        handler_seconds=metric_total(text, "schakel_handler_seconds_sum"),
    )


def metric_total(text: str, name: str, having: str = "") -> float:
    """The sum of every sample of `name` (Prometheus text format) whose line has `having`."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith((f"{name}{{", f"{name} ")) and having in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def mongo_commands(text: str) -> dict[str, float]:
    """Round trips to MongoDB so far, by "command collection", from a `/metrics` text."""
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if sample := _COMMAND_SAMPLE.match(line):
            labels, value = sample.groups()
            named = dict(_LABEL.findall(labels))
            name = f"{named.get('command', '')} {named.get('collection', '')}".strip()
            counts[name] = counts.get(name, 0.0) + float(value)
    return counts
