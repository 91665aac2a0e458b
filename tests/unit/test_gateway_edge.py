"""What a careless client or an attacker sends the gateway that it must not forward: bytes a
header cannot carry, over-long URLs and ids, paths that would resolve elsewhere. Each gets a
4xx that names what is wrong; nothing reaches a service and nothing is a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from schakel.gateway.app import GatewaySettings, build
from schakel.platform.edge import MAX_URL_BYTES
from tests.unit.test_gateway import (
    RECEIPT,
    SECRET,
    Seen,
    ServiceNetwork,
    a_signal,
    bearer,
    fake_network,
    field_block,
)

NON_ASCII = "Caf\xe9".encode("latin-1")  # one byte >= 0x80, as a client may send it


@pytest.fixture
def seen() -> dict[str, Seen]:
    return {"intake": [], "feedback": []}


@pytest.fixture
def app(tmp_path: Path, seen: dict[str, Seen]) -> FastAPI:
    network = fake_network(seen)
    settings = GatewaySettings(
        intake_url="http://intake",
        feedback_url="http://feedback",
        users_file=str(tmp_path / "none.json"),
        auth_secret=SECRET,
    )
    return build(settings, transport=network)


@pytest.fixture
async def gateway(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def forwarded(seen: dict[str, Seen]) -> int:
    return len(seen["intake"]) + len(seen["feedback"])


SIGNAL_JSON = {
    "signaler_role": "buurtbewoner",
    "person": {"name": "Henk", "postcode": "3554 AB"},
    "consent_to_contact": True,
}


@pytest.mark.parametrize(
    "header", ["X-Correlation-ID", "Idempotency-Key", "Accept-Language", "Content-Type"]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/signals"), ("GET", f"/api/v1/signals/{RECEIPT}/status")],
)
async def test_a_header_with_a_non_ascii_byte_is_refused_naming_it(
    gateway: httpx.AsyncClient, seen: dict[str, Seen], header: str, method: str, path: str
) -> None:
    body: dict[str, Any] = {"json": SIGNAL_JSON} if method == "POST" else {}
    if header == "Content-Type":
        body = {"content": b"{}"}
    answer = await gateway.request(method, path, headers={header.encode(): NON_ASCII}, **body)
    assert answer.status_code == 400, answer.text
    assert header.lower() in answer.json()["detail"].lower()
    assert forwarded(seen) == 0


async def test_an_over_long_header_is_refused_as_too_large(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    answer = await gateway.post(
        "/api/v1/signals", json=SIGNAL_JSON, headers={"Accept-Language": "nl," * 5000}
    )
    assert answer.status_code == 431
    assert "accept-language" in answer.json()["detail"]
    assert forwarded(seen) == 0


async def raw_get(app: FastAPI, path: str, query: bytes = b"") -> int:
    """The status of a GET sent as raw ASGI: what httpx would refuse to send (a 64 KiB URL)
    or would percent-encode (raw non-ASCII), as a lax server may still pass it on."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(b"host", b"gateway")],
        "client": ("127.0.0.1", 5000),
        "server": ("gateway", 80),
    }
    await app(scope, receive, send)
    status: int = sent[0]["status"]
    return status


