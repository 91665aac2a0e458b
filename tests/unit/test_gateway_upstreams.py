"""What the gateway answers when a service fails to answer, and which headers cross it: a
client can tell "try again later" (503), "it took too long" (504) and "it answered nonsense"
(502) apart, each naming the service; only the headers a client or service needs go through."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from schakel.gateway.app import GatewaySettings, build
from tests.unit.test_gateway import SECRET, bearer

Answer = Callable[[httpx.Request], httpx.Response]


class Upstream(httpx.AsyncBaseTransport):
    """Every service answers with ``answer`` (which may raise what a network raises)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def gateway_for(upstream: Upstream, tmp_path: Path) -> httpx.AsyncClient:
    settings = GatewaySettings(
        matching_url="http://matching",
        users_file=str(tmp_path / "none.json"),
        auth_secret=SECRET,
    )
    app = build(settings, transport=upstream)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://gateway")


@pytest.fixture
def answers() -> list[Answer]:
    return []


@pytest.fixture
def upstream(answers: list[Answer]) -> Upstream:
    return Upstream(lambda request: answers[0](request))


@pytest.fixture
async def gateway(tmp_path: Path, upstream: Upstream) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_for(upstream, tmp_path) as client:
        yield client


def raises(error: type[httpx.TransportError]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return answer


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (httpx.ConnectError, 503, "is not reachable"),
        (httpx.ConnectTimeout, 503, "is not reachable"),
        (httpx.ReadTimeout, 504, "did not answer in time"),
        (httpx.WriteTimeout, 504, "did not answer in time"),
        (httpx.PoolTimeout, 504, "did not answer in time"),
        (httpx.RemoteProtocolError, 502, "gave no usable answer"),
        (httpx.ReadError, 502, "gave no usable answer"),
    ],
)
async def test_a_service_that_fails_to_answer_gets_a_status_naming_it_and_why(
    gateway: httpx.AsyncClient,
    answers: list[Answer],
    error: type[httpx.TransportError],
    status: int,
    says: str,
) -> None:
    answers.append(raises(error))
    answer = await gateway.get("/api/v1/offers", headers=bearer())
    assert answer.status_code == status
    assert answer.json() == {
        "detail": f"the matching service {says}; please try again shortly",
        "service": "matching",
    }
    # Only "not reachable" is a moment's outage worth retrying on a schedule.
    assert answer.headers.get("retry-after") == ("5" if status == 503 else None)


async def test_only_the_headers_a_service_needs_are_sent_on(
    gateway: httpx.AsyncClient, upstream: Upstream, answers: list[Answer]
) -> None:
    answers.append(lambda request: httpx.Response(200, json={"offers": []}))
    sent = {
        **bearer(),
        "Accept": "application/json",
        "Accept-Language": "nl",
        "Idempotency-Key": "k-7",
        "X-Correlation-ID": "corr-7",
        "Cookie": "session=stolen",
        "X-Forwarded-For": "10.0.0.1",
        "X-Roles": "auditor",
        "X-Organisation": "gemeente-utrecht",
    }
    answer = await gateway.get("/api/v1/offers", headers=sent)
    assert answer.status_code == 200
    [request] = upstream.requests
    names = {name.lower() for name in request.headers}
    assert names >= {"authorization", "accept", "accept-language", "idempotency-key"}
    assert request.headers["x-correlation-id"] == "corr-7"
    assert names.isdisjoint({"cookie", "x-forwarded-for", "x-roles", "x-organisation"})


async def test_only_the_headers_a_client_needs_come_back(
    gateway: httpx.AsyncClient, answers: list[Answer]
) -> None:
    answers.append(
        lambda request: httpx.Response(
            401,
            json={"detail": "no"},
            headers={
                "WWW-Authenticate": "Bearer",
                "Retry-After": "30",
                "Location": "/api/v1/offers/o-1",
                "Set-Cookie": "upstream=secret",
                "Server": "uvicorn",
                "X-Internal-Host": "matching-7f9c",
            },
        )
    )
    answer = await gateway.get("/api/v1/offers", headers=bearer())
    assert (answer.status_code, answer.json()) == (401, {"detail": "no"})
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.headers["retry-after"] == "30"
    assert answer.headers["location"] == "/api/v1/offers/o-1"
    assert answer.headers["content-type"] == "application/json"
    assert "set-cookie" not in answer.headers
    assert "x-internal-host" not in answer.headers
    assert answer.headers.get("server") != "uvicorn"
