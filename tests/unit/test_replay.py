"""Replay's parts that need no server: comparing a rebuilt read model with the live one, and
followup rebuilding a referral from its history (its own decisions included) exactly as the
live handlers left it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from schakel.audit.domain.chain import append, written_event
from schakel.audit.domain.compare import DOCUMENT, Difference, Model, compare, field_differences
from schakel.audit.rebuild import delivery_of
from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import MatchProposed
from schakel.contracts.kafka_binding import read_raw, to_record
from schakel.followup.adapters import CANCELLED, pending_to_doc
from schakel.followup.domain.commands import Accept, Command
from schakel.followup.handlers import Ports, Setup, act, fire, follow, rebuild
from schakel.platform.readmodels import replayable_services
from tests import payloads
from tests.fakes.followup import NOTES, FakeDeadlines, FakeReferrals
from tests.unit.test_followup_deadlines import POINT, POLICY, T0
from tests.unit.test_followup_machine import CONVERSATION, MAKELAAR, OFFER, received

# --- comparing ------------------------------------------------------------------------------

MODEL = Model("referrals", ("_id",), "_id", frozenset({"log.note", "decided_at"}))


async def _stream(docs: Iterable[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for doc in docs:
        yield doc


async def _compare(live: list[dict[str, Any]], replayed: list[dict[str, Any]]) -> list[Difference]:
    return [d async for d in compare(MODEL, _stream(live), _stream(replayed))]


async def test_equal_read_models_differ_nowhere_but_in_ignored_fields() -> None:
    live = [{"_id": "r1", "stage": "a", "decided_at": 1, "log": [{"at": 1, "note": "called"}]}]
    replayed = [{"_id": "r1", "stage": "a", "decided_at": 2, "log": [{"at": 1, "note": None}]}]
    assert await _compare(live, replayed) == []


async def test_a_changed_field_is_named_by_referral_and_path_with_both_values() -> None:
    live: list[dict[str, Any]] = [{"_id": "r1", "log": [1]}, {"_id": "r2", "grade": "ernstig"}]
    replayed: list[dict[str, Any]] = [{"_id": "r1", "log": [1]}, {"_id": "r2", "grade": "licht"}]
    assert await _compare(live, replayed) == [
        Difference("referrals", "r2", ("r2",), "grade", "ernstig", "licht")
    ]


async def test_a_document_on_one_side_only_and_a_field_absent_are_reported() -> None:
    live = [{"_id": "r1", "a": 1}, {"_id": "r3", "a": 1, "extra": [1]}]
    replayed = [{"_id": "r2", "a": 1}, {"_id": "r3", "a": 1}]
    assert await _compare(live, replayed) == [
        Difference("referrals", "r1", ("r1",), DOCUMENT, "present", None),
        Difference("referrals", "r2", ("r2",), DOCUMENT, None, "present"),
        Difference("referrals", "r3", ("r3",), "extra.0", 1, None),
    ]


def test_a_value_of_another_type_differs_even_when_python_calls_it_equal() -> None:
    assert list(field_differences({"n": 1}, {"n": True}, frozenset())) == [("n", 1, True)]
    assert list(field_differences({"n": {}}, {"n": {}}, frozenset())) == []


def test_every_service_whose_state_follows_from_events_declares_its_read_models() -> None:
    assert replayable_services() == ["audit", "feedback", "followup", "matching", "triage"]


def test_an_archive_entry_is_read_again_as_the_record_it_was_archived_from() -> None:
    event = new_event(received(), source="/schakel/intake", subject="ref-1")
    key, value, headers = to_record(event)
    raw = read_raw(headers, value)
    entry = append(
        None, written_event(raw, topic="t", partition=2, offset=7, key=key, headers=tuple(headers))
    )

    delivery = delivery_of(entry)

    assert delivery.event == raw
    assert (delivery.topic, delivery.partition, delivery.offset, delivery.key) == ("t", 2, 7, key)
    # An entry archived without headers is read from the attributes its hash covers.
    bare = replace(entry, event=replace(entry.event, headers=()))
    assert delivery_of(bare).event == raw


# --- followup rebuilt from its history ------------------------------------------------------


@dataclass
class Live:
    """Followup as it runs: consumed events, owners' commands and the scheduler, with a clock
    the test moves; every event that passed is kept, in order, as the history."""

    now: Any = T0
    ports: Ports = field(default_factory=lambda: Ports(FakeReferrals(), FakeDeadlines()))
    setup: Setup = field(default_factory=lambda: Setup(POLICY, POINT, notes=NOTES))
    history: list[EventEnvelope[Any]] = field(default_factory=list)

    async def consume(self, payload: EventPayload, lag: timedelta = timedelta(0)) -> None:
        event = new_event(payload, source="/schakel/test", subject="ref-1")
        event = event.model_copy(update={"time": self.now})
        self.history.append(event)
        self.now += lag  # handled a while after it was written
        await follow(event, self.ports, self.setup, self.history.append, self.now)

    async def act(self, command: Command, note: str | None = None) -> None:
        await act(self.ports, self.setup, "ref-1", command, self.now, self.history.append, note)

    async def scheduler_pass(self) -> None:
        deadlines = self.ports.deadlines
        assert isinstance(deadlines, FakeDeadlines)
        for deadline_id in deadlines.due(self.now):
            await fire(deadline_id, self.ports, self.setup, self.now, self.history.append)


def _levels(ports: Ports) -> list[dict[str, Any]]:
    """The deadline levels replay compares: not cancelled ones, without their minted ids."""
    deadlines = ports.deadlines
    assert isinstance(deadlines, FakeDeadlines)
    kept = [
        {**pending_to_doc(p), "state": deadlines.states[i], "_id": None}
        for i, p in deadlines.docs.items()
        if deadlines.states[i] != CANCELLED
    ]
    return sorted(kept, key=lambda d: (d["key"], d["level"]))


async def test_followup_rebuilt_from_its_history_equals_what_the_live_handlers_left() -> None:
    live = Live()
    await live.consume(received())
    await live.consume(payloads.triaged("ref-1"))
    live.now += timedelta(days=8)
    await live.scheduler_pass()  # the acceptance deadline passed: a reminder
    live.now += timedelta(days=1)
    await live.act(Accept(MAKELAAR), note="called the GP first")
    live.now += timedelta(hours=2)
    await live.act(CONVERSATION)
    live.now += timedelta(minutes=5)
    proposal = MatchProposed(referral_id="ref-1", offer=OFFER, score=0.8, reasons=["past"])
    await live.consume(proposal, lag=timedelta(seconds=3))  # the owner is shown it: decided

    replayed = Live(now=T0 + timedelta(days=400))  # the replay's clock must not matter
    for event in live.history:
        await rebuild(event, replayed.ports, replayed.setup)

    state = await live.ports.referrals.get("ref-1")
    assert state is not None and state.escalations and state.proposal
    assert await replayed.ports.referrals.get("ref-1") == state
    notes = await live.ports.referrals.log("ref-1")
    assert [replace(e, note=None) for e in notes] == await replayed.ports.referrals.log("ref-1")
    assert _levels(replayed.ports) == _levels(live.ports)
    # Rebuilding again changes nothing: an event already folded in is skipped.
    for event in live.history:
        await rebuild(event, replayed.ports, replayed.setup)
    assert await replayed.ports.referrals.get("ref-1") == state


def test_a_list_kept_in_the_order_events_were_applied_compares_by_what_it_holds() -> None:
    concern = {"type": "concern-raised", "at": "12:00:00.493"}
    regraded = {"type": "regraded", "at": "12:00:00.441"}
    live = {"log": [concern, regraded], "state": {"history": ["e-2", "e-1"], "stage": "x"}}
    replayed = {"log": [regraded, concern], "state": {"history": ["e-1", "e-2"], "stage": "x"}}
    unordered = frozenset({"log", "state.history"})
    assert list(field_differences(live, replayed, frozenset(), unordered)) == []
    # In order, they differ; and a missing entry is a difference whatever the order.
    assert list(field_differences(live, replayed, frozenset()))
    shorter = {**replayed, "log": [regraded]}
    assert [p for p, _, _ in field_differences(live, shorter, frozenset(), unordered)] == [
        "log.1.at",
        "log.1.type",
    ]
