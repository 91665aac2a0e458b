"""schakel's services as OS processes: what `make run` and the end-to-end tests start.

Each service is `python -m <module>` configured through `SCHAKEL_*` environment variables, its
stdout and stderr (JSON log lines) appended to `<run dir>/<name>.log`, and is ready when
`GET /readyz` answers 200.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from schakel.platform.settings import DEV_AUTH_SECRET, DEV_METRICS_TOKEN
from schakel_dev import repo_root
from schakel_dev.ports import free_port
from schakel_dev.processes import ManagedProcess

__all__ = [
    "DEMO_USERS_FILE",
    "DEV_AUTH_SECRET",
    "DEV_METRICS_TOKEN",
    "DEV_RATE_LIMITS",
    "GATEWAY_UPSTREAMS",
    "SERVICES",
    "ServiceError",
    "ServiceProcess",
    "ServiceSpec",
    "Stack",
]

# The demo accounts (passwords in clear beside their hashes); never real credentials.
DEMO_USERS_FILE = Path(__file__).with_name("demo_users.json")
# `make run`, its demo, the bench (300 signals in a burst from 8 clients) and the e2e tests all
# come from 127.0.0.1, one client to the gateway: budgets far above what they send keep the
# limiter in the path without tripping it. The environment or `extra_env` may set others.
DEV_RATE_LIMITS = {
    "SCHAKEL_RATE_LIMIT_SIGNALS": "100000/60",
    "SCHAKEL_RATE_LIMIT_SIGN_IN": "100000/60",
    "SCHAKEL_RATE_LIMIT_SIGN_IN_FAILURES": "100000/60",
}


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int


# Start order: the gateway last, it fronts the others.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("intake", "schakel.intake", 8081),
    ServiceSpec("triage", "schakel.triage", 8082),
    ServiceSpec("matching", "schakel.matching", 8083),
    ServiceSpec("feedback", "schakel.feedback", 8084),
    ServiceSpec("audit", "schakel.audit", 8085),
    ServiceSpec("followup", "schakel.followup", 8086),
    ServiceSpec("gateway", "schakel.gateway", 8080),
)

# Environment variable of the gateway -> the service it points at.
GATEWAY_UPSTREAMS: dict[str, str] = {
    "SCHAKEL_INTAKE_URL": "intake",
    "SCHAKEL_TRIAGE_URL": "triage",
    "SCHAKEL_MATCHING_URL": "matching",
    "SCHAKEL_FEEDBACK_URL": "feedback",
    "SCHAKEL_AUDIT_URL": "audit",
    "SCHAKEL_FOLLOWUP_URL": "followup",
}


# Loopback only: never through an HTTP proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServiceError(RuntimeError):
    """A service process exited or did not become ready."""


class ServiceProcess:
    """One service: `python -m <module>` on 127.0.0.1:`port`."""

    def __init__(
        self,
        name: str,
        module: str,
        port: int,
        run_dir: Path,
        env: Mapping[str, str],
        launcher: str | None = None,
    ) -> None:
        self.name = name
        self.module = module
        self.launcher = launcher  # a module that runs `module` (schakel_dev.profiling)
        self.port = port
        self.run_dir = Path(run_dir)
        self.env = dict(env)
        # No banner: the log holds JSON lines only, so tests can parse every line.
        self.process = ManagedProcess(name, self.run_dir / f"{name}.log", banner=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.process.log_path

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process.running else None

    @property
    def running(self) -> bool:
        return self.process.running

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def start(self) -> Self:
        """Spawn the process; `wait_ready` tells when it serves requests."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        launch = [self.launcher] if self.launcher else []
        command = [sys.executable, "-m", *launch, self.module]
        self.process.spawn(command, cwd=self.run_dir, env=self.env)
        return self

    def is_ready(self) -> bool:
        try:
            with _DIRECT.open(f"{self.url}/readyz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):  # refused, 503, timeout: not yet
            return False

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until `GET /readyz` answers 200; raise with the log's tail if it exits."""
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            code = self.process.returncode
            if code is not None:
                raise ServiceError(f"{self.name} exited with code {code}\n{self._tail()}")
            if time.monotonic() > deadline:
                raise ServiceError(f"{self.name} not ready after {timeout:.0f} s\n{self._tail()}")
            time.sleep(0.1)

    def _tail(self) -> str:
        return f"--- tail of {self.log_path}:\n{self.process.tail()}"

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait for a graceful exit (SIGKILL after `timeout` s); the exit code."""
        return self.process.stop(timeout)

    def kill(self) -> int | None:
        """SIGKILL, as a crash would."""
        return self.process.kill()

    def restart(self, *, wait: bool = True, timeout: float = 60.0) -> Self:
        """Stop if running (gracefully), start again on the same port, wait until ready."""
        self.stop()
        self.start()
        if wait:
            self.wait_ready(timeout)
        return self


class Stack:
    """All services, wired to one Kafka and one MongoDB.

    `ports` overrides the default port per service name; `free_ports=True` picks free ports
    instead (tests running next to `make run`). `extra_env` goes to every service, after the
    defaults, so it can override them. `launcher` is a module every service is run by
    (`python -m <launcher> <module>`), e.g. `schakel_dev.profiling`.
    """

    def __init__(
        self,
        kafka_bootstrap_servers: str,
        mongodb_uri: str,
        run_dir: Path,
        *,
        ports: Mapping[str, int] | None = None,
        free_ports: bool = False,
        auth_secret: str = DEV_AUTH_SECRET,
        metrics_token: str = DEV_METRICS_TOKEN,
        log_level: str = "INFO",
        extra_env: Mapping[str, str] | None = None,
        services: Sequence[ServiceSpec] = SERVICES,
        launcher: str | None = None,
    ) -> None:
        self.kafka_bootstrap_servers = kafka_bootstrap_servers
        self.mongodb_uri = mongodb_uri
        self.run_dir = Path(run_dir)
        self.auth_secret = auth_secret
        self.metrics_token = metrics_token
        self.log_level = log_level
        self.extra_env = dict(extra_env or {})
        chosen = {s.name: (free_port() if free_ports else s.port) for s in services}
        chosen.update(ports or {})
        self.services: dict[str, ServiceProcess] = {
            spec.name: ServiceProcess(
                spec.name,
                spec.module,
                chosen[spec.name],
                self.run_dir,
                self._env(spec, chosen),
                launcher,
            )
            for spec in services
        }

    def _env(self, spec: ServiceSpec, ports: Mapping[str, int]) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PYTHONUNBUFFERED": "1",  # log lines reach the file as they happen
                "PYTHONPATH": _pythonpath(env.get("PYTHONPATH")),
                # Development secrets (below, unless given) are accepted only in this mode.
                "SCHAKEL_ENV": "development",
                "SCHAKEL_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
                "SCHAKEL_MONGODB_URI": self.mongodb_uri,
                "SCHAKEL_HTTP_HOST": "127.0.0.1",
                "SCHAKEL_HTTP_PORT": str(ports[spec.name]),
                "SCHAKEL_AUTH_SECRET": self.auth_secret,
                "SCHAKEL_METRICS_TOKEN": self.metrics_token,
                "SCHAKEL_LOG_LEVEL": self.log_level,
            }
        )
        if spec.name == "gateway":
            env.update(
                {
                    variable: f"http://127.0.0.1:{ports[name]}"
                    for variable, name in GATEWAY_UPSTREAMS.items()
                    if name in ports
                }
            )
            env["SCHAKEL_USERS_FILE"] = str(DEMO_USERS_FILE)
            for variable, budget in DEV_RATE_LIMITS.items():
                env.setdefault(variable, budget)  # `SCHAKEL_RATE_LIMIT_…=3/60 make run` to try one
        env.update(self.extra_env)
        return env

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def __iter__(self) -> Iterator[ServiceProcess]:
        return iter(self.services.values())

    def __len__(self) -> int:
        return len(self.services)

    @property
    def urls(self) -> dict[str, str]:
        return {name: service.url for name, service in self.services.items()}

    def start(self) -> Self:
        """Spawn every service in order without waiting (they start in parallel)."""
        for service in self:
            if not service.running:
                service.start()
        return self

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Block until every service answers `/readyz`; one shared deadline."""
        deadline = time.monotonic() + timeout
        for service in self:
            service.wait_ready(max(0.0, deadline - time.monotonic()))

    def stop_all(self, timeout: float = 30.0) -> dict[str, int | None]:
        """Gracefully stop every service (SIGTERM, gateway first), all shutting down in
        parallel; SIGKILL whatever still runs after `timeout` s. Returns the exit codes."""
        ordered = list(reversed(list(self)))
        for service in ordered:
            service.process.terminate()
        deadline = time.monotonic() + timeout
        return {
            service.name: service.process.wait(max(0.0, deadline - time.monotonic()))
            for service in ordered
        }

    def __enter__(self) -> Self:
        try:
            self.start()
            self.wait_ready()
        except BaseException:
            self.stop_all()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop_all()


def _pythonpath(inherited: str | None) -> str:
    """The source dirs first, so a checkout works even without an editable install."""
    root = repo_root()
    entries = [str(root / "services"), str(root / "dev")]
    if inherited:
        entries.append(inherited)
    return os.pathsep.join(entries)
