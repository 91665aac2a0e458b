"""Demo offer registry: realistic Utrecht examples, seeded when the registry is empty.

Districts use triage's names (noordwest is Zuilen/Ondiep, zuidwest is Kanaleneiland). Few
offers suit grade *ernstig*, as in the evaluation: the monitoring should show that gap.
Home cooks appear only as a pseudonymous id and their four-digit postcode.
"""

from __future__ import annotations

from schakel.contracts.vocabulary import Grade, OfferKind
from schakel.matching.domain import MaatjeType, Offer

_PREVENTIE = Grade.PREVENTIE
_RISICO = Grade.VERHOOGD_RISICO
_MATIG = Grade.LICHT_TOT_MATIG
_ERNSTIG = Grade.ERNSTIG


def _maatje(
    offer_id: str,
    title: str,
    provider: str,
    maatje_type: MaatjeType,
    district: str | None,
    grades: set[Grade],
    places: int,
) -> Offer:
    return Offer(
        offer_id=offer_id,
        kind=OfferKind.MAATJE,
        title=title,
        provider_organisation=provider,
        district=district,
        grades=frozenset(grades),
        places_left=places,
        maatje_type=maatje_type,
    )


def _kok(
    cook_id: str, district: str, pc4: str, meals: int, grades: set[Grade], places: int
) -> Offer:
    return Offer(
        offer_id=f"thuisgekookt-{cook_id}",
        kind=OfferKind.THUISGEKOOKT,
        title=f"Thuisgekookt: thuiskok in {pc4}, {meals} maaltijden per week",
        provider_organisation="Thuisgekookt",
        district=district,
        grades=frozenset(grades),
        places_left=places,
        postcode_area=pc4,
        meals_per_week=meals,
    )


def _activiteit(
    offer_id: str, title: str, provider: str, district: str | None, grades: set[Grade], places: int
) -> Offer:
    return Offer(
        offer_id=offer_id,
        kind=OfferKind.ACTIVITEIT,
        title=title,
        provider_organisation=provider,
        district=district,
        grades=frozenset(grades),
        places_left=places,
    )


DEMO_OFFERS: tuple[Offer, ...] = (
    _maatje(
        "maatje-humanitas-bezoek",
        "Bezoekmaatje voor thuiswonende ouderen",
        "Humanitas Utrecht",
        MaatjeType.BEZOEKMAATJE,
        None,
        {_RISICO, _MATIG},
        6,
    ),
    _maatje(
        "maatje-humanitas-telefoon",
        "Telefoonmaatje: elke week een vast gesprek",
        "Humanitas Utrecht",
        MaatjeType.TELEFOONMAATJE,
        None,
        {_RISICO, _MATIG},
        8,
    ),
    _maatje(
        "maatje-humanitas-psychiatrie-overvecht",
        "Psychiatriemaatje (maatjesproject GGZ)",
        "Humanitas Utrecht",
        MaatjeType.PSYCHIATRIEMAATJE,
        "overvecht",
        {_MATIG, _ERNSTIG},
        2,
    ),
    _maatje(
        "maatje-handjehelpen-beweeg-noordwest",
        "Beweegmaatje: samen wandelen of fietsen",
        "Handje Helpen",
        MaatjeType.BEWEEGMAATJE,
        "noordwest",
        {_RISICO, _MATIG},
        3,
    ),
    _maatje(
        "maatje-handjehelpen-bezoek-leidscherijn",
        "Bezoekmaatje Leidsche Rijn",
        "Handje Helpen",
        MaatjeType.BEZOEKMAATJE,
        "leidsche_rijn",
        {_RISICO, _MATIG},
        3,
    ),
    _maatje(
        "maatje-mantelzorg-ervaring",
        "Ervaringsmaatje voor (jonge) mantelzorgers",
        "Netwerk Mantelzorg Utrecht",
        MaatjeType.ERVARINGSMAATJE,
        None,
        {_RISICO, _MATIG, _ERNSTIG},
        2,
    ),
    _maatje(
        "maatje-senior-student",
        "Senior&Student: een student als maatje",
        "Senior&Student",
        MaatjeType.SENIOR_STUDENT,
        None,
        {_PREVENTIE, _RISICO, _MATIG},
        5,
    ),
    _kok("kok-7f3a21", "overvecht", "3563", 3, {_RISICO, _MATIG, _ERNSTIG}, 1),
    _kok("kok-b0c9e4", "overvecht", "3562", 2, {_RISICO, _MATIG}, 2),
    _kok("kok-41d2aa", "noordwest", "3553", 2, {_RISICO, _MATIG}, 1),
    _kok("kok-9e6f13", "zuidwest", "3526", 4, {_RISICO, _MATIG, _ERNSTIG}, 1),
    _kok("kok-c52b70", "leidsche_rijn", "3544", 2, {_RISICO, _MATIG}, 2),
    _activiteit(
        "activiteit-wandelgroep-overvecht",
        "Wandelgroep Overvecht (beweegmakelaar)",
        "DOCK Utrecht",
        "overvecht",
        {_PREVENTIE, _RISICO, _MATIG},
        12,
    ),
    _activiteit(
        "activiteit-samen-eten-overvecht",
        "Samen eten in buurthuis De Dreef",
        "DOCK Utrecht",
        "overvecht",
        {_PREVENTIE, _RISICO, _MATIG},
        0,
    ),
    _activiteit(
        "activiteit-buurtmaaltijd-zuilen",
        "Buurtmaaltijd Zuilen, elke donderdag",
        "DOCK Utrecht",
        "noordwest",
        {_PREVENTIE, _RISICO, _MATIG},
        15,
    ),
    _activiteit(
        "activiteit-koffieochtend-kanaleneiland",
        "Koffieochtend voor oudere migranten",
        "DOCK Utrecht",
        "zuidwest",
        {_PREVENTIE, _RISICO, _MATIG},
        10,
    ),
    _activiteit(
        "activiteit-creatief-leidscherijn",
        "Creatieve middag in de Vleuterweide",
        "Welzijn Leidsche Rijn",
        "leidsche_rijn",
        {_PREVENTIE, _RISICO},
        8,
    ),
    _activiteit(
        "activiteit-lotgenoten-verlies",
        "Lotgenotengroep na het verlies van een partner",
        "Humanitas Utrecht",
        None,
        {_RISICO, _MATIG},
        10,
    ),
    _activiteit(
        "activiteit-burendag",
        "Burendag: een buurtactiviteit organiseren of bezoeken",
        "Gemeente Utrecht",
        None,
        {_PREVENTIE},
        40,
    ),
    _activiteit(
        "activiteit-herstelacademie-enik",
        "Herstelacademie: cursussen en lotgenotencontact (recovery college)",
        "Enik Recovery College",
        None,
        {_MATIG, _ERNSTIG},
        6,
    ),
)
