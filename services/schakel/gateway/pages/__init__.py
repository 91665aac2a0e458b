"""The web pages: for the public the signal form, the receipt page and an overview of the
events; for the organisations that own referrals the sign-in, the inbox and a referral with
its actions; for auditors a referral's whole timeline and the chain check.

Server-rendered (Jinja2) with plain CSS, no scripts and no external assets, so the form works
on any phone and behind strict networks. Dutch first; ``?lang=en`` switches to English.

One module per page (``form``, ``receipt``, ``asyncapi_page``, ``signin``, ``inbox``,
``auditor``);
``texts`` and ``inbox_texts`` hold the words in both languages, ``base`` what every page
shares and ``owner`` what the signed-in pages share. ``router`` serves them all.
"""

from __future__ import annotations

from fastapi import APIRouter

from schakel.gateway.pages import asyncapi_page, auditor, form, inbox, receipt, signin

router = APIRouter(include_in_schema=False)
for page in (form, receipt, asyncapi_page, signin, inbox, auditor):
    router.include_router(page.router)
