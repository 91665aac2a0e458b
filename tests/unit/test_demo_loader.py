"""The demo loader's answer when `.run/` holds an older version's demo data."""

from __future__ import annotations

import httpx
import pytest

from schakel_dev import demo


def test_an_older_demo_in_the_data_folder_is_named_with_what_to_do() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        detail = "Idempotency-Key was already used with a different request"
        return httpx.Response(409, json={"detail": detail})

    transport = httpx.MockTransport(gateway)
    with (
        httpx.Client(base_url="http://gateway", transport=transport) as client,
        pytest.raises(demo.DemoError, match=r"earlier version's demo .*`make clean`"),
    ):
        demo.load(client)


def test_a_demo_sent_again_unchanged_gets_the_same_receipts() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/token":
            return httpx.Response(200, json={"access_token": "t"})
        return httpx.Response(200, json={"receipt": f"R-{request.headers['Idempotency-Key']}"})

    with httpx.Client(base_url="http://gateway", transport=httpx.MockTransport(gateway)) as client:
        sent = demo.load(client)
    assert sent and all(s.receipt == f"R-{s.key}" for s in sent)
