"""The threaded HTTP server around :class:`~.emulator.Emulator`: a real socket on 127.0.0.1, port 0.

Mechanics after ``pytest-httpserver``: the server runs in a daemon thread, the OS picks a free port
(read back into :attr:`EmulatorServer.url`), every request is logged, and an exception raised inside
a handler is answered with a 500 and re-raised in the owning test by :meth:`EmulatorServer.check`
(``__exit__`` calls it). The socket layer also performs the two faults only a socket can: a reset
(RST, no answer) and a body cut short of its ``Content-Length``.
"""

from __future__ import annotations

import logging
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.emulator import Emulator, EmulatorConfig
from airflow_provider_linkedin_ads.testing.oauth import DEFAULT_SCOPE
from airflow_provider_linkedin_ads.testing.request import Request
from airflow_provider_linkedin_ads.testing.state import DEFAULT_MAX_ELEMENTS

if TYPE_CHECKING:
    from types import TracebackType

    from airflow_provider_linkedin_ads.testing.clock import Clock
    from airflow_provider_linkedin_ads.testing.faults import FaultPlan
    from airflow_provider_linkedin_ads.testing.log import Counters, RequestRecord
    from airflow_provider_linkedin_ads.testing.responses import Response
    from airflow_provider_linkedin_ads.testing.world import World

__all__ = ["EmulatorServer"]

