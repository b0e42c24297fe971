"""A loopback server that answers with raw bytes at its own pace: dripping, endless or silent bodies.

The scripted server answers whole payloads; the deadline and size-cap tests need an answer that
arrives one byte at a time, one that never ends, or none at all. Each accepted connection runs
``behaviour(connection, counter)``; ``counter.sent`` counts the body bytes the server managed to send
before the client hung up, so a test can show the client stopped reading early.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Counter:
    """What one server saw: connections accepted and body bytes sent (across connections)."""

    connections: int = 0
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, count: int) -> None:
        with self.lock:
            self.sent += count


Behaviour = Callable[[socket.socket, Counter], None]


class RawServer:
    """Accepts connections on 127.0.0.1 and runs ``behaviour`` on each, in its own thread."""

    def __init__(self, behaviour: Behaviour) -> None:
        self._behaviour = behaviour
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.counter.lock:
                self.counter.connections += 1
            threading.Thread(target=self._run, args=(connection,), daemon=True).start()

    def _run(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:
            connection.recv(65536)  # the request (small, one read is enough on loopback)
            self._behaviour(connection, self.counter)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()


@contextlib.contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[RawServer]:
    server = RawServer(behaviour)
    try:
        yield server
    finally:
        server.stop()


def head(status: str = "200 OK", length: int | None = None) -> bytes:
    """Status line and headers of a JSON answer (no length: the body ends when the connection closes)."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def drip(body: bytes, every: float) -> Behaviour:
    """Send ``body`` one byte every ``every`` seconds (with its Content-Length)."""

    def behaviour(connection: socket.socket, counter: Counter) -> None:
        connection.sendall(head(length=len(body)))
        for index in range(len(body)):
            connection.sendall(body[index : index + 1])
            counter.add(1)
            time.sleep(every)

    return behaviour


def endless(chunk: int = 64 * 1024, limit: int = 1 << 30) -> Behaviour:
    """Send a JSON body that never closes its list, up to ``limit`` bytes, as fast as the client reads."""

    def behaviour(connection: socket.socket, counter: Counter) -> None:
        connection.sendall(head())
        connection.sendall(b'{"elements": [')
        block = (b'{"impressions": 1},' * (chunk // 19 + 1))[:chunk]
        while counter.sent < limit:
            connection.sendall(block)
            counter.add(len(block))

    return behaviour


def silent(hold: float = 5.0) -> Behaviour:
    """Accept, read the request, and say nothing for ``hold`` seconds."""

    def behaviour(connection: socket.socket, counter: Counter) -> None:
        time.sleep(hold)

    return behaviour
