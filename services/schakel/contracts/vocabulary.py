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
    SIGNALERINGS_API = "signalerings_api"  # an organisation's system, with its token
    WELZIJN_OP_RECEPT = "welzijn_op_recept"  # GP wellbeing prescription
    ZELFMELDING = "zelfmelding"  # the person reports about themself


class ContactWay(StrEnum):
    """How a person reporting about themself wants to be reached. Only the way travels in
    events; the number, address or GP practice it needs stays in intake's vault."""

    TELEFOON = "telefoon"
    EMAIL = "email"
    BRIEF = "brief"  # a letter to their street address
    VIA_HUISARTS = "via_huisarts"  # through their GP practice


# The channels on which intake takes the signaler's organisation from a token. On the others
# an organisation in an event can only be what someone typed (public signals until 2026-12
# carried the form's free text there): it names nobody and grants nothing.
AUTHENTICATED_CHANNELS = frozenset({Channel.WELZIJN_OP_RECEPT, Channel.SIGNALERINGS_API})


def authenticated_organisation(channel: Channel | None, organisation: str | None) -> str | None:
    """``organisation`` if the channel vouches for it (see AUTHENTICATED_CHANNELS), else None."""
    return organisation if channel in AUTHENTICATED_CHANNELS else None


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


class SignalerStage(StrEnum):
    """What a signaler may see (feedback-recorded v2): only what someone has done, never
    who the person is, their grade, district or the owner's id."""

    ONTVANGEN = "ontvangen"  # received
    DOORGEZET = "doorgezet"  # passed on to an organisation of a kind, in the neighbourhood
    OPGEPAKT = "opgepakt"  # taken up: the owner accepted it
    IN_CONTACT = "in_contact"  # the owner has spoken with the person
    HULP_GESTART = "hulp_gestart"  # support has started
    AFGESLOTEN = "afgesloten"  # closed, with a plain outcome class


class PlainOutcome(StrEnum):
    """How a closed referral ended, in a class a lay signaler may know (never why)."""

    HULP_GEVONDEN = "hulp_gevonden"  # got help, or was referred to other help
    AFGEROND = "afgerond"  # ended otherwise


# --- the follow-up lifecycle (HL7 FHIR R4 Task, Gravity SDOH referral workflow) -------------


class TaskStatus(StrEnum):
    """``Task.status``: the FHIR R4 codes, as written there."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class BusinessStatus(StrEnum):
    """``Task.businessStatus``: the steps between acceptance and the end."""

    CONTACT_ATTEMPTED = "contact-attempted"  # tried, not reached (counted)
    CONTACT_MADE = "contact-made"  # first conversation held, the person consents to support
    NO_CONSENT = "no-consent"  # no consent to contact or support: never sent to a helper
    PROFESSIONAL_VISIT = "professional-visit"  # urgent, without consent: the buurtteam visited
    SUPPORT_PROPOSED = "support-proposed"  # matching suggested an offer to the owner
    SUPPORT_ACCEPTED = "support-accepted"  # the person said yes to the proposal
    SUPPORT_DECLINED = "support-declined"  # the person said no; matching proposes another
    SUPPORT_STARTED = "support-started"
    CHECK_IN_DONE = "check-in-done"  # the owner checked in after support started


class ActorRole(StrEnum):
    """In which capacity someone acted on a referral (the role of the account, or a service)."""

    SOCIAAL_MAKELAAR = "sociaal_makelaar"  # staff of the owning organisation
    COORDINATOR = "coordinator"  # the owning organisation's coordinator
    COORDINATIEPUNT = "coordinatiepunt"  # the municipality's coordination point
    HUISARTS = "huisarts"
    SIGNALERINGSPARTNER = "signaleringspartner"
    HULPVERLENER = "hulpverlener"  # a matched helper (home cook, buddy), by reference code
    SIGNALER = "signaler"  # whoever holds the receipt code
    SYSTEEM = "systeem"  # a service: a deadline passing, a proposal arriving


class RejectReason(StrEnum):
    BUITEN_WERKGEBIED = "buiten_werkgebied"  # outside our district or target group
    GEEN_CAPACITEIT = "geen_capaciteit"  # no capacity now
    ANDERE_ORGANISATIE_PAST_BETER = "andere_organisatie_past_beter"
    AL_IN_ZORG_ELDERS = "al_in_zorg_elders"  # already in care elsewhere
    ANDERS = "anders"


class TransferReason(StrEnum):
    ANDERE_WIJK = "andere_wijk"  # the person lives (now) in another district
    ANDERE_ORGANISATIE_PAST_BETER = "andere_organisatie_past_beter"
    PROFESSIONELE_HULP_NODIG = "professionele_hulp_nodig"
    ANDERS = "anders"


class HoldReason(StrEnum):
    PERSOON_VRAAGT_UITSTEL = "persoon_vraagt_uitstel"  # the person asks to wait
    OPNAME = "opname"  # hospital or care admission
    AFWEZIG = "afwezig"  # away for a while
    WACHT_OP_ANDERE_ZORG = "wacht_op_andere_zorg"
    ANDERS = "anders"


class DeclineReason(StrEnum):
    """Why the person said no to proposed support."""

    PAST_NIET_BIJ_WENS = "past_niet_bij_wens"
    TE_VER_WEG = "te_ver_weg"
    TIJD_PAST_NIET = "tijd_past_niet"
    WIL_IETS_ANDERS = "wil_iets_anders"
    ANDERS = "anders"


class CloseOutcome(StrEnum):
    """How a referral ended; the note for ``anders`` stays in followup's own database."""

    HULP_GEKREGEN = "hulp_gekregen"  # got help
    ELDERS_VERWEZEN = "elders_verwezen"  # referred elsewhere
    AFGESLAGEN = "afgeslagen"  # declined by the person
    NIET_BEREIKT = "niet_bereikt"  # could not be reached
    GEEN_CAPACITEIT = "geen_capaciteit"  # no capacity
    VERHUISD = "verhuisd"  # moved away
    OVERLEDEN = "overleden"  # died
    ANDERS = "anders"  # other, with a note


