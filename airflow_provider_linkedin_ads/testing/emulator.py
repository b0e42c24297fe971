"""The emulator's state and its one entry point, :meth:`Emulator.handle` (request in, response out).

Everything stateful lives here: the world, the clock, tokens, throttles, faults, the request log and
the handler errors a test must see. The socket layer (:mod:`.server`) only parses bytes into a
:class:`~.request.Request` and writes the :class:`~.responses.Response` back; routing and the gate
checks are in :mod:`.app`. An exception inside a handler is logged, answered with a 500 whose body
says why, and kept for :meth:`Emulator.check`, which re-raises it in the test that owns the emulator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.analytics import DEFAULT_MAX_ELEMENTS
from airflow_provider_linkedin_ads.testing.app import dispatch, untunnel
from airflow_provider_linkedin_ads.testing.clock import Clock
from airflow_provider_linkedin_ads.testing.faults import FaultPlan, fault_response
from airflow_provider_linkedin_ads.testing.log import (
    Counters,
    RequestLog,
    RequestRecord,
    endpoint_of,
    redact_headers,
    redact_query,
)
from airflow_provider_linkedin_ads.testing.oauth import DEFAULT_SCOPE, TokenStore
from airflow_provider_linkedin_ads.testing.responses import Rejection, Response, api_error
from airflow_provider_linkedin_ads.testing.throttle import (
    DEFAULT_METRIC_VALUE_BUDGET,
    DailyQuota,
    MetricValueBudget,
)
from airflow_provider_linkedin_ads.testing.world import World

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_linkedin_ads.testing.request import Request

__all__ = ["DEFAULT_MEMBER", "Emulator", "EmulatorConfig"]

log = logging.getLogger(__name__)

#: The member every emulator token acts for unless a test mints one for another member.
DEFAULT_MEMBER = "urn:li:person:emulator"


@dataclass(frozen=True)
class EmulatorConfig:
    """Credentials, limits and fault settings of one emulator (secrets hidden from ``repr``).

    :param client_id: OAuth client id accepted by the token endpoint.
    :param client_secret: the matching client secret.
    :param refresh_token: the pre-provisioned refresh token.
    :param access_token_ttl: seconds an access token lives (LinkedIn: 60 days).
    :param refresh_token_ttl: seconds a refresh token lives (LinkedIn: 365 days).
    :param metric_value_budget: metric values per rolling 5 minutes before the data throttle.
    :param daily_quota: calls per resource per UTC day; ``None`` means unlimited.
    :param retry_after: seconds sent as ``Retry-After`` on throttles; ``None`` sends no header.
    :param latency_ms: milliseconds every request waits (and the ``latency`` fault adds).
    :param fault_rate: probability of a random fault per API call.
    :param fault_seed: seed of the random faults.
    :param member: the member the tokens act for.
    :param max_elements: rows at which every ``adAnalytics`` answer is silently cut (LinkedIn:
        15,000); lower it so a small world produces reports many times the cap.
    """

    client_id: str = "emulator-client"
    client_secret: str = field(default="emulator-secret", repr=False)
    refresh_token: str = field(default="emulator-refresh-token", repr=False)
    access_token_ttl: int = 5_184_000
    refresh_token_ttl: int = 31_536_000
    metric_value_budget: int = DEFAULT_METRIC_VALUE_BUDGET
    daily_quota: int | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_seed: int = 0
    member: str = DEFAULT_MEMBER
    max_elements: int = DEFAULT_MAX_ELEMENTS

    def __post_init__(self) -> None:
        for name in ("access_token_ttl", "refresh_token_ttl", "metric_value_budget", "latency_ms"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"{name} must not be negative", argument=name)
        if self.daily_quota is not None and self.daily_quota < 0:
            raise ConfigurationError("daily_quota must not be negative", argument="daily_quota")
        if self.max_elements < 1:
            raise ConfigurationError("max_elements must be at least 1", argument="max_elements")


def default_clock(world: World) -> Clock:
    """Return a frozen clock at noon UTC of the world's ``today``."""
    return Clock(dt.datetime.combine(world.today, dt.time(12), tzinfo=dt.UTC))


