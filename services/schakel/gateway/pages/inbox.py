"""The owners' inbox (``GET /inbox``), a referral (``GET /inbox/{id}``) and its actions
(``POST /inbox/{id}/{action}``), on follow-up's API with the session's token.

Follow-up decides what each organisation sees and what is possible: the pages show its
order, its ``allowed_actions`` and its refusals. A successful action redirects back to the
referral with a confirmation (POST-redirect-GET), so reloading never sends it twice; a form
also carries an ``Idempotency-Key``, so a double click counts once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from schakel.gateway.dependencies import Services, Sessions
from schakel.gateway.pages.actions import (
    ACTION_FORMS,
    ActionForm,
    FormField,
    Problems,
    Submitted,
    blank,
    plain,
    refusal,
)
from schakel.gateway.pages.inbox_texts import ACTION_HINTS, ACTION_TITLES, DONE, INBOX_TEXT
from schakel.gateway.pages.inbox_view import inbox_line, referral_page, suspected_duplicates
from schakel.gateway.pages.owner import (
    ask_service,
    csrf_refused,
    failed,
    message,
    owner_context,
    render_owner,
    to_sign_in,
)
from schakel.gateway.pages.texts import Lang, language, pick
from schakel.gateway.proxy import Upstreams
from schakel.gateway.session import Session, SessionCookies
from schakel.platform.dependencies import CorrelationId
from schakel.platform.logging import get_logger

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)
REFERRAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


@router.get("/inbox")
async def inbox(
    request: Request, upstreams: Services, sessions: Sessions, correlation_id: CorrelationId
) -> Response:
    lang = language(request.query_params.get("lang"))
    session = sessions.current(request)
    if session is None:
        return to_sign_in(request, lang, sessions)
    with_closed = request.query_params.get("gesloten") == "ja"
    path = "/api/v1/inbox" + ("?closed=true" if with_closed else "")
    answer = await ask_service(upstreams, "followup", "GET", path, session, lang, correlation_id)
    if answer is None or answer.status_code != 200:
        return failed(request, lang, sessions, session, answer)
    body = answer.json()
    waiting = [d.get("referral_id") for d in body.get("suspected_duplicates", [])]
    lines = [
        {**inbox_line(item, lang), "suspected_duplicates": waiting.count(item.get("referral_id"))}
        for item in body.get("referrals", [])
    ]
    values = owner_context(
        request,
        lang,
        sessions,
        session,
        open_referrals=[line for line in lines if not line["closed"]],
        closed_referrals=[line for line in lines if line["closed"]],
        with_closed=with_closed,
    )
    return render_owner(request, sessions, "inbox.html", values)


@router.get("/inbox/{referral_id}")
async def referral(
    request: Request,
    referral_id: str,
    upstreams: Services,
    sessions: Sessions,
    correlation_id: CorrelationId,
) -> Response:
    lang = language(request.query_params.get("lang"))
    session = sessions.current(request)
    if session is None:
        return to_sign_in(request, lang, sessions)
    done = request.query_params.get("gedaan", "")
    shown = Shown(done=pick(DONE[done], lang) if done in DONE else None)
    visit = Visit(request, lang, session, sessions, upstreams, correlation_id)
    return await _referral_page(visit, referral_id, shown)


@router.post("/inbox/{referral_id}/{action}")
async def act(
    request: Request,
    referral_id: str,
    action: str,
    upstreams: Services,
    sessions: Sessions,
    correlation_id: CorrelationId,
) -> Response:
    posted = await _posted(request, sessions)
    if isinstance(posted, Response):
        return posted
    data, lang, session = posted.data, posted.lang, posted.session
    form = ACTION_FORMS.get(action)
    if form is None or not REFERRAL_ID.match(referral_id):
        return message(request, lang, sessions, session, "not_found", 404)
    visit = Visit(request, lang, session, sessions, upstreams, correlation_id)
    sent = Submitted.parse(form, data)
    if found := sent.problems():
        problems = Problems(by_field=plain(found, lang, _max_lengths(form)))
        return await _referral_page(visit, referral_id, Shown(None, sent, problems, 422))
    answer = await ask_service(
        upstreams,
        "followup",
        "POST",
        f"/api/v1/referrals/{quote(referral_id, safe='')}/{form.path}",
        session,
        lang,
        correlation_id,
        json=sent.body(),
        idempotency_key=sent.idempotency_key,
    )
    if answer is not None and answer.status_code == 200:
        log.info("owner action done", action=action, referral_id=referral_id)
        suffix = "&lang=en" if lang == "en" else ""
        target = f"/inbox/{quote(referral_id, safe='')}?gedaan={action}{suffix}"
        return RedirectResponse(target, status_code=303)
    if answer is not None and answer.status_code in (409, 422):
        log.info("owner action refused", action=action, status=answer.status_code)
        shown = Shown(None, sent, refusal(answer, form, lang), answer.status_code)
        return await _referral_page(visit, referral_id, shown)
    if answer is None or answer.status_code >= 500:
        # Perhaps recorded, perhaps not: the page shows the history to check, and the form
        # keeps its key, so sending it again cannot count twice.
        problems = Problems(general=[pick(INBOX_TEXT["retry_failed"], lang)])
        return await _referral_page(visit, referral_id, Shown(None, sent, problems, 503))
    return failed(request, lang, sessions, session, answer)


DUPLICATE_ANSWERS = ("confirm", "reject")


@router.post("/inbox/{referral_id}/duplicates/{signal_id}/{answer}")
async def answer_duplicate(
    request: Request,
    referral_id: str,
    signal_id: str,
    answer: str,
    upstreams: Services,
    sessions: Sessions,
    correlation_id: CorrelationId,
) -> Response:
    """The owner says whether a suspected duplicate is about this referral's person."""
    posted = await _posted(request, sessions)
    if isinstance(posted, Response):
        return posted
    lang, session = posted.lang, posted.session
    ids_fit = REFERRAL_ID.match(referral_id) and REFERRAL_ID.match(signal_id)
    if answer not in DUPLICATE_ANSWERS or not ids_fit:
        return message(request, lang, sessions, session, "not_found", 404)
    referral = quote(referral_id, safe="")
    path = f"/api/v1/referrals/{referral}/duplicates/{quote(signal_id, safe='')}/{answer}"
    reply = await ask_service(upstreams, "followup", "POST", path, session, lang, correlation_id)
    if reply is None or reply.status_code not in (200, 409):
        return failed(request, lang, sessions, session, reply)
    log.info("duplicate answered", answer=answer, status=reply.status_code)
    done = f"duplicate_{answer}" if reply.status_code == 200 else "duplicate_answered"
    suffix = "&lang=en" if lang == "en" else ""
    return RedirectResponse(f"/inbox/{referral}?gedaan={done}{suffix}", status_code=303)


