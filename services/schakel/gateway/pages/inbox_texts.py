"""The owners' pages' words, Dutch first and English second: sign-in, the inbox, a referral
and its actions, and the labels of the codes follow-up answers with."""

from __future__ import annotations

from schakel.contracts.vocabulary import (
    BusinessStatus,
    Channel,
    CloseOutcome,
    Daypart,
    DeadlineKind,
    DeclineReason,
    DietNeed,
    EscalationLevel,
    Grade,
    HoldReason,
    Mobility,
    OfferKind,
    RejectReason,
    Route,
    TaskStatus,
    TransferReason,
    Urgency,
)
from schakel.gateway.pages.texts import Texts

INBOX_TEXT: Texts = {
    # Signing in and out
    "signin_title": ("Inloggen", "Sign in"),
    "signin_lead": (
        "Voor medewerkers van organisaties die verwijzingen oppakken: sociaal makelaars, "
        "buurtteams, beweegmakelaars en het coördinatiepunt.",
        "For staff of organisations that take up referrals: social brokers, neighbourhood "
        "teams, exercise brokers and the coordination point.",
    ),
    "username": ("Gebruikersnaam", "Username"),
    "password": ("Wachtwoord", "Password"),
    "signin_submit": ("Inloggen", "Sign in"),
    "signin_wrong": (
        "Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar.",
        "This username and password do not match.",
    ),
    "signin_throttled": (
        "Te veel pogingen. Probeer het over {} min. opnieuw.",
        "Too many attempts. Please try again in {} min.",
    ),
    "signin_off": (
        "Inloggen kan op deze omgeving niet: er zijn geen accounts ingesteld.",
        "Signing in is not possible here: no accounts are configured.",
    ),
    "signin_needed": (
        "Log in om de inbox te zien. Na 8 uur moet u opnieuw inloggen.",
        "Sign in to see the inbox. After 8 hours you need to sign in again.",
    ),
    "signed_in_as": ("Ingelogd als {} ({})", "Signed in as {} ({})"),
    "signout": ("Uitloggen", "Sign out"),
    "signed_out": ("U bent uitgelogd.", "You are signed out."),
    "username_missing": ("Vul uw gebruikersnaam in.", "Fill in your username."),
    "password_missing": ("Vul uw wachtwoord in.", "Fill in your password."),
    # Refusals and outages
    "csrf_title": ("Dit formulier is verlopen", "This form has expired"),
    "csrf_text": (
        "Het formulier kon niet worden gecontroleerd (bijvoorbeeld omdat u intussen opnieuw "
        "bent ingelogd, of omdat cookies uit staan). Er is niets veranderd. Open de pagina "
        "opnieuw en probeer het nog eens.",
        "The form could not be checked (for example because you signed in again meanwhile, or "
        "because cookies are off). Nothing was changed. Open the page again and try once more.",
    ),
    "forbidden_title": ("Geen inbox voor dit account", "No inbox for this account"),
    "forbidden_text": (
        "Alleen sociaal makelaars, coördinatoren en het coördinatiepunt hebben een inbox. "
        "Verwijzers volgen hun verwijzingen via de API.",
        "Only social brokers, coordinators and the coordination point have an inbox. "
        "Referrers follow their referrals through the API.",
    ),
    "not_found_title": ("Deze verwijzing vinden we niet", "We cannot find this referral"),
    "not_found_text": (
        "Ze bestaat niet, of is niet (meer) van uw organisatie.",
        "It does not exist, or is not (or no longer) your organisation's.",
    ),
    "unavailable_title": ("Even niet bereikbaar", "Not available just now"),
    "unavailable_text": (
        "De opvolging is nu even niet bereikbaar. Probeer het over een paar minuten opnieuw.",
        "Follow-up cannot be reached just now. Please try again in a few minutes.",
    ),
    "to_inbox": ("Naar de inbox", "To the inbox"),
    # The inbox
    "inbox_title": ("Inbox", "Inbox"),
    "inbox_lead": (
        "De verwijzingen van uw organisatie: de meest urgente eerst, dan de eerstvolgende termijn.",
        "Your organisation's referrals: the most urgent first, then the next deadline.",
    ),
    "inbox_empty": ("Er staan geen open verwijzingen klaar.", "There are no open referrals."),
    "inbox_count": ("{} open verwijzing(en)", "{} open referral(s)"),
    "show_closed": ("Toon ook de afgesloten verwijzingen", "Also show the closed referrals"),
    "hide_closed": ("Alleen de open verwijzingen", "Open referrals only"),
    "closed_title": ("Afgesloten", "Closed"),
    "closed_empty": ("Geen afgesloten verwijzingen.", "No closed referrals."),
    "referral": ("Verwijzing", "Referral"),
    "received": ("Ontvangen", "Received"),
    "urgency": ("Urgentie", "Urgency"),
    "status": ("Stand", "Status"),
    "grade": ("Ernst", "Grade"),
    "provisional": ("voorlopig", "provisional"),
    "route": ("Soort organisatie", "Kind of organisation"),
    "district": ("Wijk", "District"),
    "deadline": ("Volgende termijn", "Next deadline"),
    "overdue": ("Te laat", "Overdue"),
    "no_deadline": ("geen", "none"),
    "attempts": ("Pogingen om contact te krijgen", "Attempts to make contact"),
    "concerns": ("Nieuwe zorgen gemeld", "New concerns reported"),
    "no_consent": ("Geen toestemming voor contact", "No consent to contact"),
    "escalated": ("Geëscaleerd", "Escalated"),
    "proposal_short": ("Voorstel", "Proposal"),
    # A referral
    "referral_title": ("Verwijzing {}", "Referral {}"),
    "back_to_inbox": ("Terug naar de inbox", "Back to the inbox"),
    "done_title": ("Gelukt", "Done"),
    "state_title": ("Stand van zaken", "Where it stands"),
    "owner": ("Bij", "With"),
    "reason": ("Reden", "Reason"),
    "escalations": ("Escalaties", "Escalations"),
    "facts_title": ("Wat er gemeld is", "What was reported"),
    "channel": ("Binnengekomen via", "Came in through"),
    "signaler": ("Gemeld door", "Reported by"),
    "referrer": ("Verwijzer", "Referrer"),
    "postcode_area": ("Postcodegebied", "Postcode area"),
    "age": ("Leeftijd", "Age"),
    "observations": ("Wat de melder opviel", "What the signaler noticed"),
    "djg_score": ("De Jong Gierveld-score (0–6)", "De Jong Gierveld score (0–6)"),
    "consent_to_contact": ("Toestemming voor contact", "Consent to contact"),
    "person": ("Persoon", "Person"),
    "person_pseudonym": (
        "kenmerk {} (geen naam: die staat versleuteld bij intake)",
        "reference {} (no name: it is kept encrypted by intake)",
    ),
    "contact_details_later": (
        "Naam en contactgegevens van de persoon ziet u hier nog niet: die komen via intake, in "
        "een volgende versie. Tot dan geeft de melder of verwijzer ze door.",
        "The person's name and contact details are not shown here yet: they will come through "
        "intake, in a later version. Until then the signaler or referrer passes them on.",
    ),
    "none_given": ("niet opgegeven", "not given"),
    "triage_title": (
        "Waarom deze verwijzing bij u is (triage)",
        "Why this referral is yours (triage)",
    ),
    "rules_note": (
        "De regels van de triage, zoals ze in het regelboek staan (Engelstalig).",
        "Triage's rules, as written in its rule book.",
    ),
    "conversation_title": ("Eerste gesprek", "First conversation"),
    "knew_of_signal": ("Wist van de melding", "Knew of the report"),
    "consents_to_support": ("Wil ondersteuning", "Wants support"),
    "wishes_kinds": ("Gewenste ondersteuning", "Support wanted"),
    "wishes_languages": ("Talen", "Languages"),
    "wishes_diet": ("Dieet", "Diet"),
    "wishes_mobility": ("Mobiliteit", "Mobility"),
    "wishes_interests": ("Interesses", "Interests"),
    "wishes_availability": ("Beschikbaar", "Available"),
    "proposal_title": ("Voorstel voor ondersteuning (matching)", "Proposed support (matching)"),
    "proposal_none": (
        "Nog geen voorstel. Matching stelt pas iets voor als het eerste gesprek met "
        "toestemming is vastgelegd.",
        "No proposal yet. Matching proposes only after a first conversation with consent has "
        "been recorded.",
    ),
    "offer": ("Aanbod", "Offer"),
    "provider": ("Door", "By"),
    "score": ("Score", "Score"),
    "proposal_reasons": ("Waarom dit aanbod", "Why this offer"),
    "waitlist": ("Wachtlijst", "Waiting list"),
    "declined_offers": ("Eerder afgeslagen aanbod", "Offers declined before"),
    "support_title": ("Ondersteuning en afloop", "Support and outcome"),
    "support_started": ("Ondersteuning gestart", "Support started"),
    "check_ins": ("Keren nagevraagd", "Check-ins"),
    "outcome": ("Afloop", "Outcome"),
    "follow_up_score": (
        "De Jong Gierveld-score bij afsluiten",
        "De Jong Gierveld score at closing",
    ),
    "actions_title": ("Wat u nu kunt doen", "What you can do now"),
    "actions_none": (
        "Er is nu niets voor u te doen aan deze verwijzing.",
        "There is nothing for you to do on this referral now.",
    ),
    "history_title": ("Geschiedenis", "History"),
    "history_hint": ("Het nieuwste bovenaan.", "Newest first."),
    "history_by": ("door {} ({})", "by {} ({})"),
    "history_after": ("daarna", "then"),
    "note": ("Notitie", "Note"),
    "yes": ("Ja", "Yes"),
    "no": ("Nee", "No"),
    "unknown": ("onbekend", "unknown"),
    # The action forms
    "note_label": ("Notitie (optioneel)", "Note (optional)"),
    "note_hint": (
        "Blijft bij de opvolging van uw organisatie; gaat niet naar de melder of de "
        "verwijzer. Hoogstens 2000 tekens.",
        "Stays with your organisation's follow-up; never goes to the signaler or referrer. At "
        "most 2000 characters.",
    ),
    "note_required_hint": (
        "Verplicht bij ‘anders’: schrijf kort wat er gebeurde. Hoogstens 2000 tekens.",
        "Required with ‘other’: say briefly what happened. At most 2000 characters.",
    ),
    "choose": ("Kies…", "Choose…"),
    "not_judged": ("Niet beoordeeld", "Not judged"),
    "not_asked": ("Niet gevraagd", "Not asked"),
    "not_measured": ("Niet gemeten", "Not measured"),
    "reject_reason": ("Waarom wijst u af?", "Why do you reject it?"),
    "transfer_to_organisation": ("Code van de organisatie", "Organisation's code"),
    "transfer_to_organisation_hint": (
        "Zoals in schakel, bijvoorbeeld buurtteam-overvecht: kleine letters, cijfers en streepjes.",
        "As schakel knows it, for example buurtteam-overvecht: lower-case letters, digits and "
        "hyphens.",
    ),
    "transfer_to_name": ("Naam van de organisatie", "Organisation's name"),
    "transfer_to_route": ("Soort organisatie", "Kind of organisation"),
    "transfer_reason": ("Waarom draagt u over?", "Why do you transfer it?"),
    "reached": ("Heeft u de persoon gesproken?", "Did you speak with the person?"),
    "reached_hint": (
        "Nee telt als een poging om contact te krijgen.",
        "No counts as an attempt to make contact.",
    ),
    "knew_of_signal_q": ("Wist de persoon van de melding?", "Did the person know of the report?"),
    "consents_q": (
        "Wil de persoon ondersteuning, en mag een vrijwilliger of organisatie contact opnemen?",
        "Does the person want support, and may a volunteer or organisation get in touch?",
    ),
    "consents_hint": (
        "Alleen met ja zoekt matching een aanbod.",
        "Only with yes does matching look for an offer.",
    ),
    "kinds_q": ("Welke ondersteuning wil de persoon?", "Which support does the person want?"),
    "languages_q": (
        "In welke taal praat de persoon het liefst?",
        "Which language does the person prefer?",
    ),
    "other_languages": ("Andere talen (codes)", "Other languages (codes)"),
    "other_languages_hint": (
        "ISO 639-codes, gescheiden door komma's, bijvoorbeeld: so, ti",
        "ISO 639 codes, separated by commas, for example: so, ti",
    ),
    "diet_q": ("Dieetwensen", "Diet needs"),
    "mobility_q": ("Hoe ver kan de persoon gaan?", "How far can the person go?"),
    "mobility_hint": (
        "Aan huis gebonden: matching stelt alleen ondersteuning voor die naar de persoon toe komt.",
        "Housebound: matching proposes only support that comes to the person.",
    ),
    "interests_q": ("Interesses", "Interests"),
    "interests_hint": (
        "Matching geeft voorrang aan een maatje of aanbod met dezelfde interesses.",
        "Matching prefers a buddy or offer that shares them.",
    ),
    "availability_q": ("Wanneer kan de persoon?", "When is the person available?"),
    "grade_q": ("Uw inschatting van de ernst", "Your judgement of the grade"),
    "djg_q": ("De Jong Gierveld-score (optioneel)", "De Jong Gierveld score (optional)"),
    "djg_hint": (
        "De 6-vragenlijst: 0 (niet eenzaam) tot 6 (zeer eenzaam).",
        "The 6-item scale: 0 (not lonely) to 6 (very lonely).",
    ),
    "decline_reason": ("Waarom wil de persoon dit aanbod niet?", "Why does the person decline it?"),
    "start_kind": ("Soort ondersteuning", "Kind of support"),
    "start_kind_hint": (
        "Alleen als de ondersteuning buiten het voorstel om is geregeld.",
        "Only when the support was arranged without the proposal.",
    ),
    "start_provider": ("Door welke organisatie (optioneel)", "By which organisation (optional)"),
    "hold_reason": ("Waarom in de wacht?", "Why on hold?"),
    "close_outcome": ("Hoe is het afgelopen?", "How did it end?"),
    "problems_title": ("Dat lukte niet", "That did not work"),
    "required": ("Dit is verplicht.", "This is required."),
    "choose_one": ("Kies een van de mogelijkheden.", "Choose one of the options."),
    "check_value": (
        "Dit klopt niet: controleer wat u invulde (geen onzichtbare tekens).",
        "This is not right: check what you filled in (no invisible characters).",
    ),
    "too_long": ("Te lang: hoogstens {} tekens.", "Too long: at most {} characters."),
    "bad_codes": (
        "Gebruik codes van 2 of 3 kleine letters, gescheiden door komma's.",
        "Use codes of 2 or 3 lower-case letters, separated by commas.",
    ),
    "bad_organisation_code": (
        "Gebruik kleine letters, cijfers en streepjes, zoals buurtteam-overvecht.",
        "Use lower-case letters, digits and hyphens, like buurtteam-overvecht.",
    ),
    "other_needs_note": (
        "Schrijf bij ‘anders’ in de notitie kort wat er gebeurde.",
        "With ‘other’, say briefly in the note what happened.",
    ),
    "refused_changed": (
        "Dit kan nu niet (meer): de verwijzing is intussen veranderd. Hieronder ziet u de "
        "stand van nu en wat nu wel kan.",
        "This is not possible (any more): the referral has changed meanwhile. Below are where "
        "it stands now and what you can do now.",
    ),
    "refused_no_consent": (
        "De persoon gaf geen toestemming voor contact. Sluit de verwijzing af, of leg bij een "
        "urgente verwijzing een huisbezoek van het buurtteam vast.",
        "The person did not consent to contact. Close the referral, or for an urgent referral "
        "record a home visit by the neighbourhood team.",
    ),
    "refused_visit_not_urgent": (
        "Een huisbezoek zonder toestemming kan alleen bij een urgente verwijzing.",
        "A home visit without consent is only for urgent referrals.",
    ),
    "refused_point_rejects": (
        "Het coördinatiepunt kan niet afwijzen: draag de verwijzing over.",
        "The coordination point cannot reject: transfer the referral instead.",
    ),
    "refused_own_owner": (
        "Dit is uw eigen organisatie: kies een andere.",
        "This is your own organisation: choose another.",
    ),
    "refused_kind_differs": (
        "De persoon nam een ander soort ondersteuning aan; laat dit veld leeg of kies die.",
        "The person accepted another kind of support; leave this empty or choose that one.",
    ),
    "refused_kind_needed": (
        "Er is geen aangenomen voorstel: kies welke ondersteuning geregeld is.",
        "There is no accepted proposal: choose which support was arranged.",
    ),
    "refused_other": (
        "De opvolging weigerde dit. Er is niets veranderd.",
        "Follow-up refused this. Nothing was changed.",
    ),
    "refused_says": ("De opvolging zegt:", "Follow-up says:"),
    "retry_failed": (
        "De opvolging gaf geen antwoord. Er is mogelijk niets vastgelegd: kijk hieronder in "
        "de geschiedenis en probeer het zo nodig opnieuw.",
        "Follow-up did not answer. Possibly nothing was recorded: check the history below and "
        "try again if needed.",
    ),
}

