"""The receipt page (``GET /ontvangen/{receipt}``): the signaler's code and the progress of
their signal, as feedback tells it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from schakel.gateway.dependencies import Services
from schakel.gateway.pages.base import context, local_time, render, upstream_headers
from schakel.gateway.pages.texts import TEXT, Lang, language, pick
from schakel.gateway.proxy import UpstreamError, Upstreams
from schakel.platform.dependencies import CorrelationId
from schakel.platform.logging import get_logger

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)
RECEIPT = re.compile(r"^[0-9A-Za-z-]{4,40}$")


@router.get("/ontvangen/{receipt}")
async def receipt_page(
    request: Request, receipt: str, upstreams: Services, correlation_id: CorrelationId
) -> Response:
    lang = language(request.query_params.get("lang"))
    if not RECEIPT.match(receipt):
        values = context(
            request,
            lang,
            title=pick(TEXT["unknown_code_title"], lang),
            text=pick(TEXT["unknown_code_text"], lang),
        )
        return render(request, "message.html", values, 404)
    status, unavailable = await _signal_status(upstreams, receipt, lang, correlation_id)
    values = context(
        request,
        lang,
        receipt=receipt,
        status=status,
        unavailable=unavailable,
        status_page=f"{str(request.base_url).rstrip('/')}/ontvangen/{receipt}",
    )
    return render(request, "receipt.html", values, private=True)


async def _signal_status(
    upstreams: Upstreams, receipt: str, lang: Lang, correlation_id: str
) -> tuple[dict[str, str] | None, bool]:
    """(what to show, whether feedback could not be asked); None while feedback does not
    know the receipt yet: the signal is still on its way through the services."""
    try:
        answer = await upstreams.request(
            "feedback",
            "GET",
            f"/api/v1/signals/{quote(receipt)}/status",
            headers=upstream_headers(correlation_id, lang),
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
    """Feedback's texts in the reader's language: the stage, the kind of organisation that
    has the signal (feedback never sends which one) and the dates."""
    return {
        "text": _in(body.get("status_text"), lang) or str(body.get("status", "")),
        "handled_by": _in(body.get("handled_by"), lang),
        "received": local_time(body.get("received_at"), "%d-%m-%Y"),
        "updated": local_time(body.get("updated_at")),
    }


def _in(texts: Any, lang: Lang) -> str:
    if not isinstance(texts, dict):
        return ""
    return str(texts.get(lang) or texts.get("nl") or "")
