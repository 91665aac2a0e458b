"""Demo offer registry, seeded when the registry is empty: the activities of the evaluation's
Table 1 ("Overzicht van activiteiten gericht op eenzaamheid", document 004, §7), each under
the grade whose column lists it and with the provider the table names or links.

Districts use triage's ids (noordwest is Zuilen/Ondiep, zuidwest is Kanaleneiland, noordoost
the Vogelenbuurt). Places are made up for the demo; so are the home cooks, who appear only as
a pseudonymous id and their four-digit postcode. Few offers suit *ernstig*, as the evaluation
found: the monitoring should show that gap.

Left out of Table 1, because nobody can be referred to them: the campaigns (Stel je voor, the
VCU's volunteer campaign, Week tegen eenzaamheid), Panel Meetellen (action research) and Kamers
met aandacht (rooms for young people to rent). Where the extracted table is ambiguous about a
column (Vriendschappelijk huisbezoek, Digitale Buddies) the offer carries both grades it may
belong to, and says so in ``source``.
"""

from __future__ import annotations

from typing import Any

from schakel.contracts.vocabulary import Grade, LonelinessKind, OfferKind, RiskGroup
from schakel.matching.domain import MaatjeType, Offer

P, VR, LM, E = Grade.PREVENTIE, Grade.VERHOOGD_RISICO, Grade.LICHT_TOT_MATIG, Grade.ERNSTIG
TABLE_1 = "004 Tabel 1"
WALK_IN = None  # places_left of an offer that needs no referral and keeps no waiting list


def _offer(
    offer_id: str,
    kind: OfferKind,
    title: str,
    provider: str,
    grades: set[Grade],
    places: int | None,
    *,
    district: str | None = None,
    source: str = TABLE_1,
    kinds: set[LonelinessKind] | None = None,
    groups: set[RiskGroup] | None = None,
    only_for: set[RiskGroup] | None = None,
    **extra: Any,
) -> Offer:
    return Offer(
        offer_id=offer_id,
        kind=kind,
        title=title,
        provider_organisation=provider,
        district=district,
        grades=frozenset(grades),
        places_left=places,
        loneliness_kinds=frozenset(kinds or ()),
        risk_groups=frozenset((groups or set()) | (only_for or set())),
        only_for_risk_groups=only_for is not None,
        source=source,
        **extra,
    )


def _kok(cook_id: str, district: str, pc4: str, meals: int, places: int) -> Offer:
    return _offer(
        f"thuisgekookt-{cook_id}",
        OfferKind.THUISGEKOOKT,
        f"Thuisgekookt: thuiskok in {pc4}, {meals} maaltijden per week",
        "Stichting Thuisgekookt",
        {LM},
        places,
        district=district,
        source="004 Tabel 1; §6 'Dankzij een thuiskok' (lichte tot matige eenzaamheid)",
        postcode_area=pc4,
        meals_per_week=meals,
    )


OLDER = {RiskGroup.OUDEREN_70_PLUS, RiskGroup.OUDEREN_80_PLUS}
CARERS = {RiskGroup.MANTELZORGERS}

PREVENTION: tuple[Offer, ...] = (
    _offer(
        "activiteit-derde-helft",
        OfferKind.ACTIVITEIT,
        "Derde helft: sportclubs die ouderenvriendelijk worden",
        "USV Hercules",
        {P},
        15,
        groups=OLDER,
    ),
    _offer(
        "activiteit-buurtkoffie",
        OfferKind.ACTIVITEIT,
        "Buurtkoffie: inloop in het buurthuis",
        "Buurthuizen",
        {P},
        WALK_IN,
    ),
    _offer(
        "activiteit-burendag",
        OfferKind.ACTIVITEIT,
        "Burendag: buren leren elkaar kennen",
        "Oranje Fonds en Douwe Egberts, met bewoners",
        {P},
        WALK_IN,
        source="004 Tabel 1; §5.2 (voorkomt vooral sociale eenzaamheid)",
        kinds={LonelinessKind.SOCIAAL},
        residents_initiative=True,
    ),
    _offer(
        "activiteit-jong-en-oud",
        OfferKind.ACTIVITEIT,
        "Jong en Oud: kinderen en ouderen samen",
        "Partou en Careyn",
        {P},
        10,
        groups=OLDER,
    ),
    _offer(
        "activiteit-speeddaten-jongeren",
        OfferKind.ACTIVITEIT,
        "Speeddaten voor jongeren van 18 tot 30 (Vriendschap in Utrecht)",
        "U Centraal",
        {P},
        20,
        only_for={RiskGroup.JONGEREN},
    ),
    _offer(
        "activiteit-buurtcaravan-vogelenbuurt",
        OfferKind.ACTIVITEIT,
        "Buurtcaravan Vogelenbuurt: koffie, gezonde soep, slaapcursus, samen bewegen",
        "DOCK, Jumbo, buurtteams en Beter Thuis",
        {P},
        WALK_IN,
        district="noordoost",
        source="004 §6 'Hoe een buurtcaravan vitaliteit stimuleert'",
    ),
    _offer(
        "activiteit-wandelgroep-vogelenbuurt",
        OfferKind.ACTIVITEIT,
        "Wandelgroepje Vogelenbuurt (ontstaan bij de buurtcaravan)",
        "Bewoners van de Vogelenbuurt",
        {P, VR},
        WALK_IN,
        district="noordoost",
        source="004 §6 buurtcaravan ('sportgroepjes die structureel gaan wandelen'); §4.2 "
        "(bewonersinitiatieven zoals wandelclubs)",
        kinds={LonelinessKind.SOCIAAL},
        residents_initiative=True,
    ),
)

