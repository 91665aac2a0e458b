"""Matching's benchmark on a small population: it runs, prints each figure it promises, and
its optimum is never below the greedy baseline it is compared with (no timing asserted)."""

from __future__ import annotations

import pytest

from schakel_dev.bench_matching import measure, print_matching


def test_the_matching_bench_prints_timings_and_the_comparison(
    capsys: pytest.CaptureFixture[str],
) -> None:
    figures = measure(referrals=30, helpers=300, seed=3)
    print_matching(figures)

    out = capsys.readouterr().out
    for line in ("optimum, best", "one new referral, median", "greedy one by one"):
        assert line in out
    assert "optimum - greedy: objective +" in out
    assert figures.optimal.value(figures.needs) >= figures.baseline.value(figures.needs)
    assert "unpruned - optimum: objective" in out
    # Pruning to each referral's best candidates never finds more than every pair allows.
    assert figures.full.value(figures.needs) >= figures.optimal.value(figures.needs) - 1e-6
    assert figures.optimal.matches, "the population leaves nobody to match"
