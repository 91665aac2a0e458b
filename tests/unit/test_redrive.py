"""What a redrive would do with each dead letter: the decisions, without a broker."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from schakel.contracts import new_event
from schakel.contracts.events import ReferralReceived, Signaler
from schakel.contracts.kafka_binding import to_record
from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.platform.redrive import DeadLetter, Report, dead_letter_of, decide

ORIGIN = "schakel.referral-events"


def letter(
    offset: int, referral_id: str = "ref-1", *, event_id: str | None = None, redriven: bool = False
) -> DeadLetter:
    received = ReferralReceived(
        referral_id=referral_id,
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.BUURTBEWONER),
        person_pseudonym="ps-" + "3" * 32,
        received_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    event = new_event(received, source="/schakel/intake", subject=referral_id)
    if event_id is not None:
        event = event.model_copy(update={"id": event_id})
    key, value, headers = to_record(event)
    failed = [
        *headers,
        ("dlq-reason", b"handler-failed"),
        ("dlq-error", b"ValueError('rule set missing')"),
        ("dlq-origin-topic", ORIGIN.encode()),
        *([("redriven-from", b"schakel.dlq.triage/0/0")] if redriven else []),
    ]
    record = SimpleNamespace(
        topic="schakel.dlq.triage", partition=0, offset=offset, key=key, value=value, headers=failed
    )
    return dead_letter_of(record)


def garbage(offset: int) -> DeadLetter:
    headers = [("dlq-reason", b"unreadable"), ("dlq-origin-topic", ORIGIN.encode())]
    return dead_letter_of(
        SimpleNamespace(
            topic="schakel.dlq.triage", partition=0, offset=offset, key=None, value=b"\x00",
            headers=headers,
        )
    )  # fmt: skip


def test_a_dead_letter_goes_back_as_it_was_written() -> None:
    found = letter(7)
    assert found.position == "schakel.dlq.triage/0/7"
    assert (found.reason, found.origin_topic) == ("handler-failed", ORIGIN)
    assert not any(name.startswith("dlq-") for name, _ in found.headers)
    assert dict(found.headers)["ce_type"] == b"nl.schakel.referral.received.v2"


def test_each_event_is_republished_once_and_only_while_not_applied() -> None:
    letters = [letter(0, event_id="e-1"), letter(1, event_id="e-1"), letter(2, event_id="e-2")]
    verdicts = [d.verdict for d in decide([*letters, garbage(3)], applied={"e-2"})]
    assert verdicts == ["republish", "repeat", "already-applied", "unreadable"]


def test_the_operator_sees_the_latest_failure_of_an_event() -> None:
    first, again = letter(0, event_id="e-1"), letter(5, event_id="e-1", redriven=True)
    [chosen, repeat] = decide([first, again], applied=set())
    assert (chosen.letter, chosen.verdict, repeat.verdict) == (first, "republish", "repeat")
    assert chosen.why == (
        "failed again after a redrive: handler-failed: ValueError('rule set missing')"
    )


def test_a_letter_without_its_origin_is_left_in_place() -> None:
    lost = letter(0)
    lost = DeadLetter(**{**vars(lost), "origin_topic": ""})
    [decision] = decide([lost], applied=set())
    assert decision.verdict == "unreadable"


def test_the_report_says_what_was_done_or_would_be() -> None:
    counts = {"republish": 2, "unreadable": 1}
    assert Report("triage", 3, counts, 2, dry_run=True).lines() == [
        "schakel.dlq.triage: 3 dead letters (republish 2, unreadable 1)",
        "would republish 2 to their origin topic",
    ]
    assert (
        Report("triage", 0, {}, 0, dry_run=False).lines()[1]
        == "republished 0 to their origin topic"
    )
