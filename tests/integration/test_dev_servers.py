"""The real servers do what schakel relies on: Kafka transactions and idempotence, group
offsets, MongoDB transactions and unique indexes, and durable local storage."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient, WriteConcern
from pymongo.errors import DuplicateKeyError

from tests.support import DevServers, create_topics, unique_name

pytestmark = pytest.mark.integration

Doc = dict[str, Any]


async def _read_all(
    bootstrap: str, topic: str, *, isolation_level: str, until: bytes
) -> list[bytes]:
    """Values of the topic's only partition, from the start until the value `until`."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level=isolation_level,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        values: list[bytes] = []
        while until not in values:
            batches = await consumer.getmany(partition, timeout_ms=10_000)
            assert batches, f"nothing more to read on {topic}; read so far: {values}"
            values += [record.value for record in batches[partition]]
        return values
    finally:
        await consumer.stop()


async def test_idempotent_producer_sends(kafka_bootstrap_servers: str) -> None:
    topic = unique_name("idempotent")
    await create_topics(kafka_bootstrap_servers, topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap_servers, enable_idempotence=True, acks="all"
    )
    await producer.start()  # asks the broker for a producer id (InitProducerId)
    try:
        first = await producer.send_and_wait(topic, b"one", key=b"k")
        second = await producer.send_and_wait(topic, b"two", key=b"k")
    finally:
        await producer.stop()
    assert (first.offset, second.offset) == (0, 1)


async def test_read_committed_sees_committed_transactions_only(
    kafka_bootstrap_servers: str,
) -> None:
    topic = unique_name("txn")
    await create_topics(kafka_bootstrap_servers, topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap_servers, transactional_id=unique_name("txn-producer")
    )
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send(topic, b"committed-1")
            await producer.send(topic, b"committed-2")
        await producer.begin_transaction()
        await producer.send(topic, b"aborted")
        await producer.abort_transaction()
        async with producer.transaction():
            await producer.send(topic, b"committed-3")
    finally:
        await producer.stop()

    committed = await _read_all(
        kafka_bootstrap_servers, topic, isolation_level="read_committed", until=b"committed-3"
    )
    everything = await _read_all(
        kafka_bootstrap_servers, topic, isolation_level="read_uncommitted", until=b"committed-3"
    )
    assert committed == [b"committed-1", b"committed-2", b"committed-3"]
    assert b"aborted" in everything  # it was written, and read_committed hid it


async def test_group_resumes_from_committed_offset(kafka_bootstrap_servers: str) -> None:
    topic, group = unique_name("group"), unique_name("group")
    await create_topics(kafka_bootstrap_servers, topic)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for number in range(10):
            await producer.send_and_wait(topic, str(number).encode(), key=b"same")
    finally:
        await producer.stop()

    first_part = await _consume_in_group(kafka_bootstrap_servers, topic, group, count=4)
    rest = await _consume_in_group(kafka_bootstrap_servers, topic, group, count=6)
    assert first_part == [b"0", b"1", b"2", b"3"]
    assert rest == [str(number).encode() for number in range(4, 10)]


async def _consume_in_group(bootstrap: str, topic: str, group: str, count: int) -> list[bytes]:
    """Read `count` records as a member of `group`, commit after them, leave the group."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        values: list[bytes] = []
        while len(values) < count:
            batches = await consumer.getmany(timeout_ms=10_000, max_records=count - len(values))
            assert batches, f"only {len(values)} of {count} records arrived"
            values += [record.value for record in batches.get(partition, [])]
        await consumer.commit()  # the position: just after the last record returned
        assert await consumer.committed(partition) == await consumer.position(partition)
        return values
    finally:
        await consumer.stop()


async def test_mongodb_transaction_commit_and_abort(mongodb_uri: str) -> None:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongodb_uri)
    database = client[unique_name("itest")]
    try:
        orders = await database.create_collection("orders")
        async with client.start_session() as session:
            async with await session.start_transaction():
                await orders.insert_one({"_id": 1}, session=session)
                await orders.insert_one({"_id": 2}, session=session)
                assert await orders.find_one({"_id": 1}) is None  # not visible outside yet
            assert await orders.count_documents({}) == 2

            await session.start_transaction()
            await orders.insert_one({"_id": 3}, session=session)
            assert await orders.count_documents({}, session=session) == 3
            await session.abort_transaction()
        assert sorted(await orders.distinct("_id")) == [1, 2]
    finally:
        await client.drop_database(database.name)
        await client.close()


async def test_mongodb_unique_index_rejects_duplicates(mongodb_uri: str) -> None:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongodb_uri)
    database = client[unique_name("itest")]
    try:
        people = database["people"]
        await people.create_index("email", unique=True)
        await people.insert_one({"email": "a@example.org"})
        with pytest.raises(DuplicateKeyError):
            await people.insert_one({"email": "a@example.org"})
        assert await people.count_documents({}) == 1
    finally:
        await client.drop_database(database.name)
        await client.close()


async def test_secantusdb_keeps_journaled_data_after_kill_and_restart(
    dev_servers: DevServers,
) -> None:
    # j:true, as w:"majority" implies on a real replica set: without it, as with mongod's
    # w:1 default, a SIGKILL may lose the writes of the last second or so.
    mongo = dev_servers.mongo
    name = unique_name("itest")
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo.uri)
    try:
        things = client[name].get_collection("things", write_concern=WriteConcern(j=True))
        await things.insert_many([{"_id": n} for n in range(100)])
    finally:
        await client.close()

    pid_before = mongo.pid
    mongo.kill()
    mongo.restart()
    assert mongo.pid != pid_before

    client = AsyncMongoClient(mongo.uri)
    try:
        assert await client[name]["things"].count_documents({}) == 100
    finally:
        await client.drop_database(name)
        await client.close()
