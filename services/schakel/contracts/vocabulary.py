"""The field's own words (Movisie *Wegwijzer Eenzaamheid*, Utrecht's evaluation) as enums.

Values are the Dutch terms used by social brokers and GP practices; they travel in events, so
changing one is a breaking contract change.
"""

from enum import StrEnum


class Grade(StrEnum):
    """Movisie grade of loneliness (the four steps of the *Wegwijzer*)."""

    PREVENTIE = "preventie"
    VERHOOGD_RISICO = "verhoogd_risico"
    LICHT_TOT_MATIG = "licht_tot_matig"
    ERNSTIG = "ernstig"


class LonelinessKind(StrEnum):
    SOCIAAL = "sociaal"
    EMOTIONEEL = "emotioneel"
    EXISTENTIEEL = "existentieel"


class Urgency(StrEnum):
    """Safety, a separate axis from the grade: how soon a professional must follow up."""

    ROUTINE = "routine"
    SPOEDIG = "spoedig"  # a professional within days
    DIRECT = "direct"  # the same day: signs of vulnerability (not eating, self-neglect)


class Route(StrEnum):
    """Which kind of organisation owns a referral after triage."""

    SOCIAAL_MAKELAAR = "sociaal_makelaar"  # social broker of the district
    BEWEEGMAKELAAR = "beweegmakelaar"  # exercise broker (Welzijn op recept)
    BUURTTEAM = "buurtteam"  # neighbourhood team: professional, same-day when urgent
    COORDINATIEPUNT = "coordinatiepunt"  # must assign an owner (district unknown, outside scope)


class PrescribedTo(StrEnum):
    """Whom a GP's wellbeing prescription refers to: "naar de sociaal makelaar of de
    beweegmakelaar" (evaluation, §5.4). Values are those of ``Route``."""

    SOCIAAL_MAKELAAR = "sociaal_makelaar"
    BEWEEGMAKELAAR = "beweegmakelaar"


class Channel(StrEnum):
    """How the signal reached schakel."""

    WEBFORMULIER = "webformulier"  # public form, no account
    SIGNALERINGS_API = "signalerings_api"  # an organisation's system, with an API key
    WELZIJN_OP_RECEPT = "welzijn_op_recept"  # GP wellbeing prescription
    ZELFMELDING = "zelfmelding"  # the person reports about themself


class SignalerRole(StrEnum):
    HUISARTS = "huisarts"
    POH_GGZ = "poh_ggz"  # practice nurse for mental health at a GP practice
    APOTHEKER = "apotheker"
    FIETSKOERIER = "fietskoerier"
    THUISKOK = "thuiskok"  # a Thuisgekookt home cook
    SUPERMARKT = "supermarkt"
    WIJKVERPLEGING = "wijkverpleging"
    BUURTBEWONER = "buurtbewoner"
    ZELF = "zelf"
    ANDERS = "anders"


class Observation(StrEnum):
    """What a signaler noticed; structured so that no free text needs to travel."""

    ALLEEN_WONEND = "alleen_wonend"  # lives alone
    RECENT_VERLIES = "recent_verlies"  # lost a partner or someone close
    WEINIG_CONTACT = "weinig_contact"  # hardly sees anyone
    NIET_GESPROKEN = "niet_gesproken"  # has not spoken to anyone today (hoarse at midday)
    SOMBER = "somber"  # low mood
    ONDERVOEDING = "ondervoeding"  # has not eaten, signs of malnutrition
    VERWAARLOZING = "verwaarlozing"  # strange smell, neglected home or self
    MANTELZORGER = "mantelzorger"  # overburdened carer
    FYSIEKE_BEPERKING = "fysieke_beperking"
    ZINLOOSHEID = "zinloosheid"  # speaks of life having no purpose
    WIL_CONTACT = "wil_contact"  # says they would like more contact
    VOELT_ZICH_EENZAAM = "voelt_zich_eenzaam"  # says they feel lonely
    GORDIJNEN_DICHT = "gordijnen_dicht"  # the curtains are often closed
    DURFT_NIET_NAAR_BUITEN = "durft_niet_naar_buiten"  # no longer dares to go outside
    FRUSTRATIE_OF_WANTROUWEN = "frustratie_of_wantrouwen"  # frustration, complaining, distrust
    FAMILIE_VER_WEG = "familie_ver_weg"  # family lives far away
    OUDERE_MIGRANT = "oudere_migrant"  # an older person with a migration background
    PSYCHISCHE_KWETSBAARHEID = "psychische_kwetsbaarheid"  # psychological vulnerability
    DAK_OF_THUISLOOS = "dak_of_thuisloos"  # no home or steady place to sleep
    ALLEENSTAANDE_OUDER = "alleenstaande_ouder"  # raises children alone


class RiskGroup(StrEnum):
    """Risk groups the Utrecht documents name; triage derives them, offers are tagged with
    them, so the gap between offer and demand can be reported per group."""

    JONGEREN = "jongeren"
    JONGE_MANTELZORGERS = "jonge_mantelzorgers"
    OUDEREN_70_PLUS = "ouderen_70_plus"
    OUDEREN_80_PLUS = "ouderen_80_plus"
    ALLEENSTAANDE_OUDEREN = "alleenstaande_ouderen"
    OUDEREN_MET_MIGRATIEACHTERGROND = "ouderen_met_migratieachtergrond"
    PSYCHISCHE_KWETSBAARHEID = "psychische_kwetsbaarheid"
    DAK_EN_THUISLOZEN = "dak_en_thuislozen"
    EENOUDERGEZINNEN = "eenoudergezinnen"
    EENPERSOONSHUISHOUDEN = "eenpersoonshuishouden"
    MANTELZORGERS = "mantelzorgers"
    FYSIEKE_BEPERKING = "fysieke_beperking"


class AgeBand(StrEnum):
    # The approach is for Utrechters of 18 and over: the form does not offer "0-17"; it stays
    # here because published events may carry it, and triage sends it to the coordination point.
    ONDER_18 = "0-17"
    JONG = "18-29"
    MIDDEN = "30-49"
    OUDER = "50-69"
    SENIOR = "70-79"
    HOOGBEJAARD = "80+"


class OfferKind(StrEnum):
    """Kinds of support, in the *Wegwijzer*'s words (evaluation, §7)."""

    MAATJE = "maatje"  # a volunteer buddy
    THUISGEKOOKT = "thuisgekookt"  # a home cook nearby
    ACTIVITEIT = "activiteit"  # an activity or meeting place
    CURSUS = "cursus"  # a course or training
    LOTGENOTENCONTACT = "lotgenotencontact"  # peer contact
    GESPREK = "gesprek"  # conversations, e.g. about meaning in life (zingeving)
    HERSTELWERKPLAATS = "herstelwerkplaats"  # recovery workshop or recovery college
    ACHTERVANG = "achtervang"  # a safety net that keeps in touch


class SignalerStatus(StrEnum):
    """What a signaler may see: progress only, never personal details."""

    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    HULP_VOORGESTELD = "hulp_voorgesteld"  # the owner has support to propose
    WACHTLIJST = "wachtlijst"  # waiting for a place
