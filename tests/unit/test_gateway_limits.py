"""Per-client budgets at the gateway: signals (the form and the API share one) and
sign-ins (per address, and failed ones per username). The clock is the test's: budgets
refill when it moves, never by waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request

from schakel.gateway.app import GatewaySettings, build
from schakel.gateway.ratelimit import Budget, ClientAddresses, TokenBuckets, networks
from tests.unit.test_gateway import (
    SECRET,
    Seen,
    a_signal,
    fake_network,
    write_users,
)

SIGNAL_JSON = {
    "signaler_role": "buurtbewoner",
    "person": {"name": "Henk", "postcode": "3554 AB"},
    "consent_to_contact": True,
}
PROXY = "10.0.0.7"


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seen() -> dict[str, Seen]:
    return {"intake": [], "feedback": []}


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    return write_users(tmp_path / "users.json")


def gateway_app(users_file: Path, seen: dict[str, Seen], clock: Clock, **limits: Any) -> FastAPI:
    network = fake_network(seen)
    settings = GatewaySettings(
        intake_url="http://intake",
        feedback_url="http://feedback",
        users_file=str(users_file),
        auth_secret=SECRET,
        trusted_proxies=PROXY,
        **limits,
    )
    return build(settings, transport=network, clock=clock)


async def client_of(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@pytest.fixture
async def limited(users_file: Path, seen: dict[str, Seen], clock: Clock) -> AsyncIterator[FastAPI]:
    yield gateway_app(
        users_file,
        seen,
        clock,
        rate_limit_signals="3/600",  # three at once, then one every 200 s
        rate_limit_sign_in="4/60",
        rate_limit_sign_in_failures="2/300",
    )


@pytest.fixture
async def client(limited: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for found in client_of(limited, "192.0.2.10"):
        yield found


async def test_signals_over_the_budget_get_429_with_retry_after_and_reach_no_service(
    client: httpx.AsyncClient, seen: dict[str, Seen], clock: Clock
) -> None:
    answers = [await client.post("/api/v1/signals", json=SIGNAL_JSON) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    refused = await client.post("/api/v1/signals", json=SIGNAL_JSON)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "200"
    assert "try again in 200 s" in refused.json()["detail"]
    assert len(seen["intake"]) == 3

    clock.now += 150
    assert (await client.post("/api/v1/signals", json=SIGNAL_JSON)).headers["retry-after"] == "50"
    clock.now += 50
    assert (await client.post("/api/v1/signals", json=SIGNAL_JSON)).status_code == 202


async def test_the_form_and_the_api_share_one_budget_and_the_form_stays_filled_in(
    client: httpx.AsyncClient, seen: dict[str, Seen]
) -> None:
    for _ in range(2):
        assert (await client.post("/api/v1/signals", json=SIGNAL_JSON)).status_code == 202
    assert (await client.post("/melden", data=a_signal())).status_code == 303
    page = await client.post("/melden", data=a_signal(lang="en"))
    assert page.status_code == 429
    assert page.headers["retry-after"] == "200"
    assert "please send it again in 4 min." in page.text
    assert 'value="Mevrouw Jansen"' in page.text
    assert len(seen["intake"]) == 3


async def test_a_form_with_a_missing_field_takes_nothing_from_the_budget(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(5):
        assert (await client.post("/melden", data=a_signal(postcode=""))).status_code == 422
    assert (await client.post("/melden", data=a_signal())).status_code == 303


async def test_each_client_has_its_own_budget(limited: FastAPI, seen: dict[str, Seen]) -> None:
    async for first in client_of(limited, "192.0.2.10"):
        for _ in range(3):
            await first.post("/api/v1/signals", json=SIGNAL_JSON)
        assert (await first.post("/api/v1/signals", json=SIGNAL_JSON)).status_code == 429
    async for second in client_of(limited, "198.51.100.20"):
        assert (await second.post("/api/v1/signals", json=SIGNAL_JSON)).status_code == 202


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(limited: FastAPI) -> None:
    def forwarded_for(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": f"203.0.113.99, {address}"}  # the first hop is the client's

    async for proxy in client_of(limited, PROXY):
        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
            answer = await proxy.post(
                "/api/v1/signals", json=SIGNAL_JSON, headers=forwarded_for(address)
            )
            assert answer.status_code == 202  # four clients behind one proxy
    async for stranger in client_of(limited, "192.0.2.50"):
        statuses = [
            (
                await stranger.post(
                    "/api/v1/signals", json=SIGNAL_JSON, headers=forwarded_for(f"192.0.2.{i}")
                )
            ).status_code
            for i in range(60, 64)
        ]
        assert statuses == [202, 202, 202, 429]  # its own header is not believed


async def sign_in(client: httpx.AsyncClient, password: str, **headers: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        json={"username": "huisarts", "password": password},
        headers=headers,
    )


async def test_wrong_passwords_for_one_user_are_throttled_from_any_address(
    limited: FastAPI, clock: Clock
) -> None:
    async for proxy in client_of(limited, PROXY):
        first = await sign_in(proxy, "fout", **{"X-Forwarded-For": "192.0.2.1"})
        second = await sign_in(proxy, "fout", **{"X-Forwarded-For": "192.0.2.2"})
        assert (first.status_code, second.status_code) == (401, 401)
        third = await sign_in(proxy, "geheim", **{"X-Forwarded-For": "192.0.2.3"})
        assert third.status_code == 429  # even the right password: guessing has stopped
        assert third.headers["retry-after"] == "150"
        assert "access_token" not in third.text
        clock.now += 150
        assert (await sign_in(proxy, "geheim", **{"X-Forwarded-For": "192.0.2.3"})).is_success


async def test_a_right_password_takes_nothing_from_the_users_budget(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(4):
        assert (await sign_in(client, "geheim")).status_code == 200


async def test_sign_ins_from_one_address_are_limited(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    statuses = []
    for username in ("a", "b", "c", "d", "e"):
        answer = await client.post(
            "/api/v1/auth/token", json={"username": username, "password": "x"}
        )
        statuses.append(answer.status_code)
    assert statuses == [401, 401, 401, 401, 429]
    clock.now += 15
    assert (await sign_in(client, "geheim")).status_code == 200


async def test_budgets_can_be_switched_off(
    users_file: Path, seen: dict[str, Seen], clock: Clock
) -> None:
    app = gateway_app(users_file, seen, clock, rate_limit_signals="off")
    async for client in client_of(app, "192.0.2.10"):
        for _ in range(30):
            assert (await client.post("/api/v1/signals", json=SIGNAL_JSON)).status_code == 202


@pytest.mark.parametrize("bad", ["20", "0/60", "20/0", "twenty/60", "20/-1", ""])
def test_a_mistyped_budget_stops_the_start(bad: str) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        GatewaySettings(rate_limit_signals=bad)


def test_a_budget_refills_evenly_and_never_beyond_its_size() -> None:
    clock = Clock()
    buckets = TokenBuckets(Budget(2, 10.0), clock)
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(5.0)
    clock.now += 1000
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers: list[tuple[bytes, bytes]] = []
    if forwarded is not None:
        headers.append((b"x-forwarded-for", forwarded.encode()))
    scope: dict[str, Any] = {"type": "http", "headers": headers, "client": (peer, 1)}
    return Request(scope)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.0.2.5", None, "192.0.2.5"),
        ("192.0.2.5", "198.51.100.1", "192.0.2.5"),  # not a proxy: the header is ignored
        ("10.0.0.7", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.7", "1.2.3.4, 198.51.100.1, 10.0.0.8", "198.51.100.1"),  # two proxies
        ("10.0.0.7", None, "10.0.0.7"),
        ("2001:db8:1:2:3:4:5:6", None, "2001:db8:1:2::/64"),  # one home's block
        ("::ffff:192.0.2.9", None, "192.0.2.9"),
    ],
)
def test_the_client_is_the_first_address_that_is_no_trusted_proxy(
    peer: str, forwarded: str | None, client: str
) -> None:
    addresses = ClientAddresses(networks("10.0.0.0/24"))
    assert addresses.of(request_from(peer, forwarded)) == client
