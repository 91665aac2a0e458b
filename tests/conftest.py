"""Real servers for the tests, from the first "lane" that applies, per server:

1. env: `KAFKA_BOOTSTRAP_SERVERS` / `MONGODB_URI` point at servers someone else runs;
2. docker: a Docker engine answers, so testcontainers runs `apache/kafka` and `mongo` (replica
   set, for transactions and change streams);
3. local: `schakel_dev.kafka_server` runs Apache Kafka from its jars and `schakel_dev.mongo_server`
   SecantusDB, in a temp dir.

`SCHAKEL_TEST_LANE=local` (or `docker`) forces lane 3 (or 2). A failing lane is an error,
never a skip.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pymongo import MongoClient

from schakel_dev.jars import kafka_version
from schakel_dev.kafka_server import KafkaServer, wait_for_kafka
from schakel_dev.mongo_server import MongoServer
from tests.support import REPORTS, DevServers, ServerLane, start_test_clock

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

# The tests' services use development secrets: say so, as `make run` does. Tests of the
# refusal to start outside development mode set their own.
os.environ["SCHAKEL_ENV"] = "development"

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
MONGODB_ENV = "MONGODB_URI"
LANE_ENV = "SCHAKEL_TEST_LANE"
MONGO_IMAGE = "mongo:8.0"
_REPORT: list[str] = []  # one line per server started, for the terminal summary
NOT_RUN: list[str] = []  # why tests that need the local servers were skipped


@functools.cache
def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, no daemon: all mean "no Docker"
        return False


def _lane(env_var: str) -> str:
    if os.environ.get(env_var):
        return "env"
    forced = os.environ.get(LANE_ENV, "")
    if forced in ("local", "docker"):
        return forced
    if forced:
        raise pytest.UsageError(f"{LANE_ENV} must be 'local' or 'docker', not {forced!r}")
    return "docker" if _docker_answers() else "local"


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"real servers: kafka lane={_lane(KAFKA_ENV)}, mongodb lane={_lane(MONGODB_ENV)}"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _REPORT:
        terminalreporter.section("real servers")
        for line in _REPORT:
            terminalreporter.write_line(line)
    if NOT_RUN:
        terminalreporter.section("NOT RUN: tests that kill and restart the servers", red=True)
        terminalreporter.write_line(f"skipped, see SKIPPED above: {NOT_RUN[0]}", red=True)
    for section, lines in REPORTS.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)


# --- Kafka --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kafka_lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerLane]:
    lane = _lane(KAFKA_ENV)
    if lane == "env":
        yield _reported(ServerLane("kafka", "env", os.environ[KAFKA_ENV], f"from {KAFKA_ENV}"))
    elif lane == "docker":
        yield from _kafka_container()
    else:
        yield from _local_kafka(tmp_path_factory.mktemp("kafka"))


@pytest.fixture(scope="session")
def kafka_bootstrap_servers(kafka_lane: ServerLane) -> str:
    return kafka_lane.address


def _local_kafka(data_dir: Path) -> Iterator[ServerLane]:
    server = KafkaServer(data_dir)
    server.start(timeout=120)
    try:
        yield _reported(
            ServerLane(
                "kafka",
                "local",
                server.bootstrap_servers,
                f"Apache Kafka {kafka_version()} (local jars) at {server.bootstrap_servers}, "
                f"started in {server.startup_seconds:.1f} s; logs in {server.data_dir}",
                local=server,
            )
        )
    finally:
        server.stop()


_KAFKA_GO = "/tmp/schakel-go"
_KAFKA_SCRIPT = "/tmp/schakel-start.sh"
_KAFKA_CONTAINER_ENV = {
    "KAFKA_NODE_ID": "1",
    "KAFKA_PROCESS_ROLES": "broker,controller",
    "KAFKA_LISTENERS": "PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093",
    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": (
        "PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT"
    ),
    "KAFKA_INTER_BROKER_LISTENER_NAME": "BROKER",
    "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
    "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
    "KAFKA_NUM_PARTITIONS": "6",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
}


def _kafka_container() -> Iterator[ServerLane]:
    """apache/kafka, same version as the local lane. Clients need the advertised listener to
    be the host's mapped port, known only after the container starts: the container waits
    for a start script that exports it (the trick testcontainers' own KafkaContainer uses
    for Confluent images; it does not support apache/kafka)."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    started = time.monotonic()
    image = f"apache/kafka:{kafka_version()}"
    wait_then_run = f"while [ ! -f {_KAFKA_GO} ]; do sleep 0.1; done; exec sh {_KAFKA_SCRIPT}"
    container = (
        DockerContainer(image)
        .with_exposed_ports(9092)
        .with_envs(**_KAFKA_CONTAINER_ENV)
        .with_command(["sh", "-c", wait_then_run])
    )
    container.start()
    try:
        bootstrap = f"{container.get_container_host_ip()}:{container.get_exposed_port(9092)}"
        script = (
            f"export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://{bootstrap},BROKER://localhost:19092\n"
            "exec /etc/kafka/docker/run\n"
        )
        container.copy_into_container(script.encode(), _KAFKA_SCRIPT)
        container.copy_into_container(b"", _KAFKA_GO)  # only now is the script complete
        LogMessageWaitStrategy("Kafka Server started").with_startup_timeout(120).wait_until_ready(
            container
        )
        wait_for_kafka(bootstrap, timeout=60)
        yield _reported(
            ServerLane(
                "kafka",
                "docker",
                bootstrap,
                f"{image} container at {bootstrap}, started in {time.monotonic() - started:.1f} s",
            )
        )
    finally:
        container.stop()


