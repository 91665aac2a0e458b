"""Consumer lag as `make bench` plots it: records a service's group has not committed."""

from __future__ import annotations

from aiokafka import TopicPartition

from schakel.contracts.topics import REFERRAL_EVENTS
from schakel_dev.bench_lag import group_lag, group_partitions, lag_summary, shifted

P0, P1, P2 = (TopicPartition(REFERRAL_EVENTS, p) for p in range(3))


def test_lag_is_what_is_behind_the_end_of_each_partition_summed() -> None:
    assert group_lag({P0: 10, P1: 4}, {P0: 12, P1: 4}) == 2


def test_a_partition_never_committed_counts_from_its_start() -> None:
    # Kafka answers -1 for a partition the group has not committed.
    assert group_lag({P0: -1}, {P0: 7, P1: 3}) == 10


def test_a_commit_ahead_of_a_stale_end_offset_is_no_negative_lag() -> None:
    assert group_lag({P0: 9}, {P0: 8, P2: 1}) == 1


def test_a_service_is_followed_on_every_partition_of_every_topic_it_consumes() -> None:
    audit = group_partitions("audit")
    assert {tp.topic for tp in audit} == {REFERRAL_EVENTS, "schakel.helper-events"}
    assert len(audit) == 6 + 3
    assert {tp.topic for tp in group_partitions("triage")} == {REFERRAL_EVENTS}


def test_the_summary_ranks_services_by_their_highest_lag() -> None:
    trace = {
        "triage": [(0.0, 0.0), (1.0, 5.0), (2.0, 0.0)],
        "audit": [(0.0, 3.0), (1.0, 40.0), (2.0, 12.0)],
        "matching": [],
    }
    assert lag_summary(trace) == [("audit", 40.0, 12.0), ("triage", 5.0, 0.0)]


def test_samples_are_put_on_the_time_axis_of_the_run() -> None:
    trace = {"audit": [(100.5, 3.0), (101.5, 0.0)], "triage": []}
    assert shifted(trace, 100.0) == {"audit": [(0.5, 3.0), (1.5, 0.0)], "triage": []}
