"""The parts of the pipeline benchmark after the backlog run: how much, which, whom."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schakel_dev.bench_load import Post
from schakel_dev.bench_phases import busiest_service, paced_count, spread

SENT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("rate", "count"), [(6.9, 138), (0.01, 1), (500.0, 1000), (2.5, 50)])
def test_the_paced_part_lasts_about_its_seconds_within_bounds(rate: float, count: int) -> None:
    assert paced_count(rate, seconds=20.0, most=1000) == count


def posts(count: int) -> list[Post]:
    return [
        Post(n, SENT, float(n), 0.01, 202 if n % 4 else 503, f"r{n}" if n % 4 else None)
        for n in range(count)
    ]


def test_the_sample_is_spread_over_the_accepted_signals_first_to_last() -> None:
    sample = spread(posts(40), 4)  # 30 accepted: 1, 2, 3, 5, ..., 39
    assert [p.index for p in sample] == [1, 13, 26, 39]  # accepted[0], [9], [19], [29]


def test_fewer_accepted_than_wanted_are_all_sampled() -> None:
    assert [p.index for p in spread(posts(5), 10)] == [1, 2, 3]


def test_the_busiest_service_is_never_kafka_the_database_or_the_bench() -> None:
    cpu = {"secantusd": 40.0, "kafka": 20.0, "bench client": 15.0, "audit": 9.0, "triage": 3.0}
    assert busiest_service(cpu, ("triage", "audit", "gateway")) == "audit"
    assert busiest_service({"kafka": 1.0}, ("audit",)) is None