RAISED_RISK: tuple[Offer, ...] = (
    _offer(
        "cursus-centrum-sociaal-vitaal",
        OfferKind.CURSUS,
        "Centrum Sociaal Vitaal: je sociale vitaliteit herwinnen",
        "U Centraal",
        {VR},
        10,
    ),
    _offer(
        "maatje-mantelzorgmatch-nah",
        OfferKind.MAATJE,
        "MantelzorgMatch, voor mantelzorgers van mensen met hersenletsel (NAH)",
        "Boogh",
        {VR},
        3,
        only_for=CARERS,
    ),
    _offer(
        "maatje-mantelzorgmaatje-dementie",
        OfferKind.MAATJE,
        "MantelzorgMaatje, voor mantelzorgers van mensen met dementie",
        "U Centraal",
        {VR},
        4,
        only_for=CARERS,
    ),
    _offer(
        "activiteit-kunst-koppelaars",
        OfferKind.ACTIVITEIT,
        "Kunst Koppelaars: kunst en cultuur voor mantelzorgers",
        "U Centraal",
        {VR},
        6,
        only_for=CARERS,
    ),
    _offer(
        "cursus-sociale-vaardigheden",
        OfferKind.CURSUS,
        "Sociale vaardigheidstrainingen en cursussen",
        "U Centraal",
        {VR},
        12,
    ),
    _offer(
        "activiteit-soepdag-kanaleneiland",
        OfferKind.ACTIVITEIT,
        "Soepdag: elke donderdag soep aan de deur, in een flat in Kanaleneiland",
        "Stichting 3 Generatie Centrum",
        {VR},
        6,
        district="zuidwest",
    ),
    _offer(
        "activiteit-lief-en-leed-straten",
        OfferKind.ACTIVITEIT,
        "Lief-en-Leed-straten: buren letten op wie ziek, in de war of eenzaam is",
        "Bewoners, met DOCK",
        {VR},
        5,
        source="004 Tabel 1 (in opstartfase)",
        residents_initiative=True,
    ),
    _offer(
        "activiteit-seniorenochtenden-bibliotheek",
        OfferKind.ACTIVITEIT,
        "Seniorenochtenden in vijf vestigingen van de Bibliotheek Utrecht",
        "Bibliotheek Utrecht",
        {VR},
        WALK_IN,
        groups=OLDER,
    ),
    _offer(
        "maatje-vriendschappelijk-huisbezoek",
        OfferKind.MAATJE,
        "Vriendschappelijk huisbezoek",
        "Humanitas Utrecht",
        {VR, LM},
        5,
        source="004 Tabel 1 (column 'verhoogd risico' or 'licht tot matig': the extracted "
        "table does not tell)",
        maatje_type=MaatjeType.BEZOEKMAATJE,
    ),
)

