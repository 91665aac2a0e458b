"""Matching rules, pure Python: which offer with a free place suits a triaged referral best,
and why. Every point of the score comes with a reason, so a social broker can see why this
offer was proposed and an auditor can replay the choice."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from schakel.contracts.vocabulary import Grade, OfferKind, Urgency


class MaatjeType(StrEnum):
    """The buddy projects of Utrecht's informal-care network."""

    BEZOEKMAATJE = "bezoekmaatje"  # visiting buddy
    BEWEEGMAATJE = "beweegmaatje"  # exercise buddy
    TELEFOONMAATJE = "telefoonmaatje"  # phone buddy
    PSYCHIATRIEMAATJE = "psychiatriemaatje"  # buddy for people with psychological vulnerability
    ERVARINGSMAATJE = "ervaringsmaatje"  # buddy who has been there (e.g. young carers)
    SENIOR_STUDENT = "senior_student"  # Senior&Student pairs


@dataclass(frozen=True)
class Offer:
    """One offer in the registry. Not personal data: a cook is a pseudonymous id and a PC4."""

    offer_id: str
    kind: OfferKind
    title: str
    provider_organisation: str
    district: str | None  # None: city-wide
    grades: frozenset[Grade]
    places_left: int
    maatje_type: MaatjeType | None = None  # maatje only
    postcode_area: str | None = None  # thuisgekookt only: the cook's PC4
    meals_per_week: int | None = None  # thuisgekookt only

    @property
    def city_wide(self) -> bool:
        return self.district is None


@dataclass(frozen=True)
class Need:
    """What matching may know of a triaged referral: no person, only the triage outcome."""

    grade: Grade | None  # None: ungraded, nothing is proposed before the owner's conversation
    urgency: Urgency
    district: str | None
    risk_groups: frozenset[str] = frozenset()
    wishes: tuple[OfferKind, ...] = ()  # kinds the person wants (first conversation), in order
    excluded: frozenset[str] = frozenset()  # offers the person declined: never again

    @property
    def graded(self) -> Grade:
        """The grade, for the rules that need one; ungraded needs never reach them."""
        if self.grade is None:
            raise ValueError("an ungraded need has no offers to score")
        return self.grade


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

# Which kinds of support fit each grade best, first choice first (the evaluation's Table 1).
KIND_PREFERENCE: dict[Grade, tuple[OfferKind, ...]] = {
    Grade.PREVENTIE: (OfferKind.ACTIVITEIT,),
    Grade.VERHOOGD_RISICO: (OfferKind.ACTIVITEIT, OfferKind.MAATJE),
    Grade.LICHT_TOT_MATIG: (OfferKind.MAATJE, OfferKind.THUISGEKOOKT, OfferKind.ACTIVITEIT),
    Grade.ERNSTIG: (OfferKind.MAATJE, OfferKind.ACTIVITEIT),
}
# Severe loneliness needs stabilising and regular contact: buddies trained for it come first.
SEVERE_CARE_BUDDIES = frozenset({MaatjeType.PSYCHIATRIEMAATJE, MaatjeType.ERVARINGSMAATJE})
# Buddy projects made for a risk group that triage named.
RISK_GROUP_BUDDIES: dict[str, frozenset[MaatjeType]] = {
    "mantelzorgers": frozenset({MaatjeType.ERVARINGSMAATJE}),
    "ouderen_70_plus": frozenset({MaatjeType.SENIOR_STUDENT, MaatjeType.BEZOEKMAATJE}),
    "ouderen_80_plus": frozenset({MaatjeType.BEZOEKMAATJE, MaatjeType.TELEFOONMAATJE}),
    "fysieke_beperking": frozenset({MaatjeType.BEZOEKMAATJE, MaatjeType.TELEFOONMAATJE}),
    "jongeren": frozenset({MaatjeType.ERVARINGSMAATJE}),
}

# Points. A kind's rank outweighs district and risk-group fit together (10 > 5 + 3), and the
# severe-care bonus only adds to maatje, already first for ernstig: the kind order above holds.
# An urgent referral's free home cook outweighs any other offer.
URGENT_MEALS_POINTS = 40.0
KIND_POINTS = (30.0, 20.0, 10.0)
SEVERE_CARE_POINTS = 8.0
SAME_DISTRICT_POINTS = 5.0
RISK_GROUP_POINTS = 3.0

Reason = tuple[float, str]


