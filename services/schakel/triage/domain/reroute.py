"""Routing again after an owner rejected a referral, pure Python.

The referral goes to the next organisation that may own it and has not rejected it: the
district's owner of the route triage chose, then the district's other owners (social brokers
before the neighbourhood team, which is the professional answer for urgent referrals); the
coordination point when every one of them rejected it, or when the district is unknown, so a
referral is never ownerless.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from schakel.contracts.vocabulary import Route, Urgency
from schakel.triage.domain.decide import Decision, Fired
from schakel.triage.domain.ruleset import Owner, RuleBook

REROUTE_RULE = "reroute"
# The order in which the district's kinds of owner are asked after the first one.
FALLBACK_ORDER = (Route.SOCIAAL_MAKELAAR, Route.BUURTTEAM)


@dataclass(frozen=True)
class NextOwner:
    route: Route
    owner: Owner
    assign_within_hours: int | None


def next_owner(book: RuleBook, decision: Decision, excluded: frozenset[str]) -> NextOwner:
    district = book.districts.named(decision.district) if decision.district else None
    if district is not None:
        routes = [decision.route, *(r for r in FALLBACK_ORDER if r is not decision.route)]
        for route in routes:
            if route is Route.COORDINATIEPUNT:
                continue
            owner = book.owner(route, district)
            if owner.organisation not in excluded:
                return NextOwner(route, owner, None)
    hours = book.rules.coordination.assign_within_hours[decision.urgency]
    return NextOwner(Route.COORDINATIEPUNT, book.coordination_point, hours)


def rerouted(book: RuleBook, decision: Decision, excluded: frozenset[str], why: str) -> Decision:
    """The decision after a rejection: the same grade, urgency and district, a new owner."""
    chosen = next_owner(book, decision, excluded)
    reason = f"re-routed to {chosen.owner.name}: rejected by {', '.join(sorted(excluded))} ({why})"
    return replace(
        decision,
        route=chosen.route,
        owner_organisation=chosen.owner.organisation,
        owner_name=chosen.owner.name,
        assign_within_hours=chosen.assign_within_hours,
        rules_fired=(Fired(f"{book.rules.version}#{REROUTE_RULE}", reason),),
        rule_set_version=book.rules.version,
    )


def unknown_referral(book: RuleBook, referral_id: str) -> Decision:
    """A rejected referral triage never decided (history from before triage kept decisions):
    only the coordination point can take it."""
    point = book.coordination_point
    return Decision(
        grade=None,
        urgency=Urgency.ROUTINE,
        route=Route.COORDINATIEPUNT,
        owner_organisation=point.organisation,
        owner_name=point.name,
        district=None,
        district_name=None,
        kinds=(),
        risk_groups=(),
        rules_fired=(),
        rule_set_version=book.rules.version,
        assign_within_hours=book.rules.coordination.assign_within_hours[Urgency.ROUTINE],
    )
