"""SecantusDB, a MongoDB-wire-protocol server from PyPI, as a local development process."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from schakel_dev.ports import tcp_open
from schakel_dev.processes import ManagedServer

__all__ = ["MongoServer"]


class MongoServer(ManagedServer):
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
        if not tcp_open(self.port):
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
