"""Signing in and out of the owners' pages (``/inloggen``, ``/uitloggen``).

The account is checked as ``POST /api/v1/auth/token`` checks it, under the same sign-in
budgets; the token it gives goes into the session cookie (``gateway.session``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from schakel.gateway.dependencies import Accounts, Budgets, Sessions
from schakel.gateway.login import Credentials, SignInRefusal, check_password, issue
from schakel.gateway.pages.inbox_texts import INBOX_TEXT
from schakel.gateway.pages.owner import (
    SIGN_IN,
    csrf_refused,
    owner_context,
    render_owner,
    safe_next,
)
from schakel.gateway.pages.texts import Lang, language, pick
from schakel.gateway.ratelimit import retry_after
from schakel.gateway.session import SessionCookies
from schakel.platform.dependencies import Settings
from schakel.platform.logging import get_logger

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)
MAX_USERNAME, MAX_PASSWORD = 100, 200  # as Credentials allows


def _sign_in_page(
    request: Request,
    lang: Lang,
    sessions: SessionCookies,
    *,
    username: str = "",
    next_page: str = "",
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    values = owner_context(
        request,
        lang,
        sessions,
        None,
        username=username,
        next_page=next_page,
        notice=notice,
        errors=errors or {},
        general_errors=general or [],
    )
    return render_owner(request, sessions, "signin.html", values, status_code)


@router.get(SIGN_IN)
async def sign_in_form(request: Request, sessions: Sessions) -> Response:
    lang = language(request.query_params.get("lang"))
    next_page = request.query_params.get("volgende", "")
    if sessions.current(request) is not None:
        return RedirectResponse(safe_next(next_page, lang), status_code=303)
    notice = None
    if request.query_params.get("uit"):
        notice = pick(INBOX_TEXT["signed_out"], lang)
    elif next_page:
        notice = pick(INBOX_TEXT["signin_needed"], lang)
    return _sign_in_page(request, lang, sessions, next_page=next_page, notice=notice)


@router.post(SIGN_IN)
async def sign_in(
    request: Request,
    sessions: Sessions,
    store: Accounts,
    limits: Budgets,
    settings: Settings,
) -> Response:
    form = await request.form()
    lang = language(str(form.get("lang") or ""))
    username = str(form.get("username") or "").strip()[:MAX_USERNAME]
    password = str(form.get("password") or "")
    next_page = str(form.get("volgende") or "")
    if not sessions.csrf_valid(request, form):
        return csrf_refused(request, lang, sessions, None)

    def again(
        status_code: int, errors: dict[str, str] | None = None, general: str | None = None
    ) -> Response:
        """The form again, the username kept (never the password)."""
        return _sign_in_page(
            request,
            lang,
            sessions,
            username=username,
            next_page=next_page,
            errors=errors,
            general=[general] if general else None,
            status_code=status_code,
        )

    if wait := limits.sign_in(request):
        return _throttled(again(429, general=_wait_text(wait, lang)), wait)
    missing = {
        name: pick(INBOX_TEXT[f"{name}_missing"], lang)
        for name, value in (("username", username), ("password", password))
        if not value
    }
    if missing:
        return again(422, errors=missing)
    credentials = Credentials(username=username, password=password[:MAX_PASSWORD])
    checked = await check_password(store, limits, credentials)
    if isinstance(checked, SignInRefusal):
        return _refused(checked, lang, again)
    response = RedirectResponse(safe_next(next_page, lang), status_code=303)
    sessions.start(response, request, issue(checked, settings))
    log.info("signed in on the web", username=checked.username, org=checked.organisation)
    return response


def _wait_text(wait: float, lang: Lang) -> str:
    return pick(INBOX_TEXT["signin_throttled"], lang).format(max(1, math.ceil(wait / 60)))


def _throttled(page: Response, wait: float) -> Response:
    page.headers["Retry-After"] = retry_after(wait)
    return page


def _refused(refusal: SignInRefusal, lang: Lang, again: Callable[..., Response]) -> Response:
    if refusal.status_code == 429:
        return _throttled(again(429, general=_wait_text(refusal.wait, lang)), refusal.wait)
    if refusal.status_code == 503:
        return again(503, general=pick(INBOX_TEXT["signin_off"], lang))
    return again(401, general=pick(INBOX_TEXT["signin_wrong"], lang))


@router.post("/uitloggen")
async def sign_out(request: Request, sessions: Sessions) -> Response:
    form = await request.form()
    lang = language(str(form.get("lang") or ""))
    if not sessions.csrf_valid(request, form):
        return csrf_refused(request, lang, sessions, sessions.current(request))
    query = "?uit=1&lang=en" if lang == "en" else "?uit=1"
    response = RedirectResponse(f"{SIGN_IN}{query}", status_code=303)
    sessions.end(response, request)
    return response
