"""The report forms: what was typed, the problems shown next to the fields, and sending the
report to intake. ``GET /`` is for someone worried about another person, ``GET /voor-mezelf``
the page of its own for someone who feels lonely; both send to ``POST /melden``."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from schakel.contracts.vocabulary import AgeBand, ContactWay, SignalerRole
from schakel.gateway.dependencies import Budgets, Services
from schakel.gateway.pages.base import context, render, upstream_headers
from schakel.gateway.pages.texts import (
    AGE_LABELS,
    CIRCUMSTANCES,
    CONTACT_WAY_LABELS,
    FORM_PROBLEMS,
    INVALID,
    NEEDS_SUICIDE_LINE,
    OBSERVATION_LABELS,
    REQUIRED,
    ROLE_LABELS,
    SELF_OBSERVATION_LABELS,
    SIGNS,
    TEXT,
    Lang,
    labelled,
    language,
    pick,
)
from schakel.gateway.proxy import UpstreamError
from schakel.gateway.ratelimit import retry_after
from schakel.platform.dependencies import CorrelationId
from schakel.platform.edge import valid_id
from schakel.platform.logging import get_logger

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)

# The form's field for the detail each way of contact needs (intake checks the same).
CONTACT_DETAIL_FIELD = {
    ContactWay.TELEFOON.value: "phone",
    ContactWay.EMAIL.value: "email",
    ContactWay.BRIEF.value: "street_address",
    ContactWay.VIA_HUISARTS.value: "gp_practice",
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
    "date_of_birth",
    "age_band",
    "contact_way",
    "street_address",
    "gp_practice",
    "observations",
    "consent",
    "note",
)


@dataclass(frozen=True)
class SignalForm:
    """What was typed into the form, kept as typed so it can be shown again."""

    signaler_role: str = ""
    signaler_organisation: str = ""
    name: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    date_of_birth: str = ""  # YYYY-MM-DD, what <input type="date"> sends; optional
    age_band: str = ""
    contact_way: str = ""  # on the page for oneself: telefoon, email, brief or via_huisarts
    street_address: str = ""
    gp_practice: str = ""
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
            date_of_birth=text("date_of_birth"),
            age_band=text("age_band"),
            contact_way=text("contact_way"),
            street_address=text("street_address"),
            gp_practice=text("gp_practice"),
            observations=tuple(v for v in form.getlist("observations") if isinstance(v, str)),
            consent=text("consent"),
            note=text("note"),
            idempotency_key=text("idempotency_key") or str(uuid.uuid4()),
        )

    @property
    def about_self(self) -> bool:
        return self.signaler_role == SignalerRole.ZELF

    def missing(self) -> list[str]:
        required = ("signaler_role", "name", "postcode", "consent")
        return [name for name in required if not getattr(self, name)]

    def problems(self, lang: Lang) -> dict[str, str]:
        """What the form itself refuses: a missing answer, or someone under 18."""
        found = {name: pick(REQUIRED[name], lang) for name in self.missing()}
        if self.age_band == AgeBand.ONDER_18:
            found["age_band"] = pick(FORM_PROBLEMS["under_18"], lang)
        if self.about_self and self.consent == "ja":
            found.update(self._reach_problems(lang))
        return found

    def _reach_problems(self, lang: Lang) -> dict[str, str]:
        """Someone who may be contacted says how, and gives what that way needs."""
        if self.contact_way not in CONTACT_DETAIL_FIELD:
            return {"contact_way": pick(FORM_PROBLEMS["self_reach"], lang)}
        detail = CONTACT_DETAIL_FIELD[self.contact_way]
        if not getattr(self, detail):
            return {detail: pick(FORM_PROBLEMS[f"self_reach_{self.contact_way}"], lang)}
        return {}

    def payload(self) -> dict[str, Any]:
        """The body of intake's ``POST /api/v1/signals``."""
        about_self = self.signaler_role == SignalerRole.ZELF
        reachable = about_self and self.consent == "ja"  # a way only for who may be reached
        return {
            "signaler_role": self.signaler_role,
            "signaler_organisation": None if about_self else self.signaler_organisation or None,
            "about_self": about_self,
            "person": {
                "name": self.name,
                "postcode": self.postcode,
                "phone": self.phone or None,
                "email": self.email or None,
                "street_address": self.street_address or None,
                "date_of_birth": self.date_of_birth or None,
            },
            "contact_way": (self.contact_way or None) if reachable else None,
            "gp_practice": (self.gp_practice or None) if reachable else None,
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
        if "control character" in reason:  # pasted text can carry them, unseen
            message = pick(TEXT["unprintable"], lang)
        if name in FORM_FIELDS:
            problems.by_field.setdefault(name, message)
        else:
            problems.general.append(message)
    if not problems.by_field and not problems.general:
        problems.general.append(pick(TEXT["send_failed"], lang))
    return problems


def _choices(values: SignalForm, lang: Lang) -> dict[str, list[tuple[str, str]]]:
    """The observations to tick, in groups: what a signaler sees and what they know of the
    person, or, on the page for oneself, one group in one's own words."""
    if values.about_self:
        return {"self_noticed_legend": labelled(SELF_OBSERVATION_LABELS, (), lang)}
    return {
        "signs_legend": labelled({o: OBSERVATION_LABELS[o] for o in SIGNS}, (), lang),
        "circumstances_legend": labelled(
            {o: OBSERVATION_LABELS[o] for o in CIRCUMSTANCES}, (), lang
        ),
    }


def render_form(
    request: Request,
    lang: Lang,
    values: SignalForm,
    problems: FormProblems | None = None,
    status_code: int = 200,
) -> Response:
    problems = problems or FormProblems()
    others = {r: label for r, label in ROLE_LABELS.items() if r is not SignalerRole.ZELF}
    page = context(
        request,
        lang,
        values=values,
        about_self=values.about_self,
        errors=problems.by_field,
        general_errors=problems.general,
        roles=labelled(others, (), lang),
        observation_groups=_choices(values, lang),
        suicide_line_after=NEEDS_SUICIDE_LINE.value,
        age_bands=labelled(AGE_LABELS, (), lang),
        contact_ways=labelled(CONTACT_WAY_LABELS, (), lang),
    )
    return render(request, "form.html", page, status_code, private=bool(values.name))


@router.get("/")
async def signal_form(request: Request) -> Response:
    return render_form(request, language(request.query_params.get("lang")), SignalForm())


@router.get("/voor-mezelf")
async def self_report_form(request: Request) -> Response:
    """A page of its own for someone who feels lonely, in their own words."""
    lang = language(request.query_params.get("lang"))
    return render_form(request, lang, SignalForm(signaler_role=SignalerRole.ZELF.value))


@router.post("/melden")
async def submit_signal(
    request: Request, upstreams: Services, limits: Budgets, correlation_id: CorrelationId
) -> Response:
    form = await request.form()
    lang = language(str(form.get("lang") or ""))
    values = SignalForm.parse(form)
    if not valid_id(values.idempotency_key):
        # Only a changed page sends another key: show the form again with a good one.
        log.info("form refused: malformed idempotency key", length=len(values.idempotency_key))
        values = replace(values, idempotency_key=str(uuid.uuid4()))
        damaged = FormProblems(general=[pick(TEXT["form_damaged"], lang)])
        return render_form(request, lang, values, damaged, 400)
    if found := values.problems(lang):
        return render_form(request, lang, values, FormProblems(found), 422)
    if wait := limits.signal(request):
        return _over_budget(request, lang, values, wait)
    try:
        answer = await upstreams.request(
            "intake",
            "POST",
            "/api/v1/signals",
            json=values.payload(),
            headers=upstream_headers(
                correlation_id, lang, {"Idempotency-Key": values.idempotency_key}
            ),
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


def _over_budget(request: Request, lang: Lang, values: SignalForm, wait: float) -> Response:
    """429: the form stays filled in, with when to send it again."""
    minutes = max(1, math.ceil(wait / 60))
    problems = FormProblems(general=[pick(TEXT["too_many_signals"], lang).format(minutes)])
    page = render_form(request, lang, values, problems, 429)
    page.headers["Retry-After"] = retry_after(wait)
    return page
