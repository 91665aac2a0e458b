"""The pages' words, Dutch first and English second: every text, the labels of the form's
choices and the form's problem messages, and how a page picks its language."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal, TypeVar

from schakel.contracts.vocabulary import AgeBand, Observation, SignalerRole

Lang = Literal["nl", "en"]
Texts = dict[str, tuple[str, str]]  # key -> (Dutch, English)
E = TypeVar("E", bound=StrEnum)

TEXT: Texts = {
    "site_tagline": (
        "Samen eenzaamheid signaleren in Utrecht",
        "Spotting loneliness together in Utrecht",
    ),
    "switch": ("English", "Nederlands"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "form_title": ("Zorgen om iemand? Meld het hier", "Worried about someone? Report it here"),
    "form_lead": (
        "Merkt u dat iemand eenzaam wordt? Vul dit korte formulier in. De juiste organisatie in "
        "de wijk pakt het op, en u kunt volgen wat er met uw melding gebeurt.",
        "Do you notice someone becoming lonely? Fill in this short form. The right organisation "
        "in the neighbourhood takes it up, and you can follow what happens with your report.",
    ),
    "required_note": ("Velden met * zijn verplicht.", "Fields marked * are required."),
    "who_legend": ("Wie bent u?", "Who are you?"),
    "role_label": ("Ik meld als", "I am reporting as"),
    "role_choose": ("Kies…", "Choose…"),
    "organisation_label": ("Organisatie (optioneel)", "Organisation (optional)"),
    "organisation_hint": (
        "Als u meldt vanuit uw werk, bijvoorbeeld de apotheek.",
        "If you report from your work, for example the pharmacy.",
    ),
    "person_legend": ("Over wie gaat het?", "Who is it about?"),
    "person_hint": (
        "Meldt u voor uzelf? Vul dan uw eigen gegevens in.",
        "Reporting about yourself? Then fill in your own details.",
    ),
    "name_label": ("Naam", "Name"),
    "postcode_label": ("Postcode", "Postcode"),
    "postcode_hint": ("Bijvoorbeeld 3562 AB", "For example 3562 AB"),
    "phone_label": ("Telefoon (optioneel)", "Phone (optional)"),
    "email_label": ("E-mail (optioneel)", "Email (optional)"),
    "age_label": ("Leeftijd (ongeveer)", "Age (roughly)"),
    "age_unknown": ("Weet ik niet", "Don't know"),
    "noticed_legend": ("Wat is u opgevallen?", "What did you notice?"),
    "noticed_hint": ("Kruis aan wat past; meer keuzes mag.", "Tick what applies; several is fine."),
    "consent_legend": (
        "Weet de persoon ervan en mag er contact worden opgenomen?",
        "Does the person know, and may they be contacted?",
    ),
    "consent_hint": (
        "Vraag het zo mogelijk eerst. Meldt u voor uzelf: mogen wij u bellen of mailen?",
        "Ask them first if you can. Reporting about yourself: may we call or email you?",
    ),
    "yes": ("Ja", "Yes"),
    "no": ("Nee, of weet ik niet", "No, or I don't know"),
    "note_label": ("Toelichting (optioneel)", "Note (optional)"),
    "note_hint": (
        "Schrijf alleen op wat nodig is om te helpen (hoogstens 2000 tekens).",
        "Only write what is needed to help (at most 2000 characters).",
    ),
    "privacy_title": ("Wat gebeurt er met uw melding?", "What happens with your report?"),
    "privacy_stored": (
        "We bewaren alleen wat u hier invult. Naam, postcode en contactgegevens worden "
        "versleuteld opgeslagen.",
        "We keep only what you fill in here. Name, postcode and contact details are stored "
        "encrypted.",
    ),
    "privacy_who": (
        "Alleen de organisatie die de melding oppakt, zoals de sociaal makelaar of het buurtteam "
        "in de wijk, ziet wie het is.",
        "Only the organisation that takes up the report, such as the social broker or the "
        "neighbourhood team, sees who it is about.",
    ),
    "privacy_status": (
        "U krijgt een code waarmee u de voortgang kunt volgen. Daarin staan geen persoonlijke "
        "gegevens.",
        "You get a code to follow the progress. It shows no personal details.",
    ),
    "submit": ("Melding versturen", "Send report"),
    "errors_title": ("Controleer dit nog even", "Please check the following"),
    "send_failed": (
        "Het versturen lukte nu niet. Wat u invulde staat er nog; probeer het over een paar "
        "minuten opnieuw.",
        "Sending did not work just now. What you filled in is still here; please try again in "
        "a few minutes.",
    ),
    "too_many_signals": (
        "Er zijn vanaf uw adres kort na elkaar veel meldingen verstuurd. Wat u invulde staat er "
        "nog; verstuur het over {} min. opnieuw.",
        "Many reports were sent from your address in a short time. What you filled in is still "
        "here; please send it again in {} min.",
    ),
    "unprintable": (
        "Hier staat een onzichtbaar teken in (bijvoorbeeld uit geplakte tekst). Typ het opnieuw.",
        "This contains an invisible character (from pasted text, for example). Please retype it.",
    ),
    "form_damaged": (
        "Het formulier kwam beschadigd aan. Controleer wat u invulde en verstuur het opnieuw.",
        "The form arrived damaged. Please check what you filled in and send it again.",
    ),
    "receipt_title": ("Dank u wel, uw melding is ontvangen", "Thank you, your report was received"),
    "receipt_code": ("Uw code", "Your code"),
    "receipt_keep": (
        "Schrijf deze code op of bewaar deze pagina.",
        "Write this code down or keep this page.",
    ),
    "status_title": ("Hoe staat het ervoor?", "What is the status?"),
    "status_pending": ("Wordt verwerkt", "Being processed"),
    "status_pending_hint": (
        "Uw melding is binnen en wordt doorgezet naar de juiste organisatie.",
        "Your report is in and is being passed to the right organisation.",
    ),
    "status_unavailable": (
        "De status is nu even niet op te vragen. Uw melding is wel ontvangen.",
        "The status cannot be looked up right now. Your report was received.",
    ),
    "status_owner": ("Opgepakt door", "Taken up by"),
    "status_received": ("Ontvangen op", "Received on"),
    "status_updated": ("Bijgewerkt", "Updated"),
    "refresh": ("Status vernieuwen", "Refresh status"),
    "later_title": ("Later de status bekijken", "Checking the status later"),
    "later_text": (
        "Open dit adres, met uw code erin, wanneer u wilt:",
        "Open this address, with your code in it, whenever you like:",
    ),
    "later_privacy": (
        "U ziet alleen hoe het ervoor staat, nooit persoonlijke gegevens.",
        "You only see the progress, never personal details.",
    ),
    "another": ("Nog een melding doen", "Report another concern"),
    "unknown_code_title": ("Deze code kennen we niet", "We do not know this code"),
    "unknown_code_text": (
        "Controleer de code: die ziet eruit als K7QM-4XWD-2P.",
        "Check the code: it looks like K7QM-4XWD-2P.",
    ),
    "emergency": (
        "Bij acuut gevaar: bel 112. Denkt iemand aan zelfdoding? Bel 113 of 0800-0113 (gratis).",
        "In an emergency call 112. Is someone thinking about suicide? Call 113 or "
        "0800-0113 (free).",
    ),
    "api_docs": ("Voor ontwikkelaars", "For developers"),
    "events_title": ("Gebeurtenissen tussen de diensten", "Events between the services"),
    "events_lead": (
        "Welke berichten de diensten van schakel via Kafka uitwisselen.",
        "Which messages schakel's services exchange over Kafka.",
    ),
    "channels": ("Kanalen", "Channels"),
    "messages": ("Berichten", "Messages"),
    "field": ("Veld", "Field"),
    "type": ("Type", "Type"),
    "required": ("Verplicht", "Required"),
}

ROLE_LABELS: dict[SignalerRole, tuple[str, str]] = {
    SignalerRole.BUURTBEWONER: ("Buurtbewoner, familie of kennis", "Neighbour, family or friend"),
    SignalerRole.ZELF: ("Ik meld voor mezelf", "I am reporting about myself"),
    SignalerRole.APOTHEKER: ("Apotheek", "Pharmacy"),
    SignalerRole.FIETSKOERIER: ("Fietskoerier", "Bicycle courier"),
    SignalerRole.THUISKOK: ("Thuiskok (Thuisgekookt)", "Home cook (Thuisgekookt)"),
    SignalerRole.SUPERMARKT: ("Supermarkt", "Supermarket"),
    SignalerRole.WIJKVERPLEGING: ("Wijkverpleging", "District nursing"),
    SignalerRole.HUISARTS: ("Huisartsenpraktijk", "GP practice"),
    SignalerRole.POH_GGZ: ("Praktijkondersteuner GGZ", "GP practice mental-health nurse"),
    SignalerRole.ANDERS: ("Anders", "Other"),
}
OBSERVATION_LABELS: dict[Observation, tuple[str, str]] = {
    Observation.ALLEEN_WONEND: ("Woont alleen", "Lives alone"),
    Observation.WEINIG_CONTACT: ("Ziet bijna niemand", "Hardly sees anyone"),
    Observation.NIET_GESPROKEN: (
        "Heeft vandaag nog niemand gesproken (schor midden op de dag)",
        "Has not spoken to anyone today (hoarse at midday)",
    ),
    Observation.SOMBER: ("Is somber of neerslachtig", "Seems low or down"),
    Observation.RECENT_VERLIES: (
        "Heeft kort geleden iemand verloren",
        "Recently lost someone close",
    ),
    Observation.ONDERVOEDING: ("Eet slecht, lijkt ondervoed", "Eats poorly, seems malnourished"),
    Observation.VERWAARLOZING: (
        "Verwaarloost zichzelf of het huis (bijv. een vreemde geur)",
        "Neglects self or home (e.g. a strange smell)",
    ),
    Observation.MANTELZORGER: ("Is overbelaste mantelzorger", "Is an overburdened carer"),
    Observation.FYSIEKE_BEPERKING: (
        "Heeft een lichamelijke beperking",
        "Has a physical limitation",
    ),
    Observation.ZINLOOSHEID: ("Zegt dat het leven geen zin heeft", "Says life has no purpose"),
    Observation.WIL_CONTACT: ("Zou graag meer contact willen", "Would like more contact"),
}
AGE_LABELS: dict[AgeBand, tuple[str, str]] = {
    AgeBand.ONDER_18: ("Jonger dan 18", "Under 18"),
    AgeBand.JONG: ("18 tot 30 jaar", "18 to 29"),
    AgeBand.MIDDEN: ("30 tot 50 jaar", "30 to 49"),
    AgeBand.OUDER: ("50 tot 70 jaar", "50 to 69"),
    AgeBand.SENIOR: ("70 tot 80 jaar", "70 to 79"),
    AgeBand.HOOGBEJAARD: ("80 jaar of ouder", "80 or older"),
}
REQUIRED: Texts = {
    "signaler_role": ("Kies als wie u meldt.", "Choose who you are reporting as."),
    "name": ("Vul de naam in.", "Fill in the name."),
    "postcode": (
        "Vul de postcode in, bijvoorbeeld 3562 AB.",
        "Fill in the postcode, for example 3562 AB.",
    ),
    "consent": ("Kies ja of nee.", "Choose yes or no."),
}
# Intake's reasons are for developers; these say the same to the person at the form.
INVALID: Texts = {
    "name": (
        "Vul een naam in van hoogstens 200 tekens.",
        "Fill in a name of at most 200 characters.",
    ),
    "postcode": (
        "Dit is geen Nederlandse postcode. Schrijf hem zoals 3562 AB.",
        "This is not a Dutch postcode. Write it like 3562 AB.",
    ),
    "phone": (
        "Dit telefoonnummer klopt niet: gebruik cijfers, spaties, + of -.",
        "This phone number is not valid: use digits, spaces, + or -.",
    ),
    "email": ("Dit e-mailadres klopt niet.", "This email address is not valid."),
    "note": (
        "De toelichting is te lang: hoogstens 2000 tekens.",
        "The note is too long: at most 2000 characters.",
    ),
    "signaler_organisation": (
        "De naam van de organisatie is te lang: hoogstens 100 tekens.",
        "The organisation's name is too long: at most 100 characters.",
    ),
}


def language(value: str | None) -> Lang:
    return "en" if value == "en" else "nl"


def pick(texts: tuple[str, str], lang: Lang) -> str:
    return texts[1] if lang == "en" else texts[0]


def labelled(
    labels: dict[E, tuple[str, str]], members: Iterable[E], lang: Lang
) -> list[tuple[str, str]]:
    """(value, label) in the order of ``labels``, then any member still without a label."""
    ordered = [*labels, *(m for m in members if m not in labels)]
    return [(m.value, pick(labels[m], lang) if m in labels else m.value) for m in ordered]
