"""Runs the app on uvicorn, on a socket bound first (so the URL is known).

Binding before uvicorn starts lets `--port=0` pick a free port and the
tool print the real URL, and turns "address in use" into a clear error
instead of a traceback.
"""

import socket

import uvicorn

from multistyle import errors

LOOPBACK = "127.0.0.1"


def bind(host, port):
    """A listening TCP socket on `host:port` (`port` 0: a free one).

    Raises:
        ValueError: If the address cannot be used (taken, not this
            machine's, or a privileged port).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as e:
        raise ValueError(f"Cannot listen on `host`={host!r}: {e}. Use an "
                         "address of this machine, e.g. 127.0.0.1.") from e
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise errors.ArgumentError(
            f"Cannot listen on {host}:{port}: {e.strerror}. Choose another "
            "{port} (0 picks a free one), or stop what uses it.",
            ("port",)) from e
    return sock


def url(sock):
    """The URL to open for a socket from `bind`; a wildcard address
    (all interfaces) is shown as 127.0.0.1."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = LOOPBACK
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def make_server(app, access_log=False):
    """A `uvicorn.Server` for `app`; `server.run(sockets=[sock])` serves
    until `server.should_exit` is set (or SIGINT / SIGTERM in the main
    thread)."""
    config = uvicorn.Config(app, log_level="warning", access_log=access_log,
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)