LIGHT_TO_MODERATE: tuple[Offer, ...] = (
    _offer(
        "maatje-senior-student",
        OfferKind.MAATJE,
        "Senior&Student: een student voor praktische hulp en gezelschap",
        "Stichting Senior&Student",
        {LM},
        5,
        groups=OLDER,
        maatje_type=MaatjeType.SENIOR_STUDENT,
    ),
    _offer(
        "activiteit-met-je-hart",
        OfferKind.ACTIVITEIT,
        "Met je Hart: eettafels voor 80-plussers die zich eenzaam voelen",
        "Met je Hart",
        {LM},
        8,
        only_for={RiskGroup.OUDEREN_80_PLUS},
    ),
    _offer(
        "maatje-goudenstratenplan",
        OfferKind.MAATJE,
        "Goudenstratenplan: een vrijwilliger per straat bezoekt kwetsbare ouderen",
        "Stichting Gouden Dagen",
        {LM},
        4,
        groups=OLDER,
        maatje_type=MaatjeType.BEZOEKMAATJE,
    ),
    _offer(
        "maatje-bezoek-zin-in-utrecht",
        OfferKind.MAATJE,
        "Bezoekmaatje voor zingeving",
        "Zin in Utrecht",
        {LM},
        3,
        kinds={LonelinessKind.EXISTENTIEEL},
        maatje_type=MaatjeType.BEZOEKMAATJE,
    ),
    _offer(
        "maatje-beweegmaatje",
        OfferKind.MAATJE,
        "Beweegmaatje: samen wandelen, fietsen of sporten",
        "Sport Utrecht",
        {LM},
        4,
        maatje_type=MaatjeType.BEWEEGMAATJE,
    ),
    _offer(
        "maatje-ervaringsmaatje-jonge-mantelzorgers",
        OfferKind.MAATJE,
        "Ervaringsmaatje voor jonge mantelzorgers",
        "Handje Helpen",
        {LM},
        2,
        only_for={RiskGroup.JONGE_MANTELZORGERS},
        maatje_type=MaatjeType.ERVARINGSMAATJE,
    ),
    _offer(
        "maatje-belmaatje",
        OfferKind.MAATJE,
        "Belmaatje: elke week een vast telefoongesprek",
        "Handje Helpen en de Luisterlijn",
        {LM},
        8,
        maatje_type=MaatjeType.TELEFOONMAATJE,
    ),
    _offer(
        "maatje-psychiatriemaatje",
        OfferKind.MAATJE,
        "Psychiatriemaatje",
        "Handje Helpen",
        {LM},
        2,
        only_for={RiskGroup.PSYCHISCHE_KWETSBAARHEID},
        maatje_type=MaatjeType.PSYCHIATRIEMAATJE,
    ),
    _offer(
        "activiteit-join-us",
        OfferKind.ACTIVITEIT,
        "Join Us: inloop en coaching voor jongeren die zich eenzaam voelen",
        "U Centraal",
        {LM},
        WALK_IN,
        source="004 Tabel 1 (in verkennende fase); 001 §5 (U Centraal, per 2021)",
        only_for={RiskGroup.JONGEREN},
    ),
    _offer(
        "gesprek-zin-in-utrecht",
        OfferKind.GESPREK,
        "Zin in Utrecht: gesprekken over zingevingsvragen",
        "Zin in Utrecht",
        {LM},
        6,
        kinds={LonelinessKind.EXISTENTIEEL},
    ),
    _offer(
        "cursus-digitale-buddies",
        OfferKind.CURSUS,
        "Digitale Buddies: tien weken in gesprek met ROC-studenten, en digitaal vaardiger",
        "Geluks BV",
        {VR, LM},
        6,
        source="004 Tabel 1 (last row; its column is not clear in the extracted table)",
        groups=OLDER,
    ),
    _kok("kok-7f3a21", "overvecht", "3563", 3, 1),
    _kok("kok-b0c9e4", "overvecht", "3562", 2, 2),
    _kok("kok-41d2aa", "noordwest", "3553", 2, 1),
    _kok("kok-9e6f13", "zuidwest", "3526", 4, 1),
    _kok("kok-c52b70", "leidsche_rijn", "3544", 2, 2),
    _kok("kok-e18d05", "noordoost", "3514", 2, 1),
)

SEVERE: tuple[Offer, ...] = (
    _offer(
        "achtervang-terugval-dakloosheid",
        OfferKind.ACHTERVANG,
        "Eenzaamheid en terugval dakloosheid (schakelpunt, pilot)",
        "Schakelpunt dakloosheid (pilot)",
        {E},
        2,
        source="004 Tabel 1 (pilot; the table names no provider; 'achtervang' is read from "
        "its name)",
        only_for={RiskGroup.DAK_EN_THUISLOZEN},
    ),
    _offer(
        "cursus-eenzaamheid-en-veerkracht",
        OfferKind.CURSUS,
        "Cursus eenzaamheid en veerkracht (online)",
        "Steunpunt GGZ",
        {E},
        10,
    ),
    _offer(
        "herstel-enik-recovery-college",
        OfferKind.HERSTELWERKPLAATS,
        "Enik Recovery College: werken aan herstel met ervaringsdeskundigen",
        "Enik Recovery College",
        {E},
        WALK_IN,
        source="004 Tabel 1; §6 (geen verwijzing nodig, geen wachtlijst, vaak dezelfde dag)",
        kinds={LonelinessKind.EXISTENTIEEL},
        groups={RiskGroup.PSYCHISCHE_KWETSBAARHEID},
    ),
)

DEMO_OFFERS: tuple[Offer, ...] = (*PREVENTION, *RAISED_RISK, *LIGHT_TO_MODERATE, *SEVERE)
