"""The emulator and its one entry point, :meth:`Emulator.handle` (request in, response out).

A request flows one way: :mod:`.server` parses bytes into a :class:`~.request.Request`; here query
tunnelling is undone, latency and faults applied, the request logged and handler errors kept; then
:func:`.app.dispatch` runs the gates and the route table and calls an endpoint with the
:class:`~.state.ApiState` (world, clock, config, throttles, tokens) -- never with the emulator. An
exception inside a handler is logged, answered with a 500 whose body says why, and kept for
:meth:`Emulator.check`, which re-raises it in the test that owns the emulator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from typing import TYPE_CHECKING

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
from airflow_provider_linkedin_ads.testing.state import DEFAULT_MEMBER, ApiState, EmulatorConfig
from airflow_provider_linkedin_ads.testing.throttle import DailyQuota, MetricValueBudget
from airflow_provider_linkedin_ads.testing.world import World

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_linkedin_ads.testing.request import Request

__all__ = ["DEFAULT_MEMBER", "Emulator", "EmulatorConfig"]

log = logging.getLogger(__name__)


def _new_token_store(clock: Clock, config: EmulatorConfig) -> TokenStore:
    return TokenStore(
        clock,
        client_id=config.client_id,
        client_secret=config.client_secret,
        refresh_token=config.refresh_token,
        member=config.member,
        access_token_ttl=config.access_token_ttl,
        refresh_token_ttl=config.refresh_token_ttl,
    )


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
        world = world if world is not None else World()
        clock = clock if clock is not None else default_clock(world)
        config = config if config is not None else EmulatorConfig()
        self._sleep = sleep
        self._start = clock.now()
        self.state = ApiState(
            world=world,
            clock=clock,
            config=config,
            budget=MetricValueBudget(clock, limit=config.metric_value_budget),
            quota=DailyQuota(clock, limit=config.daily_quota),
            tokens=_new_token_store(clock, config),
        )
        self.log = RequestLog()
        self.faults = FaultPlan(rate=config.fault_rate, seed=config.fault_seed)
        self._errors: list[BaseException] = []
        self._errors_lock = threading.Lock()

    # The state's parts, for tests and the server (endpoints get ``state`` itself).

    @property
    def world(self) -> World:
        """The synthetic data."""
        return self.state.world

    @property
    def clock(self) -> Clock:
        """The emulator clock."""
        return self.state.clock

    @property
    def config(self) -> EmulatorConfig:
        """Credentials, limits and fault settings."""
        return self.state.config

    @property
    def budget(self) -> MetricValueBudget:
        """The data throttle's rolling metric-value budget."""
        return self.state.budget

    @property
    def quota(self) -> DailyQuota:
        """The daily per-resource call quota."""
        return self.state.quota

    @property
    def tokens(self) -> TokenStore:
        """The OAuth token store (replaced on :meth:`reset`)."""
        return self.state.tokens

    @property
    def world_lock(self) -> threading.Lock:
        """The lock around answers from the world."""
        return self.state.world_lock

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
        self.state.tokens = _new_token_store(self.clock, self.config)
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
            return dispatch(self.state, request)
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
