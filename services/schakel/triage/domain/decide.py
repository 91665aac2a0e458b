"""Triage's decision, pure Python: apply a rule book to what is known of a referral.

Grade and urgency are two axes. Sign rules give a provisional grade (the highest that fired;
none when no sign points to one), an urgency (the highest; routine when none fired), kinds of
loneliness and risk groups; then the first routing rule that holds names the route, and the
district's organisation for that route owns the referral. Every rule that fired is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    PrescribedTo,
    RiskGroup,
    Route,
    Urgency,
)
from schakel.triage.domain.ruleset import (
    District,
    RouteRule,
    RouteWhen,
    RuleBook,
    SignRule,
    SignsWhen,
)

GRADE_ORDER = (Grade.PREVENTIE, Grade.VERHOOGD_RISICO, Grade.LICHT_TOT_MATIG, Grade.ERNSTIG)
URGENCY_ORDER = (Urgency.ROUTINE, Urgency.SPOEDIG, Urgency.DIRECT)


@dataclass(frozen=True)
class Facts:
    """What triage may know about a referral: no names, no free text."""

    channel: Channel
    observations: frozenset[Observation] = frozenset()
    djg_score: int | None = None
    age_band: AgeBand | None = None
    postcode_area: str | None = None
    prescribed_to: PrescribedTo | None = None
    consent_to_contact: bool = False  # as received; passed on, never a reason to route


@dataclass(frozen=True)
class Fired:
    rule_id: str
    reason: str


@dataclass(frozen=True)
class Decision:
    grade: Grade | None
    urgency: Urgency
    route: Route
    owner_organisation: str
    owner_name: str
    district: str | None
    district_name: str | None
    kinds: tuple[LonelinessKind, ...]
    risk_groups: tuple[RiskGroup, ...]
    rules_fired: tuple[Fired, ...]
    rule_set_version: str
    assign_within_hours: int | None = None
    grade_provisional: bool = True  # triage never spoke with the person
    consent_to_contact: bool = False  # as received

    def __post_init__(self) -> None:
        if (self.route is Route.COORDINATIEPUNT) != (self.assign_within_hours is not None):
            raise ValueError("only the coordination point has a deadline to assign")


def signs_hold(when: SignsWhen, facts: Facts) -> bool:
    score = facts.djg_score
    return (
        (not when.observations or bool(facts.observations & set(when.observations)))
        and (not when.age_bands or facts.age_band in when.age_bands)
        and (when.djg_min is None or (score is not None and score >= when.djg_min))
        and (when.djg_max is None or (score is not None and score <= when.djg_max))
    )


def route_holds(when: RouteWhen, facts: Facts, urgency: Urgency, district: District | None) -> bool:
    return (
        (not when.age_bands or facts.age_band in when.age_bands)
        and (when.district_known is None or when.district_known is (district is not None))
        and (not when.urgencies or urgency in when.urgencies)
        and (not when.channels or facts.channel in when.channels)
        and (not when.prescribed_to or facts.prescribed_to in when.prescribed_to)
        and (
            when.welzijn_op_recept_here is None
            or when.welzijn_op_recept_here is (district is not None and district.welzijn_op_recept)
        )
    )


def _highest(found: list[Grade]) -> Grade | None:
    return max(found, key=GRADE_ORDER.index) if found else None


def _route(book: RuleBook, facts: Facts, urgency: Urgency, district: District | None) -> RouteRule:
    return next(r for r in book.rules.routes if route_holds(r.when, facts, urgency, district))


def triage(facts: Facts, book: RuleBook) -> Decision:
    fired_signs: list[SignRule] = [r for r in book.rules.signs if signs_hold(r.when, facts)]
    grade = _highest([r.then.grade for r in fired_signs if r.then.grade is not None])
    urgencies = [r.then.urgency for r in fired_signs if r.then.urgency is not None]
    urgency = max(urgencies, key=URGENCY_ORDER.index) if urgencies else Urgency.ROUTINE
    district = book.districts.by_postcode(facts.postcode_area)
    route_rule = _route(book, facts, urgency, district)
    owner = book.owner(route_rule.route, district)
    fired = [Fired(r.id, r.reason) for r in fired_signs]
    if grade is None:
        fired.append(Fired(book.rules.ungraded.id, book.rules.ungraded.reason))
    district_name = district.name if district else "onbekend"
    fired.append(Fired(route_rule.id, route_rule.reason.format(district_name=district_name)))
    return Decision(
        grade=grade,
        urgency=urgency,
        route=route_rule.route,
        owner_organisation=owner.organisation,
        owner_name=owner.name,
        district=district.id if district else None,
        district_name=district.name if district else None,
        kinds=tuple(sorted({k for r in fired_signs for k in r.then.kinds})),
        risk_groups=tuple(sorted({g for r in fired_signs for g in r.then.risk_groups})),
        rules_fired=tuple(fired),
        rule_set_version=book.rules.version,
        assign_within_hours=(
            book.rules.coordination.assign_within_hours[urgency]
            if route_rule.route is Route.COORDINATIEPUNT
            else None
        ),
        consent_to_contact=facts.consent_to_contact,
    )
