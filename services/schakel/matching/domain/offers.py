"""Matching rules, pure Python: which offer suits a triaged referral best, and why. Every
point of the score comes with a reason, so a social broker can see why this offer was
proposed and an auditor can replay the choice.

What fits which grade follows Movisie's *Wegwijzer* as the evaluation quotes it (004 §7):
*licht tot matig*: buddy projects, peer contact, courses; *ernstig*: regular contact, a safety
net (*achtervang*), recovery workshops (*herstelwerkplaatsen*), so no buddy comes first for
*ernstig*. Thuisgekookt is for light to moderate loneliness (004 §6) and only with the
person's consent, never the answer to an urgent signal: urgency is the neighbourhood team's.
Walk-in offers (004 §6 Enik: "Er zijn geen verwijzingen of indicaties nodig") need no referral
and have no waiting list. Nothing is proposed for an ungraded referral: the owner talks with
the person first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from schakel.contracts.vocabulary import (
    AgeBand,
    BuddyType,
    Daypart,
    Grade,
    LonelinessKind,
    OfferKind,
    RiskGroup,
    Route,
    Urgency,
)
from schakel.matching.domain.terms import Diet, Location, Mobility

MaatjeType = BuddyType  # the buddy projects of Table 1, in the contracts' words


@dataclass(frozen=True)
class Offer:
    """One offer in the registry. Not personal data: a cook is a pseudonymous id and a PC4.

    Tagged by grade, kind of loneliness and risk group, so that the gap between offer and
    demand can be reported along the same three lines as triage's decisions.
    """

    offer_id: str
    kind: OfferKind
    title: str
    provider_organisation: str  # readable name
    district: str | None  # None: city-wide
    grades: frozenset[Grade]
    places_left: int | None  # None: walk-in, no referral and no waiting list
    loneliness_kinds: frozenset[LonelinessKind] = frozenset()  # made for these kinds
    risk_groups: frozenset[RiskGroup] = frozenset()  # made for these groups
    only_for_risk_groups: bool = False  # open only to people in one of ``risk_groups``
    residents_initiative: bool = False  # run by residents themselves
    source: str = ""  # where the documents name it
    maatje_type: MaatjeType | None = None  # maatje only
    postcode_area: str | None = None  # thuisgekookt only: the cook's PC4
    meals_per_week: int | None = None  # thuisgekookt only

    @property
    def city_wide(self) -> bool:
        return self.district is None

    @property
    def walk_in(self) -> bool:
        return self.places_left is None

    @property
    def has_room(self) -> bool:
        return self.places_left is None or self.places_left > 0


@dataclass(frozen=True)
class Need:
    """What matching may know of a triaged referral: no person, only the triage outcome and
    what the owner's first conversation added (issue 12: needs travel pseudonymously)."""

    grade: Grade | None  # None: ungraded, nothing is proposed before the owner's conversation
    urgency: Urgency
    district: str | None
    risk_groups: frozenset[RiskGroup] = frozenset()
    kinds: frozenset[LonelinessKind] = frozenset()
    consent_to_contact: bool = False
    route: Route | None = None
    wishes: tuple[OfferKind, ...] = ()  # kinds the person wants (first conversation), in order
    excluded: frozenset[str] = frozenset()  # offers and helpers declined: never again
    diets: frozenset[Diet] = frozenset()
    languages: tuple[str, ...] = ()  # ISO 639 codes, the preferred one first
    interests: frozenset[str] = frozenset()
    age_band: AgeBand | None = None
    mobility: Mobility = Mobility.ZELFSTANDIG
    location: Location | None = None  # the PC4 centroid; None: unknown
    availability: frozenset[Daypart] = frozenset()
    waiting_since: datetime | None = None  # when the referral first waited for support
    open_kinds: frozenset[OfferKind] = frozenset()  # kinds already proposed and still open

    @property
    def graded(self) -> Grade:
        """The grade, for the rules that need one; ungraded needs never reach them."""
        if self.grade is None:
            raise ValueError("an ungraded need has no offers to score")
        return self.grade

    @property
    def urgent(self) -> bool:
        return self.urgency is not Urgency.ROUTINE


@dataclass(frozen=True)
class Proposal:
    offer: Offer
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class WaitlistDecision:
    wanted: tuple[OfferKind, ...]
    reason: str


Outcome = Proposal | WaitlistDecision

# The Wegwijzer's kinds of support per grade, first choice first (004 §7).
KIND_PREFERENCE: dict[Grade, tuple[OfferKind, ...]] = {
    Grade.PREVENTIE: (OfferKind.ACTIVITEIT,),
    Grade.VERHOOGD_RISICO: (
        OfferKind.ACTIVITEIT,
        OfferKind.CURSUS,
        OfferKind.MAATJE,
        OfferKind.LOTGENOTENCONTACT,
        OfferKind.GESPREK,
    ),
    Grade.LICHT_TOT_MATIG: (
        OfferKind.MAATJE,
        OfferKind.LOTGENOTENCONTACT,
        OfferKind.CURSUS,
        OfferKind.THUISGEKOOKT,
        OfferKind.GESPREK,
        OfferKind.ACTIVITEIT,
    ),
    Grade.ERNSTIG: (
        OfferKind.ACHTERVANG,
        OfferKind.HERSTELWERKPLAATS,
        OfferKind.CURSUS,
        OfferKind.GESPREK,
    ),
}
UNGRADED = WaitlistDecision(
    wanted=(), reason="ungraded: nothing is proposed before the owner has talked with the person"
)

