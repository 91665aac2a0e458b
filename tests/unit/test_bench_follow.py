"""How the benchmark follows one signal: its milestones in the archive, its hops, the sample."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from schakel_dev.bench_follow import Endpoints, Probe, StatusSampler, final_status, milestones
from schakel_dev.bench_load import Post, correlation_id

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def event(name: str, seconds: float, **data: Any) -> dict[str, Any]:
    time = (T0 + timedelta(seconds=seconds)).isoformat()
    return {"type": f"nl.schakel.referral.{name}.v1", "time": time, "data": data}


def archived_events(decision: str = "match-proposed") -> list[dict[str, Any]]:
    return [
        event("received", 0.5),
        event("triaged", 1.0),
        event(decision, 2.0),
        event("feedback-recorded", 2.5, stage="ontvangen"),
        event("feedback-recorded", 2.75, stage="ontvangen"),
        event("feedback-recorded", 3.5, stage="doorgezet"),
    ]


@pytest.mark.parametrize("decision", ["match-proposed", "waitlisted"])
def test_milestones_name_the_decision_and_the_final_status(decision: str) -> None:
    found = milestones(archived_events(decision))
    assert {name: (at - T0).total_seconds() for name, at in found.items()} == {
        "received": 0.5,
        "triaged": 1.0,
        "decided": 2.0,
        "feedback": 2.75,  # the last status that was not final
        "final": 3.5,
    }


def test_without_a_final_status_there_is_no_final_milestone() -> None:
    assert "final" not in milestones(archived_events()[:-1])


def post(index: int, receipt: str | None = "r") -> Post:
    return Post(index, T0, 0.0, 0.01, 202 if receipt else 503, receipt and f"{receipt}{index}")


def test_the_sample_is_spread_over_the_run_and_takes_accepted_signals_only() -> None:
    sampler = StatusSampler(signals=300, samples=30)
    for index in range(300):
        sampler.offer(post(index, receipt=None if index == 150 else "r"))
    assert [p.index for p in sampler.sampled] == [i for i in range(0, 300, 10) if i != 150]


@pytest.mark.parametrize(("signals", "samples", "taken"), [(5, 30, 5), (300, 0, 0), (7, 3, 3)])
def test_the_sample_is_never_larger_than_the_run(signals: int, samples: int, taken: int) -> None:
    sampler = StatusSampler(signals, samples)
    for index in range(signals):
        sampler.offer(post(index))
    assert len(sampler.sampled) == taken


async def test_hops_are_timed_from_the_post_and_the_archived_events() -> None:
    def archive(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer auditor"
        if request.url.path == f"/api/v1/audit/correlations/{correlation_id(1)}":
            return httpx.Response(200, json={"events": archived_events()})
        return httpx.Response(404)  # signal 2 never reached the archive

    endpoints = Endpoints("http://gateway", {}, "token", {})
    transport = httpx.MockTransport(archive)
    async with httpx.AsyncClient(base_url="http://gateway", transport=transport) as client:
        probe = Probe(client, endpoints, {"Authorization": "Bearer auditor"})
        hops = await probe.hop_delays([post(1), post(2)])
    assert hops == {
        "gateway+intake": [0.5],
        "->triage": [0.5],
        "->feedback": [2.5],
    }


@pytest.mark.parametrize(("stage", "final"), [("ontvangen", False), ("doorgezet", True)])
async def test_a_receipt_is_final_when_its_stage_says_passed_on(stage: str, final: bool) -> None:
    def status(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/signals/R1/status"
        # The receipt view's older, coarser ``status`` must not decide it.
        return httpx.Response(200, json={"status": "in_behandeling", "stage": stage})

    transport = httpx.MockTransport(status)
    async with httpx.AsyncClient(base_url="http://gateway", transport=transport) as client:
        assert await final_status(client, "R1") is final
