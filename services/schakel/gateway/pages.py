"""The public web pages: the signal form, the receipt page and an overview of the events.

Server-rendered (Jinja2) with plain CSS, no scripts and no external assets, so the form works
on any phone and behind strict networks. Dutch first; ``?lang=en`` switches to English.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import FormData

from schakel.contracts.asyncapi import asyncapi_document
from schakel.contracts.vocabulary import AgeBand, Observation, SignalerRole
from schakel.gateway.proxy import UpstreamError, Upstreams
from schakel.platform.http import CORRELATION_HEADER
from schakel.platform.logging import get_logger

log = get_logger(__name__)

Lang = Literal["nl", "en"]
Texts = dict[str, tuple[str, str]]  # key -> (Dutch, English)
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
RECEIPT = re.compile(r"^[0-9A-Za-z-]{4,40}$")
# The pages load nothing from elsewhere; say so to the browser too.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "Referrer-Policy": "no-referrer",  # a receipt code in the URL stays on this site
    "X-Content-Type-Options": "nosniff",
}
NO_STORE = {"Cache-Control": "no-store"}  # pages that show what someone typed or a receipt

templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined
    )
)
router = APIRouter(include_in_schema=False)

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
# Intake's field names (``person.postcode``) → the form's.
FORM_FIELD = {"consent_to_contact": "consent"}
FORM_FIELDS = (
    "signaler_role",
    "signaler_organisation",
    "name",
    "postcode",
    "phone",
    "email",
    "age_band",
    "observations",
    "consent",
    "note",
)


def language(value: str | None) -> Lang:
    return "en" if value == "en" else "nl"


def pick(texts: tuple[str, str], lang: Lang) -> str:
    return texts[1] if lang == "en" else texts[0]


@dataclass(frozen=True)
class SignalForm:
    """What was typed into the form, kept as typed so it can be shown again."""

    signaler_role: str = ""
    signaler_organisation: str = ""
    name: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    age_band: str = ""
    observations: tuple[str, ...] = ()
    consent: str = ""  # "ja", "nee" or not chosen
    note: str = ""
    # Sent as Idempotency-Key: a double click or a retry after a lost answer is one signal.
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def parse(cls, form: FormData) -> SignalForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else ""

        return cls(
            signaler_role=text("signaler_role"),
            signaler_organisation=text("signaler_organisation"),
            name=text("name"),
            postcode=text("postcode"),
            phone=text("phone"),
            email=text("email"),
            age_band=text("age_band"),
            observations=tuple(v for v in form.getlist("observations") if isinstance(v, str)),
            consent=text("consent"),
            note=text("note"),
            idempotency_key=text("idempotency_key") or str(uuid.uuid4()),
        )

    def missing(self) -> list[str]:
        required = ("signaler_role", "name", "postcode", "consent")
        return [name for name in required if not getattr(self, name)]

    def payload(self) -> dict[str, Any]:
        """The body of intake's ``POST /api/v1/signals``."""
        about_self = self.signaler_role == SignalerRole.ZELF
        return {
            "signaler_role": self.signaler_role,
            "signaler_organisation": None if about_self else self.signaler_organisation or None,
            "about_self": about_self,
            "person": {
                "name": self.name,
                "postcode": self.postcode,
                "phone": self.phone or None,
                "email": self.email or None,
            },
            "age_band": self.age_band or None,
            "observations": list(self.observations),
            "consent_to_contact": self.consent == "ja",
            "note": self.note or None,
        }


@dataclass
class FormProblems:
    by_field: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def intake_problems(answer: httpx.Response, lang: Lang) -> FormProblems:
    """Intake's 422 ``errors: [{field, reason}]`` placed next to the form's fields."""
    problems = FormProblems()
    try:
        errors = answer.json().get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    for error in errors:
        name = str(error.get("field", "")).removeprefix("person.").split(".")[0]
        name = FORM_FIELD.get(name, name)
        reason = str(error.get("reason", ""))
        message = pick(INVALID[name], lang) if name in INVALID else reason
        if name in FORM_FIELDS:
            problems.by_field.setdefault(name, message)
        else:
            problems.general.append(message)
    if not problems.by_field and not problems.general:
        problems.general.append(pick(TEXT["send_failed"], lang))
    return problems


def _context(request: Request, lang: Lang, **values: Any) -> dict[str, Any]:
    other: Lang = "nl" if lang == "en" else "en"
    return {
        "lang": lang,
        "other_lang": other,
        "t": {key: pick(texts, lang) for key, texts in TEXT.items()},
        "lang_query": "?lang=en" if lang == "en" else "",
        "switch_url": f"{request.url.path if request.method == 'GET' else '/'}?lang={other}",
        **values,
    }


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    private: bool = False,
) -> Response:
    headers = {**PAGE_HEADERS, **(NO_STORE if private else {})}
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=headers
    )


def _labelled(
    labels: dict[Any, tuple[str, str]], members: Any, lang: Lang
) -> list[tuple[str, str]]:
    """(value, label) in the order of ``labels``, then any member still without a label."""
    ordered = [*labels, *(m for m in members if m not in labels)]
    return [(m.value, pick(labels[m], lang) if m in labels else m.value) for m in ordered]


def render_form(
    request: Request,
    lang: Lang,
    values: SignalForm,
    problems: FormProblems | None = None,
    status_code: int = 200,
) -> Response:
    problems = problems or FormProblems()
    context = _context(
        request,
        lang,
        values=values,
        errors=problems.by_field,
        general_errors=problems.general,
        roles=_labelled(ROLE_LABELS, SignalerRole, lang),
        observations=_labelled(OBSERVATION_LABELS, Observation, lang),
        age_bands=_labelled(AGE_LABELS, AgeBand, lang),
    )
    return _render(request, "form.html", context, status_code, private=bool(values.name))


