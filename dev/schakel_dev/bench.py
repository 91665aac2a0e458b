"""`make bench`: matching's assignment (in-process, `schakel_dev.bench_matching`), the
raw-broker baseline, and the whole pipeline measured against it.

Against a fresh local Kafka (or `--bootstrap-servers`, baseline only): produces keyed 1-KiB
messages with an idempotent producer (acks=all) and consumes them back, and prints messages/s
and MiB/s. Then the infrastructure yardstick on the same broker: four hops with aiokafka and
pymongo only, each one transaction per batch (`schakel_dev.bench_yardstick`). Then starts
SecantusDB and every service, posts signals to the gateway from a few concurrent clients and
waits until the audit archive holds every event they cause, then paces signals at half that
rate and profiles the busiest service (see `schakel_dev.bench_pipeline`), and prints the goals
of issue 13, met or not, with the figures of this run. Last, the audit's replay of a seeded
history against a raw consume of the same topic, and its peak memory
(`schakel_dev.bench_replay`). Everything
runs on 127.0.0.1, within a 10-minute cap (the replay part has its own, by its size), and every
process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_kafka import Throughput, batching_producer, consume, create_topic
from schakel_dev.bench_matching import measure as measure_matching
from schakel_dev.bench_matching import print_matching
from schakel_dev.bench_pipeline import PipelineConfig, run_pipeline
from schakel_dev.bench_replay import measure as measure_replay
from schakel_dev.bench_replay import print_replay
from schakel_dev.bench_report import print_report
from schakel_dev.bench_yardstick import YardstickResult, run_yardstick, yardstick_lines
from schakel_dev.jars import kafka_version
from schakel_dev.kafka_server import KafkaServer

PARTITIONS = 6  # as schakel's own topics
OVERALL_SECONDS = 600.0  # the whole run but the replay part, which has its own
REPLAY_BASE_SECONDS = 300.0


async def raw_broker_baseline(
    bootstrap_servers: str, messages: int = 20_000, size: int = 1024
) -> tuple[Throughput, Throughput]:
    """Produce then consume `messages` keyed messages of `size` bytes on a new topic."""
    topic = f"bench-raw-{os.getpid()}-{int(time.time())}"
    await create_topic(bootstrap_servers, topic, PARTITIONS)
    produced = await _produce(bootstrap_servers, topic, messages, size)
    consumed = await consume(bootstrap_servers, topic, messages, size)
    return produced, consumed


async def _produce(bootstrap_servers: str, topic: str, messages: int, size: int) -> Throughput:
    producer = batching_producer(bootstrap_servers)
    await producer.start()
    payload = os.urandom(size)
    try:
        started = time.perf_counter()
        # Keep every send in flight and await the acknowledgements together, as a relay does.
        pending = [
            await producer.send(topic, payload, key=f"key-{n % 1000}".encode())
            for n in range(messages)
        ]
        await asyncio.gather(*pending)
        seconds = time.perf_counter() - started
    finally:
        await producer.stop()
    return Throughput("produce", messages, size, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    # SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so every server started is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(args, Deadline.after(OVERALL_SECONDS))
    except KeyboardInterrupt:
        print("\ninterrupted; everything started here has been stopped", file=sys.stderr)
        return 130


def _interrupt(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up short
    raise KeyboardInterrupt


def _run(args: argparse.Namespace, deadline: Deadline) -> int:
    skip_matching = args.raw_only or args.pipeline_only or args.replay_only or args.yardstick_only
    if not (skip_matching or args.bootstrap_servers):
        print_matching(measure_matching())  # in-process, before any server starts
        if args.matching_only:
            return 0
    if args.bootstrap_servers:
        _report(args.bootstrap_servers, args.messages, args.size, deadline)
        return 0
    with (
        _data_dir(args.keep) as data_dir,
        KafkaServer(data_dir / "kafka") as kafka,
    ):
        ready = f"ready in {kafka.startup_seconds:.1f} s"
        print(f"local Kafka {kafka_version()} at {kafka.bootstrap_servers}, {ready}")
        raw = None
        if not (args.pipeline_only or args.replay_only or args.yardstick_only):
            raw = _report(kafka.bootstrap_servers, args.messages, args.size, deadline)
        yardstick = None
        if not (args.raw_only or args.replay_only):
            yardstick = _yardstick(kafka, data_dir, deadline)
        code = 0
        if not (args.raw_only or args.replay_only or args.yardstick_only):
            code = _pipeline(kafka, data_dir, args, deadline, raw, yardstick)
        if args.replay_events and not (args.raw_only or args.pipeline_only or args.yardstick_only):
            events = args.replay_events
            print(f"replay: a seeded history of {events} events, replayed by the audit")
            print_replay(measure_replay(kafka, data_dir, events, replay_deadline(events)))
    return code


def replay_deadline(events: int) -> Deadline:
    """The replay part's own cap (its size is chosen apart from the rest): at least 2
    events/s for seeding, consuming and replaying together (replay ran at 13 to 43 events/s
    on 2 shared cores, docs/audit.md)."""
    return Deadline.after(REPLAY_BASE_SECONDS + events / 2)


def _yardstick(kafka: KafkaServer, data_dir: Path, deadline: Deadline) -> YardstickResult | None:
    print(
        "infrastructure yardstick: 4 hops of aiokafka + pymongo, one transaction per batch "
        "(markers, state, outbox), outbox relay to the next topic, no schakel code:"
    )
    result = run_yardstick(kafka, data_dir, deadline)
    for line in yardstick_lines(result) if result else []:
        print(f"  {line}")
    return result


def _pipeline(
    kafka: KafkaServer,
    data_dir: Path,
    args: argparse.Namespace,
    deadline: Deadline,
    raw: tuple[Throughput, Throughput] | None,
    yardstick: YardstickResult | None,
) -> int:
    config = PipelineConfig(args.signals, args.clients, args.samples, args.paced_rate)
    print(f"pipeline: {config.signals} signals from {config.clients} clients via the gateway")
    result = run_pipeline(kafka, data_dir, config, deadline)
    if result is not None:
        print_report(result, raw[0].per_second if raw else None, yardstick)
    if result is None or result.end_to_end_seconds is None:
        return 1  # the figures say why
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.bench", description=__doc__)
    parser.add_argument("--messages", type=_bounded(1, 1_000_000), default=20_000)
    parser.add_argument("--size", type=_bounded(1, 1_000_000), default=1024, help="bytes/message")
    parser.add_argument(
        "--bootstrap-servers", help="baseline only, against this broker instead of a fresh one"
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--raw-only", action="store_true", help="only the raw-broker baseline")
    only.add_argument("--pipeline-only", action="store_true", help="only the pipeline")
    only.add_argument("--matching-only", action="store_true", help="only matching's assignment")
    only.add_argument("--replay-only", action="store_true", help="only the replay of a history")
    only.add_argument(
        "--yardstick-only", action="store_true", help="only the infrastructure yardstick"
    )
    parser.add_argument(
        "--replay-events",
        type=_bounded(0, 10_000_000),
        default=5_000,
        help="events of the seeded history replayed (0: no replay part)",
    )
    parser.add_argument("--signals", type=_bounded(1, 5_000), default=300)
    parser.add_argument("--clients", type=_bounded(1, 64), default=8, help="concurrent posters")
    parser.add_argument(
        "--samples", type=_bounded(0, 100), default=30, help="receipts timed to a final status"
    )
    parser.add_argument(
        "--paced-rate",
        type=float,
        help="signals/s of the paced part, to compare two builds at one load "
        "(default: half the saturation rate; the goals are for that)",
    )
    parser.add_argument(
        "--keep", type=Path, help="keep data and logs in this new directory (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    if args.bootstrap_servers and args.pipeline_only:
        parser.error("--bootstrap-servers runs the raw baseline only")
    return args


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not in {low}..{high}")
        return value

    return parse


@contextlib.contextmanager
def _data_dir(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="schakel-bench-") as data_dir:
            yield Path(data_dir)
        return
    if keep.exists() and any(keep.iterdir()):
        raise SystemExit(f"--keep {keep}: not empty; a fresh directory keeps the figures clean")
    keep.mkdir(parents=True, exist_ok=True)
    print(f"data and logs kept in {keep}")
    yield keep


def _report(
    bootstrap_servers: str, messages: int, size: int, deadline: Deadline
) -> tuple[Throughput, Throughput]:
    print(f"raw broker baseline ({PARTITIONS} partitions, idempotent producer, acks=all):")
    produced, consumed = asyncio.run(
        asyncio.wait_for(raw_broker_baseline(bootstrap_servers, messages, size), deadline.left())
    )
    for result in (produced, consumed):
        print(f"  {result.line()}")
    return produced, consumed


if __name__ == "__main__":
    raise SystemExit(main())