@dataclass(frozen=True)
class Posted:
    """A form sent with a valid CSRF token by someone signed in."""

    data: FormData
    lang: Lang
    session: Session


async def _posted(request: Request, sessions: SessionCookies) -> Posted | Response:
    """The form, its language and the session; the refusal when the CSRF token does not fit
    or nobody is signed in."""
    data = await request.form()
    lang = language(str(data.get("lang") or ""))
    session = sessions.current(request)
    if not sessions.csrf_valid(request, data):
        return csrf_refused(request, lang, sessions, session)
    if session is None:
        return to_sign_in(request, lang, sessions)
    return Posted(data, lang, session)


@dataclass
class Shown:
    """What the referral page shows beyond the referral: a confirmation, or a failed form."""

    done: str | None = None
    failed: Submitted | None = None
    problems: Problems = field(default_factory=Problems)
    status_code: int = 200


@dataclass(frozen=True)
class Visit:
    """Who asks for a page, and how to reach follow-up for it."""

    request: Request
    lang: Lang
    session: Session
    sessions: SessionCookies
    upstreams: Upstreams
    correlation_id: str


async def _referral_page(visit: Visit, referral_id: str, shown: Shown) -> Response:
    request, lang, session, sessions = visit.request, visit.lang, visit.session, visit.sessions
    if not REFERRAL_ID.match(referral_id):
        return message(request, lang, sessions, session, "not_found", 404)
    path = f"/api/v1/inbox/{quote(referral_id, safe='')}"
    answer = await ask_service(
        visit.upstreams, "followup", "GET", path, session, lang, visit.correlation_id
    )
    if answer is None or answer.status_code != 200:
        return failed(request, lang, sessions, session, answer)
    item = answer.json()
    allowed = [a for a in item.get("allowed_actions", []) if a in ACTION_FORMS]
    forms = [_action_view(ACTION_FORMS[a], referral_id, lang, shown) for a in allowed]
    # A refused action that is no longer possible has no form to show its reason in.
    top = (
        []
        if shown.failed is None or shown.failed.form.action in allowed
        else (shown.problems.general + list(shown.problems.by_field.values()))
    )
    values = owner_context(
        request,
        lang,
        sessions,
        session,
        referral=referral_page(item, lang),
        done=shown.done,
        top_problems=top,
        top_detail=shown.problems.detail if top else None,
        actions=forms,
        duplicates=suspected_duplicates(item, lang),
    )
    return render_owner(request, sessions, "referral.html", values, shown.status_code)


def _max_lengths(form: ActionForm) -> dict[str, int]:
    return {f.name: f.max_length for f in form.fields if f.max_length}


def _action_view(form: ActionForm, referral_id: str, lang: Lang, shown: Shown) -> dict[str, Any]:
    """One action's form as the template draws it."""
    failed_here = shown.failed is not None and shown.failed.form.action == form.action
    filled = shown.failed if failed_here and shown.failed is not None else blank(form)
    problems = shown.problems if failed_here else Problems()
    return {
        "action": form.action,
        "title": pick(ACTION_TITLES[form.action], lang),
        "hint": pick(ACTION_HINTS[form.action], lang),
        "url": f"/inbox/{quote(referral_id, safe='')}/{form.action}",
        "idempotency_key": filled.idempotency_key,
        "open": failed_here,
        "general": problems.general,
        "detail": problems.detail,
        "errors": problems.by_field,
        "fields": [
            _field_view(form.action, f, filled.values.get(f.name), lang) for f in form.fields
        ],
    }


def _field_view(action: str, each: FormField, value: Any, lang: Lang) -> dict[str, Any]:
    texts = INBOX_TEXT
    return {
        "name": each.name,
        "id": f"{action}-{each.name}".replace("_", "-"),
        "kind": each.kind,
        "label": pick(texts[each.label], lang),
        "hint": pick(texts[each.hint], lang) if each.hint else None,
        "required": each.required,
        "max_length": each.max_length,
        "empty": pick(texts[each.empty_choice], lang),
        "choices": [(v, pick(label, lang)) for v, label in each.choices.items()],
        "value": value if value is not None else "",
    }
