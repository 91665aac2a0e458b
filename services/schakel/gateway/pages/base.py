"""What every page shares: the templates, the headers a page is sent with, the values every
template gets, and the headers a page's call to a service carries."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from schakel.gateway.pages.texts import TEXT, Lang, Texts, pick
from schakel.platform.http import CORRELATION_HEADER

GATEWAY_DIR = Path(__file__).parent.parent
STATIC_DIR = GATEWAY_DIR / "static"
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
        loader=FileSystemLoader(GATEWAY_DIR / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )
)


def context(
    request: Request, lang: Lang, texts: Texts | None = None, **values: Any
) -> dict[str, Any]:
    """What every template gets; ``texts`` adds a page's own words to the shared ones."""
    other: Lang = "nl" if lang == "en" else "en"
    words = {**TEXT, **(texts or {})}
    return {
        "lang": lang,
        "other_lang": other,
        "t": {key: pick(pair, lang) for key, pair in words.items()},
        "lang_query": "?lang=en" if lang == "en" else "",
        "switch_url": _switch_url(request, other),
        **values,
    }


def _switch_url(request: Request, other: Lang) -> str:
    """The same page in the other language (after a POST: the start page)."""
    if request.method != "GET":
        return f"/?lang={other}"
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*kept, ('lang', other)])}"


def render(
    request: Request,
    template: str,
    values: dict[str, Any],
    status_code: int = 200,
    private: bool = False,
) -> Response:
    headers = {**PAGE_HEADERS, **(NO_STORE if private else {})}
    return templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=headers
    )


def local_time(value: Any, shape: str = "%d-%m-%Y %H:%M") -> str:
    """An ISO time from a service as Utrecht's clock shows it; "" for anything else."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    with contextlib.suppress(ZoneInfoNotFoundError):  # no tz database: show it as sent
        moment = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return moment.strftime(shape)


def upstream_headers(
    correlation_id: str, lang: Lang, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """What a page's call to a service carries: one correlation id, and the reader's language."""
    return {CORRELATION_HEADER: correlation_id, "Accept-Language": lang, **(extra or {})}
