"""Triage's handlers: one per event it acts on."""

from __future__ import annotations

from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import FiredRule, ReferralReceived, ReferralTriaged
from schakel.contracts.lifecycle import ConcernRaised, ReferralRegraded, ReferralRejected
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Transaction
from schakel.triage.adapters import DecisionStore, MongoDecisions
from schakel.triage.domain import Decision, Facts, RuleBook, triage
from schakel.triage.domain.regrade import regrade
from schakel.triage.domain.reroute import rerouted, unknown_referral

SOURCE = "/schakel/triage"


def facts_of(received: ReferralReceived) -> Facts:
    return Facts(
        channel=received.channel,
        observations=frozenset(received.observations),
        djg_score=received.djg_score,
        age_band=received.age_band,
        postcode_area=received.postcode_area,
        prescribed_to=received.prescribed_to,
        consent_to_contact=received.consent_to_contact,
    )


def triaged_payload(referral_id: str, decision: Decision) -> ReferralTriaged:
    return ReferralTriaged(
        referral_id=referral_id,
        grade=decision.grade,
        grade_provisional=decision.grade_provisional,
        urgency=decision.urgency,
        route=decision.route,
        owner_organisation=decision.owner_organisation,
        owner_name=decision.owner_name,
        assign_within_hours=decision.assign_within_hours,
        district=decision.district,
        district_name=decision.district_name,
        risk_groups=list(decision.risk_groups),
        kinds=list(decision.kinds),
        consent_to_contact=decision.consent_to_contact,
        rules_fired=[FiredRule(rule_id=f.rule_id, reason=f.reason) for f in decision.rules_fired],
        rule_set_version=decision.rule_set_version,
    )


async def decide(
    event: EventEnvelope[ReferralReceived], decisions: DecisionStore, emit: Any, book: RuleBook
) -> None:
    received = event.data
    facts = facts_of(received)
    decision = triage(facts, book)
    await decisions.add(received.referral_id, decision, event.id, facts)
    payload = triaged_payload(received.referral_id, decision)
    emit(new_event(payload, source=SOURCE, subject=event.subject, cause=event))


async def reroute(
    event: EventEnvelope[ReferralRejected], decisions: DecisionStore, emit: Any, book: RuleBook
) -> None:
    """An owner rejected the referral: route it to the next owner, skipping every
    organisation that rejected it (the coordination point when none is left)."""
    rejected = event.data
    decision = await decisions.decided(rejected.referral_id)
    if decision is None:
        decision = unknown_referral(book, rejected.referral_id)
    excluded = frozenset(rejected.excluded_organisations)
    again = rerouted(book, decision, excluded, rejected.reason.value)
    payload = triaged_payload(rejected.referral_id, again)
    emit(new_event(payload, source=SOURCE, subject=event.subject, cause=event))


async def judge_again(
    event: EventEnvelope[ConcernRaised], decisions: DecisionStore, emit: Any, book: RuleBook
) -> None:
    """A concern about someone in care: grade and urgency again, with its observations; the
    owner stays. Published also when nothing went up, so the concern's effect is on record."""
    concern = event.data
    decision = await decisions.decided(concern.referral_id)
    if decision is None:
        decision = unknown_referral(book, concern.referral_id)
    facts = await decisions.facts(concern.referral_id)
    again = regrade(book, decision, facts, concern.observations)
    await decisions.revise(concern.referral_id, again.decision, again.facts)
    payload = ReferralRegraded(
        referral_id=concern.referral_id,
        grade=again.decision.grade,
        urgency=again.decision.urgency,
        raised=again.raised,
        concern_id=concern.concern_id,
        rules_fired=[FiredRule(rule_id=f.rule_id, reason=f.reason) for f in again.fired],
        rule_set_version=book.rules.version,
    )
    emit(new_event(payload, source=SOURCE, subject=event.subject, cause=event))


def handlers(book: RuleBook) -> dict[str, Handler]:
    """Triage's handlers, deciding with ``book`` (loaded once at start-up)."""

    async def on_received(event: EventEnvelope[Any], tx: Transaction) -> None:
        await decide(event, MongoDecisions(tx), tx.emit, book)

    async def on_rejected(event: EventEnvelope[Any], tx: Transaction) -> None:
        await reroute(event, MongoDecisions(tx), tx.emit, book)

    async def on_concern(event: EventEnvelope[Any], tx: Transaction) -> None:
        await judge_again(event, MongoDecisions(tx), tx.emit, book)

    return {
        ReferralReceived.event_name: on_received,
        ReferralRejected.event_name: on_rejected,
        ConcernRaised.event_name: on_concern,
    }
