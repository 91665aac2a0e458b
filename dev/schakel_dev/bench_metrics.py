"""Figures from the services' `/metrics` (the Prometheus text format)."""

from __future__ import annotations

from dataclasses import dataclass


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
