"""TCP ports on 127.0.0.1, where every development server listens."""

from __future__ import annotations

import socket

__all__ = ["free_port", "port_is_free", "tcp_open"]


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


def tcp_open(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port` (within half a second)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