# The owner's actions, as follow-up names them in ``allowed_actions``.
ACTION_TITLES: Texts = {
    "accept": ("Aannemen", "Accept"),
    "reject": ("Afwijzen", "Reject"),
    "transfer": ("Overdragen aan een andere organisatie", "Transfer to another organisation"),
    "attempt_contact": ("Niet bereikt: poging vastleggen", "Not reached: log an attempt"),
    "record_first_conversation": ("Eerste gesprek vastleggen", "Record the first conversation"),
    "record_professional_visit": (
        "Huisbezoek buurtteam vastleggen (urgent, zonder toestemming)",
        "Record the neighbourhood team's home visit (urgent, without consent)",
    ),
    "confirm_support": ("Persoon neemt het voorstel aan", "The person accepts the proposal"),
    "decline_support": ("Persoon wil het voorstel niet", "The person declines the proposal"),
    "start_support": ("Ondersteuning is gestart", "Support has started"),
    "record_check_in": ("Navragen hoe het gaat", "Record a check-in"),
    "put_on_hold": ("In de wacht zetten", "Put on hold"),
    "resume": ("Weer oppakken", "Take up again"),
    "close": ("Afsluiten", "Close"),
}
ACTION_HINTS: Texts = {
    "accept": (
        "Uw organisatie is vanaf nu verantwoordelijk en neemt contact op met de persoon.",
        "Your organisation is responsible from now on and gets in touch with the person.",
    ),
    "reject": (
        "De triage zoekt dan een andere organisatie; tot die er is, ligt de verwijzing bij het "
        "coördinatiepunt.",
        "Triage then looks for another organisation; until then the coordination point is "
        "responsible.",
    ),
    "transfer": (
        "De andere organisatie wordt gevraagd de verwijzing aan te nemen.",
        "The other organisation is asked to accept the referral.",
    ),
    "attempt_contact": (
        "U probeerde de persoon te bereiken, maar dat lukte niet. Het aantal pogingen wordt "
        "bijgehouden.",
        "You tried to reach the person without success. Attempts are counted.",
    ),
    "record_first_conversation": (
        "Wat de persoon zelf wil. Alleen codes gaan naar matching; uw notitie blijft hier.",
        "What the person wants. Only codes go to matching; your note stays here.",
    ),
    "record_professional_visit": (
        "Het buurtteam ging langs zonder toestemming, omdat het urgent was. Daarna kunt u "
        "het eerste gesprek vastleggen.",
        "The neighbourhood team visited without consent because it was urgent. Then you can "
        "record the first conversation.",
    ),
    "confirm_support": ("De persoon zegt ja tegen het voorstel.", "The person says yes."),
    "decline_support": (
        "Matching stelt dan iets anders voor, nooit hetzelfde aanbod.",
        "Matching then proposes something else, never the same offer.",
    ),
    "start_support": (
        "De ondersteuning is begonnen. Over zes weken vraagt u na hoe het gaat.",
        "The support has begun. In six weeks you check in on how it goes.",
    ),
    "record_check_in": (
        "U vroeg na hoe het gaat met de ondersteuning.",
        "You asked how the support is going.",
    ),
    "put_on_hold": (
        "Bijvoorbeeld tijdens een opname. Termijnen lopen niet door.",
        "For example during a hospital stay. Deadlines stop running.",
    ),
    "resume": ("Verder waar het was voor de wacht.", "Carry on where it was before the hold."),
    "close": (
        "De verwijzer hoort de afloop; de melder alleen dat het is afgerond.",
        "The referrer hears the outcome; the signaler only that it was closed.",
    ),
}
DONE: Texts = {
    "accept": ("U heeft de verwijzing aangenomen.", "You accepted the referral."),
    "reject": ("U heeft de verwijzing afgewezen.", "You rejected the referral."),
    "transfer": ("U heeft de verwijzing overgedragen.", "You transferred the referral."),
    "attempt_contact": ("De poging is vastgelegd.", "The attempt was logged."),
    "record_first_conversation": (
        "Het eerste gesprek is vastgelegd.",
        "The first conversation was recorded.",
    ),
    "record_professional_visit": ("Het huisbezoek is vastgelegd.", "The home visit was recorded."),
    "confirm_support": ("Het voorstel is aangenomen.", "The proposal was accepted."),
    "decline_support": ("Het voorstel is afgeslagen.", "The proposal was declined."),
    "start_support": ("De start is vastgelegd.", "The start was recorded."),
    "record_check_in": ("Het navragen is vastgelegd.", "The check-in was recorded."),
    "put_on_hold": ("De verwijzing staat in de wacht.", "The referral is on hold."),
    "resume": ("De verwijzing is weer opgepakt.", "The referral was taken up again."),
    "close": ("De verwijzing is afgesloten.", "The referral was closed."),
    "duplicate_confirm": (
        "De melding hoort nu bij deze verwijzing; de melder volgt haar.",
        "The signal now belongs to this referral; its signaler follows it.",
    ),
    "duplicate_reject": (
        "De melding gaat als eigen verwijzing verder.",
        "The signal goes on as a referral of its own.",
    ),
    "duplicate_answered": (
        "Deze melding was al beantwoord.",
        "This signal had been answered already.",
    ),
}
# A signal that may be about this referral's person (one person, one open referral).
DUPLICATE_TEXT: Texts = {
    "duplicates_title": ("Misschien dezelfde persoon", "Perhaps the same person"),
    "duplicates_lead": (
        "Deze meldingen lijken over de persoon van deze verwijzing te gaan, maar niet zeker. "
        "Namen en gegevens staan niet hier: vergelijk ze waar u de persoonsgegevens ziet. Niets "
        "wordt samengevoegd zonder uw antwoord.",
        "These signals seem to be about this referral's person, but not surely. Names and "
        "details are not shown here: compare them where you see the person's details. Nothing "
        "is merged without your answer.",
    ),
    "duplicate_from": ("Melding van", "Signal from"),
    "duplicate_agreed": ("Komt overeen", "Agrees"),
    "duplicate_confirm": ("Zelfde persoon: voeg toe", "Same person: attach"),
    "duplicate_reject": ("Iemand anders: eigen verwijzing", "Someone else: own referral"),
}
MATCHED_ON: Texts = {
    "name": ("naam", "name"),
    "name_partial": (
        "achternaam (voornaam onbekend of alleen voorletter)",
        "surname (no full given name)",
    ),
    "no_name": ("naam wijkt af", "name differs"),
    "birth_date": ("geboortedatum", "date of birth"),
    "address": ("postcode en huisnummer", "postcode and house number"),
    "phone": ("telefoonnummer", "phone number"),
}

