"""Triage rules, pure Python. The rule set is data with a version, so every decision can say
which rules produced it and auditors can replay it."""

from __future__ import annotations

from dataclasses import dataclass, field

from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    Route,
    Urgency,
)

RULE_SET_VERSION = "2026.11-1"
GRADE_ORDER = [Grade.PREVENTIE, Grade.VERHOOGD_RISICO, Grade.LICHT_TOT_MATIG, Grade.ERNSTIG]

# Utrecht's districts (wijken) by four-digit postcode. Approximate; to be replaced by the
# municipality's own table.
DISTRICTS: dict[str, tuple[int, ...]] = {
    "binnenstad": (3511, 3512, 3513),
    "oost": (3581, 3582, 3584, 3585),
    "noordoost": (3571, 3572, 3573),
    "overvecht": (3561, 3562, 3563, 3564),
    "noordwest": (3551, 3552, 3553, 3554, 3555),  # Zuilen, Ondiep
    "west": (3531, 3532, 3533),
    "zuidwest": (3525, 3526, 3527),  # Kanaleneiland
    "zuid": (3521, 3522, 3523, 3524),  # Hoograven
    "leidsche_rijn": (3541, 3542, 3543, 3544, 3545, 3546),
    "vleuten_de_meern": (3451, 3452, 3453, 3454, 3455),
}
_DISTRICT_BY_PC4 = {pc4: d for d, codes in DISTRICTS.items() for pc4 in codes}

SEVERE = {
    Observation.ONDERVOEDING: "signs of malnutrition",
    Observation.VERWAARLOZING: "self-neglect noticed",
    Observation.ZINLOOSHEID: "speaks of life having no purpose",
}
LONELY = {
    Observation.WEINIG_CONTACT: "hardly sees anyone",
    Observation.NIET_GESPROKEN: "had not spoken to anyone that day",
    Observation.SOMBER: "low mood",
    Observation.WIL_CONTACT: "would like more contact",
}
RISK = {
    Observation.RECENT_VERLIES: "recent loss (life event)",
    Observation.MANTELZORGER: "overburdened carer",
    Observation.FYSIEKE_BEPERKING: "physical limitation",
    Observation.ALLEEN_WONEND: "lives alone",
}
KINDS = {
    Observation.WEINIG_CONTACT: LonelinessKind.SOCIAAL,
    Observation.NIET_GESPROKEN: LonelinessKind.SOCIAAL,
    Observation.ALLEEN_WONEND: LonelinessKind.SOCIAAL,
    Observation.RECENT_VERLIES: LonelinessKind.EMOTIONEEL,
    Observation.SOMBER: LonelinessKind.EMOTIONEEL,
    Observation.ZINLOOSHEID: LonelinessKind.EXISTENTIEEL,
}
RISK_GROUPS = {
    AgeBand.JONG: "jongeren",
    AgeBand.SENIOR: "ouderen_70_plus",
    AgeBand.HOOGBEJAARD: "ouderen_80_plus",
}
URGENT = {Observation.ONDERVOEDING, Observation.VERWAARLOZING}


@dataclass(frozen=True)
class Facts:
    """What triage may know about a referral: no names, no free text."""

    channel: Channel
    observations: frozenset[Observation] = frozenset()
    djg_score: int | None = None
    age_band: AgeBand | None = None
    postcode_area: str | None = None


@dataclass(frozen=True)
class Decision:
    grade: Grade
    kinds: tuple[LonelinessKind, ...]
    urgency: Urgency
    risk_groups: tuple[str, ...]
    district: str | None
    owner_organisation: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    rule_set_version: str = RULE_SET_VERSION


def district_of(postcode_area: str | None) -> str | None:
    if postcode_area is None or not postcode_area.isdigit():
        return None
    return _DISTRICT_BY_PC4.get(int(postcode_area))


def owner_for(district: str | None, grade: Grade) -> str:
    """Routing: severe loneliness goes to the district's neighbourhood team (*buurtteam*),
    everything else to its social brokers (*sociaal makelaars*)."""
    place = district or "centraal"
    return f"buurtteam-{place}" if grade is Grade.ERNSTIG else f"sociaal-makelaars-{place}"


