"""Serve WSGI apps on 127.0.0.1 in a background thread (tests and ``branchwise demo``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """Request handler that does not log every request to stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip access logging."""


@dataclass
class RunningServer:
    """A server running in a daemon thread; call ``stop()`` to shut it down."""

    url: str
    port: int
    server: BaseWSGIServer = field(repr=False)
    thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving, close the socket and join the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind and listen on ``host:port`` now, so the port is known before the app exists.

    Pass it as ``serve_in_thread(app, sock=...)``; the issuer/tool URLs can then be
    built from ``sock.getsockname()[1]`` without a race.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def serve_in_thread(
    app: Callable[..., Any],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    sock: socket.socket | None = None,
    quiet: bool = True,
) -> RunningServer:
    """Serve ``app`` with werkzeug's threaded server; ``port=0`` picks a free port.

    With ``sock`` (from ``bind_socket``) that already-listening socket is used;
    ``quiet`` turns off werkzeug's per-request access log.
    """
    handler = QuietRequestHandler if quiet else None
    if sock is not None:
        host, port = sock.getsockname()[:2]
        server = make_server(
            host, port, app, threaded=True, fd=sock.fileno(), request_handler=handler
        )
        sock.close()  # the server holds its own duplicate of the descriptor
    else:
        server = make_server(host, port, app, threaded=True, request_handler=handler)
    real_port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, name=f"wsgi-{real_port}", daemon=True)
    thread.start()
    return RunningServer(
        url=f"http://{host}:{real_port}", port=real_port, server=server, thread=thread
    )
