"""Triage's handlers: one per event it acts on."""

from __future__ import annotations

from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import FiredRule, ReferralReceived, ReferralTriaged
from schakel.contracts.lifecycle import ReferralRejected
from schakel.contracts.vocabulary import RiskGroup, Route, Urgency
from schakel.platform.mongo import Transaction
from schakel.triage.adapters import DecisionStore, MongoDecisions
from schakel.triage.domain import RULE_SET_VERSION, Facts, next_owner, triage

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


async def reroute(
    event: EventEnvelope[ReferralRejected], decisions: DecisionStore, emit: Any
) -> None:
    """An owner rejected the referral: route it to the next owner, skipping every
    organisation that rejected it (the coordination point when none is left)."""
    rejected = event.data
    decision = await decisions.decided(rejected.referral_id)
    if decision is None:  # never triaged here: only the coordination point can take it
        district, grade, urgency = None, None, Urgency.ROUTINE
        version, kinds, groups = RULE_SET_VERSION, [], []
    else:
        district, grade, urgency = decision.district, decision.grade, decision.urgency
        version, kinds = decision.rule_set_version, list(decision.kinds)
        groups = [RiskGroup(g) for g in decision.risk_groups]
    excluded = frozenset(rejected.excluded_organisations)
    chosen = next_owner(district, grade, excluded)
    reason = (
        f"re-routed to {chosen.owner_organisation}: rejected by "
        f"{', '.join(sorted(excluded))} ({rejected.reason.value})"
    )
    triaged = ReferralTriaged(
        referral_id=rejected.referral_id,
        grade=grade,
        kinds=kinds,
        urgency=urgency,
        route=chosen.route,
        owner_organisation=chosen.owner_organisation,
        owner_name=chosen.owner_name,
        assign_within_hours=chosen.assign_within_hours,
        district=district,
        risk_groups=groups,
        rules_fired=[FiredRule(rule_id=f"{version}#reroute", reason=reason)],
        rule_set_version=version,
    )
    emit(new_event(triaged, source=SOURCE, subject=event.subject, cause=event))


async def on_referral_received(event: EventEnvelope[Any], tx: Transaction) -> None:
    await decide(event, MongoDecisions(tx), tx.emit)


async def on_referral_rejected(event: EventEnvelope[Any], tx: Transaction) -> None:
    await reroute(event, MongoDecisions(tx), tx.emit)
