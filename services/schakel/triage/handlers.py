"""Triage's handlers: one per event it acts on."""

from __future__ import annotations

from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import FiredRule, ReferralReceived, ReferralTriaged
from schakel.contracts.vocabulary import RiskGroup, Route
from schakel.platform.mongo import Transaction
from schakel.triage.adapters import DecisionStore, MongoDecisions
from schakel.triage.domain import Facts, triage

SOURCE = "/schakel/triage"


def facts_of(received: ReferralReceived) -> Facts:
    return Facts(
        channel=received.channel,
        observations=frozenset(received.observations),
        djg_score=received.djg_score,
        age_band=received.age_band,
        postcode_area=received.postcode_area,
    )


async def decide(
    event: EventEnvelope[ReferralReceived], decisions: DecisionStore, emit: Any
) -> None:
    received = event.data
    decision = triage(facts_of(received))
    await decisions.add(received.referral_id, decision, event.id)
    owner = decision.owner_organisation
    triaged = ReferralTriaged(
        referral_id=received.referral_id,
        grade=decision.grade,
        kinds=list(decision.kinds),
        urgency=decision.urgency,
        route=Route.BUURTTEAM if owner.startswith("buurtteam-") else Route.SOCIAAL_MAKELAAR,
        owner_organisation=owner,
        owner_name=owner,
        risk_groups=[RiskGroup(g) for g in decision.risk_groups],
        district=decision.district,
        consent_to_contact=received.consent_to_contact,
        rules_fired=[
            FiredRule(rule_id=f"{decision.rule_set_version}#{n}", reason=r)
            for n, r in enumerate(decision.reasons, 1)
        ],
        rule_set_version=decision.rule_set_version,
    )
    emit(new_event(triaged, source=SOURCE, subject=event.subject, cause=event))


async def on_referral_received(event: EventEnvelope[Any], tx: Transaction) -> None:
    await decide(event, MongoDecisions(tx), tx.emit)
