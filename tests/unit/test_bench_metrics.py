"""The benchmark's reading of `/metrics`: sums of one metric's samples, nothing of its siblings."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from schakel_dev.bench_metrics import metric_total, mongo_commands, service_load


def exposition() -> str:
    """What a service's /metrics serves, from a registry of its own (as the services label)."""
    registry = CollectorRegistry()
    consumed = Counter(
        "schakel_events_consumed_total", "read", ["event_type", "outcome"], registry=registry
    )
    handler = Histogram(
        "schakel_handler_seconds", "applying", ["event_type"], registry=registry, buckets=(0.1,)
    )
    pending = Gauge("schakel_outbox_pending", "waiting", registry=registry)
    consumed.labels("signal-received", "applied").inc(5)
    consumed.labels("signal-triaged", "applied").inc(2)
    consumed.labels("signal-received", "duplicate").inc(1)
    consumed.labels("match-proposed", "ignored").inc(4)
    handler.labels("signal-received").observe(0.05)
    handler.labels("signal-received").observe(0.25)
    handler.labels("signal-triaged").observe(0.5)
    pending.set(3)
    return generate_latest(registry).decode()


def test_every_labelled_sample_of_a_metric_is_summed() -> None:
    assert metric_total(exposition(), "schakel_events_consumed_total") == 12


def test_only_samples_whose_line_has_the_label_count() -> None:
    text = exposition()
    assert metric_total(text, "schakel_events_consumed_total", 'outcome="applied"') == 7
    assert metric_total(text, "schakel_events_consumed_total", 'outcome="redelivered"') == 0


def test_sibling_series_of_a_histogram_are_not_mixed_in() -> None:
    text = exposition()  # also has _bucket and _created series, and HELP/TYPE comments
    assert metric_total(text, "schakel_handler_seconds_count") == 3
    assert metric_total(text, "schakel_handler_seconds_sum") == pytest.approx(0.8)
    assert metric_total(text, "schakel_handler_seconds") == 0  # no sample has the bare name


def test_an_unlabelled_sample_is_read_and_a_longer_name_is_not() -> None:
    text = "schakel_outbox_pending 3.0\nschakel_outbox_pending_max 9.0\n"
    assert metric_total(text, "schakel_outbox_pending") == 3


def test_a_service_load_counts_records_read_handled_and_time_spent() -> None:
    load = service_load("triage", exposition())
    assert (load.name, load.consumed, load.handled) == ("triage", 12, 3)
    assert load.handler_seconds == pytest.approx(0.8)
    assert load.mean == pytest.approx(0.8 / 3)


def test_a_service_that_handled_nothing_has_a_mean_of_zero() -> None:
    load = service_load("audit", "")
    assert (load.consumed, load.handled, load.handler_seconds, load.mean) == (0, 0, 0.0, 0.0)


def test_mongo_round_trips_are_read_by_command_and_collection_whatever_the_label_order() -> None:
    registry = CollectorRegistry()
    # The services' counter; the exposition writes its labels in alphabetical order.
    commands = Counter(
        "schakel_mongo_commands_total", "sent", ["command", "collection"], registry=registry
    )
    commands.labels("find", "referrals").inc(4)
    commands.labels("commitTransaction", "").inc(2)
    text = generate_latest(registry).decode() + exposition()
    assert mongo_commands(text) == {"find referrals": 4.0, "commitTransaction": 2.0}
    assert mongo_commands(exposition()) == {}
