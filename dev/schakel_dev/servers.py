"""Real development servers as local processes: Apache Kafka (KRaft) and SecantusDB.

No Docker is needed. Kafka is the genuine broker, run from its jars on Maven Central (fetched
once with `mvn` into the cache dir); SecantusDB is a MongoDB-wire-protocol server from PyPI.
Each server runs in its own process group with its output in a log file in its data dir, so
Ctrl-C in a terminal does not reach it and the owner decides the order of shutdown. Only the
processes started here are ever signalled.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient

T = TypeVar("T")

__all__ = [
    "KafkaServer",
    "ManagedProcess",
    "MongoServer",
    "ServerError",
    "cache_dir",
    "free_port",
    "kafka_answers",
    "kafka_classpath",
    "kafka_version",
    "port_is_free",
    "repo_root",
    "wait_for_kafka",
]

_POM_NS = "{http://maven.apache.org/POM/4.0.0}"
_LOG_TAIL_LINES = 40
MVN_ATTEMPTS = 3


class ServerError(RuntimeError):
    """A development server could not be prepared or started."""


def repo_root() -> Path:
    """The checkout this module lives in (an editable install keeps `__file__` there)."""
    return Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Whether a server can listen on 127.0.0.1:`port` right now.

    With SO_REUSEADDR, as uvicorn, Kafka and SecantusDB bind: connections of a run stopped a
    moment ago linger in TIME_WAIT for a minute, and must not make the port look taken.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def cache_dir() -> Path:
    """Where downloaded tools live: `$SCHAKEL_CACHE_DIR` or `<repo>/.cache`."""
    configured = os.environ.get("SCHAKEL_CACHE_DIR")
    return Path(configured) if configured else repo_root() / ".cache"


def kafka_pom() -> Path:
    return repo_root() / "deploy" / "kafka" / "pom.xml"


def kafka_log4j_config() -> Path:
    return repo_root() / "deploy" / "kafka" / "log4j2.xml"


def kafka_version(pom: Path | None = None) -> str:
    """The `kafka.version` property of the pom that pins the broker."""
    root = ET.parse(pom or kafka_pom()).getroot()
    node = root.find(f"{_POM_NS}properties/{_POM_NS}kafka.version")
    if node is None or not (node.text or "").strip():
        raise ServerError(f"no <kafka.version> property in {pom or kafka_pom()}")
    return (node.text or "").strip()


def kafka_classpath() -> Path:
    """Directory holding the broker's jars, fetched from Maven Central on first use.

    A marker file with the pom's hash is written only after a complete download, so an
    interrupted fetch, or a changed pom, is fetched again.
    """
    pom = kafka_pom()
    version = kafka_version(pom)
    home = cache_dir() / f"kafka-{version}"
    libs, marker = home / "libs", home / "complete"
    fingerprint = hashlib.sha256(pom.read_bytes()).hexdigest()
    if _read_text(marker) == fingerprint:
        return libs
    home.mkdir(parents=True, exist_ok=True)
    with _file_lock(home / ".lock"):  # `make run` and a test run may start together
        if _read_text(marker) != fingerprint:
            _fetch_kafka_jars(pom, version, libs, marker)
            marker.write_text(fingerprint)
    return libs


def _fetch_kafka_jars(pom: Path, version: str, libs: Path, marker: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError(
            "Maven (`mvn`) is needed once to fetch the Kafka broker jars; install it, or point "
            "the tests at a running broker with KAFKA_BOOTSTRAP_SERVERS"
        )
    print(
        f"fetching Apache Kafka {version} jars from Maven Central (first time only)…",
        file=sys.stderr,
        flush=True,
    )
    marker.unlink(missing_ok=True)
    shutil.rmtree(libs, ignore_errors=True)
    started = time.monotonic()
    command = [
        mvn, "-q", "-B", "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}", "-DincludeScope=runtime", "-f", str(pom),
    ]  # fmt: skip
    for attempt in range(1, MVN_ATTEMPTS + 1):
        # A registry hiccup on a fresh machine should not fail a whole test run.
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            break
        if attempt == MVN_ATTEMPTS:
            raise ServerError(
                f"mvn failed {attempt} times ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        print(f"mvn failed (attempt {attempt}); retrying", file=sys.stderr, flush=True)
        time.sleep(5 * attempt)
    jars = list(libs.glob("*.jar"))
    size_mib = sum(jar.stat().st_size for jar in jars) / 2**20
    print(
        f"fetched {len(jars)} jars ({size_mib:.0f} MiB) in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path.name} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def _tcp_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


class ManagedProcess:
    """One child process in a session of its own, its output appended to a log file.

    The session keeps a terminal's Ctrl-C away from it, so its owner decides the order of
    shutdown; signals go to that session's group only, i.e. to exactly what was started here.
    """

    def __init__(self, name: str, log_path: Path, *, banner: bool = True) -> None:
        self.name = name
        self.log_path = log_path
        self.banner = banner
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc is not None else None

    def spawn(self, command: list[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> int:
        if self.running:
            raise ServerError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            if self.banner:
                stamp = time.strftime("%Y-%m-%d %H:%M:%S")
                log.write(f"\n=== {stamp} starting {self.name}\n".encode())
                log.flush()
            self._proc = subprocess.Popen(
                command,
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self._proc.pid

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM for a clean shutdown; SIGKILL if it has not exited after `timeout` s."""
        self.terminate()
        return self.wait(timeout)

    def terminate(self) -> None:
        """Ask for a clean shutdown (SIGTERM) without waiting. Send it once: a second SIGTERM
        makes some servers (uvicorn) skip their graceful shutdown."""
        self.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int | None:
        """Wait for the exit; SIGKILL after `timeout` s. The exit code (None if never run)."""
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            return self._proc.wait()

    def kill(self) -> int | None:
        """SIGKILL, as a crash would: no shutdown hooks, no flush."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self.send_signal(signal.SIGKILL)
        return self._proc.wait()

    def send_signal(self, signum: int) -> None:
        # The group was created for this child (pgid == its pid) and the child has not been
        # reaped yet (we hold its Popen), so the number cannot belong to anything else.
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signum)

    def tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        return _tail(self.log_path, lines)


class _ManagedServer:
    """Lifecycle shared by the servers: prepare, spawn, wait until it answers, stop by PID."""

    name = "server"

    def __init__(self, data_dir: Path, port: int | None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.startup_seconds: float | None = None
        self.process = ManagedProcess(self.name, self.data_dir / f"{self.name}.out")

    # Subclasses fill these in.
    def _prepare(self) -> None:
        """Work before spawning (config files, storage format); counted in startup time."""

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _failure_logs(self) -> list[Path]:
        return [self.log_path]

    @property
    def log_path(self) -> Path:
        """stdout and stderr of the process, appended across restarts."""
        return self.process.log_path

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process.running else None

    @property
    def running(self) -> bool:
        return self.process.running

    def start(self, timeout: float = 60.0) -> Self:
        """Start the process and return once it serves clients; raise with its log if not."""
        if self.running:
            raise ServerError(f"{self.name} is already running (pid {self.pid})")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        self._prepare()
        pid = self.process.spawn(self._command(), cwd=self.data_dir)
        self._pid_file.write_text(f"{pid}\n")
        try:
            self._wait_ready(started + timeout)
        except BaseException:  # also Ctrl-C while waiting: leave nothing behind
            self.kill()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / f"{self.name}.pid"

    def _wait_ready(self, deadline: float) -> None:
        while True:
            code = self.process.returncode
            if code is not None:
                raise ServerError(f"{self.name} exited with code {code}\n{self._log_tails()}")
            if self._ready():
                return
            if time.monotonic() > deadline:
                raise ServerError(f"{self.name} did not become ready in time\n{self._log_tails()}")
            time.sleep(0.1)

    def _log_tails(self) -> str:
        return "\n".join(f"--- tail of {path}:\n{_tail(path)}" for path in self._failure_logs())

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM for a clean shutdown; SIGKILL if it has not exited after `timeout` s."""
        self.process.stop(timeout)
        self._pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown hooks, no flush."""
        self.process.kill()
        self._pid_file.unlink(missing_ok=True)

    def restart(self, timeout: float = 60.0) -> Self:
        """Stop (if running) and start again on the same ports and data dir."""
        self.stop()
        return self.start(timeout)

    def __enter__(self) -> Self:
        return self if self.running else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class KafkaServer(_ManagedServer):
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
            "--ignore-formatted", "-t", _new_cluster_id(), "-c", str(properties),
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
        return _tcp_open(self.port) and kafka_answers(self.bootstrap_servers)

    def _failure_logs(self) -> list[Path]:
        return [self.log_path, self.server_log_path]


def _new_cluster_id() -> str:
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


class MongoServer(_ManagedServer):
    """SecantusDB, a MongoDB-protocol server (single-member replica set), on 127.0.0.1.

    Data lives in `<data_dir>/db` unless `in_memory`, in which case it is gone after a stop.
    Like mongod's default (w:1, j:false) a SIGKILL loses writes of the last second or so that
    were not acknowledged with `j: true`; `sync_on_commit` fsyncs every commit instead.
    """

    name = "secantusd"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        in_memory: bool = False,
        cache_size: str = "256M",
        sync_on_commit: bool = False,
    ) -> None:
        super().__init__(data_dir, port)
        self.in_memory = in_memory
        self.cache_size = cache_size
        self.sync_on_commit = sync_on_commit

    @property
    def uri(self) -> str:
        # retryWrites=false: SecantusDB prunes its retry cache by a full scan on every
        # retryable write. directConnection: it is one member, no discovery wanted.
        return f"mongodb://127.0.0.1:{self.port}/?retryWrites=false&directConnection=true"

    @property
    def storage_path(self) -> Path | None:
        return None if self.in_memory else self.data_dir / "db"

    def _prepare(self) -> None:
        # An explicit (empty) config file stops it from picking up ~/.secantus or ./ configs.
        (self.data_dir / "secantusd.toml").touch()

    def _command(self) -> list[str]:
        storage = ":memory:" if self.storage_path is None else str(self.storage_path)
        return [
            sys.executable, "-m", "secantus",
            "--config", str(self.data_dir / "secantusd.toml"),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--storage-path", storage, "--cache-size", self.cache_size,
            *(["--sync-on-commit"] if self.sync_on_commit else []),
        ]  # fmt: skip

    def _ready(self) -> bool:
        if not _tcp_open(self.port):
            return False
        client: MongoClient[dict[str, Any]] = MongoClient(
            self.uri, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
        )
        try:
            hello = client.admin.command("hello")
            return bool(hello.get("isWritablePrimary"))
        except Exception:  # not up yet
            return False
        finally:
            client.close()
