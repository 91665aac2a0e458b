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
    ROUTINE = "routine"
    SPOEDIG = "spoedig"  # contact within days
    DIRECT = "direct"  # contact today: malnutrition, self-neglect


class Channel(StrEnum):
    """How the signal reached schakel."""

    WEBFORMULIER = "webformulier"  # public form, no account
    SIGNALERINGS_API = "signalerings_api"  # an organisation's system, with its token
    WELZIJN_OP_RECEPT = "welzijn_op_recept"  # GP wellbeing prescription
    ZELFMELDING = "zelfmelding"  # the person reports about themself


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


class AgeBand(StrEnum):
    ONDER_18 = "0-17"
    JONG = "18-29"
    MIDDEN = "30-49"
    OUDER = "50-69"
    SENIOR = "70-79"
    HOOGBEJAARD = "80+"


class OfferKind(StrEnum):
    MAATJE = "maatje"  # a volunteer buddy
    THUISGEKOOKT = "thuisgekookt"  # a home cook nearby
    ACTIVITEIT = "activiteit"  # a Welzijn-op-recept activity


class SignalerStatus(StrEnum):
    """What a signaler may see: progress only, never personal details."""

    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    HULP_VOORGESTELD = "hulp_voorgesteld"  # the owner has support to propose
    WACHTLIJST = "wachtlijst"  # waiting for a place
