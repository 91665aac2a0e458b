"""The owners' pages in the gateway: signing in and out, CSRF, the inbox and a referral with
its action forms, on an in-memory follow-up that runs the real state machine and views
(``fake_followup_api``)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from schakel.contracts.vocabulary import DeadlineKind, Urgency
from schakel.followup import api as followup_api
from schakel.followup.domain.commands import OWNER_ACTIONS
from schakel.gateway.app import GatewaySettings, build
from schakel.gateway.pages.actions import ACTION_FORMS, refusal
from schakel.gateway.session import CSRF_COOKIE, SESSION_COOKIE
from schakel.gateway.users import hash_password
from schakel.platform.auth import verify_token
from tests.unit.fake_followup_api import NOW, FakeFollowup
from tests.unit.test_gateway import SECRET, ServiceNetwork

ACCOUNTS = {
    "makelaar": ("sociaal-makelaars-overvecht", ["sociaal_makelaar"]),
    "makelaar-zuilen": ("sociaal-makelaars-noordwest", ["sociaal_makelaar"]),
    "huisarts": ("huisartsenpraktijk-overvecht", ["huisarts"]),
}
REFERRAL = "ref-1"


def password(username: str) -> str:
    return f"geheim-{username}"


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    accounts = [
        {
            "username": name,
            "password_hash": hash_password(password(name), iterations=1_000),
            "organisation": organisation,
            "roles": roles,
        }
        for name, (organisation, roles) in ACCOUNTS.items()
    ]
    path = tmp_path / "users.json"
    path.write_text(json.dumps(accounts))
    return path


@pytest.fixture
def followup() -> FakeFollowup:
    return FakeFollowup(SECRET)


def gateway_app(users_file: Path, followup: FakeFollowup, **settings: Any) -> FastAPI:
    given = {"env": "development", "auth_secret": SECRET, **settings}
    config = GatewaySettings(followup_url="http://followup", users_file=str(users_file), **given)
    return build(config, transport=ServiceNetwork({"followup": followup.app()}))


async def browser_of(app: FastAPI, base_url: str = "http://gateway") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.fixture
async def browser(users_file: Path, followup: FakeFollowup) -> AsyncIterator[httpx.AsyncClient]:
    """A browser: it keeps cookies, and follows no redirect unless asked."""
    async with await browser_of(gateway_app(users_file, followup)) as client:
        yield client


# --- reading pages ------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # hidden inputs


class Page(HTMLParser):
    """What a test reads of a page: its forms' hidden fields, labels and controls, headings."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.label_for: list[str] = []
        self.controls: list[tuple[str, str]] = []  # (id, type)
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "form":
            self.forms.append(Form(found.get("action", "")))
        elif tag == "input" and found.get("type") == "hidden" and self.forms:
            self.forms[-1].fields[found["name"]] = found.get("value", "")
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append((found.get("id", ""), found.get("type", tag)))
        elif tag == "label" and "for" in found:
            self.label_for.append(found["for"])
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "a" and "href" in found:
            self.links.append(found["href"])

    def form(self, action: str) -> Form:
        return next(f for f in self.forms if f.action == action)


def csrf_of(html: str, action: str = "/inloggen") -> str:
    return Page(html).form(action).fields["csrf_token"]


async def sign_in(
    browser: httpx.AsyncClient, username: str = "makelaar", then: str = ""
) -> httpx.Response:
    page = await browser.get("/inloggen", params={"volgende": then} if then else None)
    return await browser.post(
        "/inloggen",
        data={
            "csrf_token": csrf_of(page.text),
            "username": username,
            "password": password(username),
            "volgende": then,
            "lang": "nl",
        },
    )


@dataclass
class Sent:
    answer: httpx.Response
    form: Form  # the form's hidden fields, as the page gave them

    @property
    def text(self) -> str:
        return self.answer.text


async def act(
    browser: httpx.AsyncClient, action: str, data: dict[str, Any], referral: str = REFERRAL
) -> httpx.Response:
    """Send one action's form from the referral page, as the browser would."""
    return (await send(browser, action, data, referral)).answer


