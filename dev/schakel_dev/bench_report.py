"""The figures of a pipeline benchmark run: the lines `make bench` prints and its SVG plot."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from schakel_dev import repo_root
from schakel_dev.bench_follow import EVENTS_PER_SIGNAL
from schakel_dev.bench_goals import Figures, goal_lines
from schakel_dev.bench_lag import lag_summary
from schakel_dev.bench_phases import PacedResult, ProfileResult
from schakel_dev.bench_pipeline import PipelineResult
from schakel_dev.bench_yardstick import HOPS, YardstickResult
from schakel_dev.svgplot import line_chart, stacked

BENCH_CLIENT = "bench client"  # the load generator: shown, not counted as the system's CPU


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def print_report(
    result: PipelineResult,
    raw_produce_per_second: float | None,
    yardstick: YardstickResult | None = None,
) -> None:
    for line in report_lines(result, raw_produce_per_second, yardstick):
        print(f"  {line}")
    path = write_plot(result, repo_root() / ".bench")
    print(f"  plot: {path.relative_to(repo_root())} (open it in a browser)")
    for line in goal_lines(figures(result, yardstick)):
        print(f"  {line}")


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
    progress = line_chart(
        progress_series(result), title=title, x_label="seconds since the first POST",
        y_label="signals",
    )  # fmt: skip
    lag = line_chart(
        result.lag,
        title="consumer lag per service (records not yet committed), every part of the run",
        x_label="seconds since the first POST",
        y_label="records",
    )
    path.write_text(stacked([progress, lag]) if result.lag else progress)
    return path


def report_lines(
    result: PipelineResult,
    raw_produce_per_second: float | None,
    yardstick: YardstickResult | None = None,
) -> Iterator[str]:
    yield _accepted_line(result)
    yield _end_to_end_line(result)
    yield _latency_line(result)
    yield _audit_line(result)
    yield _comparison_line(result, raw_produce_per_second)
    yield _yardstick_line(result, yardstick)
    yield _yardstick_cpu_line(result, yardstick)
    yield _hop_line(result)
    yield from _load_lines(result)
    yield _cpu_line(result)
    yield _cpu_per_signal_line(result)
    yield from _round_trip_lines(result)
    yield _where_line(result)
    yield _lag_line(result)
    if result.paced is not None:
        yield from paced_lines(result.paced, asked=result.config.paced_rate is not None)
    if result.profile is not None:
        yield _profile_line(result.profile)


def _profile_line(profile: ProfileResult) -> str:
    whole = "" if profile.complete else " (the burst was not fully archived)"
    return (
        f"profile of {profile.service} over {profile.signals} signals{whole}: "
        f"{_shown(profile.stats)}, top functions in {_shown(profile.summary)}"
    )


def _shown(path: Path) -> Path:
    root = repo_root()
    return path.relative_to(root) if path.is_relative_to(root) else path


def yardstick_share(result: PipelineResult, yardstick: YardstickResult | None) -> float | None:
    """Pipeline signals/s end to end over yardstick events/s through four hops. One signal
    counts as one yardstick event: each crosses four transactional hops on its way (intake,
    triage, feedback, audit; marker, state and outbox per hop), so the yardstick's rate is
    what the infrastructure allows such a chain. A signal does more besides (3 events, each
    read by 6 consumer groups), which is the pipeline's own cost, not the infrastructure's."""
    seconds = result.end_to_end_seconds
    if seconds is None or yardstick is None or not yardstick.per_second:
        return None
    return result.accepted / seconds / yardstick.per_second


def _yardstick_line(result: PipelineResult, yardstick: YardstickResult | None) -> str:
    share = yardstick_share(result, yardstick)
    if share is None or yardstick is None or result.end_to_end_seconds is None:
        return "vs yardstick: no comparison (no yardstick or no end-to-end figure)"
    rate = result.accepted / result.end_to_end_seconds
    return (
        f"vs yardstick: {rate:.1f} signals/s vs {yardstick.per_second:.1f} events/s through "
        f"{HOPS} hops = {share:.0%} (one signal counted as one yardstick event: both cross 4 "
        "transactional hops; a signal also causes 3 events read by 6 consumer groups)"
    )


def _yardstick_cpu_line(result: PipelineResult, yardstick: YardstickResult | None) -> str:
    pipeline = system_cpu_ms_per_signal(result)
    infrastructure = yardstick.cpu_ms_per_event if yardstick else None
    if pipeline is None or infrastructure is None:
        return "vs yardstick CPU: no comparison"
    return (
        f"vs yardstick CPU: {pipeline:.1f} ms per signal vs {infrastructure:.1f} ms per "
        f"yardstick event = {pipeline / infrastructure:.1f} times"
    )


def cpu_ms_per_signal(result: PipelineResult) -> dict[str, float]:
    """CPU ms per accepted signal of each process in the backlog run, busiest first."""
    if not result.accepted:
        return {}
    per_signal = {n: s / result.accepted * 1000 for n, s in result.cpu_seconds.items()}
    return dict(sorted(per_signal.items(), key=lambda item: -item[1]))


def system_cpu_ms_per_signal(result: PipelineResult) -> float | None:
    """The sum over the system's processes (services, Kafka, SecantusDB), not the bench's."""
    per_signal = cpu_ms_per_signal(result)
    if not per_signal:
        return None
    return sum(ms for name, ms in per_signal.items() if name != BENCH_CLIENT)


def _cpu_per_signal_line(result: PipelineResult) -> str:
    total = system_cpu_ms_per_signal(result)
    if total is None:
        return "CPU ms per signal: not available"
    listed = ", ".join(f"{name} {ms:.1f}" for name, ms in cpu_ms_per_signal(result).items())
    return f"CPU ms per signal: {listed}; sum {total:.1f} (without the {BENCH_CLIENT})"


def _round_trip_lines(result: PipelineResult, shown: int = 5) -> Iterator[str]:
    """MongoDB commands per signal by service, with the commands each sends most."""
    signals = result.accepted
    if not result.round_trips or not signals:
        return
    totals = {name: sum(counts.values()) for name, counts in result.round_trips.items()}
    yield (
        f"MongoDB round trips per signal: {sum(totals.values()) / signals:.1f} "
        "(the services' commands since they started, background work included):"
    )
    for name, total in sorted(totals.items(), key=lambda item: -item[1]):
        counts = sorted(result.round_trips[name].items(), key=lambda item: -item[1])[:shown]
        most = ", ".join(f"{command} {n / signals:.1f}" for command, n in counts)
        yield f"  {name:<9} {total / signals:5.1f}: {most}"


def _lag_line(result: PipelineResult) -> str:
    rows = lag_summary(result.lag)
    if not rows:
        return "consumer lag: not sampled"
    listed = ", ".join(f"{name} {int(most)}/{int(last)}" for name, most, last in rows)
    return f"consumer lag, records, highest/at the end: {listed}"


def paced_lines(paced: PacedResult, asked: bool = False) -> list[str]:
    posts = [p.seconds for p in paced.posts]
    found = paced.final_latencies
    through = "" if paced.wait.reached_at is not None else " (NOT all archived in time)"
    return [
        f"{'paced as asked' if asked else 'at half saturation'}: {paced.accepted}/"
        f"{len(paced.posts)} signals accepted at "
        f"{paced.rate:.1f} signals/s in {paced.seconds:.1f} s{through}; POST p50 "
        f"{_ms(percentile(posts, 50))}, p95 {_ms(percentile(posts, 95))}, "
        f"p99 {_ms(percentile(posts, 99))}",
        f"  POST to final status (feedback's event time in the archive), {len(found)} of "
        f"{paced.sampled} sampled: p50 {percentile(found, 50):.2f} s, "
        f"p95 {percentile(found, 95):.2f} s, p99 {percentile(found, 99):.2f} s",
        "  signal to proposal: not measurable here (nothing is proposed before the owner's "
        "first conversation; it would need a scripted conversation per signal)",
    ]


def figures(result: PipelineResult, yardstick: YardstickResult | None) -> Figures:
    seconds = result.end_to_end_seconds
    # The latency goals are for half the saturation rate, not for a rate asked for.
    paced = result.paced if result.config.paced_rate is None else None
    final = paced.final_latencies if paced else []
    return Figures(
        yardstick_share=yardstick_share(result, yardstick),
        cpu_ms_per_signal=system_cpu_ms_per_signal(result),
        signals_per_second=result.accepted / seconds if seconds else None,
        final_p99_seconds=percentile(final, 99) if final else None,
        post_p50_seconds=percentile([p.seconds for p in paced.posts], 50) if paced else None,
    )


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
