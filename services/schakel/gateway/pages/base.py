"""What every page shares: the templates, the headers a page is sent with, the values every
template gets, and the headers a page's call to a service carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from schakel.gateway.pages.texts import TEXT, Lang, pick
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


def context(request: Request, lang: Lang, **values: Any) -> dict[str, Any]:
    other: Lang = "nl" if lang == "en" else "en"
    return {
        "lang": lang,
        "other_lang": other,
        "t": {key: pick(texts, lang) for key, texts in TEXT.items()},
        "lang_query": "?lang=en" if lang == "en" else "",
        "switch_url": f"{request.url.path if request.method == 'GET' else '/'}?lang={other}",
        **values,
    }


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


def upstream_headers(
    correlation_id: str, lang: Lang, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """What a page's call to a service carries: one correlation id, and the reader's language."""
    return {CORRELATION_HEADER: correlation_id, "Accept-Language": lang, **(extra or {})}
