"""The benchmark's load: fictional signals POSTed to the gateway from concurrent clients."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from schakel_dev.bench_deadline import Deadline

# Varied so that triage and matching take different paths (districts, grades, urgency).
POSTCODES = ("3562 KA", "3554 HB", "3563 CE", "3526 XC", "3543 BD", "3512 GH", "3554 CK")
ROLES = ("apotheker", "fietskoerier", "thuiskok", "buurtbewoner", "supermarkt", "zelf")
AGE_BANDS = ("80+", "70-79", "50-69", "30-49", "18-29")
OBSERVATIONS = (
    ("alleen_wonend", "somber", "weinig_contact"),
    ("niet_gesproken", "alleen_wonend"),
    ("ondervoeding", "somber"),
    ("verwaarlozing", "weinig_contact"),
    ("wil_contact", "recent_verlies"),
    ("mantelzorger", "somber"),
    ("fysieke_beperking", "wil_contact"),
)


@dataclass(frozen=True)
class Post:
    index: int
    sent_at: datetime  # wall clock, to compare with the events' times
    started: float  # time.perf_counter() when the request was sent
    seconds: float
    status_code: int  # 0: no answer at all
    receipt: str | None  # set only when accepted (202)


def signal_body(index: int) -> dict[str, Any]:
    """A fictional signal; the fields cycle independently so combinations vary."""
    return {
        "signaler_role": ROLES[index % len(ROLES)],
        "person": {"name": f"Benchpersoon {index}", "postcode": POSTCODES[index % len(POSTCODES)]},
        "age_band": AGE_BANDS[index % len(AGE_BANDS)],
        "observations": list(OBSERVATIONS[(index // 7) % len(OBSERVATIONS)]),
        "consent_to_contact": index % 3 != 0,
    }


def correlation_id(index: int) -> str:
    """Follows one signal through every service's log and the audit archive."""
    return f"bench-{os.getpid()}-{index}"


async def post_signals(
    client: httpx.AsyncClient,
    signals: int,
    clients: int,
    deadline: Deadline,
    listeners: Sequence[Callable[[Post], None]],
    first: int = 0,
) -> list[Post]:
    """`signals` POSTs (indices from `first` on) from `clients` concurrent clients; stops at
    the deadline."""
    indices = iter(range(first, first + signals))
    posts: list[Post] = []

    async def client_loop() -> None:
        for index in indices:  # shared: each index goes to exactly one client
            if deadline.passed:
                return
            post = await post_one(client, index)
            posts.append(post)
            for listener in listeners:
                listener(post)

    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return posts


def paced_offsets(rate: float, count: int) -> list[float]:
    """When each of `count` POSTs is due, in seconds from the start, at `rate` per second."""
    return [n / rate for n in range(count)]


async def post_paced(
    client: httpx.AsyncClient, rate: float, count: int, first: int, deadline: Deadline
) -> list[Post]:
    """`count` POSTs at `rate` per second, each sent when due whether or not the earlier
    ones were answered (an open load, as many signalers are), until the deadline."""
    started = time.perf_counter()

    async def due(n: int, offset: float) -> Post | None:
        await asyncio.sleep(max(0.0, started + offset - time.perf_counter()))
        return None if deadline.passed else await post_one(client, first + n)

    posts = await asyncio.gather(*(due(n, t) for n, t in enumerate(paced_offsets(rate, count))))
    return [post for post in posts if post is not None]


async def post_one(client: httpx.AsyncClient, index: int) -> Post:
    headers = {"X-Correlation-ID": correlation_id(index)}
    sent_at, started = datetime.now(UTC), time.perf_counter()
    try:
        answer = await client.post("/api/v1/signals", json=signal_body(index), headers=headers)
    except httpx.HTTPError:
        return Post(index, sent_at, started, time.perf_counter() - started, 0, None)
    seconds = time.perf_counter() - started
    receipt = str(answer.json()["receipt"]) if answer.status_code == 202 else None
    return Post(index, sent_at, started, seconds, answer.status_code, receipt)
