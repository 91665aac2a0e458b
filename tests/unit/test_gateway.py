"""The gateway, with the services replaced by small in-process fakes.

Each fake is a real ASGI app reached through httpx's ASGITransport, picked by host name; a
service with no fake behaves like one that is down (connection refused).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from schakel.contracts.vocabulary import AgeBand, Observation, SignalerRole
from schakel.gateway.app import GatewaySettings, build
from schakel.gateway.openapi_merge import SERVICE_ROUTERS, merged_openapi
from schakel.gateway.pages.form import SignalForm, intake_problems
from schakel.gateway.pages.texts import (
    AGE_LABELS,
    CIRCUMSTANCES,
    OBSERVATION_LABELS,
    ROLE_LABELS,
    SELF_OBSERVATION_LABELS,
    SIGNS,
)
from schakel.gateway.proxy import ROUTES, route_for
from schakel.gateway.session import SESSION_COOKIE
from schakel.gateway.users import hash_password, load_users, verify_password
from schakel.platform.auth import Principal, Role, issue_token, verify_token
from schakel_dev.stack import DEMO_USERS_FILE
from tests.unit.fake_followup_api import OWNER, FakeFollowup, recorded
from tests.unit.fake_followup_api import Seen as Seen

SECRET = "test-secret"
RECEIPT = "K7QM-4XWD-2P"
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")


def fake_intake(seen: Seen) -> FastAPI:
    app = FastAPI(title="fake intake")

    @app.post("/api/v1/signals")
    async def signal(request: Request) -> JSONResponse:
        body = (await recorded(request, seen))["json"]
        if not POSTCODE.match(body["person"]["postcode"]):
            return JSONResponse(
                status_code=422,
                content={
                    "detail": "request is not valid",
                    "errors": [{"field": "person.postcode", "reason": "not a Dutch postcode"}],
                },
            )
        return JSONResponse(
            status_code=202,
            content={
                "receipt": RECEIPT,
                "status_url": f"/api/v1/signals/{RECEIPT}/status",
                "message": {"nl": "Dank u wel.", "en": "Thank you."},
            },
        )

    @app.post("/api/v1/referrals")
    async def referral(request: Request) -> JSONResponse:
        await recorded(request, seen)
        return JSONResponse(status_code=202, content={"referral_id": "r-1", "receipt": RECEIPT})

    @app.get("/internal/vault-size")
    async def internal() -> dict[str, int]:  # not routed by the gateway: not public
        return {"people": 3}

    return app


def fake_feedback(seen: Seen) -> FastAPI:
    app = FastAPI(title="fake feedback")

    @app.get("/api/v1/signals/{receipt}/status")
    async def status(receipt: str, request: Request) -> JSONResponse:
        await recorded(request, seen)
        if receipt != RECEIPT:
            return JSONResponse(status_code=404, content={"detail": "unknown receipt"})
        return JSONResponse(
            {
                "receipt": receipt,
                "status": "in_behandeling",
                "status_text": {
                    "nl": "Uw melding is doorgegeven aan de sociaal makelaar in uw wijk.",
                    "en": "Your report has been passed to the social broker in your neighbourhood.",
                },
                "handled_by": {
                    "nl": "een sociaal makelaar of het buurtteam in de wijk",
                    "en": "a social broker or the neighbourhood team in the area",
                },
                "received_at": "2026-05-11T21:40:00+00:00",
                "updated_at": "2026-05-12T10:15:00+00:00",
            }
        )

    @app.get("/api/v1/referrals")
    async def referrals(request: Request) -> dict[str, Any]:
        return await recorded(request, seen)

    return app


def healthy(app: FastAPI) -> FastAPI:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


class ServiceNetwork(httpx.AsyncBaseTransport):
    """Routes by host name to fake services; an unknown host refuses the connection."""

    def __init__(self, services: dict[str, FastAPI]) -> None:
        self.transports = {host: httpx.ASGITransport(app=app) for host, app in services.items()}
        self.asked: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(f"{request.url.host}{request.url.path}")
        transport = self.transports.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError("connection refused", request=request)
        return await transport.handle_async_request(request)


def write_users(path: Path) -> Path:
    """One GP account (huisarts / geheim), with fast hashes for tests; the demo file uses the
    real cost."""
    account = {
        "username": "huisarts",
        "password_hash": hash_password("geheim", iterations=1_000),
        "organisation": "huisartsenpraktijk-overvecht",
        "roles": ["huisarts"],
    }
    path.write_text(json.dumps([account]))
    return path


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    return write_users(tmp_path / "users.json")


@pytest.fixture
def seen() -> dict[str, Seen]:
    return {"intake": [], "feedback": []}


def fake_network(seen: dict[str, Seen]) -> ServiceNetwork:
    """Fake intake and feedback, recording what reaches them in ``seen``; the rest are down."""
    return ServiceNetwork(
        {
            "intake": healthy(fake_intake(seen["intake"])),
            "feedback": healthy(fake_feedback(seen["feedback"])),
        }
    )


@pytest.fixture
def network(seen: dict[str, Seen]) -> ServiceNetwork:
    return fake_network(seen)


@pytest.fixture
async def gateway(users_file: Path, network: ServiceNetwork) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        intake_url="http://intake",
        triage_url="http://triage",
        matching_url="http://matching",
        feedback_url="http://feedback",
        audit_url="http://audit",
        users_file=str(users_file),
        auth_secret=SECRET,
    )
    app = build(settings, transport=network)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@contextlib.asynccontextmanager
async def lonely_gateway(users_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway none of whose services can be reached."""
    settings = GatewaySettings(intake_url="http://intake", users_file=str(users_file))
    app = build(settings, transport=ServiceNetwork({}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def bearer(organisation: str = "huisartsenpraktijk-overvecht") -> dict[str, str]:
    principal = Principal("huisarts", organisation, frozenset({Role.HUISARTS}))
    return {"Authorization": f"Bearer {issue_token(principal, SECRET)}"}


def a_signal(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "signaler_role": "apotheker",
        "name": "Mevrouw Jansen",
        "postcode": "3562 AB",
        "observations": ["alleen_wonend", "somber"],
        "age_band": "80+",
        "consent": "ja",
        "note": "",
        "lang": "nl",
    }
    return {**form, **changes}


def field_block(html: str, name: str) -> str:
    """The HTML from a field's label up to its input: where its error must be shown."""
    start = html.index(f'<label for="{name}"')
    return html[start : html.index(f'id="{name}"', start)]


# --- the pages -------------------------------------------------------------------------------


async def test_the_form_is_dutch_first(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/")
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Zorgen om iemand? Meld het hier" in page.text
    assert "Ik meld voor mezelf" in page.text
    assert "Klinkt schor midden op de dag" in page.text
    assert 'href="/?lang=en"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


async def test_the_form_switches_to_english(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Worried about someone? Report it here" in page.text
    assert "I am reporting about myself" in page.text
    assert 'href="/?lang=nl"' in page.text
    assert 'name="lang" value="en"' in page.text


async def test_every_choice_has_a_dutch_label() -> None:
    assert set(ROLE_LABELS) == set(SignalerRole)
    assert set(OBSERVATION_LABELS) == set(Observation) == {*SIGNS, *CIRCUMSTANCES}
    assert set(SELF_OBSERVATION_LABELS) < set(Observation)
    assert set(AGE_LABELS) == set(AgeBand) - {AgeBand.ONDER_18}


def choice_labels(html: str) -> list[str]:
    return re.findall(r'<label for="obs-[a-z_]+">([^<]+)</label>', html)


async def test_the_form_teaches_what_signalers_are_trained_to_notice_in_plain_dutch(
    gateway: httpx.AsyncClient,
) -> None:
    page = (await gateway.get("/")).text
    labels = choice_labels(page)
    for taught in (
        "De gordijnen zijn vaak dicht",
        "Durft niet meer naar buiten",
        "Is vaak boos of gefrustreerd, klaagt veel of vertrouwt anderen niet",
        "Familie woont ver weg",
        "Eet slecht of is erg mager geworden",
        "Zorgt voor een ander en heeft het zwaar",
    ):
        assert taught in labels
    assert "U kunt meer dan één antwoord kiezen." in page
    assert "Weet u de naam niet? Beschrijf dan wie het is" in field_block(page, "name")
    assert not re.search(r"\bsignaal\b", page, re.IGNORECASE)  # a "melding", everywhere


async def test_the_113_line_stands_right_next_to_life_having_no_purpose(
    gateway: httpx.AsyncClient,
) -> None:
    for path in ("/", "/voor-mezelf"):
        page = (await gateway.get(path)).text
        after_choice = page[page.index('id="obs-zinloosheid"') :]
        next_choice = after_choice.find('type="checkbox"', 1)
        line = after_choice.index("113")
        assert next_choice == -1 or line < next_choice, path
        assert 'aria-describedby="suicide-line"' in after_choice[:200]


async def test_the_form_does_not_offer_under_18_and_points_young_people_elsewhere(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    page = (await gateway.get("/")).text
    assert 'value="0-17"' not in page
    assert "18 jaar en ouder" in field_block(page, "age_band")

    refused = await gateway.post("/melden", data=a_signal(age_band="0-17"))
    assert refused.status_code == 422
    assert "14 030" in field_block(refused.text, "age_band")
    assert seen["intake"] == []


async def test_someone_who_feels_lonely_has_a_warm_page_of_their_own(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    entry = (await gateway.get("/")).text
    assert 'href="/voor-mezelf"' in entry
    page = (await gateway.get("/voor-mezelf")).text
    assert "Voelt u zich eenzaam? Laat het ons weten" in page
    assert "Daar hoeft u zich niet voor te schamen" in page
    assert "Ik voel me vaak eenzaam" in choice_labels(page)
    assert "Eet slecht of is erg mager geworden" not in page  # an observer's words
    assert 'id="signaler_role"' not in page
    assert '<input type="hidden" name="signaler_role" value="zelf">' in page

    mine = a_signal(signaler_role="zelf", observations=["voelt_zich_eenzaam"], phone="")
    no_way = await gateway.post("/melden", data=mine)
    assert no_way.status_code == 422
    assert 'id="contact_way-error">Kies hoe wij u mogen bereiken.' in no_way.text
    assert "Laat het ons weten" in no_way.text  # the page of one's own, kept

    unreachable = await gateway.post("/melden", data={**mine, "contact_way": "telefoon"})
    assert unreachable.status_code == 422
    assert "Vul uw telefoonnummer in" in field_block(unreachable.text, "phone")
    assert 'value="telefoon" checked' in unreachable.text  # the choice kept
    assert seen["intake"] == []

    sent = await gateway.post(
        "/melden", data={**mine, "contact_way": "telefoon", "phone": "06 1234 5678"}
    )
    assert sent.status_code == 303
    assert seen["intake"][0]["json"]["about_self"] is True
    assert seen["intake"][0]["json"]["contact_way"] == "telefoon"


@pytest.mark.parametrize(
    ("way", "detail", "value"),
    [("brief", "street_address", "Kerkstraat 12"), ("via_huisarts", "gp_practice", "De Linde")],
)
async def test_someone_reporting_about_themself_may_ask_for_a_letter_or_their_gp(
    gateway: httpx.AsyncClient, seen: dict[str, Seen], way: str, detail: str, value: str
) -> None:
    mine = a_signal(signaler_role="zelf", contact_way=way)
    missing = await gateway.post("/melden", data=mine)
    assert missing.status_code == 422
    assert 'class="error"' in field_block(missing.text, detail)

    sent = await gateway.post("/melden", data={**mine, detail: value})
    assert sent.status_code == 303
    body = seen["intake"][0]["json"]
    assert body["contact_way"] == way
    assert value in (body["gp_practice"], body["person"]["street_address"])


async def test_a_birth_date_is_optional_and_passed_on(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    page = (await gateway.get("/")).text
    assert 'id="date_of_birth" name="date_of_birth" type="date"' in page
    assert (await gateway.post("/melden", data=a_signal())).status_code == 303
    assert seen["intake"][0]["json"]["person"]["date_of_birth"] is None

    sent = await gateway.post("/melden", data=a_signal(date_of_birth="1941-05-02"))
    assert sent.status_code == 303
    assert seen["intake"][1]["json"]["person"]["date_of_birth"] == "1941-05-02"


async def test_the_public_footer_is_for_the_public(gateway: httpx.AsyncClient) -> None:
    for path in ("/", "/voor-mezelf", f"/ontvangen/{RECEIPT}"):
        page = (await gateway.get(path)).text
        assert 'href="/docs"' not in page, path
        assert "113" in page
        assert "14 030" in page
    developer = (await gateway.get("/asyncapi")).text
    assert 'href="/docs"' in developer


async def test_missing_postcode_is_shown_next_to_the_field_and_the_name_is_kept(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    page = await gateway.post("/melden", data=a_signal(postcode=""))
    assert page.status_code == 422
    assert "Vul de postcode in" in field_block(page.text, "postcode")
    assert 'value="Mevrouw Jansen"' in page.text
    assert 'value="somber" checked' in page.text
    assert seen["intake"] == []  # nothing to send yet


async def test_intake_refusal_is_shown_next_to_the_field(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    page = await gateway.post("/melden", data=a_signal(postcode="12345", lang="en"))
    assert page.status_code == 422
    assert "This is not a Dutch postcode" in field_block(page.text, "postcode")
    assert 'value="12345"' in page.text
    assert len(seen["intake"]) == 1


async def test_a_valid_signal_leads_to_the_receipt_page(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    answer = await gateway.post("/melden", data=a_signal())
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/ontvangen/{RECEIPT}"
    sent = seen["intake"][0]
    assert sent["json"]["person"] == {
        "name": "Mevrouw Jansen",
        "postcode": "3562 AB",
        "phone": None,
        "email": None,
        "street_address": None,
        "date_of_birth": None,
    }
    assert sent["json"]["consent_to_contact"] is True
    assert sent["headers"]["idempotency-key"]
    assert sent["headers"]["x-correlation-id"] == answer.headers["x-correlation-id"]

    page = await gateway.get(answer.headers["location"])
    assert page.status_code == 200
    assert f'<p class="code">{RECEIPT}</p>' in page.text
    assert "doorgegeven aan de sociaal makelaar in uw wijk" in page.text  # as feedback says it
    assert "Doorgegeven aan" in page.text
    assert "<dd>een sociaal makelaar of het buurtteam in de wijk</dd>" in page.text
    assert "<dd>11-05-2026</dd>" in page.text  # received, in Utrecht's time
    assert "<dd>12-05-2026 12:15</dd>" in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_a_receipt_feedback_does_not_know_yet_is_being_processed(
    gateway: httpx.AsyncClient,
) -> None:
    page = await gateway.get("/ontvangen/AAAA-BBBB-CC", params={"lang": "en"})
    assert page.status_code == 200
    assert "Being processed" in page.text


async def test_a_self_report_is_sent_as_one() -> None:
    payload = SignalForm(
        signaler_role="zelf", signaler_organisation="X", name="A", postcode="3512 AB", consent="nee"
    ).payload()
    assert payload["about_self"] is True
    assert payload["signaler_organisation"] is None
    assert payload["consent_to_contact"] is False


async def test_the_events_page_lists_channels_and_messages(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/asyncapi.json")).json()
    assert document["asyncapi"].startswith("3.")
    page = await gateway.get("/asyncapi")
    assert page.status_code == 200
    some_channel = next(iter(document["channels"].values()))["address"]
    assert some_channel in page.text


async def test_the_form_keeps_what_was_typed_when_intake_is_down(tmp_path: Path) -> None:
    async with lonely_gateway(tmp_path / "none.json") as gateway:
        page = await gateway.post("/melden", data=a_signal())
    assert page.status_code == 503
    assert "Het versturen lukte nu niet" in page.text
    assert 'value="Mevrouw Jansen"' in page.text


# --- login -----------------------------------------------------------------------------------


async def test_login_with_the_right_password_gives_a_token_of_the_organisation(
    gateway: httpx.AsyncClient,
) -> None:
    answer = await gateway.post(
        "/api/v1/auth/token", json={"username": "huisarts", "password": "geheim"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["organisation"] == "huisartsenpraktijk-overvecht"
    assert verify_token(body["access_token"], SECRET).organisation == body["organisation"]


async def test_login_accepts_an_oauth2_password_form(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "huisarts", "password": "geheim"},
    )
    assert answer.status_code == 200
    assert answer.json()["roles"] == ["huisarts"]


@pytest.mark.parametrize(("username", "password"), [("huisarts", "fout"), ("niemand", "geheim")])
async def test_login_with_a_wrong_password_or_user_is_refused(
    gateway: httpx.AsyncClient, username: str, password: str
) -> None:
    answer = await gateway.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert answer.status_code == 401
    assert "access_token" not in answer.json()


async def test_without_a_users_file_logins_are_off_not_open(tmp_path: Path) -> None:
    async with lonely_gateway(tmp_path / "none.json") as gateway:
        answer = await gateway.post(
            "/api/v1/auth/token", json={"username": "huisarts", "password": "geheim"}
        )
    assert answer.status_code == 503
    assert "SCHAKEL_USERS_FILE" in answer.json()["detail"]


def test_demo_accounts_match_their_passwords() -> None:
    path = DEMO_USERS_FILE
    accounts = json.loads(path.read_text())
    store = load_users(path)
    assert len(store) == len(accounts) == 13
    for account in accounts:
        assert verify_password(account["password"], account["password_hash"])
    organisations = {a["username"]: a["organisation"] for a in accounts}
    assert organisations["huisarts"] == "huisartsenpraktijk-overvecht"
    # Owners triage names in the demo can log in: a coordination point and an exercise broker.
    assert organisations["coordinatiepunt"] == "coordinatiepunt-eenzaamheid"
    assert organisations["beweegmakelaar"] == "beweegmakelaars-overvecht"
    # The providers' coordinator who registers the demo helpers in matching.
    assert organisations["coordinator-aanbod"] == "aanbod-utrecht"


# --- the proxy -------------------------------------------------------------------------------


async def test_protected_paths_forward_authorization_and_correlation_id(
    gateway: httpx.AsyncClient,
) -> None:
    headers = {**bearer(), "X-Correlation-ID": "corr-42"}
    answer = await gateway.get("/api/v1/referrals", params={"state": "open"}, headers=headers)
    assert answer.status_code == 200
    echoed = answer.json()
    assert echoed["headers"]["authorization"] == headers["Authorization"]
    assert echoed["headers"]["x-correlation-id"] == "corr-42"
    assert echoed["query"] == "state=open"
    assert answer.headers["x-correlation-id"] == "corr-42"


async def test_protected_paths_need_a_valid_token(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    assert (await gateway.get("/api/v1/referrals")).status_code == 401
    forged = {"Authorization": "Bearer " + issue_token(Principal("x", "y"), "other-secret")}
    assert (await gateway.get("/api/v1/referrals", headers=forged)).status_code == 401
    assert seen["feedback"] == []


async def test_public_signal_api_forwards_idempotency_key_and_status(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    body = SignalForm(
        signaler_role="buurtbewoner", name="Henk", postcode="3554 AB", consent="ja"
    ).payload()
    answer = await gateway.post("/api/v1/signals", json=body, headers={"Idempotency-Key": "k-1"})
    assert answer.status_code == 202
    assert answer.json()["receipt"] == RECEIPT
    assert seen["intake"][0]["headers"]["idempotency-key"] == "k-1"
    status = await gateway.get(f"/api/v1/signals/{RECEIPT}/status")
    assert status.json()["status"] == "in_behandeling"


async def test_an_unreachable_service_gives_503_naming_it(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.get("/api/v1/offers", headers=bearer())
    assert answer.status_code == 503
    assert answer.json()["service"] == "matching"
    assert "matching" in answer.json()["detail"]


async def test_readiness_names_the_services_that_are_down(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["intake"] == "ok"
    assert answer.json()["audit"].startswith("failing")


# --- the merged OpenAPI document -------------------------------------------------------------

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
LOGIN = ("POST", "/api/v1/auth/token")


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def forwarded_by_the_services() -> set[tuple[str, str]]:
    """What the services' routers declare and the routing table sends to that same service."""
    found = set()
    for service, router in SERVICE_ROUTERS.items():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods or ():
                target = route_for(method, route.path)
                if target is not None and target.service == service:
                    found.add((method, route.path))
    return found


async def test_openapi_lists_every_forwarded_operation(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    listed = operations(document)
    assert listed == forwarded_by_the_services() | {LOGIN}
    paths = document["paths"]
    assert "post" in paths["/api/v1/signals"]  # intake
    assert "get" in paths["/api/v1/signals/{receipt}/status"]  # feedback
    assert set(paths["/api/v1/referrals"]) == {"get", "post"}  # one path, two services
    assert "/api/v1/referrals/{referral_id}/timeline" in paths  # audit, within feedback's prefix
    assert paths["/api/v1/offers"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert "x-schakel-unavailable-services" not in document
    # Every entry of the routing table is documented, but for one no service serves yet.
    undocumented = [r.path for r in ROUTES if not any(r.serves(m, p) for m, p in listed)]
    assert undocumented == ["/api/v1/offers/{rest:path}"]


async def test_openapi_is_built_without_asking_any_service(tmp_path: Path) -> None:
    network = ServiceNetwork({})  # every service down; records what the gateway asks
    app = build(GatewaySettings(users_file=str(tmp_path / "none.json")), transport=network)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as gateway:
        first = await gateway.get("/openapi.json")
        second = await gateway.get("/openapi.json")
        docs = await gateway.get("/docs")
    assert first.status_code == second.status_code == docs.status_code == 200
    assert first.json() == second.json()
    assert operations(first.json()) == forwarded_by_the_services() | {LOGIN}
    assert network.asked == []


def test_only_operations_routed_to_their_own_service_are_documented() -> None:
    intake = APIRouter(prefix="/api/v1")

    @intake.post("/signals")
    async def signal() -> None: ...

    @intake.api_route("/referrals", methods=["GET", "POST"])
    async def referrals() -> None: ...  # GET /api/v1/referrals is feedback's

    @intake.get("/internal/vault-size")
    async def internal() -> None: ...  # not reachable through the gateway

    document = merged_openapi(FastAPI(title="t"), {"intake": intake})
    assert operations(document) == {("POST", "/api/v1/signals"), ("POST", "/api/v1/referrals")}
    original = next(r for r in intake.routes if isinstance(r, APIRoute) and r.name == "referrals")
    assert original.methods == {"GET", "POST"}  # the service's own route is left as it was


# --- nothing from another host ---------------------------------------------------------------

URL_ATTRIBUTES = frozenset(
    {"src", "href", "action", "formaction", "poster", "data", "background", "cite", "ping"}
)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@import\s+["']([^"']*)""")
SCRIPT_URL = re.compile(r"""["'`]((?:[a-z][a-z0-9+.-]*:)?//[^"'`\s]*)""", re.IGNORECASE)
LOCAL_SCHEMES = frozenset({"data", "mailto", "tel", "about"})


def css_urls(css: str) -> list[str]:
    return [next(g for g in match.groups() if g is not None) for match in CSS_URL.finditer(css)]


class References(HTMLParser):
    """Every URL a page refers to, and the files it loads (scripts, style sheets, icons)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.assets: list[tuple[str, str]] = []  # (url, "stylesheet" or "other")
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value for name, value in attrs if value is not None}
        for name, value in found.items():
            if name in URL_ATTRIBUTES or name.endswith(":href"):
                self.urls.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [c.split()[0] for c in value.split(",") if c.strip()]
            elif name == "style":
                self.urls += css_urls(value)
        if tag == "link" and "href" in found:
            kind = "stylesheet" if "stylesheet" in found.get("rel", "").split() else "other"
            self.assets.append((found["href"], kind))
        if tag in ("script", "img") and "src" in found:
            self.assets.append((found["src"], "other"))
        if tag in ("script", "style"):
            self._inside = tag

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self.urls += css_urls(data)
        elif self._inside == "script":
            self.urls += [m.group(1) for m in SCRIPT_URL.finditer(data)]


def elsewhere(url: str) -> bool:
    """Whether ``url`` names a host (any host: the pages use paths on the gateway only)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in LOCAL_SCHEMES:
        return False
    return bool(parts.scheme or parts.netloc)


async def foreign_references(gateway: httpx.AsyncClient, page: httpx.Response) -> list[str]:
    """The URLs naming a host in the page and in the style sheets it loads; each file the
    page loads must be served by the gateway itself."""
    assert page.headers["content-type"].startswith("text/html"), page.request.url
    parser = References()
    parser.feed(page.text)
    found = [url for url in parser.urls if elsewhere(url)]
    for url, kind in parser.assets:
        if elsewhere(url):
            continue  # already listed
        asset = await gateway.get(urljoin(str(page.request.url), url))
        assert asset.status_code == 200, f"{url} (loaded by {page.request.url.path})"
        if kind == "stylesheet":
            found += [f"{url}: {ref}" for ref in css_urls(asset.text) if elsewhere(ref)]
    return found


PAGES: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "form": ("GET", "/", None),
    "form in English": ("GET", "/?lang=en", None),
    "form for oneself": ("GET", "/voor-mezelf", None),
    "form with a missing field": ("POST", "/melden", a_signal(postcode="")),
    "form with intake's refusal": ("POST", "/melden", a_signal(postcode="12345", lang="en")),
    "receipt with a status": ("GET", f"/ontvangen/{RECEIPT}", None),
    "receipt still being processed": ("GET", "/ontvangen/AAAA-BBBB-CC?lang=en", None),
    "message: unknown code": ("GET", "/ontvangen/x", None),
    "events": ("GET", "/asyncapi", None),
    "Swagger UI": ("GET", "/docs", None),
}


@pytest.mark.parametrize("name", PAGES)
async def test_a_page_loads_nothing_from_another_host(
    gateway: httpx.AsyncClient, name: str
) -> None:
    method, path, form = PAGES[name]
    page = await gateway.request(method, path, data=form)
    assert page.status_code in (200, 404, 422), page.text[:500]
    assert await foreign_references(gateway, page) == []


# The owners' pages: (method, path, form, signed in).
OWNER_PAGES: dict[str, tuple[str, str, dict[str, str] | None, bool]] = {
    "sign-in": ("GET", "/inloggen?lang=en", None, False),
    "sign-in refused": ("POST", "/inloggen", {"username": "huisarts", "password": "fout"}, False),
    "inbox": ("GET", "/inbox", None, True),
    "inbox with the closed ones": ("GET", "/inbox?gesloten=ja&lang=en", None, True),
    "referral with its action forms": ("GET", "/inbox/ref-1", None, True),
    "referral after a refused action": ("POST", "/inbox/ref-1/close", {"outcome": "anders"}, True),
    "unknown referral": ("GET", "/inbox/ref-unknown", None, True),
    "form without its CSRF token": ("POST", "/inbox/ref-1/accept", {"csrf_token": "x"}, True),
}


@pytest.mark.parametrize("name", OWNER_PAGES)
async def test_an_owners_page_loads_nothing_from_another_host(users_file: Path, name: str) -> None:
    method, path, form, signed_in = OWNER_PAGES[name]
    followup = FakeFollowup(SECRET)
    await followup.route("ref-1")
    await followup.do("ref-1", "accept", {})
    settings = GatewaySettings(
        env="development",
        followup_url="http://followup",
        users_file=str(users_file),
        auth_secret=SECRET,
    )
    app = build(settings, transport=ServiceNetwork({"followup": followup.app()}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as gateway:
        owner = Principal("makelaar", OWNER, frozenset({Role.SOCIAAL_MAKELAAR}))
        if signed_in:
            gateway.cookies.set(SESSION_COOKIE, issue_token(owner, SECRET))
        start = await gateway.get("/inbox" if signed_in else "/inloggen")
        token = re.search(r'name="csrf_token" value="([^"]+)"', start.text)
        assert token is not None
        page = await gateway.request(
            method, path, data=None if form is None else {"csrf_token": token[1], **form}
        )
        assert page.status_code in (200, 401, 403, 404, 422), page.text[:500]
        assert await foreign_references(gateway, page) == []


async def test_the_pages_shown_when_services_are_down_load_nothing_from_elsewhere(
    tmp_path: Path,
) -> None:
    async with lonely_gateway(tmp_path / "none.json") as gateway:
        failed = await gateway.post("/melden", data=a_signal())
        status_unknown = await gateway.get(f"/ontvangen/{RECEIPT}")
        assert (failed.status_code, status_unknown.status_code) == (503, 200)
        assert "De status is nu even niet op te vragen" in status_unknown.text
        for page in (failed, status_unknown):
            assert await foreign_references(gateway, page) == []


def test_the_check_finds_references_to_other_hosts() -> None:
    parser = References()
    parser.feed(
        '<link rel="stylesheet" href="https://cdn.example/x.css">'
        '<img srcset="/a.png 1x, //img.example/b.png 2x">'
        '<form action="http://evil.example/post"></form>'
        "<div style=\"background: url('https://x.example/bg.png')\"></div>"
        "<style>@import 'https://fonts.example/f.css';</style>"
        "<script>load('https://js.example/a.js'); const ok = '/openapi.json';</script>"
        '<a href="/docs">docs</a><img src="data:image/png;base64,AAAA">'
    )
    assert [url for url in parser.urls if elsewhere(url)] == [
        "https://cdn.example/x.css",
        "//img.example/b.png",
        "http://evil.example/post",
        "https://x.example/bg.png",
        "https://fonts.example/f.css",
        "https://js.example/a.js",
    ]


def test_intakes_refusal_of_a_birth_date_is_shown_at_the_field_in_dutch() -> None:
    answer = httpx.Response(
        422,
        json={
            "errors": [
                {
                    "field": "person.date_of_birth",
                    "reason": "Value error, a date of birth cannot be in the future",
                }
            ]
        },
    )
    problems = intake_problems(answer, "nl")
    assert problems.by_field["date_of_birth"].startswith("Deze geboortedatum kan niet kloppen")


async def test_an_api_key_reaches_intake_only_with_a_signal_and_is_refused_elsewhere(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    key = {"X-Api-Key": "schakel_0a1b2c3d_" + "k" * 43}
    signal = {"person": {"name": "A", "postcode": "3562 AB"}}
    sent = await gateway.post("/api/v1/signals", json=signal, headers=key)
    assert sent.status_code == 202
    assert seen["intake"][0]["headers"]["x-api-key"] == key["X-Api-Key"]
    for method, path in (
        ("GET", f"/api/v1/signals/{RECEIPT}/status"),
        ("GET", "/api/v1/referrals"),
        ("POST", "/api/v1/referrals"),
        ("GET", "/api/v1/admin/api-keys"),
        ("GET", "/api/v1/inbox"),
    ):
        refused = await gateway.request(method, path, json={}, headers=key)
        assert refused.status_code == 403, (method, path)
        assert "signalling only" in refused.json()["detail"]
    assert len(seen["intake"]) == 1 and seen["feedback"] == []
    # Without a key, nothing of the sort is sent on.
    await gateway.post("/api/v1/signals", json=signal)
    assert "x-api-key" not in seen["intake"][1]["headers"]
