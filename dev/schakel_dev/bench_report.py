"""The figures of a pipeline benchmark run: the lines `make bench` prints and its SVG plot."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from schakel_dev import repo_root
from schakel_dev.bench_pipeline import EVENTS_PER_SIGNAL, PipelineResult
from schakel_dev.svgplot import line_chart


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def print_report(result: PipelineResult, raw_produce_per_second: float | None) -> None:
    for line in report_lines(result, raw_produce_per_second):
        print(f"  {line}")
    path = write_plot(result, repo_root() / ".bench")
    print(f"  plot: {path.relative_to(repo_root())} (open it in a browser)")


def progress_series(result: PipelineResult) -> dict[str, list[tuple[float, float]]]:
    """Signals accepted at the gateway and signals through to the archive, over time: the
    gap between the two lines is the work in flight."""
    first = min((p.started for p in result.posts), default=0.0)
    accepted = sorted(p.started + p.seconds - first for p in result.posts if p.receipt)
    return {
        "signals accepted at the gateway": [(0.0, 0.0)]
        + [(t, float(n)) for n, t in enumerate(accepted, start=1)],
        f"signals fully archived (events / {EVENTS_PER_SIGNAL})": [
            (t, n / EVENTS_PER_SIGNAL) for t, n in result.archive_trace
        ],
    }


def write_plot(result: PipelineResult, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = directory / f"pipeline-{stamp}.svg"
    title = f"{result.accepted} signals from {result.config.clients} clients through every service"
    path.write_text(
        line_chart(
            progress_series(result),
            title=title,
            x_label="seconds since the first POST",
            y_label="signals",
        )
    )
    return path


def report_lines(result: PipelineResult, raw_produce_per_second: float | None) -> Iterator[str]:
    yield _accepted_line(result)
    yield _end_to_end_line(result)
    yield _latency_line(result)
    yield _audit_line(result)
    yield _comparison_line(result, raw_produce_per_second)
    yield _hop_line(result)
    yield from _load_lines(result)
    yield _cpu_line(result)
    yield _where_line(result)


def _accepted_line(result: PipelineResult) -> str:
    seconds = [p.seconds for p in result.posts]
    rate = result.accepted / result.posting_seconds if result.posting_seconds else 0.0
    codes = sorted({p.status_code for p in result.posts if p.receipt is None})
    refused = f" (refused: HTTP {', '.join(map(str, codes))})" if codes else ""
    return (
        f"accepted   {result.accepted}/{result.config.signals} signals in "
        f"{result.posting_seconds:.1f} s at the gateway: {rate:.1f} signals/s{refused}; POST "
        f"p50 {_ms(percentile(seconds, 50))}, p95 {_ms(percentile(seconds, 95))}, "
        f"max {_ms(max(seconds, default=0.0))}"
    )


def _end_to_end_line(result: PipelineResult) -> str:
    wait, seconds = result.wait, result.end_to_end_seconds
    if seconds is None:
        why = "it stalled" if wait.stalled else "time ran out"
        return f"end to end NOT reached: {wait.archived}/{wait.expected} events archived ({why})"
    events = EVENTS_PER_SIGNAL * result.accepted
    return (
        f"end to end {result.accepted} signals, {events} events archived in {seconds:.1f} s "
        f"(from the first POST): {result.accepted / seconds:.1f} signals/s, "
        f"{events / seconds:.1f} events/s"
    )


def _latency_line(result: PipelineResult) -> str:
    found = result.final_latencies
    return (
        f"POST to final status, {len(found)} sampled receipts (one pass every "
        f"{result.sample_pass_seconds:.2f} s): p50 {percentile(found, 50):.1f} s, "
        f"p95 {percentile(found, 95):.1f} s, max {max(found, default=0.0):.1f} s"
    )


def _audit_line(result: PipelineResult) -> str:
    check = result.check
    state = "intact" if check.intact else "BROKEN"
    return (
        f"audit chain {state}: {check.checked} of {check.archived} entries verified in "
        f"{check.server_seconds:.2f} s ({check.round_trip_seconds:.2f} s round trip)"
    )


def _comparison_line(result: PipelineResult, raw_produce_per_second: float | None) -> str:
    seconds = result.end_to_end_seconds
    if seconds is None or not raw_produce_per_second:
        return "vs raw broker: no comparison (no raw baseline or no end-to-end figure)"
    events_per_second = EVENTS_PER_SIGNAL * result.accepted / seconds
    ratio = events_per_second / raw_produce_per_second
    return (
        f"vs raw broker: {events_per_second:.1f} pipeline events/s vs "
        f"{raw_produce_per_second:,.0f} raw produce msg/s = {ratio:.2%} (1 : {1 / ratio:,.0f})"
    )


def _hop_line(result: PipelineResult) -> str:
    parts = [
        f"{name} {percentile(delays, 50):.1f}/{percentile(delays, 95):.1f}"
        for name, delays in result.hops.items()
        if delays
    ]
    return "hops of the sampled signals, p50/p95 s: " + (", ".join(parts) or "none")


def _load_lines(result: PipelineResult) -> Iterator[str]:
    yield f"consumers (handler busy share of the {result.window_seconds:.1f} s measured):"
    for load in result.loads:
        yield (
            f"  {load.name:<9} {load.consumed:>5} read, {load.handled:>5} handled, mean "
            f"{_ms(load.mean):>6}, sum {load.handler_seconds:5.1f} s = "
            f"{load.handler_seconds / result.window_seconds:4.0%} busy"
        )


def _cpu_line(result: PipelineResult) -> str:
    if not result.cpu_seconds:
        return "CPU seconds per process: not available on this system"
    ranked = sorted(result.cpu_seconds.items(), key=lambda item: -item[1])
    listed = ", ".join(f"{name} {seconds:.1f}" for name, seconds in ranked)
    total = sum(result.cpu_seconds.values())
    available = (os.cpu_count() or 1) * result.window_seconds
    return (
        f"CPU s per process in those {result.window_seconds:.1f} s ({total:.0f} s of "
        f"{available:.0f} s on {os.cpu_count()} CPUs): {listed}"
    )


def _where_line(result: PipelineResult) -> str:
    parts, window = [], result.window_seconds
    if busiest := max(result.loads, key=lambda load: load.handler_seconds, default=None):
        parts.append(
            f"{busiest.name}'s handler was the busiest, "
            f"{busiest.handler_seconds / window:.0%} of the run ({_ms(busiest.mean)} per event)"
        )
    if slowest := max(result.hops.items(), key=lambda hop: percentile(hop[1], 50), default=None):
        parts.append(f"the slowest hop is {slowest[0]}")
    if result.cpu_seconds:
        name, seconds = max(result.cpu_seconds.items(), key=lambda item: item[1])
        parts.append(f"{name} used the most CPU ({seconds / window:.0%} of one CPU)")
    return "where the time goes: " + ("; ".join(parts) or "unknown")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
