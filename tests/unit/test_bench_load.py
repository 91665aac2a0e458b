"""The benchmark's load: valid, varied signals, each posted once, and no more after the cap."""

from __future__ import annotations

import json
import time

import httpx

from schakel.intake.schemas import SignalIn
from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_load import (
    AGE_BANDS,
    OBSERVATIONS,
    POSTCODES,
    ROLES,
    Post,
    correlation_id,
    paced_offsets,
    post_paced,
    post_signals,
    signal_body,
)


def test_every_signal_of_a_default_run_is_one_intake_accepts() -> None:
    for index in range(300):
        SignalIn.model_validate(signal_body(index))  # raises on any field intake refuses


def test_a_default_run_varies_every_field() -> None:
    bodies = [signal_body(index) for index in range(300)]
    assert {b["signaler_role"] for b in bodies} == set(ROLES)
    assert {b["person"]["postcode"] for b in bodies} == set(POSTCODES)
    assert {b["age_band"] for b in bodies} == set(AGE_BANDS)
    assert {tuple(b["observations"]) for b in bodies} == set(OBSERVATIONS)
    assert {b["consent_to_contact"] for b in bodies} == {True, False}


def gateway(seen: list[int]) -> httpx.MockTransport:
    """Accepts signals with an even index, refuses the others (as a full queue would)."""

    def answer(request: httpx.Request) -> httpx.Response:
        index = int(request.headers["X-Correlation-ID"].rsplit("-", 1)[1])
        assert request.headers["X-Correlation-ID"] == correlation_id(index)
        assert json.loads(request.content) == signal_body(index)
        seen.append(index)
        if index % 2:
            return httpx.Response(503)
        return httpx.Response(202, json={"receipt": f"receipt-{index}"})

    return httpx.MockTransport(answer)


async def test_each_signal_is_posted_once_and_only_accepted_ones_get_a_receipt() -> None:
    seen: list[int] = []
    heard: list[Post] = []
    async with httpx.AsyncClient(base_url="http://gateway", transport=gateway(seen)) as client:
        posts = await post_signals(client, 25, 4, Deadline.after(60), [heard.append])
    assert sorted(seen) == list(range(25))
    assert sorted(p.index for p in posts) == list(range(25))
    assert heard == posts  # every listener hears every post, as it happens
    for p in posts:
        if p.index % 2:
            assert (p.status_code, p.receipt) == (503, None)
        else:
            assert (p.status_code, p.receipt) == (202, f"receipt-{p.index}")


async def test_nothing_is_posted_once_the_deadline_has_passed() -> None:
    seen: list[int] = []
    async with httpx.AsyncClient(base_url="http://gateway", transport=gateway(seen)) as client:
        posts = await post_signals(client, 25, 4, Deadline.after(-1), [])
    assert (posts, seen) == ([], [])


async def test_a_gateway_that_does_not_answer_is_recorded_as_status_zero() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport = httpx.MockTransport(refuse)
    async with httpx.AsyncClient(base_url="http://gateway", transport=transport) as client:
        posts = await post_signals(client, 3, 2, Deadline.after(60), [])
    assert sorted((p.index, p.status_code, p.receipt) for p in posts) == [
        (0, 0, None),
        (1, 0, None),
        (2, 0, None),
    ]


def test_paced_posts_are_due_at_even_intervals_from_the_start() -> None:
    assert paced_offsets(4.0, 5) == [0.0, 0.25, 0.5, 0.75, 1.0]


async def test_paced_posts_go_out_at_their_rate_each_index_once_from_the_first() -> None:
    seen: list[int] = []
    async with httpx.AsyncClient(base_url="http://gateway", transport=gateway(seen)) as client:
        started = time.perf_counter()
        posts = await post_paced(client, 50.0, 10, 300, Deadline.after(60))
    assert sorted(p.index for p in posts) == list(range(300, 310))
    # The last one is due 9/50 s after the first: paced, not a burst.
    assert max(p.started for p in posts) - started >= 9 / 50


async def test_no_paced_post_goes_out_after_the_deadline() -> None:
    seen: list[int] = []
    async with httpx.AsyncClient(base_url="http://gateway", transport=gateway(seen)) as client:
        posts = await post_paced(client, 50.0, 10, 0, Deadline.after(-1))
    assert (posts, seen) == ([], [])


async def test_a_later_part_posts_from_its_first_index_so_correlation_ids_stay_unique() -> None:
    seen: list[int] = []
    async with httpx.AsyncClient(base_url="http://gateway", transport=gateway(seen)) as client:
        await post_signals(client, 3, 2, Deadline.after(60), [], first=300)
    assert sorted(seen) == [300, 301, 302]