def suits(offer: Offer, need: Need) -> bool:
    """Hard constraints apart from capacity: the grade, the district or city-wide, a kind
    the person wishes (when they said), and never an offer they declined."""
    return (
        need.graded in offer.grades
        and (offer.city_wide or offer.district == need.district)
        and (not need.wishes or offer.kind in need.wishes)
        and offer.offer_id not in need.excluded
    )


def wanted_kinds(need: Need) -> tuple[OfferKind, ...]:
    if need.wishes:
        return need.wishes
    preferred = KIND_PREFERENCE[need.graded]
    if need.urgency is Urgency.DIRECT:
        return (OfferKind.THUISGEKOOKT, *(k for k in preferred if k is not OfferKind.THUISGEKOOKT))
    return preferred


def _kind_reasons(offer: Offer, need: Need) -> list[Reason]:
    reasons: list[Reason] = []
    preferred = KIND_PREFERENCE[need.graded]
    if offer.kind in need.wishes:
        rank = min(need.wishes.index(offer.kind), len(KIND_POINTS) - 1)
        reasons.append((KIND_POINTS[rank], f"{offer.kind.value}: the person's own wish"))
    elif offer.kind in preferred:
        rank = preferred.index(offer.kind)
        choice = ("first", "second", "third")[rank]
        reasons.append(
            (
                KIND_POINTS[rank],
                f"{offer.kind.value}: {choice} choice for grade {need.graded.value}",
            )
        )
    if need.urgency is Urgency.DIRECT and offer.kind is OfferKind.THUISGEKOOKT:
        reasons.append(
            (
                URGENT_MEALS_POINTS,
                "urgent: a home cook nearby brings food and regular contact from this week",
            )
        )
    return reasons


def _maatje_reasons(offer: Offer, need: Need) -> list[Reason]:
    if offer.maatje_type is None:
        return []
    reasons: list[Reason] = []
    if need.graded is Grade.ERNSTIG and offer.maatje_type in SEVERE_CARE_BUDDIES:
        reasons.append(
            (SEVERE_CARE_POINTS, f"{offer.maatje_type.value}: trained for severe loneliness")
        )
    groups = sorted(
        g for g in need.risk_groups if offer.maatje_type in RISK_GROUP_BUDDIES.get(g, frozenset())
    )
    if groups:
        reasons.append(
            (RISK_GROUP_POINTS, f"{offer.maatje_type.value}: made for {', '.join(groups)}")
        )
    return reasons


def _district_reasons(offer: Offer, need: Need) -> list[Reason]:
    if offer.city_wide:
        return [(0.0, "city-wide offer")]
    return [(SAME_DISTRICT_POINTS, f"in the same district ({offer.district})")]


def scored_reasons(offer: Offer, need: Need) -> list[Reason]:
    """Every soft rule that fired for ``offer``, with its points."""
    return [
        *_kind_reasons(offer, need),
        *_maatje_reasons(offer, need),
        *_district_reasons(offer, need),
    ]


def _proposal(offer: Offer, need: Need) -> Proposal:
    soft = scored_reasons(offer, need)
    hard = [
        f"suits grade {need.graded.value}",
        f"{offer.places_left} free place(s) before this proposal",
    ]
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
    if suitable:
        reason = (
            f"all {len(suitable)} offer(s) that suit grade {need.graded.value} "
            f"{_where(need)} are full"
        )
    else:
        reason = f"no offer suits grade {need.graded.value} {_where(need)}"
    return WaitlistDecision(wanted=wanted_kinds(need), reason=reason)


UNGRADED = WaitlistDecision(
    wanted=(), reason="ungraded: nothing is proposed before the owner has talked with the person"
)


def propose(need: Need, offers: list[Offer]) -> Outcome:
    """The best suitable offer with a free place; ties go to the lowest offer id."""
    if need.grade is None:
        return UNGRADED
    suitable = [o for o in offers if suits(o, need)]
    available = [o for o in suitable if o.places_left > 0]
    if not available:
        return _waitlist(need, suitable)
    proposals = [_proposal(o, need) for o in available]
    return min(proposals, key=lambda p: (-p.score, p.offer.offer_id))


def without_places(offers: list[Offer], offer_id: str) -> list[Offer]:
    """``offers`` with ``offer_id`` marked full: another referral took its last place."""
    return [replace(o, places_left=0) if o.offer_id == offer_id else o for o in offers]
