"""The goals of issue 13, printed by `make bench` with the figures of the same run; never
asserted (a benchmark reports, a test decides)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    """What the goals are judged on; None when this run did not measure it."""

    yardstick_share: float | None  # pipeline signals/s over yardstick events/s
    cpu_ms_per_signal: float | None  # summed over the system's processes
    signals_per_second: float | None  # end to end, backlog run
    final_p99_seconds: float | None  # POST to final status at half the saturation rate
    post_p50_seconds: float | None  # at half the saturation rate


@dataclass(frozen=True)
class Goal:
    text: str
    figure: Callable[[Figures], float | None]
    meets: Callable[[float, float], bool]
    limit: float
    shown: Callable[[float], str]

    def line(self, figures: Figures) -> str:
        value = self.figure(figures)
        if value is None:
            return f"{self.text}: not measured in this run"
        verdict = "met" if self.meets(value, self.limit) else "NOT met"
        return f"{self.text}: {verdict} ({self.shown(value)})"


GOALS = (
    Goal(
        "at least 50% of the same-run yardstick",
        lambda f: f.yardstick_share,
        operator.ge,
        0.5,
        lambda v: f"{v:.0%}",
    ),
    Goal(
        "at most 20 ms CPU per signal over all processes",
        lambda f: f.cpu_ms_per_signal,
        operator.le,
        20.0,
        lambda v: f"{v:.1f} ms",
    ),
    Goal(
        "at least 100 signals/s end to end",
        lambda f: f.signals_per_second,
        operator.ge,
        100.0,
        lambda v: f"{v:.1f} signals/s",
    ),
    Goal(
        "signal to proposal p99 under 1 s at half saturation (measured: to final status)",
        lambda f: f.final_p99_seconds,
        operator.lt,
        1.0,
        lambda v: f"p99 {v:.2f} s",
    ),
    Goal(
        "POST p50 under 30 ms at half saturation",
        lambda f: f.post_p50_seconds,
        operator.lt,
        0.030,
        lambda v: f"p50 {v * 1000:.0f} ms",
    ),
)


def goal_lines(figures: Figures) -> list[str]:
    met = sum(
        1 for goal in GOALS if (v := goal.figure(figures)) is not None and goal.meets(v, goal.limit)
    )
    return [f"goals: {met} of {len(GOALS)} met"] + [f"  {goal.line(figures)}" for goal in GOALS]
