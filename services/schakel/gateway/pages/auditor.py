"""The auditor's page (``GET /audit``): find a referral by id, correlation id or receipt code,
see its whole timeline and the check of the archive's hash chain. For the auditor role only;
the audit service decides again what the token may read (its answers are shown as they are).
Only GETs: nothing here changes anything, so no form needs a CSRF token."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response

from schakel.gateway.dependencies import Services, Sessions
from schakel.gateway.pages.audit_texts import AUDIT_TEXT
from schakel.gateway.pages.audit_view import chain_line, read_row, row
from schakel.gateway.pages.owner import (
    ask_service,
    message,
    owner_context,
    render_owner,
    to_sign_in,
)
from schakel.gateway.pages.texts import Lang, language, pick
from schakel.gateway.proxy import Upstreams
from schakel.gateway.session import Session
from schakel.platform.auth import Role
from schakel.platform.dependencies import CorrelationId

router = APIRouter(include_in_schema=False)
MAX_QUERY = 128
MAX_REFERRALS = 10  # a correlation id names one referral, rarely a few
NOTHING_ASKED: dict[str, Any] = {"nothing": False, "matched": None, "referrals": []}


@router.get("/audit")
async def audit_page(
    request: Request, upstreams: Services, sessions: Sessions, correlation_id: CorrelationId
) -> Response:
    lang = language(request.query_params.get("lang"))
    session = sessions.current(request)
    if session is None:
        return to_sign_in(request, lang, sessions)
    if not session.principal.has(Role.AUDITOR):
        return message(request, lang, sessions, session, "audit_forbidden", 403)
    ask = Asker(upstreams, session, lang, correlation_id)
    query = request.query_params.get("zoek", "").strip()[:MAX_QUERY]
    intact, chain = chain_line(await ask.json("/api/v1/audit/verify"), lang)
    values = owner_context(
        request,
        lang,
        sessions,
        session,
        query=query,
        chain_intact=intact,
        chain=chain,
        **(await _found(ask, query) if query else NOTHING_ASKED),
    )
    return render_owner(request, sessions, "audit.html", values)


class Asker:
    """Calls to the audit service with the session's token; JSON of a 200, else None."""

    def __init__(self, upstreams: Upstreams, session: Session, lang: Lang, correlation: str):
        self.upstreams, self.session, self.lang, self.correlation = (
            upstreams,
            session,
            lang,
            correlation,
        )

    async def json(self, path: str) -> dict[str, Any] | None:
        answer = await ask_service(
            self.upstreams, "audit", "GET", path, self.session, self.lang, self.correlation
        )
        if answer is None or answer.status_code != 200:
            return None
        found: dict[str, Any] = answer.json()
        return found


async def _found(ask: Asker, query: str) -> dict[str, Any]:
    """The referrals the query names, each with its timeline rows."""
    found = await ask.json(f"/api/v1/audit/search?{urlencode({'q': query})}")
    if found is None:
        return {**NOTHING_ASKED, "nothing": True}
    referrals = []
    for referral_id in found.get("referral_ids", [])[:MAX_REFERRALS]:
        timeline = await ask.json(f"/api/v1/referrals/{quote(referral_id, safe='')}/timeline")
        events = (timeline or {}).get("events", [])
        reads = [read_row(r) for r in (timeline or {}).get("reads", [])]
        referrals.append(
            {
                "id": referral_id,
                "rows": [row(e, ask.lang) for e in events],
                "count": len(events),
                "reads": reads,
            }
        )
    matched = pick(AUDIT_TEXT[f"matched_{found.get('matched')}"], ask.lang)
    return {"nothing": False, "matched": matched, "referrals": referrals}
