"""The public web pages: the signal form, the receipt page and an overview of the events.

Server-rendered (Jinja2) with plain CSS, no scripts and no external assets, so the form works
on any phone and behind strict networks. Dutch first; ``?lang=en`` switches to English.

One module per page (``form``, ``receipt``, ``asyncapi_page``); ``texts`` holds the words in
both languages and ``base`` what every page shares. ``router`` serves them all.
"""

from __future__ import annotations

from fastapi import APIRouter

from schakel.gateway.pages import asyncapi_page, form, receipt

router = APIRouter(include_in_schema=False)
for page in (form, receipt, asyncapi_page):
    router.include_router(page.router)
