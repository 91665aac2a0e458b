"""The pages' words, Dutch first and English second: every text, the labels of the form's
choices and the form's problem messages, and how a page picks its language."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal, TypeVar

from schakel.contracts.vocabulary import AgeBand, ContactWay, Observation, SignalerRole

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
        "Merkt u dat iemand eenzaam wordt? Vul dit korte formulier in. Uw melding gaat naar de "
        "juiste organisatie in de wijk, en u kunt volgen wat ermee gebeurt.",
        "Do you notice someone becoming lonely? Fill in this short form. Your report goes to the "
        "right organisation in the neighbourhood, and you can follow what happens with it.",
    ),
    "self_entry_title": ("Voelt u zich zelf eenzaam?", "Do you feel lonely yourself?"),
    "self_entry_text": (
        "Daar is een eigen, korte plek voor. U hoeft niets uit te leggen.",
        "There is a short page of its own for that. You do not need to explain anything.",
    ),
    "self_entry_link": ("Ik meld voor mezelf", "I am reporting about myself"),
    "self_title": ("Voelt u zich eenzaam? Laat het ons weten", "Feeling lonely? Let us know"),
    "self_lead": (
        "Veel mensen voelen zich wel eens eenzaam. Daar hoeft u zich niet voor te schamen. "
        "Vertel hier kort hoe het met u gaat. Als u dat wilt, neemt iemand uit uw wijk contact "
        "met u op om samen te kijken wat u prettig lijkt.",
        "Many people feel lonely at times. There is nothing to be ashamed of. Tell us briefly "
        "how you are. If you like, someone from your neighbourhood will get in touch to see "
        "together what you would like.",
    ),
    "self_person_legend": ("Over uzelf", "About you"),
    "self_name_label": ("Uw naam", "Your name"),
    "self_postcode_hint": (
        "Zo weten we in welke wijk u woont. Bijvoorbeeld 3562 AB.",
        "So we know your neighbourhood. For example 3562 AB.",
    ),
    "self_noticed_legend": ("Wat past bij u?", "What fits you?"),
    "self_noticed_hint": (
        "U kunt meer dan één antwoord kiezen. Niets aankruisen mag ook.",
        "You can choose more than one answer. Ticking nothing is fine too.",
    ),
    "self_consent_legend": ("Mogen wij contact met u opnemen?", "May we get in touch with you?"),
    "self_consent_hint": (
        "We nemen alleen contact met u op als u ja kiest, en alleen op de manier die u kiest.",
        "We only get in touch if you choose yes, and only in the way you choose.",
    ),
    "self_note_label": ("Wilt u nog iets vertellen? (niet verplicht)", "Anything else? (optional)"),
    "self_submit": ("Versturen", "Send"),
    "required_note": ("Velden met * zijn verplicht.", "Fields marked * are required."),
    "who_legend": ("Wie bent u?", "Who are you?"),
    "role_label": ("Ik meld als", "I am reporting as"),
    "role_choose": ("Kies…", "Choose…"),
    "organisation_label": ("Organisatie (optioneel)", "Organisation (optional)"),
    "organisation_hint": (
        "Als u meldt vanuit uw werk, bijvoorbeeld de apotheek.",
        "If you report from your work, for example the pharmacy.",
    ),
    "name_hint": (
        "Weet u de naam niet? Beschrijf dan wie het is, bijvoorbeeld: mevrouw van nummer 12, "
        "of de meneer met de rollator bij de supermarkt.",
        "Don't know the name? Then describe who it is, for example: the lady at number 12, or "
        "the man with the walker at the supermarket.",
    ),
    "person_legend": ("Over wie gaat het?", "Who is it about?"),
    "person_hint": (
        "Alleen de organisatie die uw melding krijgt, ziet deze gegevens.",
        "Only the organisation that receives your report sees these details.",
    ),
    "name_label": ("Naam", "Name"),
    "postcode_label": ("Postcode", "Postcode"),
    "postcode_hint": ("Bijvoorbeeld 3562 AB", "For example 3562 AB"),
    "phone_label": ("Telefoon (optioneel)", "Phone (optional)"),
    "email_label": ("E-mail (optioneel)", "Email (optional)"),
    "birth_label": ("Geboortedatum (optioneel)", "Date of birth (optional)"),
    "birth_hint": (
        "Alleen als u die weet. Zo herkent de organisatie de juiste persoon.",
        "Only if you know it. It helps the organisation find the right person.",
    ),
    "self_birth_hint": (
        "Niet verplicht. Zo weten we zeker dat het over u gaat.",
        "Not required. It helps us be sure it is about you.",
    ),
    "contact_way_legend": ("Hoe mogen wij u bereiken?", "How may we reach you?"),
    "contact_way_hint": (
        "Alleen nodig als u ja kiest. Vul daarna in wat daarvoor nodig is.",
        "Only needed if you choose yes. Then fill in what that way needs.",
    ),
    "street_label": ("Straat en huisnummer (voor een brief)", "Street and number (for a letter)"),
    "gp_practice_label": (
        "Uw huisartsenpraktijk (als wij via uw huisarts contact opnemen)",
        "Your GP practice (if we get in touch through your GP)",
    ),
    "age_label": ("Leeftijd (ongeveer)", "Age (roughly)"),
    "age_unknown": ("Weet ik niet", "Don't know"),
    # The approach is for Utrechters of 18 and over (004 §4). The documents name no place for
    # younger people; 002 gives the municipality's contact for loneliness (14 030).
    "age_hint": (
        "Deze aanpak is voor Utrechters van 18 jaar en ouder. Gaat het om iemand jonger dan 18? "
        "Bel dan de gemeente Utrecht op 14 030; zij wijzen u de weg.",
        "This approach is for people in Utrecht aged 18 and over. Is it about someone younger? "
        "Then call the municipality of Utrecht on 14 030; they will show you the way.",
    ),
    "self_age_hint": (
        "Deze aanpak is voor Utrechters van 18 jaar en ouder. Bent u jonger dan 18? Bel dan de "
        "gemeente Utrecht op 14 030; zij wijzen u de weg.",
        "This approach is for people in Utrecht aged 18 and over. Are you younger? Then call "
        "the municipality of Utrecht on 14 030; they will show you the way.",
    ),
    "noticed_legend": ("Wat is u opgevallen?", "What did you notice?"),
    "noticed_hint": (
        "U kunt meer dan één antwoord kiezen.",
        "You can choose more than one answer.",
    ),
    "self_suicide_line": (
        "Denkt u aan zelfdoding? Praat erover: bel 113 of gratis 0800-0113, dag en nacht. Bij "
        "direct gevaar: 112.",
        "Are you thinking about suicide? Talk about it: call 113 or 0800-0113 (free), day and "
        "night. In immediate danger: 112.",
    ),
    "signs_legend": ("Wat ziet of hoort u?", "What do you see or hear?"),
    "circumstances_legend": (
        "Wat weet u van de persoon? (als u het weet)",
        "What do you know about the person? (if you know)",
    ),
    "suicide_line": (
        "Denkt iemand aan zelfdoding? Bel dan meteen 113 of gratis 0800-0113, dag en nacht. "
        "Bij direct gevaar: 112.",
        "Is someone thinking about suicide? Call 113 or 0800-0113 (free) straight away, day "
        "and night. In immediate danger: 112.",
    ),
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
    "self_no": ("Nee", "No"),
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
        "Alleen de organisatie die de melding krijgt, zoals de sociaal makelaar of het buurtteam "
        "in de wijk, ziet over wie het gaat.",
        "Only the organisation that receives the report, such as the social broker or the "
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
        "Uw melding is binnen en wordt doorgegeven aan de juiste organisatie.",
        "Your report is in and is being passed to the right organisation.",
    ),
    "status_unavailable": (
        "De status is nu even niet op te vragen. Uw melding is wel ontvangen.",
        "The status cannot be looked up right now. Your report was received.",
    ),
    "status_owner": ("Doorgegeven aan", "Passed to"),
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
    "questions": (
        "Vragen over eenzaamheid? Gemeente Utrecht: 14 030 of eenzaamheid@utrecht.nl.",
        "Questions about loneliness? Municipality of Utrecht: 14 030 or eenzaamheid@utrecht.nl.",
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
    # What signalers are trained to notice (evaluation §6: couriers, the Vogelenbuurt, home cooks).
    Observation.NIET_GESPROKEN: (
        "Klinkt schor midden op de dag, alsof hij of zij nog niemand heeft gesproken",
        "Sounds hoarse at midday, as if they have not spoken to anyone yet",
    ),
    Observation.WEINIG_CONTACT: ("Ziet bijna nooit iemand", "Hardly ever sees anyone"),
    Observation.GORDIJNEN_DICHT: ("De gordijnen zijn vaak dicht", "The curtains are often closed"),
    Observation.DURFT_NIET_NAAR_BUITEN: (
        "Durft niet meer naar buiten",
        "No longer dares to go outside",
    ),
    Observation.FRUSTRATIE_OF_WANTROUWEN: (
        "Is vaak boos of gefrustreerd, klaagt veel of vertrouwt anderen niet",
        "Is often angry or frustrated, complains a lot or does not trust others",
    ),
    Observation.SOMBER: ("Is somber of neerslachtig", "Seems low or down"),
    Observation.VOELT_ZICH_EENZAAM: ("Zegt zich eenzaam te voelen", "Says they feel lonely"),
    Observation.WIL_CONTACT: ("Zou graag meer contact willen", "Would like more contact"),
    Observation.ONDERVOEDING: (
        "Eet slecht of is erg mager geworden",
        "Eats poorly or has become very thin",
    ),
    Observation.VERWAARLOZING: (
        "Zorgt slecht voor zichzelf of het huis (bijvoorbeeld een vreemde geur)",
        "Does not look after themself or the home (for example a strange smell)",
    ),
    Observation.ZINLOOSHEID: (
        "Zegt dat het leven geen zin meer heeft",
        "Says life has no purpose any more",
    ),
    # What a signaler may know of the person's life.
    Observation.ALLEEN_WONEND: ("Woont alleen", "Lives alone"),
    Observation.FAMILIE_VER_WEG: ("Familie woont ver weg", "Family lives far away"),
    Observation.RECENT_VERLIES: (
        "Heeft kort geleden iemand verloren, bijvoorbeeld de partner",
        "Recently lost someone close, for example their partner",
    ),
    Observation.MANTELZORGER: (
        "Zorgt voor een ander en heeft het zwaar",
        "Cares for someone else and is having a hard time",
    ),
    Observation.FYSIEKE_BEPERKING: (
        "Is slecht ter been of heeft een andere lichamelijke beperking",
        "Has trouble walking or another physical limitation",
    ),
    Observation.ALLEENSTAANDE_OUDER: ("Voedt de kinderen alleen op", "Raises the children alone"),
    Observation.OUDERE_MIGRANT: (
        "Is een oudere met een migratieachtergrond",
        "Is an older person with a migration background",
    ),
    Observation.PSYCHISCHE_KWETSBAARHEID: (
        "Heeft psychische klachten",
        "Has mental-health problems",
    ),
    Observation.DAK_OF_THUISLOOS: (
        "Heeft geen vaste plek om te wonen of te slapen",
        "Has no steady place to live or sleep",
    ),
}
SIGNS = (
    Observation.NIET_GESPROKEN,
    Observation.WEINIG_CONTACT,
    Observation.GORDIJNEN_DICHT,
    Observation.DURFT_NIET_NAAR_BUITEN,
    Observation.FRUSTRATIE_OF_WANTROUWEN,
    Observation.SOMBER,
    Observation.VOELT_ZICH_EENZAAM,
    Observation.WIL_CONTACT,
    Observation.ONDERVOEDING,
    Observation.VERWAARLOZING,
    Observation.ZINLOOSHEID,
)
CIRCUMSTANCES = tuple(o for o in OBSERVATION_LABELS if o not in SIGNS)
# The same choices in the words of someone who feels lonely, for the page of their own.
SELF_OBSERVATION_LABELS: dict[Observation, tuple[str, str]] = {
    Observation.VOELT_ZICH_EENZAAM: ("Ik voel me vaak eenzaam", "I often feel lonely"),
    Observation.WEINIG_CONTACT: ("Ik zie bijna nooit iemand", "I hardly ever see anyone"),
    Observation.NIET_GESPROKEN: (
        "Ik spreek soms dagen niemand",
        "Some days I don't speak to anyone",
    ),
    Observation.WIL_CONTACT: ("Ik zou graag meer contact hebben", "I would like more contact"),
    Observation.DURFT_NIET_NAAR_BUITEN: (
        "Ik durf niet goed meer naar buiten",
        "I hardly dare to go outside any more",
    ),
    Observation.SOMBER: ("Ik voel me vaak somber", "I often feel low"),
    Observation.RECENT_VERLIES: (
        "Ik heb kort geleden iemand verloren die dicht bij me stond",
        "I recently lost someone close to me",
    ),
    Observation.ALLEEN_WONEND: ("Ik woon alleen", "I live alone"),
    Observation.FAMILIE_VER_WEG: ("Mijn familie woont ver weg", "My family lives far away"),
    Observation.MANTELZORGER: (
        "Ik zorg voor een ander en heb het zwaar",
        "I care for someone else and am having a hard time",
    ),
    Observation.FYSIEKE_BEPERKING: (
        "Door een lichamelijke beperking kom ik moeilijk de deur uit",
        "A physical limitation makes it hard for me to get out",
    ),
    Observation.ALLEENSTAANDE_OUDER: (
        "Ik voed mijn kinderen alleen op",
        "I raise my children on my own",
    ),
    Observation.PSYCHISCHE_KWETSBAARHEID: (
        "Ik heb psychische klachten",
        "I have mental-health problems",
    ),
    Observation.DAK_OF_THUISLOOS: (
        "Ik heb geen vaste plek om te wonen of te slapen",
        "I have no steady place to live or sleep",
    ),
    Observation.ZINLOOSHEID: (
        "Ik heb het gevoel dat mijn leven geen zin heeft",
        "I feel that my life has no purpose",
    ),
}
# Next to the choice about life having no purpose, the form shows the 113 line.
NEEDS_SUICIDE_LINE = Observation.ZINLOOSHEID
# Not "0-17": the approach is for Utrechters of 18 and over; the age hint points elsewhere.
AGE_LABELS: dict[AgeBand, tuple[str, str]] = {
    AgeBand.JONG: ("18 tot 30 jaar", "18 to 29"),
    AgeBand.MIDDEN: ("30 tot 50 jaar", "30 to 49"),
    AgeBand.OUDER: ("50 tot 70 jaar", "50 to 69"),
    AgeBand.SENIOR: ("70 tot 80 jaar", "70 to 79"),
    AgeBand.HOOGBEJAARD: ("80 jaar of ouder", "80 or older"),
}
CONTACT_WAY_LABELS: dict[ContactWay, tuple[str, str]] = {
    ContactWay.TELEFOON: ("Bel mij", "Call me"),
    ContactWay.EMAIL: ("Mail mij", "Email me"),
    ContactWay.BRIEF: ("Stuur mij een brief", "Send me a letter"),
    ContactWay.VIA_HUISARTS: ("Via mijn huisarts", "Through my GP"),
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
# Problems the form finds itself, before anything is sent.
FORM_PROBLEMS: Texts = {
    "self_reach": (
        "Kies hoe wij u mogen bereiken.",
        "Choose how we may reach you.",
    ),
    "self_reach_telefoon": (
        "Vul uw telefoonnummer in, dan kunnen we u bellen.",
        "Fill in your phone number, so that we can call you.",
    ),
    "self_reach_email": (
        "Vul uw e-mailadres in, dan kunnen we u mailen.",
        "Fill in your email address, so that we can email you.",
    ),
    "self_reach_brief": (
        "Vul uw straat en huisnummer in, dan kunnen we u een brief sturen.",
        "Fill in your street and house number, so that we can send you a letter.",
    ),
    "self_reach_via_huisarts": (
        "Vul de naam van uw huisartsenpraktijk in.",
        "Fill in the name of your GP practice.",
    ),
    "under_18": (
        "Deze aanpak is voor Utrechters van 18 jaar en ouder. Voor iemand jonger dan 18: bel "
        "de gemeente Utrecht op 14 030.",
        "This approach is for people aged 18 and over. For someone younger: call the "
        "municipality of Utrecht on 14 030.",
    ),
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
    "date_of_birth": (
        "Deze geboortedatum kan niet kloppen (in de toekomst, of meer dan 130 jaar geleden). "
        "Schrijf hem zoals 1948-03-21.",
        "This date of birth cannot be right (in the future, or over 130 years ago). Write it "
        "like 1948-03-21.",
    ),
    "street_address": (
        "Het adres is te lang: hoogstens 200 tekens.",
        "The address is too long: at most 200 characters.",
    ),
    "gp_practice": (
        "De naam van de praktijk is te lang: hoogstens 100 tekens.",
        "The practice's name is too long: at most 100 characters.",
    ),
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
