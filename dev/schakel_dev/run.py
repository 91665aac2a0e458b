"""`make run`: Kafka, SecantusDB and every service on this machine, with demo data.

    python -m schakel_dev.run                 # everything, until Ctrl-C
    python -m schakel_dev.run --servers-only  # just Kafka and SecantusDB

Data is kept under `<repo>/.run/`. Ctrl-C (or SIGTERM) stops exactly the processes started
here: the services first, then Kafka and SecantusDB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from schakel_dev import repo_root
from schakel_dev.kafka_server import KafkaServer
from schakel_dev.mongo_server import MongoServer
from schakel_dev.ports import port_is_free
from schakel_dev.processes import ServerError
from schakel_dev.stack import DEMO_USERS_FILE, ServiceError, Stack

GATEWAY = "http://127.0.0.1:8080"
DEMO_POLICY = "2026.12-1-demo"  # followup's policy 2026.12-1, urgent deadlines in minutes


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    run_dir = repo_root() / ".run"
    kafka = KafkaServer(
        run_dir / "kafka",
        port=_env_port("SCHAKEL_KAFKA_PORT", 9092),
        controller_port=_env_port("SCHAKEL_KAFKA_CONTROLLER_PORT", 9093),
    )
    mongo = MongoServer(
        run_dir / "mongodb", port=_env_port("SCHAKEL_MONGODB_PORT", 27017), sync_on_commit=True
    )
    # The demonstration policy: urgent deadlines in minutes, so the inbox shows escalations.
    policy = {"SCHAKEL_DEADLINE_POLICY": os.environ.get("SCHAKEL_DEADLINE_POLICY", DEMO_POLICY)}
    stack = (
        None
        if args.servers_only
        else Stack(kafka.bootstrap_servers, mongo.uri, run_dir, extra_env=policy)
    )
    if taken := _taken_ports(kafka, mongo, stack):
        for line in taken:
            print(line, file=sys.stderr)
        return 1
    # Explicit for SIGINT too: a shell starting us in the background leaves it ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(kafka, mongo, stack)
    except KeyboardInterrupt:
        return 0
    except (ServerError, ServiceError) as error:
        print(f"\nstart-up failed: {error}", file=sys.stderr)
        return 1
    finally:
        _shutdown(kafka, mongo, stack)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.run", description=__doc__)
    parser.add_argument(
        "--servers-only", action="store_true", help="start only Kafka and SecantusDB"
    )
    return parser.parse_args(argv)


def _env_port(variable: str, default: int) -> int:
    value = os.environ.get(variable)
    if not value:
        return default
    if not value.isdigit():
        raise SystemExit(f"{variable}={value!r} is not a port number")
    return int(value)


def _taken_ports(kafka: KafkaServer, mongo: MongoServer, stack: Stack | None) -> list[str]:
    """One explanation per port that is already in use."""
    wanted: list[tuple[str, int, str | None]] = [
        ("Kafka", kafka.port, "SCHAKEL_KAFKA_PORT"),
        ("Kafka controller", kafka.controller_port, "SCHAKEL_KAFKA_CONTROLLER_PORT"),
        ("SecantusDB (MongoDB)", mongo.port, "SCHAKEL_MONGODB_PORT"),
    ]
    if stack is not None:
        wanted += [(f"service {s.name}", s.port, None) for s in stack]
    problems = [
        f"port {port} on 127.0.0.1 ({what}) is already in use"
        + (f"; choose another with {variable}=..." if variable else "")
        for what, port, variable in wanted
        if not port_is_free(port)
    ]
    if problems:
        problems += _leftover_hints(kafka, mongo)
    return problems


def _leftover_hints(kafka: KafkaServer, mongo: MongoServer) -> list[str]:
    hints = []
    for server in (kafka, mongo):
        pid_file = server.data_dir / f"{server.name}.pid"
        if pid_file.exists():
            pid = pid_file.read_text().strip()
            hints.append(
                f"an earlier `make run` may still be running: {server.name} pid {pid} "
                f"(from {pid_file.relative_to(repo_root())})"
            )
    return hints


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Unwind into the shutdown code, as Ctrl-C does by default."""
    raise KeyboardInterrupt


