"""A small scripted HTTP server on 127.0.0.1 for exact client tests (no mocking of ``requests``).

Each path has a queue of scripted answers; when the queue is empty the path's sticky default
answers, and without one the server replies 418 with a "no script" body (not retried by the
client, so a missing script fails fast). Every request is logged raw: method, request target
(byte-exact path and query), headers and body. Errors raised by callable scripts are re-raised
in the test at teardown.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from airflow_provider_linkedin_ads.client.config import ClientConfig, RetryPolicy

TOKEN_PATH = "/oauth/v2/accessToken"
INTROSPECT_PATH = "/oauth/v2/introspectToken"


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    target: str  # raw request target: path and query exactly as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def form(self) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.body.decode("ascii"), keep_blank_values=True))


@dataclass(frozen=True)
class Reply:
    """A scripted answer; ``action`` ``"reset"`` drops the connection, ``"cut"`` sends half the body."""

    status: int = 200
    body: Any = field(default_factory=dict)  # dict/list -> JSON, str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "respond"

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


Script = Reply | Callable[[Received], Reply]


class ScriptedServer:
    """The server state shared by the handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Script]] = defaultdict(deque)
        self._defaults: dict[str, Script] = {}
        self.received: list[Received] = []
        self.handler_errors: list[BaseException] = []
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.scripted = self  # type: ignore[attr-defined]
        self._httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def script(self, path: str, *replies: Script) -> None:
        """Queue answers for ``path`` (without query), used once each, in order."""
        with self._lock:
            self._queues[path].extend(replies)

    def default(self, path: str, reply: Script) -> None:
        """Answer ``path`` with ``reply`` whenever its queue is empty."""
        with self._lock:
            self._defaults[path] = reply

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.path == path]

    def reset(self) -> None:
        with self._lock:
            self._queues.clear()
            self._defaults.clear()
            self.received.clear()
            self.handler_errors.clear()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_reply(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            queue = self._queues.get(request.path)
            script = queue.popleft() if queue else self._defaults.get(request.path)
        if script is None:
            return Reply(418, {"message": f"no scripted reply for {request.method} {request.path}"})
        if isinstance(script, Reply):
            return script
        try:
            return script(request)
        except BaseException as err:  # surfaced in the test thread at teardown
            with self._lock:
                self.handler_errors.append(err)
            return Reply(418, {"message": f"script failed: {err!r}"})


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops simultaneous connects from 8 threads (1 s SYN retransmit).
    request_queue_size = 64


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Received(self.command, self.path, headers, body)
        reply = self.server.scripted.next_reply(request)  # type: ignore[attr-defined]
        if reply.action == "reset":
            self._reset()
            return
        payload = reply.payload()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "content-type" not in {name.lower() for name in reply.headers}:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if reply.action == "cut":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout turns close() into a TCP RST: "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the socket was reset on purpose
            super().finish()


@pytest.fixture(scope="session")
def scripted_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture
def server(scripted_server: ScriptedServer) -> Iterator[ScriptedServer]:
    scripted_server.reset()
    yield scripted_server
    errors = list(scripted_server.handler_errors)
    scripted_server.reset()
    if errors:
        raise errors[0]


class Sleeper:
    """Records waits instead of sleeping; can advance a fake clock by the same amount."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.waits: list[float] = []
        self._clock = clock

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._clock is not None:
            self._clock.now += seconds


class FakeClock:
    """A settable POSIX clock (2026-03-10 12:00:00 UTC by default)."""

    def __init__(self, now: float = 1_773_144_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeper(clock: FakeClock) -> Sleeper:
    return Sleeper(clock)


FAST_RETRY = RetryPolicy(max_attempts=4, initial_wait=1.0, max_wait=8.0, max_total_wait=1800.0)


def make_config(server: ScriptedServer, **overrides: Any) -> ClientConfig:
    """A config pointing at the scripted server; access-token mode unless overridden."""
    values: dict[str, Any] = {
        "access_token": "static-access-token",
        "api_version": "202603",
        "api_base_url": f"{server.url}/rest",
        "token_url": f"{server.url}{TOKEN_PATH}",
        "retry": FAST_RETRY,
        "connect_timeout": 5.0,
        "read_timeout": 5.0,
    }
    values.update(overrides)
    return ClientConfig(**values)


def token_reply(access_token: str = "fresh-access-token", expires_in: int = 5_184_000, **extra: Any) -> Reply:
    return Reply(
        200,
        {
            "access_token": access_token,
            "expires_in": expires_in,
            "refresh_token_expires_in": 300 * 86400,
            **extra,
        },
    )


@pytest.fixture(params=["json", "orjson"])
def json_encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the JSON Lines writer on the standard library, then on orjson when installed.

    A module opts in with ``pytestmark = pytest.mark.usefixtures("json_encoder")``; both runs must
    give the same bytes, which the writer tests check against their references.
    """
    from airflow_provider_linkedin_ads.client import writers

    if request.param == "orjson":
        fast = writers._load_orjson()
        if fast is None:
            pytest.skip("orjson is not installed (the [fast] extra): only the standard library path runs")
        monkeypatch.setattr(writers, "FAST_JSON", fast)
    else:
        monkeypatch.setattr(writers, "FAST_JSON", None)
    return str(request.param)
