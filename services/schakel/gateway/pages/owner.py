"""What the owners' pages (sign-in, inbox, referral) share: the signed-in context with its
CSRF token, rendering without caching, the message pages, the way back to signing in, and
calls to follow-up with the session's token."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from schakel.gateway.pages.audit_texts import AUDIT_TEXT
from schakel.gateway.pages.base import context, render, upstream_headers
from schakel.gateway.pages.inbox_texts import DUPLICATE_TEXT, INBOX_TEXT
from schakel.gateway.pages.texts import Lang, pick
from schakel.gateway.proxy import UpstreamError, Upstreams
from schakel.gateway.session import CSRF_FIELD, Session, SessionCookies
from schakel.platform.logging import get_logger

log = get_logger(__name__)
# The signed-in pages' words: the owners' and the auditor's.
SIGNED_IN_TEXT = {**INBOX_TEXT, **DUPLICATE_TEXT, **AUDIT_TEXT}
SIGN_IN = "/inloggen"
# Where a sign-in may send the browser on: the inbox's own pages and the auditor's, nothing else.
NEXT = re.compile(r"^/(?:inbox(?:/[A-Za-z0-9._:~-]+)?|audit)(?:\?[A-Za-z0-9=&._~%-]*)?$")


def owner_context(
    request: Request,
    lang: Lang,
    sessions: SessionCookies,
    session: Session | None,
    **values: Any,
) -> dict[str, Any]:
    """The page's values, the owner pages' words, who is signed in and the CSRF token."""
    account = None
    if session is not None:
        principal = session.principal
        account = pick(INBOX_TEXT["signed_in_as"], lang).format(
            principal.username, principal.organisation
        )
    shown = context(
        request,
        lang,
        SIGNED_IN_TEXT,
        account=account,
        csrf_field=CSRF_FIELD,
        csrf_token=sessions.csrf_token(request),
        **values,
    )
    if request.method == "POST":  # a refused form: the other language of the page it came from
        path = request.url.path
        page = path.rsplit("/", 1)[0] if path.startswith("/inbox/") else SIGN_IN
        shown["switch_url"] = f"{page}?lang={shown['other_lang']}"
    return shown


def render_owner(
    request: Request,
    sessions: SessionCookies,
    template: str,
    values: dict[str, Any],
    status_code: int = 200,
) -> Response:
    """Never cached (referrals, tokens); sets the CSRF cookie the page's forms need."""
    response = render(request, template, values, status_code, private=True)
    sessions.keep_csrf_seed(response, request)
    return response


def message(
    request: Request,
    lang: Lang,
    sessions: SessionCookies,
    session: Session | None,
    what: str,
    status_code: int,
) -> Response:
    """A page that only says something: ``what`` names its ``<what>_title`` and ``_text``."""
    values = owner_context(
        request,
        lang,
        sessions,
        session,
        title=pick(SIGNED_IN_TEXT[f"{what}_title"], lang),
        text=pick(SIGNED_IN_TEXT[f"{what}_text"], lang),
    )
    return render_owner(request, sessions, "owner_message.html", values, status_code)


def csrf_refused(
    request: Request, lang: Lang, sessions: SessionCookies, session: Session | None
) -> Response:
    log.info("form refused: CSRF token missing or wrong", path=request.url.path)
    return message(request, lang, sessions, session, "csrf", 403)


def to_sign_in(request: Request, lang: Lang, sessions: SessionCookies) -> Response:
    """Back to the sign-in page, then here again; an expired session cookie is dropped."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = {"volgende": here} if request.method == "GET" else {}
    if lang == "en":
        query["lang"] = "en"
    response = RedirectResponse(f"{SIGN_IN}?{urlencode(query)}".rstrip("?"), status_code=303)
    sessions.end(response, request)
    return response


def safe_next(value: Any, lang: Lang) -> str:
    """Where to go after signing in: the page asked for, if it is one of the inbox's."""
    if isinstance(value, str) and NEXT.match(value):
        return value
    return "/inbox?lang=en" if lang == "en" else "/inbox"


async def ask_service(
    upstreams: Upstreams,
    service: str,
    method: str,
    path: str,
    session: Session,
    lang: Lang,
    correlation_id: str,
    *,
    json: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> httpx.Response | None:
    """A service's answer with the session's token, or None when it cannot be reached."""
    extra = {"Authorization": f"Bearer {session.token}"}
    if idempotency_key:
        extra["Idempotency-Key"] = idempotency_key
    try:
        return await upstreams.request(
            service,
            method,
            path,
            headers=upstream_headers(correlation_id, lang, extra),
            json=json,
        )
    except UpstreamError:
        return None


def failed(
    request: Request,
    lang: Lang,
    sessions: SessionCookies,
    session: Session,
    answer: httpx.Response | None,
) -> Response:
    """The page for an answer that is not the referral: sign in again (401), no inbox for
    this account (403), not found (404), or follow-up unavailable."""
    status = answer.status_code if answer is not None else 503
    if status == 401:
        return to_sign_in(request, lang, sessions)
    if status == 403:
        return message(request, lang, sessions, session, "forbidden", 403)
    if status == 404:
        return message(request, lang, sessions, session, "not_found", 404)
    if answer is not None:
        log.warning("followup answered a page", status=status, body=answer.text[:300])
    return message(request, lang, sessions, session, "unavailable", 503)
