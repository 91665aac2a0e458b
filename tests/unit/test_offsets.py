"""Offset batching: only handled records are committed, in batches, and only for partitions
this instance still owns."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaConnectionError
from structlog.testing import capture_logs

from schakel.platform.offsets import OffsetCommitter
from tests.support import eventually


@dataclass
class Record:
    topic: str
    partition: int
    offset: int


class FakeConsumer:
    def __init__(self, *owned: int) -> None:
        self.owned = {TopicPartition("t", p) for p in owned}
        self.commits: list[dict[TopicPartition, int]] = []
        self.seeks: list[tuple[TopicPartition, int]] = []

    def assignment(self) -> set[TopicPartition]:
        return self.owned

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))


def consumer(fake: FakeConsumer) -> AIOKafkaConsumer:
    return cast(AIOKafkaConsumer, fake)


async def test_commits_after_a_batch_the_next_offset_of_each_partition() -> None:
    fake = FakeConsumer(0, 1)
    committer = OffsetCommitter(every=3, interval=3600)
    for record in (Record("t", 0, 10), Record("t", 1, 4), Record("t", 0, 11)):
        assert fake.commits == []
        committer.handled(consumer(fake), record)
        await committer.maybe_commit()
    assert fake.commits == [{TopicPartition("t", 0): 12, TopicPartition("t", 1): 5}]


async def test_nothing_is_committed_for_records_not_yet_handled() -> None:
    fake = FakeConsumer(0)
    committer = OffsetCommitter(every=100, interval=3600)
    await committer.commit()
    committer.handled(consumer(fake), Record("t", 0, 7))
    await committer.close()
    assert fake.commits == [{TopicPartition("t", 0): 8}]


async def test_partitions_lost_in_a_rebalance_are_left_to_their_new_owner() -> None:
    fake = FakeConsumer(1)
    committer = OffsetCommitter(every=1, interval=3600)
    committer.handled(consumer(fake), Record("t", 0, 3))
    await committer.maybe_commit()
    committer.handled(consumer(fake), Record("t", 1, 9))
    await committer.maybe_commit()
    assert fake.commits == [{TopicPartition("t", 1): 10}]


async def test_each_batch_is_as_long_as_the_first_and_a_failed_commit_is_given_up() -> None:
    """After a commit the count starts again; a commit the broker refuses is not retried (the
    records come again after a restart, and the markers absorb them)."""
    fake = FakeConsumer(0)
    committer = OffsetCommitter(every=2, interval=3600)
    for offset in range(5):
        committer.handled(consumer(fake), Record("t", 0, offset))
        await committer.maybe_commit()
    assert fake.commits == [{TopicPartition("t", 0): 2}, {TopicPartition("t", 0): 4}]

    class Refusing(FakeConsumer):
        async def commit(self, offsets: dict[TopicPartition, int]) -> None:
            raise KafkaConnectionError("broker gone")

    refusing = Refusing(0)
    committer.handled(consumer(refusing), Record("t", 0, 5))
    await committer.commit()  # logged, not raised
    await committer.close()
    assert fake.commits == [{TopicPartition("t", 0): 2}, {TopicPartition("t", 0): 4}]


async def test_an_idle_consumer_commits_after_the_interval_and_once_more_at_the_end() -> None:
    fake = FakeConsumer(0)
    committer = OffsetCommitter(every=100, interval=0.01)
    committer.start_idle_flush()
    committer.handled(consumer(fake), Record("t", 0, 3))

    async def committed() -> bool:
        return fake.commits == [{TopicPartition("t", 0): 4}]

    await eventually(committed, within=5, interval=0.005)
    committer.handled(consumer(fake), Record("t", 0, 4))
    await committer.close()  # stops the flushing and commits what is left
    assert fake.commits[-1] == {TopicPartition("t", 0): 5}
    count = len(fake.commits)
    committer.handled(consumer(fake), Record("t", 0, 5))
    await asyncio.sleep(0.05)
    assert len(fake.commits) == count  # no flushing after close


async def test_a_refused_commit_is_logged_for_the_operator() -> None:
    class Refusing(FakeConsumer):
        async def commit(self, offsets: dict[TopicPartition, int]) -> None:
            raise KafkaConnectionError("broker gone")

    committer = OffsetCommitter(every=1, interval=3600)
    committer.handled(consumer(Refusing(0)), Record("t", 0, 5))
    with capture_logs() as logs:
        await committer.maybe_commit()
    assert [(e["event"], e["log_level"]) for e in logs] == [
        ("offset commit failed; records will be delivered again", "warning")
    ]
    assert "broker gone" in logs[0]["error"]


async def test_a_batch_is_committed_when_the_interval_has_passed_without_enough_records() -> None:
    fake = FakeConsumer(0)
    committer = OffsetCommitter(every=100, interval=0.0)
    committer.handled(consumer(fake), Record("t", 0, 1))
    await committer.maybe_commit()
    assert fake.commits == [{TopicPartition("t", 0): 2}]
