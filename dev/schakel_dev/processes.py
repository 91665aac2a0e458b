"""Local processes under supervision: the development servers and, in `stack`, the services.

Each process runs in a session (and process group) of its own with its output in a log file,
so Ctrl-C in a terminal does not reach it and the owner decides the order of shutdown. Only the
processes started here are ever signalled. `ManagedServer` adds what the servers share: a data
dir, a port, a PID file, and waiting until the server answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from schakel_dev.ports import free_port

__all__ = ["ManagedProcess", "ManagedServer", "ServerError"]

_LOG_TAIL_LINES = 40


class ServerError(RuntimeError):
    """A development server could not be prepared or started."""


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path.name} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


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


class ManagedServer:
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