@router.get("/")
async def signal_form(request: Request) -> Response:
    return render_form(request, language(request.query_params.get("lang")), SignalForm())


@router.post("/melden")
async def submit_signal(request: Request) -> Response:
    form = await request.form()
    lang = language(str(form.get("lang") or ""))
    values = SignalForm.parse(form)
    if missing := values.missing():
        problems = FormProblems({name: pick(REQUIRED[name], lang) for name in missing})
        return render_form(request, lang, values, problems, 422)
    upstreams: Upstreams = request.app.state.upstreams
    try:
        answer = await upstreams.request(
            "intake",
            "POST",
            "/api/v1/signals",
            json=values.payload(),
            headers=_headers(request, lang, {"Idempotency-Key": values.idempotency_key}),
        )
    except UpstreamError:
        return render_form(request, lang, values, _failed(lang), 503)
    if answer.status_code in (200, 202):  # 200: the same signal sent before (idempotent)
        receipt = str(answer.json()["receipt"])
        suffix = "?lang=en" if lang == "en" else ""
        return RedirectResponse(f"/ontvangen/{quote(receipt)}{suffix}", status_code=303)
    if answer.status_code == 422:
        return render_form(request, lang, values, intake_problems(answer, lang), 422)
    log.warning("intake refused a form signal", status=answer.status_code, body=answer.text[:500])
    if answer.status_code == 409:  # the key was used for other data: the next try gets a new one
        values = replace(values, idempotency_key=str(uuid.uuid4()))
    # The form stays filled in, with the same key, so sending again cannot make a second signal.
    status = 503 if answer.status_code == 503 else 502  # 503: intake asked for a retry
    return render_form(request, lang, values, _failed(lang), status)


def _failed(lang: Lang) -> FormProblems:
    return FormProblems(general=[pick(TEXT["send_failed"], lang)])


def _headers(request: Request, lang: Lang, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        CORRELATION_HEADER: request.state.correlation_id,
        "Accept-Language": lang,
        **(extra or {}),
    }


@router.get("/ontvangen/{receipt}")
async def receipt_page(request: Request, receipt: str) -> Response:
    lang = language(request.query_params.get("lang"))
    if not RECEIPT.match(receipt):
        context = _context(
            request,
            lang,
            title=pick(TEXT["unknown_code_title"], lang),
            text=pick(TEXT["unknown_code_text"], lang),
        )
        return _render(request, "message.html", context, 404)
    status, unavailable = await _signal_status(request, receipt, lang)
    context = _context(
        request,
        lang,
        receipt=receipt,
        status=status,
        unavailable=unavailable,
        status_page=f"{str(request.base_url).rstrip('/')}/ontvangen/{receipt}",
    )
    return _render(request, "receipt.html", context, private=True)


async def _signal_status(
    request: Request, receipt: str, lang: Lang
) -> tuple[dict[str, str] | None, bool]:
    """(what to show, whether feedback could not be asked); None while feedback does not
    know the receipt yet: the signal is still on its way through the services."""
    upstreams: Upstreams = request.app.state.upstreams
    try:
        answer = await upstreams.request(
            "feedback",
            "GET",
            f"/api/v1/signals/{quote(receipt)}/status",
            headers=_headers(request, lang),
        )
    except UpstreamError:
        return None, True
    if answer.status_code == 404:
        return None, False
    if answer.status_code != 200:
        log.warning("feedback status failed", status=answer.status_code, receipt=receipt)
        return None, True
    return _shown_status(answer.json(), lang), False


def _shown_status(body: dict[str, Any], lang: Lang) -> dict[str, str]:
    text = body.get("status_text") or {}
    return {
        "text": str(text.get(lang) or text.get("nl") or body.get("status", "")),
        "owner": str(body.get("owner_organisation") or ""),
        "updated": _local_time(body.get("updated_at")),
    }


def _local_time(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    with contextlib.suppress(ZoneInfoNotFoundError):  # no tz database: show it as sent
        moment = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return moment.strftime("%d-%m-%Y %H:%M")


@router.get("/asyncapi")
async def asyncapi_page(request: Request) -> Response:
    lang = language(request.query_params.get("lang"))
    channels, messages = event_overview()
    context = _context(request, lang, channels=channels, messages=messages)
    return _render(request, "asyncapi.html", context)


@cache
def cached_asyncapi() -> dict[str, Any]:
    """The document is generated from code and never changes while the process runs."""
    return asyncapi_document()


def event_overview() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    document = cached_asyncapi()
    schemas = document["components"]["schemas"]
    channels = [
        {
            "address": c["address"],
            "description": c.get("description", ""),
            "messages": [ref["$ref"].rsplit("/", 1)[-1] for ref in c.get("messages", {}).values()],
        }
        for c in document["channels"].values()
    ]
    messages = [
        {
            "id": key,
            "name": m["name"],
            "summary": m.get("summary", ""),
            "fields": _fields(schemas, m["payload"]["$ref"].rsplit("/", 1)[-1]),
        }
        for key, m in document["components"]["messages"].items()
    ]
    return channels, messages


def _fields(schemas: dict[str, Any], model: str) -> list[dict[str, Any]]:
    schema = schemas.get(model, {})
    required = set(schema.get("required", []))
    return [
        {"name": name, "type": _type_of(prop), "required": name in required}
        for name, prop in schema.get("properties", {}).items()
    ]


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_type_of(schema.get('items', {}))}]"
    return str(schema.get("format") or schema.get("type") or "any")