async def test_an_over_long_url_is_414(
    app: FastAPI, gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    just_over = "A" * (MAX_URL_BYTES + 1)
    answer = await gateway.get(f"/api/v1/signals/{just_over}/status")
    assert answer.status_code == 414
    in_query = await gateway.get("/api/v1/referrals", params={"q": just_over}, headers=bearer())
    assert in_query.status_code == 414
    assert await raw_get(app, f"/api/v1/signals/{'A' * 70_000}/status") == 414
    assert await raw_get(app, "/api/v1/referrals", b"q=" + b"x" * 70_000) == 414
    assert forwarded(seen) == 0


@pytest.mark.parametrize(
    "value",
    ["x" * 70_000, "x" * 129, "has space", "semi;colon", "ünï", "new\tline"],
)
async def test_a_correlation_id_or_idempotency_key_that_is_no_short_token_is_400(
    gateway: httpx.AsyncClient, seen: dict[str, Seen], value: str
) -> None:
    for header in ("X-Correlation-ID", "Idempotency-Key"):
        answer = await gateway.post(
            "/api/v1/signals", json=SIGNAL_JSON, headers={header.encode(): value.encode("latin-1")}
        )
        assert answer.status_code == 400, (header, answer.text)
        assert answer.json()["errors"] == [
            {"field": f"header.{header}", "reason": answer.json()["errors"][0]["reason"]}
        ]
        assert "128" in answer.json()["detail"]
        # The refusal has an id of its own (for the log), never the one refused.
        assert answer.headers["x-correlation-id"] != value
    assert forwarded(seen) == 0


async def test_a_valid_correlation_id_of_the_longest_kind_is_sent_on(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    longest = "a.B_c:d-" * 16  # 128 characters
    answer = await gateway.post(
        "/api/v1/signals", json=SIGNAL_JSON, headers={"X-Correlation-ID": longest}
    )
    assert answer.status_code == 202
    assert seen["intake"][0]["headers"]["x-correlation-id"] == longest


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/referrals/x/..%2F..%2Faudit%2Fverify",
        "/api/v1/referrals/x/%2e%2e/%2e%2e/audit/verify",
        "/api/v1/referrals/a%2Fb",
        "/api/v1/referrals/a%5Cb",
        "/api/v1/referrals/%2E/x",
    ],
)
async def test_dot_segments_and_encoded_separators_are_refused_not_resolved(
    gateway: httpx.AsyncClient, seen: dict[str, Seen], path: str
) -> None:
    answer = await gateway.get(path, headers=bearer())
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["field"] == "(path)"
    assert forwarded(seen) == 0


async def test_an_encoded_question_mark_stays_in_the_path_and_the_query_goes_as_sent(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    answer = await gateway.get("/api/v1/referrals?state=open%20now&x=%FF", headers=bearer())
    assert answer.status_code == 200
    assert answer.json()["query"] == "state=open%20now&x=%FF"
    status = await gateway.get("/api/v1/signals/K7QM%3Fx=1/status")
    assert status.status_code == 404  # fake feedback: an unknown receipt, "K7QM?x=1"
    assert seen["feedback"][-1]["path"] == "/api/v1/signals/K7QM%3Fx=1/status"  # one segment


async def test_a_query_with_raw_non_ascii_bytes_is_refused(
    app: FastAPI, seen: dict[str, Seen]
) -> None:
    assert await raw_get(app, f"/api/v1/signals/{RECEIPT}/status", b"lang=\xe9") == 400
    assert forwarded(seen) == 0


async def test_a_damaged_idempotency_key_in_the_form_gets_the_form_back_not_intake_down(
    gateway: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    page = await gateway.post("/melden", data=a_signal(idempotency_key="abc\x01def"))
    assert page.status_code == 400
    assert "Het formulier kwam beschadigd aan" in page.text
    assert "Het versturen lukte nu niet" not in page.text  # not "intake is down"
    assert 'value="Mevrouw Jansen"' in page.text
    assert 'name="idempotency_key" value="abc' not in page.text  # a fresh, valid key
    assert seen["intake"] == []
    again = await gateway.post(
        "/melden", data=a_signal(idempotency_key="3f2a6c1e-9a34-4f1b-8c2d-7e5f0a1b2c3d")
    )
    assert again.status_code == 303


async def test_an_invisible_character_intake_refuses_is_explained_next_to_its_field(
    tmp_path: Path,
) -> None:
    """Intake names the field and the control character; the form says it in words."""
    intake = FastAPI()

    @intake.post("/api/v1/signals")
    async def refuse() -> JSONResponse:
        reason = "Value error, contains the control character U+0007; only printable text"
        return JSONResponse(
            status_code=422,
            content={"errors": [{"field": "person.name", "reason": reason}]},
        )

    settings = GatewaySettings(intake_url="http://intake", users_file=str(tmp_path / "x.json"))
    app = build(settings, transport=ServiceNetwork({"intake": intake}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as gateway:
        page = await gateway.post("/melden", data=a_signal(name="Mevrouw\x07Jansen"))
    assert page.status_code == 422
    assert "Hier staat een onzichtbaar teken in" in field_block(page.text, "name")
