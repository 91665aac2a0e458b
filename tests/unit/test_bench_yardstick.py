"""What `make bench` prints of the infrastructure yardstick."""

from __future__ import annotations

from schakel_dev.bench_yardstick import YardstickResult, yardstick_lines


def test_a_complete_run_gives_events_per_second_and_cpu_per_event_per_process() -> None:
    result = YardstickResult(1200, 1200, 10.0, {"hop0": 1.2, "secantusd": 6.0, "kafka": 2.4})
    assert yardstick_lines(result) == [
        "1200 events through 4 hops in 10.0 s: 120 events/s",
        "CPU ms per event: secantusd 5.0, kafka 2.0, hop0 1.0; sum 8.0",
    ]


def test_a_run_cut_short_by_its_cap_says_how_far_it_got() -> None:
    result = YardstickResult(1200, 450, 45.0)
    assert not result.complete
    assert yardstick_lines(result) == [
        "450 events through 4 hops in 45.0 s: 10 events/s (only 450/1200 by the cap)"
    ]
