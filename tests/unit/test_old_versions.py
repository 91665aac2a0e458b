"""Every stored record of an old version, through every consumer of its event: each consumer
does with the v1 record exactly what it does with the v2 record the sample says it reads as
(tests/contract/samples, compared whole in tests/contract/test_event_history.py). A field an
upcaster loses changes what triage decides, what feedback tells the signaler, what followup
shows the owner or what matching remembers of the need."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import ReferralReceived, ReferralTriaged
from schakel.contracts.kafka_binding import from_record
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.feedback.handlers import follow as feedback_follows
from schakel.followup import policy
from schakel.followup.handlers import Ports, Setup
from schakel.followup.handlers import follow as followup_follows
from schakel.matching.handlers import learn_need
from schakel.triage import rules
from schakel.triage.handlers import decide
from tests.fakes.feedback import FakeReferrals as FeedbackReferrals
from tests.fakes.followup import NOTES, FakeDeadlines
from tests.fakes.followup import FakeReferrals as FollowupReferrals
from tests.fakes.matching import FakeProposals
from tests.fakes.triage import FakeDecisions

SAMPLES = Path(__file__).parents[1] / "contract" / "samples"
RECEIVED_V1 = "nl.schakel.referral.received.v1"
TRIAGED_V1 = "nl.schakel.referral.triaged.v1"
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
BOOK = rules.load()
FOLLOWUP_SETUP = Setup(policy.load(), "coordinatiepunt-eenzaamheid", notes=NOTES)


def stored(stem: str) -> dict[str, Any]:
    sample: dict[str, Any] = json.loads((SAMPLES / f"{stem}.json").read_text())
    return sample


def as_written(stem: str) -> EventEnvelope[Any]:
    """The old record, read as a consumer reads it (upcast on the way)."""
    sample = stored(stem)
    headers = [(k, v.encode()) for k, v in sample["headers"].items()]
    return from_record(headers, json.dumps(sample["value"]).encode())


def as_today(stem: str) -> EventEnvelope[Any]:
    """The same event as today's producer would have written it: the sample's expectation."""
    sample = stored(stem)
    expect = sample["expect"]
    headers = [
        (k, (expect["type"] if k == "ce_type" else v).encode())
        for k, v in sample["headers"].items()
    ]
    return from_record(headers, json.dumps(expect["data"]).encode())


def payloads(events: list[EventEnvelope[Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """What was emitted, without the new events' own ids and times."""
    return [(e.type, e.subject, e.data.model_dump(mode="json")) for e in events]


@pytest.mark.parametrize("read", [as_written, as_today], ids=["v1", "v2"])
async def test_triage_decides_on_the_area_and_observations_of_a_v1_signal(read: Any) -> None:
    decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
    event = read(RECEIVED_V1)
    assert isinstance(event.data, ReferralReceived)
    await decide(event, decisions, emitted.append, BOOK)
    decision = decisions.saved[event.subject]
    assert (decision.district, decision.owner_organisation) == (
        "overvecht",
        "sociaal-makelaars-overvecht",
    )
    # "somber" and "alleen_wonend", the signal's observations, each fired their rule.
    assert [f.rule_id for f in decision.rules_fired] == [
        "grade.light.low-mood",
        "grade.risk.lives-alone",
        "route.social-broker",
    ]


async def test_triage_does_with_a_v1_signal_what_it_does_with_its_v2() -> None:
    effects = []
    for read in (as_written, as_today):
        decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
        await decide(read(RECEIVED_V1), decisions, emitted.append, BOOK)
        effects.append((decisions.saved, payloads(emitted)))
    assert effects[0] == effects[1]


async def feedback_of(stems: list[str], read: Any) -> tuple[Any, list[Any]]:
    referrals, emitted = FeedbackReferrals(), list[tuple[str, EventEnvelope[Any]]]()

    def emit(event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS, /) -> None:
        emitted.append((topic, event))

    for stem in stems:
        await feedback_follows(read(stem), referrals, emit)
    return referrals.states, [(topic, *payloads([e])[0]) for topic, e in emitted]


@pytest.mark.parametrize(
    "stems", [[RECEIVED_V1], [RECEIVED_V1, TRIAGED_V1], [f"{TRIAGED_V1}.no-signs-district-unknown"]]
)
async def test_feedback_does_with_v1_records_what_it_does_with_their_v2(stems: list[str]) -> None:
    written, today = await feedback_of(stems, as_written), await feedback_of(stems, as_today)
    assert written == today
    assert written[0], "feedback keeps the referral"
    if len(stems) > 1 or "triaged" in stems[0]:
        assert written[1], "the signaler hears the referral was passed on"


async def test_followup_shows_the_owner_a_v1_referral_as_it_shows_its_v2() -> None:
    shown = []
    for read in (as_written, as_today):
        referrals, emitted = FollowupReferrals(), list[EventEnvelope[Any]]()
        ports = Ports(referrals, FakeDeadlines())
        for stem in (RECEIVED_V1, TRIAGED_V1):
            await followup_follows(read(stem), ports, FOLLOWUP_SETUP, emitted.append, NOW)
        [referral_id] = referrals.docs
        shown.append((referrals.docs, referrals.logs, payloads(emitted)))
    assert shown[0] == shown[1]
    state = shown[0][0][referral_id]
    assert state.owner_organisation == "buurtteam-overvecht"
    assert state.facts is not None
    assert (state.facts.postcode_area, [o.value for o in state.facts.observations]) == (
        "3562",
        ["alleen_wonend", "somber"],
    )


@pytest.mark.parametrize("stem", [TRIAGED_V1, f"{TRIAGED_V1}.no-signs-district-unknown"])
async def test_matching_remembers_the_need_of_a_v1_triage_as_of_its_v2(stem: str) -> None:
    needs = []
    for read in (as_written, as_today):
        proposals = FakeProposals()
        event = read(stem)
        assert isinstance(event.data, ReferralTriaged)
        await learn_need(event, proposals)
        needs.append(proposals.needs)
    assert needs[0] == needs[1]
    [(owner, need)] = needs[0].values()
    assert owner == stored(stem)["value"]["owner_organisation"]
    assert need.consent_to_contact is False  # v1 did not carry consent: nothing proposed on it