# Points. One step in the kind order outweighs district and any fit together
# (10 > 5 + 3 + 1, or 5 + 4 + 1 for an exercise buddy): the Wegwijzer's order holds.
KIND_STEP = 10.0
SAME_DISTRICT_POINTS = 5.0
RISK_GROUP_POINTS = 3.0
LONELINESS_KIND_POINTS = 1.0
# A GP who prescribes exercise sends the patient to the exercise broker (004 §5.4); the
# exercise buddies of Sport Utrecht (Table 1) are what that broker has to offer first.
EXERCISE_POINTS = 4.0
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")

Reason = tuple[float, str]


def excluded_kinds(need: Need) -> frozenset[OfferKind]:
    """Kinds that may not be proposed at all for this referral."""
    if need.urgent or not need.consent_to_contact:
        return frozenset({OfferKind.THUISGEKOOKT})
    return frozenset()


def suits_grade(kind: OfferKind, grades: frozenset[Grade], need: Need) -> bool:
    """The Wegwijzer's rule: the need's grade is one the offer serves, the kind may be proposed
    for this referral, and it is a kind the person wished (when they said)."""
    return (
        need.grade in grades
        and kind not in excluded_kinds(need)
        and (not need.wishes or kind in need.wishes)
    )


def suits(offer: Offer, need: Need) -> bool:
    """Hard constraints apart from room: grade, district, who the offer is for, what may not
    be proposed for this referral, a kind the person wished (when they said), and never an
    offer they declined."""
    return (
        suits_grade(offer.kind, offer.grades, need)
        and (offer.city_wide or offer.district == need.district)
        and (not offer.only_for_risk_groups or bool(offer.risk_groups & need.risk_groups))
        and offer.offer_id not in need.excluded
    )


def wanted_kinds(need: Need) -> tuple[OfferKind, ...]:
    excluded = excluded_kinds(need)
    wanted = need.wishes or KIND_PREFERENCE[need.graded]
    return tuple(k for k in wanted if k not in excluded)


def kind_reason(kind: OfferKind, need: Need) -> Reason | None:
    """Points for the kind of support: the person's wishes first, else the Wegwijzer's order."""
    if kind in need.wishes:  # the person's own order comes before the Wegwijzer's
        rank = need.wishes.index(kind)
        return (
            KIND_STEP * (len(need.wishes) - rank),
            f"{kind.value}: the person's {ORDINALS[min(rank, 5)]} wish",
        )
    preferred = KIND_PREFERENCE[need.graded]
    if kind not in preferred:
        return None
    rank = preferred.index(kind)
    return (
        KIND_STEP * (len(preferred) - rank),
        f"{kind.value}: {ORDINALS[rank]} choice for grade {need.graded.value}",
    )


def _kind_reasons(offer: Offer, need: Need) -> list[Reason]:
    reason = kind_reason(offer.kind, need)
    return [] if reason is None else [reason]


def _fit_reasons(offer: Offer, need: Need) -> list[Reason]:
    reasons: list[Reason] = []
    if groups := sorted(offer.risk_groups & need.risk_groups):
        reasons.append((RISK_GROUP_POINTS, f"made for {', '.join(groups)}"))
    if kinds := sorted(offer.loneliness_kinds & need.kinds):
        reasons.append((LONELINESS_KIND_POINTS, f"for {', '.join(kinds)} loneliness"))
    if need.route is Route.BEWEEGMAKELAAR and offer.maatje_type is MaatjeType.BEWEEGMAATJE:
        reasons.append((EXERCISE_POINTS, "an exercise buddy, as the GP prescribed exercise"))
    return reasons


def _district_reasons(offer: Offer) -> list[Reason]:
    if offer.city_wide:
        return [(0.0, "city-wide offer")]
    return [(SAME_DISTRICT_POINTS, f"in the same district ({offer.district})")]


def scored_reasons(offer: Offer, need: Need) -> list[Reason]:
    """Every soft rule that fired for ``offer``, with its points."""
    return [*_kind_reasons(offer, need), *_fit_reasons(offer, need), *_district_reasons(offer)]


def _room(offer: Offer) -> str:
    if offer.walk_in:
        return "walk-in: no referral needed, no waiting list"
    return f"{offer.places_left} free place(s) before this proposal"


def _proposal(offer: Offer, need: Need) -> Proposal:
    soft = scored_reasons(offer, need)
    hard = [f"suits grade {need.graded.value}", _room(offer)]
    return Proposal(
        offer=offer,
        score=sum(points for points, _ in soft),
        reasons=(*hard, *(text for _, text in soft)),
    )


def _where(need: Need) -> str:
    if need.district is None:
        return "city-wide (district unknown)"
    return f"in {need.district} or city-wide"


def _waitlist(need: Need, suitable: list[Offer]) -> WaitlistDecision:
    grade = need.graded.value
    if suitable:
        reason = f"all {len(suitable)} offer(s) that suit grade {grade} {_where(need)} are full"
    else:
        reason = f"no offer suits grade {grade} {_where(need)}"
    return WaitlistDecision(wanted=wanted_kinds(need), reason=reason)


def propose(need: Need, offers: list[Offer]) -> Outcome:
    """The best suitable offer with room; ties go to the lowest offer id."""
    if need.grade is None:
        return UNGRADED
    suitable = [o for o in offers if suits(o, need)]
    available = [o for o in suitable if o.has_room]
    if not available:
        return _waitlist(need, suitable)
    proposals = [_proposal(o, need) for o in available]
    return min(proposals, key=lambda p: (-p.score, p.offer.offer_id))


def without_places(offers: list[Offer], offer_id: str) -> list[Offer]:
    """``offers`` with ``offer_id`` marked full: another referral took its last place."""
    return [replace(o, places_left=0) if o.offer_id == offer_id else o for o in offers]
