"""Triage's handlers: one per event it acts on."""

from __future__ import annotations

from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import FiredRule, ReferralReceived, ReferralTriaged
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Transaction
from schakel.triage.adapters import DecisionStore, MongoDecisions
from schakel.triage.domain import Decision, Facts, RuleBook, triage

SOURCE = "/schakel/triage"


def facts_of(received: ReferralReceived) -> Facts:
    return Facts(
        channel=received.channel,
        observations=frozenset(received.observations),
        djg_score=received.djg_score,
        age_band=received.age_band,
        postcode_area=received.postcode_area,
        prescribed_to=received.prescribed_to,
    )


def triaged_payload(received: ReferralReceived, decision: Decision) -> ReferralTriaged:
    return ReferralTriaged(
        referral_id=received.referral_id,
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
        consent_to_contact=received.consent_to_contact,
        rules_fired=[FiredRule(rule_id=f.rule_id, reason=f.reason) for f in decision.rules_fired],
        rule_set_version=decision.rule_set_version,
    )


async def decide(
    event: EventEnvelope[ReferralReceived], decisions: DecisionStore, emit: Any, book: RuleBook
) -> None:
    received = event.data
    decision = triage(facts_of(received), book)
    await decisions.add(received.referral_id, decision, event.id)
    payload = triaged_payload(received, decision)
    emit(new_event(payload, source=SOURCE, subject=event.subject, cause=event))


def on_referral_received(book: RuleBook) -> Handler:
    """The handler of *received*, deciding with ``book`` (loaded once at start-up)."""

    async def handle(event: EventEnvelope[Any], tx: Transaction) -> None:
        await decide(event, MongoDecisions(tx), tx.emit, book)

    return handle