class DietNeed(StrEnum):
    """Diet wishes a home cook must know of."""

    HALAL = "halal"
    KOSJER = "kosjer"
    VEGETARISCH = "vegetarisch"
    ZOUTARM = "zoutarm"
    DIABETES = "diabetes"
    GLUTENVRIJ = "glutenvrij"
    ZACHT = "zacht"  # soft food, easy to chew


class MealDiet(StrEnum):
    """Diets a Thuisgekookt home cook cooks: ``DietNeed`` plus vegan and pureed."""

    HALAL = "halal"
    KOSJER = "kosjer"
    VEGETARISCH = "vegetarisch"
    VEGANISTISCH = "veganistisch"
    ZOUTARM = "zoutarm"
    DIABETES = "diabetes"
    GLUTENVRIJ = "glutenvrij"
    ZACHT = "zacht"  # soft, easy to chew
    GEMALEN = "gemalen"  # pureed


class Mobility(StrEnum):
    """How far the person can go, as the owner records it in the first conversation."""

    ZELFSTANDIG = "zelfstandig"  # goes out on their own
    BEPERKT = "beperkt"  # short distances, or with help
    AAN_HUIS_GEBONDEN = "aan_huis_gebonden"  # housebound: support must come to them


class Daypart(StrEnum):
    """When a helper is available: weekday or weekend; morning, afternoon or evening."""

    WEEKDAG_OCHTEND = "weekdag_ochtend"
    WEEKDAG_MIDDAG = "weekdag_middag"
    WEEKDAG_AVOND = "weekdag_avond"
    WEEKEND_OCHTEND = "weekend_ochtend"
    WEEKEND_MIDDAG = "weekend_middag"
    WEEKEND_AVOND = "weekend_avond"


class BuddyType(StrEnum):
    """The buddy projects of the evaluation's Table 1 (004 §7)."""

    BEZOEKMAATJE = "bezoekmaatje"  # visiting buddy
    BEWEEGMAATJE = "beweegmaatje"  # exercise buddy (Sport Utrecht)
    TELEFOONMAATJE = "telefoonmaatje"  # Belmaatje: phone buddy (Handje Helpen, de Luisterlijn)
    PSYCHIATRIEMAATJE = "psychiatriemaatje"  # for people with psychological vulnerability
    ERVARINGSMAATJE = "ervaringsmaatje"  # for young carers (Handje Helpen)
    SENIOR_STUDENT = "senior_student"  # Senior&Student pairs


class DeadlineKind(StrEnum):
    """What a deadline waits for."""

    ACCEPT = "accept"  # the owner accepts (or passes the referral on)
    CONTACT = "contact"  # the owner reaches the person
    ASSIGN = "assign"  # the coordination point names an owner
    ANSWER_PROPOSAL = "answer_proposal"  # the person answers a proposal
    START_SUPPORT = "start_support"
    CHECK_IN = "check_in"  # the owner checks in after support started
    RESUME = "resume"  # a referral on hold is looked at again
    CLOSE = "close"  # the owner closes a referral that cannot go on (no consent)
    CONCERN = "concern"  # the owner acts on an urgent concern


class EscalationLevel(StrEnum):
    """Who hears of a passed deadline, step by step."""

    HERINNERING = "herinnering"  # a reminder to the owner
    COORDINATOR = "coordinator"  # the owning organisation's coordinator
    COORDINATIEPUNT = "coordinatiepunt"  # the municipality's coordination point


class ConcernSource(StrEnum):
    """Who reported a concern about a person already in care."""

    HULPVERLENER = "hulpverlener"  # a matched helper, by the reference code they were given
    PROFESSIONAL = "professional"  # a signed-in organisation that sent or owns the referral
    SIGNALER = "signaler"  # whoever holds the receipt code


class ReferrerUpdate(StrEnum):
    """What a referring GP practice or professional hears about (referrer-update events)."""

    ACCEPTED = "accepted"
    REROUTED = "rerouted"  # rejected or transferred: another organisation is asked
    SUPPORT_STARTED = "support_started"
    CLOSED = "closed"