class Emulator:
    """The emulated LinkedIn Ads API, without sockets (see :class:`~.server.EmulatorServer`).

    :param world: the synthetic data; default ``World()``.
    :param clock: the emulator clock; default frozen at noon UTC of ``world.today``.
    :param config: credentials, limits and faults.
    :param sleep: how latency is waited (injectable; the only real sleeping the emulator does).

    .. code-block:: python

        emulator = Emulator()
        token = emulator.issue_access_token()
        response = emulator.handle(Request("GET", "/rest/adAccounts", "q=search", {...}))
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        clock: Clock | None = None,
        config: EmulatorConfig | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.world = world if world is not None else World()
        self.clock = clock if clock is not None else default_clock(self.world)
        self.config = config if config is not None else EmulatorConfig()
        self._sleep = sleep
        self._start = self.clock.now()
        self.world_lock = threading.Lock()
        self.log = RequestLog()
        self.faults = FaultPlan(rate=self.config.fault_rate, seed=self.config.fault_seed)
        self.budget = MetricValueBudget(self.clock, limit=self.config.metric_value_budget)
        self.quota = DailyQuota(self.clock, limit=self.config.daily_quota)
        self.tokens = self._new_token_store()
        self._errors: list[BaseException] = []
        self._errors_lock = threading.Lock()

    def _new_token_store(self) -> TokenStore:
        config = self.config
        return TokenStore(
            self.clock,
            client_id=config.client_id,
            client_secret=config.client_secret,
            refresh_token=config.refresh_token,
            member=config.member,
            access_token_ttl=config.access_token_ttl,
            refresh_token_ttl=config.refresh_token_ttl,
        )

    # -- control surface for tests -------------------------------------------------------------

    def issue_access_token(
        self, *, expires_in: int | None = None, scope: str = DEFAULT_SCOPE, member: str | None = None
    ) -> str:
        """Mint an access token without the OAuth round trip.

        :param expires_in: lifetime in seconds (default ``access_token_ttl``).
        :param scope: comma-separated scopes; without ``r_ads_reporting`` adAnalytics answers 403.
        :param member: the member it acts for (decides the visible accounts).
        """
        return self.tokens.issue_access_token(expires_in=expires_in, scope=scope, member=member)

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token (next use: 401 65601 / ``invalid_grant``)."""
        self.tokens.revoke(token)

    def expire(self, token: str) -> None:
        """Expire an access or refresh token now (next use: 401 65602 / ``invalid_grant``)."""
        self.tokens.expire(token)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request since the last reset, oldest first (``Authorization`` redacted)."""
        return self.log.records

    @property
    def counters(self) -> Counters:
        """A snapshot of calls per endpoint, faults and 429s per kind, tunnelled calls, metric values."""
        return self.log.counters

    def reset(self) -> None:
        """Clear log, counters, faults, throttles, tokens and handler errors; rewind a frozen clock.

        The world is kept, so one emulator can serve a whole test session with a clean state per test.
        """
        self.log.clear()
        self.faults.clear()
        self.budget.clear()
        self.quota.clear()
        if not self.clock.ticking:
            self.clock.set(self._start)
        self.tokens = self._new_token_store()
        with self._errors_lock:
            self._errors.clear()

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside handlers since the last reset or :meth:`check`."""
        with self._errors_lock:
            return list(self._errors)

    def check(self) -> None:
        """Re-raise the first exception a handler raised (then forget them all)."""
        with self._errors_lock:
            errors, self._errors = self._errors, []
        if errors:
            raise errors[0]

    # -- request handling ----------------------------------------------------------------------

    def handle(self, raw: Request) -> Response:
        """Answer one request: latency and faults first, then the gates and the endpoint.

        The request is logged before this returns, so a test sees it as soon as it has the answer.
        """
        try:
            request = untunnel(raw)
        except Rejection as rejection:
            return self._record(raw, rejection.response)
        self._wait(self.config.latency_ms)
        kind = self.faults.pick(request.path)
        if kind is not None:
            replaced = fault_response(kind, retry_after=self.config.retry_after)
            if replaced is not None:
                return self._record(request, replaced)
            if kind == "latency":
                self._wait(self.config.latency_ms or 100)
        response = self._dispatch(request)
        if kind is not None:
            response = dataclasses.replace(response, fault=kind, action="cut" if kind == "cut" else None)
        return self._record(request, response)

    def _wait(self, milliseconds: int) -> None:
        if milliseconds > 0:
            self._sleep(milliseconds / 1000)

    def _dispatch(self, request: Request) -> Response:
        try:
            return dispatch(self, request)
        except Rejection as rejection:
            return rejection.response
        except Exception as err:  # a bug in the emulator (or the world): answer, log and keep it for check()
            log.exception("emulator handler failed on %s %s", request.method, request.path)
            with self._errors_lock:
                self._errors.append(err)
            self.log.handler_error()
            message = f"the emulator failed on {request.method} {request.path}: {type(err).__name__}: {err}"
            return api_error(500, "EMULATOR_HANDLER_ERROR", message)

    def _record(self, request: Request, response: Response) -> Response:
        oauth = request.path.startswith("/oauth/")
        sent = len(response.body) // 2 if response.action == "cut" else len(response.body)
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query="" if oauth else redact_query(request.query),
            headers=redact_headers(request.headers),
            status=None if response.action == "reset" else response.status,
            tunnelled=request.tunnelled,
            response_size=0 if response.action == "reset" else sent,
            fault=response.fault,
            endpoint=endpoint_of(request.path),
        )
        self.log.add(record, metric_values=response.metric_values, throttle=response.throttle)
        return response

    def __repr__(self) -> str:
        return f"Emulator(world={self.world!r}, clock={self.clock!r}, config={self.config!r})"