def _grade(facts: Facts) -> tuple[Grade, list[str]]:
    found: list[tuple[Grade, str]] = []
    score = facts.djg_score
    if score is not None:
        if score >= 5:
            found.append((Grade.ERNSTIG, f"De Jong Gierveld score {score} (5–6: severely lonely)"))
        elif score >= 2:
            found.append((Grade.LICHT_TOT_MATIG, f"De Jong Gierveld score {score} (2–4: lonely)"))
    for table, grade in (
        (SEVERE, Grade.ERNSTIG),
        (LONELY, Grade.LICHT_TOT_MATIG),
        (RISK, Grade.VERHOOGD_RISICO),
    ):
        found += [(grade, text) for obs, text in table.items() if obs in facts.observations]
    if facts.age_band in (AgeBand.SENIOR, AgeBand.HOOGBEJAARD):
        found.append((Grade.VERHOOGD_RISICO, f"age {facts.age_band.value}"))
    if not found:
        return Grade.PREVENTIE, ["no signs of loneliness given: prevention"]
    grade = max((g for g, _ in found), key=GRADE_ORDER.index)
    reasons = [f"{g.value}: {text}" for g, text in found]
    return grade, reasons


def _urgency(facts: Facts, grade: Grade) -> Urgency:
    if facts.observations & URGENT:
        return Urgency.DIRECT
    if grade is Grade.ERNSTIG or facts.channel is Channel.WELZIJN_OP_RECEPT:
        return Urgency.SPOEDIG
    return Urgency.ROUTINE


def _risk_groups(facts: Facts) -> tuple[str, ...]:
    groups = [RISK_GROUPS[facts.age_band]] if facts.age_band in RISK_GROUPS else []
    if Observation.MANTELZORGER in facts.observations:
        groups.append("mantelzorgers")
    if Observation.FYSIEKE_BEPERKING in facts.observations:
        groups.append("fysieke_beperking")
    if Observation.ALLEEN_WONEND in facts.observations:
        groups.append("eenpersoonshuishouden")
    return tuple(groups)


def triage(facts: Facts) -> Decision:
    grade, reasons = _grade(facts)
    district = district_of(facts.postcode_area)
    owner = owner_for(district, grade)
    reasons.append(f"owner {owner}: district {district or 'unknown'}, grade {grade.value}")
    kinds = tuple(sorted({KINDS[o] for o in facts.observations if o in KINDS}))
    return Decision(
        grade=grade,
        kinds=kinds,
        urgency=_urgency(facts, grade),
        risk_groups=_risk_groups(facts),
        district=district,
        owner_organisation=owner,
        reasons=tuple(reasons),
    )


# --- re-routing after a rejection ------------------------------------------------------------

COORDINATION_POINT = "coordinatiepunt-utrecht"
COORDINATION_POINT_NAME = "Coördinatiepunt gemeente Utrecht"
ASSIGN_WITHIN_HOURS = 24  # the coordination point names an owner within this many hours


@dataclass(frozen=True)
class Candidate:
    owner_organisation: str
    route: Route
    owner_name: str
    assign_within_hours: int | None = None


def candidates(district: str | None, grade: Grade | None) -> tuple[Candidate, ...]:
    """Who may own a referral, in the order routing asks them: the district's owner for the
    grade, then the district's other kind of owner; the coordination point comes last."""
    place = district or "centraal"
    team = Candidate(f"buurtteam-{place}", Route.BUURTTEAM, f"buurtteam-{place}")
    brokers = Candidate(
        f"sociaal-makelaars-{place}", Route.SOCIAAL_MAKELAAR, f"sociaal-makelaars-{place}"
    )
    return (team, brokers) if grade is Grade.ERNSTIG else (brokers, team)


def next_owner(district: str | None, grade: Grade | None, excluded: frozenset[str]) -> Candidate:
    """The first candidate that did not reject the referral; the coordination point when
    everyone did, so a referral is never ownerless."""
    for candidate in candidates(district, grade):
        if candidate.owner_organisation not in excluded:
            return candidate
    return Candidate(
        COORDINATION_POINT, Route.COORDINATIEPUNT, COORDINATION_POINT_NAME, ASSIGN_WITHIN_HOURS
    )
