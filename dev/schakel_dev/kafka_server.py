"""A genuine Apache Kafka broker (KRaft, single node) as a local process, from its jars.

The jars come from `jars.kafka_classpath()`; `java` (17 or newer) runs them. `kafka_answers`
and `wait_for_kafka` also serve for a broker run elsewhere (a container, a CI service).
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self, TypeVar

from aiokafka.admin import AIOKafkaAdminClient

from schakel_dev import repo_root
from schakel_dev.jars import kafka_classpath
from schakel_dev.ports import free_port, tcp_open
from schakel_dev.processes import ManagedServer, ServerError

T = TypeVar("T")

__all__ = ["KafkaServer", "kafka_answers", "kafka_log4j_config", "wait_for_kafka"]


def kafka_log4j_config() -> Path:
    return repo_root() / "deploy" / "kafka" / "log4j2.xml"


class KafkaServer(ManagedServer):
    """A single-node Apache Kafka broker+controller (KRaft) bound to 127.0.0.1."""

    name = "kafka"
    heap = "512m"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        *,
        num_partitions: int = 6,
    ) -> None:
        super().__init__(data_dir, port)
        self.controller_port = controller_port or free_port()
        self.num_partitions = num_partitions
        self._libs: Path | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def server_log_path(self) -> Path:
        """The broker's own log (log4j, INFO and up)."""
        return self.data_dir / "server.log"

    @property
    def log_dir(self) -> Path:
        """Kafka's `log.dirs`: the topic data and KRaft metadata."""
        return self.data_dir / "kraft-logs"

    def start(self, timeout: float = 60.0) -> Self:
        # Fetched before the clock starts: a one-off download is not start-up time.
        self._libs = kafka_classpath()
        return super().start(timeout)

    def _prepare(self) -> None:
        properties = self.data_dir / "server.properties"
        properties.write_text(self._properties())
        if not (self.log_dir / "meta.properties").exists():
            self._format_storage(properties)

    def _properties(self) -> str:
        port, cport = self.port, self.controller_port
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{cport}",
            "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.log_dir),
            "num.partitions": str(self.num_partitions),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # After a kill -9 the new incarnation cannot register until the old one's session
            # expires (default 9 s); a short session keeps crash-test restarts quick.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "3000",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _format_storage(self, properties: Path) -> None:
        command = [
            *self._java("256m"), "kafka.tools.StorageTool", "format",
            "--ignore-formatted", "-t", new_cluster_id(), "-c", str(properties),
        ]  # fmt: skip
        result = subprocess.run(
            command, cwd=self.data_dir, capture_output=True, text=True, check=False
        )
        with self.log_path.open("a") as log:
            log.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise ServerError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")

    def _java(self, heap: str) -> list[str]:
        java = _java_executable()
        assert self._libs is not None
        return [
            java,
            f"-Xmx{heap}",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={kafka_log4j_config()}",
            f"-Dkafka.logs.dir={self.data_dir}",
            "-cp",
            f"{self._libs}/*",
        ]

    def _command(self) -> list[str]:
        return [*self._java(self.heap), "kafka.Kafka", str(self.data_dir / "server.properties")]

    def _ready(self) -> bool:
        return tcp_open(self.port) and kafka_answers(self.bootstrap_servers)

    def _failure_logs(self) -> list[Path]:
        return [self.log_path, self.server_log_path]


def new_cluster_id() -> str:
    """A KRaft cluster id: a random UUID in URL-safe base64 without padding."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka avoids these too: they read as CLI flags
            return cluster_id


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise ServerError("`java` (17 or newer) is needed to run the Kafka broker")
    return java


def kafka_answers(bootstrap_servers: str) -> bool:
    """Whether a broker at `bootstrap_servers` answers a metadata request and lists itself."""
    return _run_coroutine(lambda: _kafka_answers(bootstrap_servers))


def wait_for_kafka(bootstrap_servers: str, timeout: float = 60.0) -> None:
    """Block until `kafka_answers` (any broker, e.g. a container's); ServerError if not."""
    deadline = time.monotonic() + timeout
    while not kafka_answers(bootstrap_servers):
        if time.monotonic() > deadline:
            raise ServerError(f"no Kafka broker answers at {bootstrap_servers}")
        time.sleep(0.2)


async def _kafka_answers(bootstrap_servers: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
    try:
        await admin.start()
        cluster: dict[str, Any] = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except Exception:  # not up yet: any failure means "ask again"
        return False
    finally:
        await admin.close()


def _run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
