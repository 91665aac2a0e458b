"""The HTTP side every service shares, as a probe, a scraper and a stranger meet it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

import httpx
import pytest
from pydantic import BaseModel, SecretStr
from pymongo.errors import ExecutionTimeout, OperationFailure, ServerSelectionTimeoutError

from schakel.platform.http import create_app
from schakel.platform.settings import ServiceSettings

TOKEN = "scrape-me-" + "x" * 22


class Signaler(BaseModel):
    role: Literal["apotheker", "huisarts"]


class Form(BaseModel):
    signaler: Signaler
    count: int


async def mongo_down() -> None:
    raise ConnectionError("connection refused: mongodb-7.internal.example:27017")


async def kafka_up() -> None:
    return None


async def client_for(token: SecretStr | None) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(service_name="triage", metrics_token=token)
    app = create_app(settings, title="t", readiness=[("mongodb", mongo_down), ("kafka", kafka_up)])

    @app.post("/api/v1/things")
    async def store_thing() -> None:
        raise ServerSelectionTimeoutError("mongodb-7.internal.example:27017: connection refused")

    @app.post("/api/v1/slow-things")
    async def store_slowly() -> None:  # what a transaction given ``within`` raises when late
        raise ExecutionTimeout("operation exceeded time limit", 50)

    @app.post("/api/v1/forms")
    async def send_form(form: Form, limit: int = 10) -> dict[str, int]:
        return {"count": form.count, "limit": limit}

    @app.post("/api/v1/broken-things")
    async def store_wrongly() -> None:
        raise OperationFailure("unknown operator: $bogus", 2)

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


@pytest.fixture
async def service() -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(SecretStr(TOKEN)):
        yield client


@pytest.fixture
async def without_token() -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(None):
        yield client


async def test_metrics_are_for_the_scraper_with_the_token(service: httpx.AsyncClient) -> None:
    shown = await service.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert shown.status_code == 200
    assert "schakel_http_requests_total" in shown.text


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer "])
async def test_metrics_refuse_anyone_else(
    service: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    refused = await service.get("/metrics", headers=headers)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "metrics need the bearer token from SCHAKEL_METRICS_TOKEN"}
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "schakel_" not in refused.text


async def test_without_a_configured_token_there_are_no_metrics(
    without_token: httpx.AsyncClient,
) -> None:
    unknown = await without_token.get("/no-such-path")
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
        answer = await without_token.get("/metrics", headers=headers)
        # Exactly as a path that does not exist: nothing says there could be metrics.
        assert (answer.status_code, answer.json()) == (404, unknown.json())


async def test_readiness_names_the_failing_dependency_not_its_address(
    service: httpx.AsyncClient,
) -> None:
    answer = await service.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"ready": False, "mongodb": "failing", "kafka": "ok"}
    assert (await service.get("/healthz")).json() == {"status": "ok", "service": "triage"}


@pytest.mark.parametrize("path", ["/api/v1/things", "/api/v1/slow-things"])
async def test_a_database_outage_asks_the_client_to_retry(
    service: httpx.AsyncClient, path: str
) -> None:
    answer = await service.post(path)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json() == {
        "detail": "the service cannot reach its database just now; please try again"
    }
    assert "mongodb-7" not in answer.text  # where the database lives is not the client's business


@pytest.mark.parametrize(
    ("headers", "path", "status", "field"),
    [
        ({"X-Correlation-ID": "x" * 129}, "/healthz", 400, "header.X-Correlation-ID"),
        ({"X-Correlation-ID": "a b"}, "/healthz", 400, "header.X-Correlation-ID"),
        ({"Idempotency-Key": "k\u00e9y"}, "/healthz", 400, "header.Idempotency-Key"),
        ({}, "/healthz?" + "q" * 8200, 414, "(url)"),
    ],
)
async def test_malformed_ids_and_over_long_urls_are_refused_before_any_route(
    service: httpx.AsyncClient, headers: dict[str, str], path: str, status: int, field: str
) -> None:
    raw = {name.encode(): value.encode("latin-1") for name, value in headers.items()}
    answer = await service.get(path, headers=raw)
    assert answer.status_code == status
    assert answer.json()["errors"][0]["field"] == field
    kept = await service.get("/healthz", headers={"X-Correlation-ID": "corr-1.a:b_c"})
    assert kept.headers["X-Correlation-ID"] == "corr-1.a:b_c"


async def test_a_database_error_of_ours_is_not_passed_off_as_an_outage(
    service: httpx.AsyncClient,
) -> None:
    answer = await service.post("/api/v1/broken-things")
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers


@pytest.mark.parametrize(
    ("content", "path", "errors"),
    [
        (
            b'{"signaler": {"role": "bakker"}, "count": "veel"}',
            "/api/v1/forms?limit=x",
            [
                (
                    "query.limit",
                    "Input should be a valid integer, unable to parse string as an integer",
                ),
                ("signaler.role", "Input should be 'apotheker' or 'huisarts'"),
                (
                    "count",
                    "Input should be a valid integer, unable to parse string as an integer",
                ),
            ],
        ),
        (
            b'{"signaler": {}}',
            "/api/v1/forms",
            [("signaler.role", "Field required"), ("count", "Field required")],
        ),
        (b"", "/api/v1/forms", [("(body)", "Field required")]),
        (
            b'{"count": 1,',
            "/api/v1/forms",
            [("(body)", "malformed JSON: Expecting property name enclosed in double quotes")],
        ),
    ],
    ids=["wrong values", "missing fields", "no body", "malformed"],
)
async def test_an_invalid_request_is_told_each_field_and_why(
    service: httpx.AsyncClient, content: bytes, path: str, errors: list[tuple[str, str]]
) -> None:
    answer = await service.post(path, content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    found: dict[str, Any] = answer.json()
    assert found == {
        "detail": "request is not valid",
        "errors": [{"field": field, "reason": reason} for field, reason in errors],
    }
    valid = await service.post("/api/v1/forms", json={"signaler": {"role": "huisarts"}, "count": 2})
    assert valid.json() == {"count": 2, "limit": 10}