def _run(kafka: KafkaServer, mongo: MongoServer, stack: Stack | None) -> int:
    print("starting Kafka and SecantusDB…", flush=True)
    kafka.start()
    print(f"  Kafka      {kafka.bootstrap_servers:<28} ready in {kafka.startup_seconds:.1f} s")
    mongo.start()
    print(f"  SecantusDB {f'127.0.0.1:{mongo.port}':<28} ready in {mongo.startup_seconds:.1f} s")
    if stack is None:
        _print_servers(kafka, mongo)
    else:
        _start_stack(stack)
        _load_demo_data()
        _print_stack(kafka, mongo, stack)
    print("\nCtrl-C stops everything started here.", flush=True)
    _watch(kafka, mongo, stack)
    return 0


def _start_stack(stack: Stack) -> None:
    print("starting services…", flush=True)
    started = time.monotonic()
    stack.start()
    for service in stack:
        service.wait_ready(max(1.0, 90 - (time.monotonic() - started)))
        print(f"  {service.name:<10} {service.url:<28} ready at {time.monotonic() - started:.1f} s")


def _load_demo_data() -> None:
    if importlib.util.find_spec("schakel_dev.demo") is None:
        print("demo data: skipped (schakel_dev.demo is not there yet)")
        return
    print("loading demo data…", flush=True)
    command = [sys.executable, "-m", "schakel_dev.demo", "--gateway", GATEWAY]
    code = subprocess.call(command, cwd=repo_root())
    if code != 0:
        print(f"demo data: loader exited with {code}; the stack keeps running", file=sys.stderr)


def _print_servers(kafka: KafkaServer, mongo: MongoServer) -> None:
    print(
        "\nPoint services or tests at them:\n"
        f"  export SCHAKEL_KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers}\n"
        f"  export SCHAKEL_MONGODB_URI='{mongo.uri}'\n"
        "  export SCHAKEL_ENV=development  # accept the development secrets\n"
        f"  KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers} "
        f"MONGODB_URI='{mongo.uri}' make test\n"
        f"logs: {_rel(kafka.server_log_path)}, {_rel(mongo.log_path)}"
    )


def _print_stack(kafka: KafkaServer, mongo: MongoServer, stack: Stack) -> None:
    gateway = stack["gateway"].url
    print(
        f"\nschakel is running: {gateway}\n"
        f"  inbox     {gateway}/inbox (owners: sign in as makelaar / demo-makelaar)\n"
        f"  API docs  {gateway}/docs\n"
        f"  AsyncAPI  {gateway}/asyncapi.json\n"
        f"  metrics   curl -H 'Authorization: Bearer {stack.metrics_token}' {gateway}/metrics\n"
        f"  logs      {_rel(stack.run_dir)}/<service>.log (JSON lines), "
        f"{_rel(kafka.server_log_path)}, {_rel(mongo.log_path)}"
    )
    users = _demo_users()
    if users:
        print("demo logins (username / password / organisation):")
        for user in users:
            print(f"  {user.get('username')} / {user.get('password')} / {user.get('organisation')}")


def _demo_users() -> list[dict[str, Any]]:
    path = DEMO_USERS_FILE
    try:
        users = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return [user for user in users if isinstance(user, dict)] if isinstance(users, list) else []


def _watch(kafka: KafkaServer, mongo: MongoServer, stack: Stack | None) -> None:
    """Wait for Ctrl-C, saying once when a process dies on its own."""
    processes = [kafka.process, mongo.process, *(s.process for s in stack or [])]
    reported: set[str] = set()
    while True:
        for process in processes:
            code = process.returncode
            if code is not None and process.name not in reported:
                reported.add(process.name)
                print(f"{process.name} exited with {code}; see {_rel(process.log_path)}")
        time.sleep(1)


def _shutdown(kafka: KafkaServer, mongo: MongoServer, stack: Stack | None) -> None:
    # A second Ctrl-C must not cut the shutdown short and leave processes behind.
    signal.signal(signal.SIGINT, _still_stopping)
    signal.signal(signal.SIGTERM, _still_stopping)
    print("\nstopping…", flush=True)
    if stack is not None:
        stack.stop_all()
    kafka.stop()
    mongo.stop()
    print("stopped.", flush=True)


def _still_stopping(signum: int, frame: FrameType | None) -> None:
    print("still stopping, please wait…", flush=True)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(repo_root()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