TASK_STATUS: dict[TaskStatus, tuple[str, str]] = {
    TaskStatus.REQUESTED: ("Nieuw: wacht op aannemen", "New: waiting to be accepted"),
    TaskStatus.ACCEPTED: ("Aangenomen", "Accepted"),
    TaskStatus.REJECTED: (
        "Afgewezen: wacht op een nieuwe organisatie",
        "Rejected: waiting for a new organisation",
    ),
    TaskStatus.IN_PROGRESS: ("Bezig", "In progress"),
    TaskStatus.ON_HOLD: ("In de wacht", "On hold"),
    TaskStatus.COMPLETED: ("Afgerond", "Completed"),
    TaskStatus.CANCELLED: ("Gestopt", "Cancelled"),
    TaskStatus.FAILED: ("Niet gelukt", "Failed"),
}
BUSINESS_STATUS: dict[BusinessStatus, tuple[str, str]] = {
    BusinessStatus.CONTACT_ATTEMPTED: ("nog niet bereikt", "not reached yet"),
    BusinessStatus.CONTACT_MADE: ("contact gelegd", "contact made"),
    BusinessStatus.NO_CONSENT: ("geen toestemming", "no consent"),
    BusinessStatus.PROFESSIONAL_VISIT: (
        "huisbezoek buurtteam geweest",
        "neighbourhood team visited",
    ),
    BusinessStatus.SUPPORT_PROPOSED: ("ondersteuning voorgesteld", "support proposed"),
    BusinessStatus.SUPPORT_ACCEPTED: ("voorstel aangenomen", "proposal accepted"),
    BusinessStatus.SUPPORT_DECLINED: ("voorstel afgeslagen", "proposal declined"),
    BusinessStatus.SUPPORT_STARTED: ("ondersteuning gestart", "support started"),
    BusinessStatus.CHECK_IN_DONE: ("nagevraagd", "checked in"),
}
URGENCY: dict[Urgency, tuple[str, str]] = {
    Urgency.DIRECT: ("Urgent: vandaag", "Urgent: today"),
    Urgency.SPOEDIG: ("Spoedig: binnen enkele dagen", "Soon: within days"),
    Urgency.ROUTINE: ("Gewoon", "Routine"),
}
GRADE: dict[Grade, tuple[str, str]] = {
    Grade.PREVENTIE: ("Preventie", "Prevention"),
    Grade.VERHOOGD_RISICO: ("Verhoogd risico", "Increased risk"),
    Grade.LICHT_TOT_MATIG: ("Licht tot matig eenzaam", "Mildly to moderately lonely"),
    Grade.ERNSTIG: ("Ernstig eenzaam", "Severely lonely"),
}
ROUTE: dict[Route, tuple[str, str]] = {
    Route.SOCIAAL_MAKELAAR: ("Sociaal makelaar", "Social broker"),
    Route.BEWEEGMAKELAAR: ("Beweegmakelaar", "Exercise broker"),
    Route.BUURTTEAM: ("Buurtteam", "Neighbourhood team"),
    Route.COORDINATIEPUNT: ("Coördinatiepunt", "Coordination point"),
}
CHANNEL: dict[Channel, tuple[str, str]] = {
    Channel.WEBFORMULIER: ("het meldformulier", "the report form"),
    Channel.SIGNALERINGS_API: ("het systeem van een partner", "a partner's system"),
    Channel.WELZIJN_OP_RECEPT: ("Welzijn op recept (huisarts)", "Wellbeing prescription (GP)"),
    Channel.ZELFMELDING: ("de persoon zelf", "the person themself"),
}
DEADLINE: dict[DeadlineKind, tuple[str, str]] = {
    DeadlineKind.ACCEPT: ("aannemen of doorgeven", "accept or pass on"),
    DeadlineKind.CONTACT: ("contact met de persoon", "contact with the person"),
    DeadlineKind.ASSIGN: ("een organisatie aanwijzen", "name an organisation"),
    DeadlineKind.ANSWER_PROPOSAL: ("antwoord op het voorstel", "answer to the proposal"),
    DeadlineKind.START_SUPPORT: ("start van de ondersteuning", "start of the support"),
    DeadlineKind.CHECK_IN: ("navragen hoe het gaat", "check in on how it goes"),
    DeadlineKind.RESUME: ("weer oppakken na de wacht", "take up again after the hold"),
}
ESCALATION: dict[EscalationLevel, tuple[str, str]] = {
    EscalationLevel.HERINNERING: ("herinnering", "reminder"),
    EscalationLevel.COORDINATOR: ("naar de coördinator", "to the coordinator"),
    EscalationLevel.COORDINATIEPUNT: ("naar het coördinatiepunt", "to the coordination point"),
}
REJECT_REASON: dict[RejectReason, tuple[str, str]] = {
    RejectReason.BUITEN_WERKGEBIED: (
        "Buiten ons werkgebied of onze doelgroep",
        "Outside our area or target group",
    ),
    RejectReason.GEEN_CAPACITEIT: ("Nu geen ruimte", "No capacity now"),
    RejectReason.ANDERE_ORGANISATIE_PAST_BETER: (
        "Een andere organisatie past beter",
        "Another organisation fits better",
    ),
    RejectReason.AL_IN_ZORG_ELDERS: ("Al in zorg bij een ander", "Already in care elsewhere"),
    RejectReason.ANDERS: ("Anders", "Other"),
}
TRANSFER_REASON: dict[TransferReason, tuple[str, str]] = {
    TransferReason.ANDERE_WIJK: (
        "Woont (nu) in een andere wijk",
        "Lives (now) in another district",
    ),
    TransferReason.ANDERE_ORGANISATIE_PAST_BETER: (
        "Een andere organisatie past beter",
        "Another organisation fits better",
    ),
    TransferReason.PROFESSIONELE_HULP_NODIG: (
        "Professionele hulp nodig",
        "Professional help needed",
    ),
    TransferReason.ANDERS: ("Anders", "Other"),
}
HOLD_REASON: dict[HoldReason, tuple[str, str]] = {
    HoldReason.PERSOON_VRAAGT_UITSTEL: ("De persoon vraagt om uitstel", "The person asks to wait"),
    HoldReason.OPNAME: ("Opname in ziekenhuis of zorginstelling", "Admitted to hospital or care"),
    HoldReason.AFWEZIG: ("Een tijd afwezig", "Away for a while"),
    HoldReason.WACHT_OP_ANDERE_ZORG: ("Wacht op andere zorg", "Waiting for other care"),
    HoldReason.ANDERS: ("Anders", "Other"),
}
DECLINE_REASON: dict[DeclineReason, tuple[str, str]] = {
    DeclineReason.PAST_NIET_BIJ_WENS: (
        "Past niet bij wat de persoon wil",
        "Does not fit what the person wants",
    ),
    DeclineReason.TE_VER_WEG: ("Te ver weg", "Too far away"),
    DeclineReason.TIJD_PAST_NIET: ("De tijd past niet", "The time does not suit"),
    DeclineReason.WIL_IETS_ANDERS: ("Wil iets anders", "Wants something else"),
    DeclineReason.ANDERS: ("Anders", "Other"),
}
CLOSE_OUTCOME: dict[CloseOutcome, tuple[str, str]] = {
    CloseOutcome.HULP_GEKREGEN: ("Heeft hulp gekregen", "Got help"),
    CloseOutcome.ELDERS_VERWEZEN: ("Elders naartoe verwezen", "Referred elsewhere"),
    CloseOutcome.AFGESLAGEN: ("De persoon wilde geen hulp", "Declined by the person"),
    CloseOutcome.NIET_BEREIKT: ("Niet te bereiken", "Could not be reached"),
    CloseOutcome.GEEN_CAPACITEIT: ("Geen ruimte om te helpen", "No capacity"),
    CloseOutcome.VERHUISD: ("Verhuisd", "Moved away"),
    CloseOutcome.OVERLEDEN: ("Overleden", "Died"),
    CloseOutcome.ANDERS: ("Anders (schrijf in de notitie wat)", "Other (say what in the note)"),
}
OFFER_KIND: dict[OfferKind, tuple[str, str]] = {
    OfferKind.MAATJE: ("Een maatje (vrijwilliger)", "A buddy (volunteer)"),
    OfferKind.THUISGEKOOKT: (
        "Thuisgekookt: een thuiskok in de buurt",
        "Thuisgekookt: a home cook nearby",
    ),
    OfferKind.ACTIVITEIT: ("Een activiteit of ontmoetingsplek", "An activity or meeting place"),
    OfferKind.CURSUS: ("Een cursus of training", "A course or training"),
    OfferKind.LOTGENOTENCONTACT: ("Contact met lotgenoten", "Peer contact"),
    OfferKind.GESPREK: (
        "Gesprekken, bijvoorbeeld over zingeving",
        "Conversations, e.g. about meaning in life",
    ),
    OfferKind.HERSTELWERKPLAATS: (
        "Herstelwerkplaats of herstelacademie",
        "Recovery workshop or college",
    ),
    OfferKind.ACHTERVANG: (
        "Achtervang: iemand die contact houdt",
        "A safety net that keeps in touch",
    ),
}
DIET: dict[DietNeed, tuple[str, str]] = {
    DietNeed.HALAL: ("Halal", "Halal"),
    DietNeed.KOSJER: ("Koosjer", "Kosher"),
    DietNeed.VEGETARISCH: ("Vegetarisch", "Vegetarian"),
    DietNeed.ZOUTARM: ("Zoutarm", "Low salt"),
    DietNeed.DIABETES: ("Diabetes", "Diabetes"),
    DietNeed.GLUTENVRIJ: ("Glutenvrij", "Gluten-free"),
    DietNeed.ZACHT: ("Zacht eten (makkelijk te kauwen)", "Soft food (easy to chew)"),
}
MOBILITY: dict[Mobility, tuple[str, str]] = {
    Mobility.ZELFSTANDIG: ("Gaat zelfstandig op pad", "Goes out on their own"),
    Mobility.BEPERKT: ("Korte afstanden, of met hulp", "Short distances, or with help"),
    Mobility.AAN_HUIS_GEBONDEN: ("Aan huis gebonden", "Housebound"),
}
DAYPART: dict[Daypart, tuple[str, str]] = {
    Daypart.WEEKDAG_OCHTEND: ("Doordeweeks 's ochtends", "Weekday mornings"),
    Daypart.WEEKDAG_MIDDAG: ("Doordeweeks 's middags", "Weekday afternoons"),
    Daypart.WEEKDAG_AVOND: ("Doordeweeks 's avonds", "Weekday evenings"),
    Daypart.WEEKEND_OCHTEND: ("In het weekend 's ochtends", "Weekend mornings"),
    Daypart.WEEKEND_MIDDAG: ("In het weekend 's middags", "Weekend afternoons"),
    Daypart.WEEKEND_AVOND: ("In het weekend 's avonds", "Weekend evenings"),
}
# Interests as the codes the helpers' registrations use: the contracts fix only a code's form
# (``INTEREST_CODE``), so the form offers the common ones.
INTERESTS: dict[str, tuple[str, str]] = {
    "wandelen": ("Wandelen", "Walking"),
    "fietsen": ("Fietsen", "Cycling"),
    "koffie": ("Koffie drinken en praten", "Coffee and a chat"),
    "koken": ("Koken", "Cooking"),
    "tuinieren": ("Tuinieren", "Gardening"),
    "muziek": ("Muziek", "Music"),
    "lezen": ("Lezen", "Reading"),
    "schaken": ("Schaken", "Chess"),
    "handwerken": ("Handwerken", "Needlework"),
    "voetbal": ("Voetbal", "Football"),
}
# The languages most asked for in Utrecht's neighbourhoods; others by code.
LANGUAGES: dict[str, tuple[str, str]] = {
    "nl": ("Nederlands", "Dutch"),
    "en": ("Engels", "English"),
    "tr": ("Turks", "Turkish"),
    "ar": ("Arabisch", "Arabic"),
    "ber": ("Tamazight (Berbers)", "Tamazight (Berber)"),
    "pl": ("Pools", "Polish"),
    "uk": ("Oekraïens", "Ukrainian"),
    "pap": ("Papiaments", "Papiamento"),
    "srn": ("Sranantongo", "Sranan Tongo"),
}
# The history: one line per event type (the name without version).
EVENT: dict[str, tuple[str, str]] = {
    "nl.schakel.referral.triaged": (
        "Naar uw organisatie gestuurd (triage)",
        "Routed to your organisation (triage)",
    ),
    "nl.schakel.referral.accepted": ("Aangenomen", "Accepted"),
    "nl.schakel.referral.rejected": ("Afgewezen", "Rejected"),
    "nl.schakel.referral.transferred": ("Overgedragen", "Transferred"),
    "nl.schakel.referral.contact-attempted": ("Niet bereikt", "Not reached"),
    "nl.schakel.referral.first-conversation-recorded": ("Eerste gesprek", "First conversation"),
    "nl.schakel.referral.professional-visit-recorded": (
        "Huisbezoek buurtteam",
        "Neighbourhood team's visit",
    ),
    "nl.schakel.referral.support-proposed": ("Ondersteuning voorgesteld", "Support proposed"),
    "nl.schakel.referral.support-confirmed": ("Voorstel aangenomen", "Proposal accepted"),
    "nl.schakel.referral.support-declined": ("Voorstel afgeslagen", "Proposal declined"),
    "nl.schakel.referral.support-started": ("Ondersteuning gestart", "Support started"),
    "nl.schakel.referral.check-in-recorded": ("Nagevraagd", "Checked in"),
    "nl.schakel.referral.put-on-hold": ("In de wacht gezet", "Put on hold"),
    "nl.schakel.referral.resumed": ("Weer opgepakt", "Taken up again"),
    "nl.schakel.referral.closed": ("Afgesloten", "Closed"),
    "nl.schakel.referral.deadline-passed": ("Termijn verstreken", "Deadline passed"),
    "nl.schakel.referral.concern-raised": ("Nieuwe zorg gemeld", "New concern reported"),
    "nl.schakel.referral.regraded": ("Ernst opnieuw bepaald", "Grade judged again"),
    "nl.schakel.referral.match-proposed": ("Ondersteuning voorgesteld", "Support proposed"),
    "nl.schakel.referral.waitlisted": ("Op de wachtlijst", "Waiting list"),
}