async def send(
    browser: httpx.AsyncClient, action: str, data: dict[str, Any], referral: str = REFERRAL
) -> Sent:
    page = await browser.get(f"/inbox/{referral}")
    assert page.status_code == 200, page.text[:300]
    form = Page(page.text).form(f"/inbox/{referral}/{action}")
    return Sent(await browser.post(form.action, data={**form.fields, **data}), form)


def posted(followup: FakeFollowup) -> list[dict[str, Any]]:
    return [s for s in followup.seen if s["method"] == "POST"]


def block(html: str, element_id: str) -> str:
    """From an element's id to the next control: where its label, hint and error stand."""
    start = html.index(f'id="{element_id}"')
    return html[max(0, html.rfind("<", 0, start) - 600) : start + 1200]


# --- signing in and out -------------------------------------------------------------------------


async def test_the_sign_in_page_is_dutch_first_uncached_and_sets_a_csrf_cookie(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/inloggen")
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Gebruikersnaam" in page.text and "Wachtwoord" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert csrf_of(page.text)
    english = await browser.get("/inloggen", params={"lang": "en"})
    assert "Username" in english.text and "Sign in" in english.text


async def test_the_inbox_asks_to_sign_in_first_and_returns_to_the_page_asked_for(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    asked = await browser.get(f"/inbox/{REFERRAL}")
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/inloggen?volgende=%2Finbox%2F{REFERRAL}"
    assert followup.seen == []  # nothing asked without a session

    signed_in = await sign_in(browser, then=f"/inbox/{REFERRAL}")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/inbox/{REFERRAL}"
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if SESSION_COOKIE in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # development mode over plain http (make run)
    token = browser.cookies[SESSION_COOKIE]
    assert verify_token(token, SECRET).organisation == "sociaal-makelaars-overvecht"

    page = await browser.get(f"/inbox/{REFERRAL}")
    assert page.status_code == 200
    assert "Ingelogd als makelaar (sociaal-makelaars-overvecht)" in page.text
    asked_followup = followup.seen[-1]
    assert asked_followup["headers"]["authorization"] == f"Bearer {token}"
    assert asked_followup["headers"]["x-correlation-id"] == page.headers["x-correlation-id"]


async def test_only_inbox_pages_are_where_a_sign_in_may_lead(browser: httpx.AsyncClient) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example", "/inbox/../docs", "/docs"):
        browser.cookies.clear()
        answer = await sign_in(browser, then=elsewhere)
        assert answer.headers["location"] == "/inbox", elsewhere


@pytest.mark.parametrize(
    ("env", "setting", "base_url", "secure"),
    [
        ("production", None, "http://gateway", True),  # behind a TLS proxy it sees http
        ("development", None, "http://gateway", False),
        ("development", None, "https://gateway", True),
        ("production", False, "http://gateway", False),  # SCHAKEL_SESSION_COOKIE_SECURE=false
    ],
)
async def test_the_session_cookie_is_secure_unless_told_or_in_development_over_http(
    users_file: Path,
    followup: FakeFollowup,
    env: str,
    setting: bool | None,
    base_url: str,
    secure: bool,
) -> None:
    app = gateway_app(
        users_file,
        followup,
        env=env,
        session_cookie_secure=setting,
        auth_secret="x" * 40 if env == "production" else SECRET,
    )
    async with await browser_of(app, base_url) as browser:
        page = await browser.get("/inloggen")
        seed = page.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        browser.cookies.set(CSRF_COOKIE, seed)  # httpx keeps Secure cookies off plain http
        answer = await browser.post(
            "/inloggen",
            data={
                "csrf_token": csrf_of(page.text),
                "username": "makelaar",
                "password": password("makelaar"),
            },
        )
    assert answer.status_code == 303, answer.text[:300]
    cookie = next(c for c in answer.headers.get_list("set-cookie") if SESSION_COOKIE in c)
    assert ("; Secure" in cookie or "; secure" in cookie) is secure


async def test_a_wrong_password_shows_the_form_again_and_counts_against_the_account(
    users_file: Path, followup: FakeFollowup
) -> None:
    app = gateway_app(users_file, followup, rate_limit_sign_in_failures="2/300")
    async with await browser_of(app) as browser:
        for _ in range(2):
            page = await browser.get("/inloggen")
            wrong = await browser.post(
                "/inloggen",
                data={"csrf_token": csrf_of(page.text), "username": "makelaar", "password": "x"},
            )
            assert wrong.status_code == 401
            assert "horen niet bij elkaar" in wrong.text
            assert 'value="makelaar"' in wrong.text
            assert SESSION_COOKIE not in browser.cookies
        # The form and the API share the budget of failed sign-ins per account.
        api = await browser.post(
            "/api/v1/auth/token",
            json={"username": "makelaar", "password": password("makelaar")},
        )
        assert api.status_code == 429
        page = await browser.get("/inloggen")
        throttled = await browser.post(
            "/inloggen",
            data={
                "csrf_token": csrf_of(page.text),
                "username": "makelaar",
                "password": password("makelaar"),
            },
        )
    assert throttled.status_code == 429
    assert "Te veel pogingen" in throttled.text
    assert throttled.headers["retry-after"]


async def test_a_missing_username_is_said_next_to_the_field(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/inloggen")
    answer = await browser.post(
        "/inloggen", data={"csrf_token": csrf_of(page.text), "username": "", "password": "x"}
    )
    assert answer.status_code == 422
    assert "Vul uw gebruikersnaam in." in block(answer.text, "username")
    assert 'aria-invalid="true"' in block(answer.text, "username")


async def test_signing_out_ends_the_session(browser: httpx.AsyncClient) -> None:
    await sign_in(browser)
    inbox = await browser.get("/inbox")
    out = await browser.post("/uitloggen", data={"csrf_token": csrf_of(inbox.text, "/uitloggen")})
    assert out.status_code == 303
    assert out.headers["location"] == "/inloggen?uit=1"
    assert SESSION_COOKIE not in browser.cookies
    assert "U bent uitgelogd." in (await browser.get(out.headers["location"])).text
    assert (await browser.get("/inbox")).status_code == 303


# --- CSRF -----------------------------------------------------------------------------------------


async def test_every_form_is_refused_without_its_csrf_token_and_nothing_happens(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await sign_in(browser)
    for path, data in (
        ("/inloggen", {"username": "makelaar", "password": password("makelaar")}),
        (f"/inbox/{REFERRAL}/accept", {}),
        ("/uitloggen", {}),
    ):
        for token in (None, "0" * 64):
            sent = data if token is None else {**data, "csrf_token": token}
            refused = await browser.post(path, data=sent)
            assert refused.status_code == 403, path
            assert "Dit formulier is verlopen" in refused.text
            assert refused.headers["cache-control"] == "no-store"
    assert posted(followup) == []
    assert SESSION_COOKIE in browser.cookies  # the sign-out was refused too


async def test_a_token_from_before_signing_in_does_not_fit_after_it(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    before = csrf_of((await browser.get("/inloggen")).text)
    await sign_in(browser)
    refused = await browser.post(f"/inbox/{REFERRAL}/accept", data={"csrf_token": before})
    assert refused.status_code == 403
    assert posted(followup) == []


async def test_another_browsers_token_does_not_fit(
    users_file: Path, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    app = gateway_app(users_file, followup)
    async with await browser_of(app) as mine, await browser_of(app) as theirs:
        await sign_in(mine)
        await sign_in(theirs)
        their_token = csrf_of((await theirs.get(f"/inbox/{REFERRAL}")).text, "/uitloggen")
        refused = await mine.post(f"/inbox/{REFERRAL}/accept", data={"csrf_token": their_token})
    assert refused.status_code == 403
    assert posted(followup) == []


# --- the inbox ------------------------------------------------------------------------------------


async def test_the_inbox_shows_followups_order_with_urgency_and_lateness_in_words(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route("ref-later", received_at=NOW - timedelta(days=3))
    await followup.route("ref-late")
    await followup.due("ref-late", NOW - timedelta(hours=3), DeadlineKind.ACCEPT)
    await followup.route("ref-urgent", urgency=Urgency.DIRECT)
    await followup.route("ref-elsewhere", owner="sociaal-makelaars-noordwest")
    await sign_in(browser)

    page = await browser.get("/inbox")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    shown = [link for link in Page(page.text).links if link.startswith("/inbox/ref-")]
    assert shown == ["/inbox/ref-urgent", "/inbox/ref-late", "/inbox/ref-later"]
    urgent, late, later = (
        card.split("</dl>")[0] for card in page.text.split('<li class="card')[1:]
    )
    assert "Urgent: vandaag" in urgent
    assert "Te laat: aannemen of doorgeven" in late
    assert "Te laat" not in later and "Urgent:" not in later
    assert "3 open verwijzing(en)" in page.text


async def test_closed_referrals_are_behind_a_link(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route("ref-open")
    await followup.route("ref-done")
    await followup.do("ref-done", "accept", {})
    await followup.do("ref-done", "contact-attempts", {})
    await followup.do("ref-done", "close", {"outcome": "verhuisd"})
    await sign_in(browser)

    inbox = await browser.get("/inbox")
    assert "/inbox/ref-done" not in inbox.text
    assert 'href="/inbox?gesloten=ja"' in inbox.text
    with_closed = await browser.get("/inbox", params={"gesloten": "ja"})
    assert followup.seen[-1]["query"] == "closed=true"
    closed = with_closed.text[with_closed.text.index('id="closed-title"') :]
    assert "/inbox/ref-done" in closed
    assert "<dd>Gestopt (Verhuisd)</dd>" in closed  # its end, not the step it was at
    assert "/inbox/ref-open" not in closed


async def test_an_organisation_sees_only_its_own_referrals(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)  # Overvecht's
    await sign_in(browser, "makelaar-zuilen")
    assert REFERRAL not in (await browser.get("/inbox")).text
    other = await browser.get(f"/inbox/{REFERRAL}")
    assert other.status_code == 404
    assert "Deze verwijzing vinden we niet" in other.text
    refused = await act_without_page(browser, REFERRAL, "accept")
    assert refused.status_code == 404
    untouched = await followup.referrals.get(REFERRAL)
    assert untouched is not None and untouched.status is not None
    assert untouched.status.value == "requested"


async def act_without_page(
    browser: httpx.AsyncClient, referral: str, action: str
) -> httpx.Response:
    """A POST with a valid CSRF token to a referral whose page the browser cannot open."""
    token = csrf_of((await browser.get("/inbox")).text, "/uitloggen")
    return await browser.post(f"/inbox/{referral}/{action}", data={"csrf_token": token})


async def test_an_account_without_an_inbox_is_told_so(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await sign_in(browser, "huisarts")
    page = await browser.get("/inbox")
    assert page.status_code == 403
    assert "Geen inbox voor dit account" in page.text


async def test_followup_being_down_is_a_page_not_an_error(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await sign_in(browser)
    followup.down = True
    page = await browser.get("/inbox")
    assert page.status_code == 503
    assert "Even niet bereikbaar" in page.text


async def test_the_inbox_in_english_keeps_what_it_shows(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL, urgency=Urgency.DIRECT)
    await sign_in(browser)
    page = await browser.get("/inbox", params={"gesloten": "ja", "lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Urgent: today" in page.text and "New: waiting to be accepted" in page.text
    assert 'href="/inbox?gesloten=ja&amp;lang=nl"' in page.text
    assert f'href="/inbox/{REFERRAL}?lang=en"' in page.text


# --- a referral -----------------------------------------------------------------------------------


async def proposed(followup: FakeFollowup, referral: str = REFERRAL) -> None:
    await followup.route(referral)
    await followup.do(referral, "accept", {})
    await followup.do(referral, "first-conversation", CONVERSATION)
    await followup.propose(referral)


CONVERSATION = {
    "reached": True,
    "knew_of_signal": True,
    "consents_to_support": True,
    "wishes": {
        "kinds": ["maatje"],
        "mobility": "aan_huis_gebonden",
        "interests": ["tuinieren"],
        "availability": ["weekend_ochtend"],
    },
}


async def test_the_referral_page_shows_facts_reasons_proposal_history_and_the_actions_now(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await proposed(followup)
    await sign_in(browser)

    page = await browser.get(f"/inbox/{REFERRAL}")

    text = page.text
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Bezig: ondersteuning voorgesteld" in text
    assert "Welzijn op recept (huisarts)" in text and "3562" in text
    assert "contactgegevens" in text and "via intake" in text  # no name: it is in the vault
    assert "a reason" in text  # triage's rule that fired
    assert "Bezoekmaatje" in text and "Humanitas Utrecht" in text and "near" in text
    assert "Een maatje (vrijwilliger)" in text  # the wishes from the first conversation
    conversation = text[text.index('id="conversation-title"') : text.index('id="proposal-title"')]
    for wish in ("Aan huis gebonden", "Tuinieren", "In het weekend &#39;s ochtends"):
        assert wish in conversation
    for step in ("Aangenomen", "Eerste gesprek", "Ondersteuning voorgesteld"):
        assert step in text[text.index('id="history-title"') :]
    forms = {f.action for f in Page(text).forms} - {"/uitloggen"}
    assert forms == {
        f"/inbox/{REFERRAL}/{a}"
        for a in ("transfer", "confirm_support", "decline_support", "put_on_hold", "close")
    }


async def test_the_referral_page_is_keyboard_and_screen_reader_ready(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL, urgency=Urgency.DIRECT, consent=False)
    await followup.do(REFERRAL, "accept", {})
    await sign_in(browser)
    pages = [await browser.get(path) for path in (f"/inbox/{REFERRAL}", "/inbox")]
    browser.cookies.delete(SESSION_COOKIE)
    pages.append(await browser.get("/inloggen"))
    for shown in pages:
        path, page = shown.request.url.path, Page(shown.text)
        assert page.ids.count("main") == 1 and "#main" in page.links, path  # the skip link
        assert len(page.ids) == len(set(page.ids)), path
        for control, _ in page.controls:  # every control has a label of its own
            assert control and control in page.label_for, (path, control)
        assert page.headings[0] == 1, path
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), path
    actions = pages[0].text
    assert "record-professional-visit" in actions  # urgent without consent: forms to label


async def test_a_confirmation_follows_each_action_and_the_page_can_be_reloaded(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await sign_in(browser)
    done = await act(browser, "accept", {"note": "Morgen bellen"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/inbox/{REFERRAL}?gedaan=accept"
    page = await browser.get(done.headers["location"])
    assert "U heeft de verwijzing aangenomen." in page.text
    assert 'role="status"' in page.text
    assert "Morgen bellen" in page.text  # the note, in the history
    assert len(posted(followup)) == 1


# Each action from the page where it is possible: the steps before, the form as filled in, and
# the JSON follow-up must get.
Step = tuple[str, dict[str, Any]]
ACCEPTED: list[Step] = [("accept", {})]
TALKED: list[Step] = [*ACCEPTED, ("first-conversation", CONVERSATION)]
PROPOSED: list[Step] = [*TALKED, ("propose", {})]
STARTED: list[Step] = [*PROPOSED, ("support/confirm", {}), ("support/start", {})]
CASES: dict[str, tuple[list[Step], dict[str, Any], dict[str, Any]]] = {
    "accept": ([], {"note": "Bel dinsdag"}, {"note": "Bel dinsdag"}),
    "reject": ([], {"reason": "geen_capaciteit"}, {"reason": "geen_capaciteit"}),
    "transfer": (
        [],
        {
            "to_organisation": "buurtteam-overvecht",
            "to_name": "Buurtteam Overvecht",
            "to_route": "buurtteam",
            "reason": "professionele_hulp_nodig",
        },
        {
            "to_organisation": "buurtteam-overvecht",
            "to_name": "Buurtteam Overvecht",
            "to_route": "buurtteam",
            "reason": "professionele_hulp_nodig",
        },
    ),
    "attempt_contact": (ACCEPTED, {}, {}),
    "record_first_conversation": (
        ACCEPTED,
        {
            "reached": "ja",
            "knew_of_signal": "nee",
            "consents_to_support": "ja",
            "kinds": ["activiteit", "maatje"],
            "languages": ["nl", "tr"],
            "other_languages": "so, tr",
            "diet": ["halal"],
            "mobility": "beperkt",
            "interests": ["wandelen", "schaken"],
            "availability": ["weekdag_ochtend", "weekend_middag"],
            "grade": "licht_tot_matig",
            "djg_score": "4",
            "note": "Wil graag iets in de buurt",
        },
        {
            "reached": True,
            "knew_of_signal": False,
            "consents_to_support": True,
            "wishes": {
                "kinds": ["activiteit", "maatje"],
                "languages": ["nl", "tr", "so"],
                "diet": ["halal"],
                "interests": ["wandelen", "schaken"],
                "availability": ["weekdag_ochtend", "weekend_middag"],
                "mobility": "beperkt",
            },
            "grade": "licht_tot_matig",
            "djg_score": 4,
            "note": "Wil graag iets in de buurt",
        },
    ),
    "confirm_support": (PROPOSED, {}, {}),
    "decline_support": (PROPOSED, {"reason": "te_ver_weg"}, {"reason": "te_ver_weg"}),
    "start_support": (
        TALKED,
        {"kind": "activiteit", "provider_organisation": "Buurthuis De Dreef"},
        {"kind": "activiteit", "provider_organisation": "Buurthuis De Dreef"},
    ),
    "record_check_in": (STARTED, {"djg_score": "2"}, {"djg_score": 2}),
    "put_on_hold": (ACCEPTED, {"reason": "opname"}, {"reason": "opname"}),
    "resume": ([*ACCEPTED, ("hold", {"reason": "afwezig"})], {}, {}),
    "close": (
        ACCEPTED,
        {"outcome": "hulp_gekregen", "djg_score": "1"},
        {"outcome": "hulp_gekregen", "djg_score": 1},
    ),
}


@pytest.mark.parametrize("action", CASES)
async def test_each_action_form_posts_the_json_followup_expects(
    browser: httpx.AsyncClient, followup: FakeFollowup, action: str
) -> None:
    steps, filled, expected = CASES[action]
    await followup.route(REFERRAL)
    for path, body in steps:
        await (
            followup.propose(REFERRAL) if path == "propose" else followup.do(REFERRAL, path, body)
        )
    await sign_in(browser)

    sent_form = await send(browser, action, filled)
    done = sent_form.answer

    assert done.status_code == 303, done.text[:2000]
    assert done.headers["location"] == f"/inbox/{REFERRAL}?gedaan={action}"
    sent = posted(followup)[-1]
    assert sent["path"] == f"/api/v1/referrals/{REFERRAL}/{ACTION_FORMS[action].path}"
    assert sent["json"] == expected
    assert sent["headers"]["idempotency-key"] == sent_form.form.fields["idempotency_key"]
    assert sent["headers"]["authorization"].startswith("Bearer ")


async def test_the_first_conversation_asks_mobility_interests_and_availability_in_both_languages(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await followup.do(REFERRAL, "accept", {})
    await sign_in(browser)

    dutch = (await browser.get(f"/inbox/{REFERRAL}")).text
    english = (await browser.get(f"/inbox/{REFERRAL}", params={"lang": "en"})).text

    form = dutch[dutch.index('id="actie-record-first-conversation"') :]
    assert '<select id="record-first-conversation-mobility" name="mobility"' in form
    assert '<option value="">Niet gevraagd</option>' in form  # may stay unasked
    assert 'name="interests" value="wandelen"' in form and "Wandelen" in form
    assert 'name="availability" value="weekdag_avond"' in form
    assert "Doordeweeks &#39;s avonds" in form and "Aan huis gebonden" in form
    assert "How far can the person go?" in english and "Weekday evenings" in english


async def test_a_first_conversation_that_did_not_reach_the_person_is_an_attempt(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await followup.do(REFERRAL, "accept", {})
    await sign_in(browser)
    done = await act(browser, "record_first_conversation", {"reached": "nee"})
    assert done.status_code == 303
    assert posted(followup)[-1]["json"] == {"reached": False}
    page = await browser.get(done.headers["location"])
    assert "Bezig: nog niet bereikt" in page.text


async def test_an_urgent_referral_without_consent_offers_the_professional_visit(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL, urgency=Urgency.DIRECT, consent=False)
    await followup.do(REFERRAL, "accept", {})
    await sign_in(browser)
    page = await browser.get(f"/inbox/{REFERRAL}")
    assert "Aangenomen: geen toestemming" in page.text
    assert f'action="/inbox/{REFERRAL}/attempt_contact"' not in page.text
    done = await act(browser, "record_professional_visit", {})
    assert done.status_code == 303
    assert posted(followup)[-1]["json"] == {}


# --- refusals, in plain words ---------------------------------------------------------------------


async def test_what_the_form_itself_refuses_is_said_next_to_the_field_and_not_sent(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await followup.do(REFERRAL, "accept", {})
    await sign_in(browser)

    other = await act(browser, "close", {"outcome": "anders", "note": ""})
    assert other.status_code == 422
    assert "Schrijf bij ‘anders’ in de notitie kort wat er gebeurde." in block(
        other.text, "close-note"
    )
    assert 'value="anders" checked' in other.text  # what was chosen is kept
    assert f'href="/inbox/{REFERRAL}?lang=en"' in other.text  # the switch: this referral
    assert '<details class="action" id="actie-close" open>' in other.text

    silent = await act(browser, "record_first_conversation", {"reached": "ja"})
    assert silent.status_code == 422
    assert "Kies een van de mogelijkheden." in block(
        silent.text, "record-first-conversation-consents-to-support"
    )
    talked = {"reached": "ja", "knew_of_signal": "ja", "consents_to_support": "ja"}
    for name, changed in (("mobility", "rolstoel"), ("interests", ["wandelen", "Het park"])):
        refused = await act(browser, "record_first_conversation", {**talked, name: changed})
        assert refused.status_code == 422
        assert "Kies een van de mogelijkheden." in block(
            refused.text, f"record-first-conversation-{name}"
        )
    unknown = await act(browser, "put_on_hold", {"reason": "vakantie"})
    assert unknown.status_code == 422
    assert "Kies een van de mogelijkheden." in block(unknown.text, "put-on-hold-reason")
    assert posted(followup) == []


async def test_an_action_overtaken_by_a_colleague_is_a_plain_409_at_the_top(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await sign_in(browser)
    page = Page((await browser.get(f"/inbox/{REFERRAL}")).text)
    stale = page.form(f"/inbox/{REFERRAL}/accept")
    await followup.do(REFERRAL, "accept", {})  # a colleague was quicker

    refused = await browser.post(stale.action, data=stale.fields)

    assert refused.status_code == 409
    top = refused.text[refused.text.index('id="top-problems-title"') :]
    assert "Dit kan nu niet (meer): de verwijzing is intussen veranderd." in top
    assert "Aangenomen" in refused.text  # where it stands now
    assert f'action="/inbox/{REFERRAL}/accept"' not in refused.text


async def test_followups_422_is_shown_next_to_the_field_it_concerns(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await sign_in(browser)
    own = await act(
        browser,
        "transfer",
        {
            "to_organisation": "sociaal-makelaars-overvecht",
            "to_name": "Wij",
            "to_route": "sociaal_makelaar",
            "reason": "anders",
        },
    )
    assert own.status_code == 422
    assert "Dit is uw eigen organisatie: kies een andere." in block(
        own.text, "transfer-to-organisation"
    )
    assert 'value="Wij"' in own.text


def answer(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_validation_errors_are_placed_by_their_field() -> None:
    conversation = ACTION_FORMS["record_first_conversation"]
    found = refusal(
        answer(
            422,
            {
                "errors": [
                    {"field": "wishes.kinds.0", "reason": "Input should be 'maatje', …"},
                    {"field": "wishes.languages.2", "reason": "String too long"},
                    {"field": "note", "reason": "control characters are not accepted"},
                    {"field": "(body)", "reason": "something new"},
                ]
            },
        ),
        conversation,
        "en",
    )
    assert found.by_field == {
        "kinds": "Choose one of the options.",
        "other_languages": "This is not right: check what you filled in (no invisible characters).",
        "note": "This is not right: check what you filled in (no invisible characters).",
    }
    assert found.general == ["Follow-up refused this. Nothing was changed."]
    assert found.detail == "something new"  # unknown reasons are shown as follow-up said them
    unknown = refusal(answer(409, {"detail": "a rule of tomorrow"}), conversation, "nl")
    assert unknown.general == ["De opvolging weigerde dit. Er is niets veranderd."]
    assert unknown.detail == "a rule of tomorrow"


# --- the forms and follow-up agree ----------------------------------------------------------------


def test_there_is_a_form_for_every_owner_action_at_a_path_followup_serves() -> None:
    assert set(ACTION_FORMS) == {command.action for command in OWNER_ACTIONS}
    served = {
        route.path.removeprefix("/api/v1/referrals/{referral_id}/")
        for route in followup_api.router.routes
        if isinstance(route, APIRoute)
        and "POST" in (route.methods or ())
        and route.path.startswith("/api/v1/referrals/")
        # Answers to a suspected duplicate are no step of the referral's state machine.
        and "/duplicates/" not in route.path
    }
    assert {form.path for form in ACTION_FORMS.values()} == served


async def test_a_damaged_idempotency_key_is_replaced_not_sent_on(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    await sign_in(browser)
    done = await act(browser, "accept", {"idempotency_key": "sleutel met spaties én ü"})
    assert done.status_code == 303
    key = posted(followup)[-1]["headers"]["idempotency-key"]
    assert re.fullmatch(r"[0-9a-f-]{36}", key)


def suspicion(signal_id: str = "ref-maybe") -> dict[str, Any]:
    """A suspected duplicate of REFERRAL as followup's API lists it."""
    return {
        "referral_id": REFERRAL,
        "signal_id": signal_id,
        "channel": "webformulier",
        "signaler_role": "buurtbewoner",
        "observations": ["niet_gesproken"],
        "matched_on": ["name_partial", "birth_date"],
        "suspected_at": NOW.isoformat(),
        "answer": "waiting",
    }


async def test_a_suspected_duplicate_is_shown_and_answered_once_from_the_referral_page(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    followup.suspicions.append(suspicion())
    await sign_in(browser)

    inbox = await browser.get("/inbox")
    assert "Misschien dezelfde persoon: 1" in inbox.text
    page = await browser.get(f"/inbox/{REFERRAL}")
    assert "Misschien dezelfde persoon" in page.text
    assert "achternaam (voornaam onbekend of alleen voorletter), geboortedatum" in page.text

    form = Page(page.text).form(f"/inbox/{REFERRAL}/duplicates/ref-maybe/confirm")
    done = await browser.post(form.action, data=form.fields)
    assert done.status_code == 303
    assert done.headers["location"] == f"/inbox/{REFERRAL}?gedaan=duplicate_confirm"
    assert posted(followup)[-1]["path"] == (
        f"/api/v1/referrals/{REFERRAL}/duplicates/ref-maybe/confirm"
    )
    after = await browser.get(done.headers["location"])
    assert "De melding hoort nu bij deze verwijzing" in after.text
    assert "Misschien dezelfde persoon" not in after.text  # answered: no longer waiting

    again = await browser.post(f"/inbox/{REFERRAL}/duplicates/ref-maybe/reject", data=form.fields)
    assert again.headers["location"] == f"/inbox/{REFERRAL}?gedaan=duplicate_answered"


async def test_an_answer_to_no_suspicion_or_of_another_kind_is_refused(
    browser: httpx.AsyncClient, followup: FakeFollowup
) -> None:
    await followup.route(REFERRAL)
    followup.suspicions.append(suspicion())
    await sign_in(browser)
    page = await browser.get(f"/inbox/{REFERRAL}")
    form = Page(page.text).form(f"/inbox/{REFERRAL}/duplicates/ref-maybe/confirm")
    merge = await browser.post(f"/inbox/{REFERRAL}/duplicates/ref-maybe/merge", data=form.fields)
    assert merge.status_code == 404
    unknown = await browser.post(f"/inbox/{REFERRAL}/duplicates/ref-none/confirm", data=form.fields)
    assert unknown.status_code == 404
    assert not any("/duplicates/" in p["path"] and "merge" in p["path"] for p in posted(followup))
