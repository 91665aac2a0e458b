"""`make run` refuses to start on a port that is really taken, and only then: a run stopped a
moment ago leaves its connections in TIME_WAIT, which must not block the next run."""

from __future__ import annotations

import socket
import time

from schakel_dev.ports import port_is_free


def listener() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_port_someone_listens_on_is_taken() -> None:
    with listener() as server:
        assert not port_is_free(server.getsockname()[1])


def test_a_port_whose_server_just_stopped_is_free_again() -> None:
    server = listener()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = server.accept()
    served.close()  # the server closes first, as on shutdown: TIME_WAIT stays on its port
    time.sleep(0.1)
    client.close()
    server.close()
    assert port_is_free(port)