log = logging.getLogger(__name__)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.emulator = emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (after a cut body, say) is normal here, not worth a traceback.
        log.debug("connection from %s ended with %r", client_address, sys.exc_info()[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY the second waits ~40 ms for the
    # client's delayed ACK (Nagle), which made every emulated call take ~40 ms on Linux.
    disable_nagle_algorithm = True
    # A request line without a version is answered with a status line and headers, not the bare
    # HTTP/0.9 way (body only), which no client of a REST API can read.
    default_request_version = "HTTP/1.0"
    server_version = "linkedin-ads-emulator"
    server: _HTTPServer

    def _serve(self) -> None:
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isascii() or not length_text.isdigit() or len(length_text) > 12:
            self.send_error(400, "Content-Length must be a non-negative integer")
            return
        length = int(length_text)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(
            self.command, path, query, headers, body, url_length=len("http://") + len(host) + len(self.path)
        )
        self._write(self.server.emulator.handle(request))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def _write(self, response: Response) -> None:
        if response.action == "reset":
            self._reset()
            return
        self.send_response(response.status)
        self.send_header(
            "Content-Type",
            response.content_type + ("; charset=utf-8" if "json" in response.content_type else ""),
        )
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if response.action == "cut":
            self.send_header("Connection", "close")
        self.end_headers()
        if response.action == "cut":
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN: a real "connection reset".
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:  # the client may already be gone
            pass

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - " + format, self.address_string(), *args)


class EmulatorServer:
    """The LinkedIn Ads API emulator on a real loopback socket, for tests, the demo and docker-compose.

    :param world: the synthetic data (default ``World()``).
    :param host: interface to bind; loopback unless you need otherwise.
    :param port: TCP port; 0 lets the OS pick a free one.
    :param clock: the emulator clock (default frozen at noon UTC of ``world.today``).
    :param client_id: OAuth client id the token endpoint accepts.
    :param client_secret: the matching secret.
    :param refresh_token: the pre-provisioned refresh token.
    :param access_token_ttl: seconds an access token lives.
    :param refresh_token_ttl: seconds a refresh token lives.
    :param metric_value_budget: metric values per rolling 5 minutes before the data throttle.
    :param daily_quota: calls per resource per UTC day (``None``: unlimited).
    :param retry_after: ``Retry-After`` seconds on throttles (``None``: no header).
    :param latency_ms: milliseconds every request waits.
    :param fault_rate: probability of a random fault per API call.
    :param fault_seed: seed of the random faults.
    :param max_elements: rows at which ``adAnalytics`` answers are cut (default LinkedIn's 15,000).
    :param page_size: most elements per entity finder page (``None``: as the request asks); e.g. 2
        makes a small world's listings span many pages.

    .. code-block:: python

        with EmulatorServer() as emulator:
            token = emulator.issue_access_token()
            ...  # call emulator.api_base_url + "/adAnalytics?..." with any HTTP client
            assert emulator.counters.calls["adAnalytics"] == 1
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        client_id: str = "emulator-client",
        client_secret: str = "emulator-secret",
        refresh_token: str = "emulator-refresh-token",
        access_token_ttl: int = 5_184_000,
        refresh_token_ttl: int = 31_536_000,
        metric_value_budget: int = 45_000_000,
        daily_quota: int | None = None,
        retry_after: int | None = None,
        latency_ms: int = 0,
        fault_rate: float = 0.0,
        fault_seed: int = 0,
        max_elements: int = DEFAULT_MAX_ELEMENTS,
        page_size: int | None = None,
    ) -> None:
        config = EmulatorConfig(
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            access_token_ttl=access_token_ttl,
            refresh_token_ttl=refresh_token_ttl,
            metric_value_budget=metric_value_budget,
            daily_quota=daily_quota,
            retry_after=retry_after,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            fault_seed=fault_seed,
            max_elements=max_elements,
            page_size=page_size,
        )
        self.emulator = Emulator(world, clock=clock, config=config)
        self.host = host
        self._requested_port = port
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        """Bind and serve in a daemon thread; returns ``self``.

        :raises ConfigurationError: when already running.
        """
        if self._server is not None:
            raise ConfigurationError("the emulator is already running", argument="start")
        self._server = _HTTPServer((self.host, self._requested_port), self.emulator)
        # A short poll interval makes stop() quick; the loop is idle-cheap (a select() per interval).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="linkedin-ads-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self.check()

    # -- addresses -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port.

        :raises ConfigurationError: when the server is not running.
        """
        if self._server is None:
            raise ConfigurationError("the emulator is not running; call start() first", argument="port")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://HOST:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """``url + "/rest"``: the ``api_base_url`` connection extra."""
        return self.url + "/rest"

    @property
    def token_url(self) -> str:
        """``url + "/oauth/v2/accessToken"``: the ``token_url`` connection extra."""
        return self.url + "/oauth/v2/accessToken"

    # -- the emulator's control surface ----------------------------------------------------------

    @property
    def world(self) -> World:
        """The synthetic world (ask it for ground truth: ``world.answer(query, now=...)``)."""
        return self.emulator.world

    @property
    def clock(self) -> Clock:
        """The emulator clock: ``clock.set(now)``, ``clock.advance(timedelta)``."""
        return self.emulator.clock

    @property
    def faults(self) -> FaultPlan:
        """Fault injection: ``faults.script(kind, times=1, path_contains=None)``."""
        return self.emulator.faults

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request since the last reset (``Authorization`` redacted)."""
        return self.emulator.requests

    @property
    def counters(self) -> Counters:
        """Calls per endpoint, faults and 429s per kind, tunnelled calls, metric values served."""
        return self.emulator.counters

    @property
    def config(self) -> EmulatorConfig:
        """Credentials and limits (secrets hidden from ``repr``)."""
        return self.emulator.config

    def issue_access_token(
        self, *, expires_in: int | None = None, scope: str = DEFAULT_SCOPE, member: str | None = None
    ) -> str:
        """Mint an access token directly (see :meth:`Emulator.issue_access_token`)."""
        return self.emulator.issue_access_token(expires_in=expires_in, scope=scope, member=member)

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token."""
        self.emulator.revoke(token)

    def expire(self, token: str) -> None:
        """Expire an access or refresh token now."""
        self.emulator.expire(token)

    def reset(self) -> None:
        """Clear log, counters, faults, throttles and tokens; keep the world (see :meth:`Emulator.reset`)."""
        self.emulator.reset()

    def check(self) -> None:
        """Re-raise the first exception a handler raised since the last reset or check."""
        self.emulator.check()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"EmulatorServer({where})"
