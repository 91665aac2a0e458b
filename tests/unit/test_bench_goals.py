"""The goals `make bench` prints: met or not, with the figure, never asserted by the run."""

from __future__ import annotations

from schakel_dev.bench_goals import Figures, goal_lines


def test_each_goal_says_met_or_not_with_its_figure() -> None:
    lines = goal_lines(
        Figures(
            yardstick_share=0.5,
            cpu_ms_per_signal=20.0,
            signals_per_second=99.9,
            final_p99_seconds=1.0,
            post_p50_seconds=0.012,
        )
    )
    assert lines == [
        "goals: 3 of 5 met",
        "  at least 50% of the same-run yardstick: met (50%)",
        "  at most 20 ms CPU per signal over all processes: met (20.0 ms)",
        "  at least 100 signals/s end to end: NOT met (99.9 signals/s)",
        "  signal to proposal p99 under 1 s at half saturation (measured: to final status): "
        "NOT met (p99 1.00 s)",
        "  POST p50 under 30 ms at half saturation: met (p50 12 ms)",
    ]


def test_a_figure_the_run_did_not_measure_is_neither_met_nor_missed() -> None:
    lines = goal_lines(Figures(None, 127.0, None, None, None))
    assert lines[0] == "goals: 0 of 5 met"
    assert lines[1] == "  at least 50% of the same-run yardstick: not measured in this run"
    assert lines[2] == "  at most 20 ms CPU per signal over all processes: NOT met (127.0 ms)"