# --- MongoDB ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mongodb_lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerLane]:
    lane = _lane(MONGODB_ENV)
    if lane == "env":
        yield _reported(
            ServerLane("mongodb", "env", os.environ[MONGODB_ENV], f"from {MONGODB_ENV}")
        )
    elif lane == "docker":
        yield from _mongodb_container()
    else:
        yield from _local_mongo(tmp_path_factory.mktemp("mongodb"))


@pytest.fixture(scope="session")
def mongodb_uri(mongodb_lane: ServerLane) -> str:
    return mongodb_lane.address


def _local_mongo(data_dir: Path) -> Iterator[ServerLane]:
    # A storage dir, not `:memory:`, so tests can kill and restart it and find their data.
    # Every commit fsynced: a kill -9 of the server must not lose acknowledged writes.
    server = MongoServer(data_dir, sync_on_commit=True)
    server.start(timeout=60)
    try:
        yield _reported(
            ServerLane(
                "mongodb",
                "local",
                server.uri,
                f"SecantusDB at 127.0.0.1:{server.port}, started in "
                f"{server.startup_seconds:.1f} s; log in {server.log_path}",
                local=server,
            )
        )
    finally:
        server.stop()


def _mongodb_container() -> Iterator[ServerLane]:
    """mongo:8 as a one-member replica set: transactions and change streams need one."""
    from testcontainers.community.mongodb import MongoDbContainer

    class ReplicaSetMongo(MongoDbContainer):
        def _configure(self) -> None:
            """No root user: with auth on, a replica set also needs a key file."""

    started = time.monotonic()
    container = ReplicaSetMongo(MONGO_IMAGE).with_command("--replSet rs0 --bind_ip_all")
    container.start()  # waits for "Waiting for connections"
    try:
        _initiate_replica_set(container)
        host, port = container.get_container_host_ip(), container.get_exposed_port(27017)
        uri = f"mongodb://{host}:{port}/?directConnection=true"
        _wait_for_primary(uri, timeout=60)
        yield _reported(
            ServerLane(
                "mongodb",
                "docker",
                uri,
                f"{MONGO_IMAGE} replica set at {host}:{port}, "
                f"started in {time.monotonic() - started:.1f} s",
            )
        )
    finally:
        container.stop()


def _initiate_replica_set(container: DockerContainer) -> None:
    members = "{_id: 'rs0', members: [{_id: 0, host: 'localhost:27017'}]}"
    result = container.exec(["mongosh", "--quiet", "--eval", f"rs.initiate({members})"])
    if result.exit_code != 0:
        raise RuntimeError(f"rs.initiate failed: {result.output.decode(errors='replace')}")


def _wait_for_primary(uri: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        while not client.admin.command("hello").get("isWritablePrimary"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no replica-set primary at {uri} after {timeout} s")
            time.sleep(0.2)
    finally:
        client.close()


# --- Local servers, for tests that kill or restart them ------------------------------------


@pytest.fixture(scope="session")
def dev_servers(kafka_lane: ServerLane, mongodb_lane: ServerLane) -> DevServers:
    """In CI a test that cannot run fails: a green CI run has run every test. Elsewhere it is
    skipped, and the end of the report says so."""
    kafka, mongo = kafka_lane.local, mongodb_lane.local
    if not isinstance(kafka, KafkaServer) or not isinstance(mongo, MongoServer):
        why = (
            "needs the local development servers to kill/restart them; this run uses "
            f"kafka lane={kafka_lane.lane}, mongodb lane={mongodb_lane.lane}"
        )
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{why}: in CI every test must run (SCHAKEL_TEST_LANE=local)")
        NOT_RUN.append(why)
        pytest.skip(why)
    return DevServers(kafka=kafka, mongo=mongo)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Waits (``eventually``) give up with a message shortly before pytest-timeout would stop
    the test with a stack dump; its clock, like theirs, starts with the test's setup."""
    start_test_clock(_timeout_of(item))
    try:
        return (yield)
    finally:
        start_test_clock(None)


def _timeout_of(item: pytest.Item) -> float:
    marker = item.get_closest_marker("timeout")
    if marker is not None:
        return float(marker.kwargs.get("timeout", marker.args[0] if marker.args else 0))
    given = item.config.getoption("timeout", None)
    return float(given if given is not None else item.config.getini("timeout") or 0)


def _reported(lane: ServerLane) -> ServerLane:
    _REPORT.append(f"{lane.server} [{lane.lane}]: {lane.detail}")
    return lane
