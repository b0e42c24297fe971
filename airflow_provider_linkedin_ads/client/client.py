"""``LinkedInAdsClient``: the facade over tokens, transport and the retry policy.

One client per configuration; it is thread-safe, so a thread pool may call :meth:`~LinkedInAdsClient.get`
concurrently, sharing its session and its access token.

.. code-block:: text

    get(resource, params)
      └── retry policy (transient errors only)            client/retry.py
            └── attempt: tunnel when the query is long;   client/transport.py
                 414 on a plain GET -> once more tunnelled
                  └── 401 handling (wait / refresh once)  client/auth.py
                        └── send, then JSON or typed error client/responses.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_linkedin_ads.client.auth import TokenProvider, read_oauth_answer
from airflow_provider_linkedin_ads.client.responses import decode_json, error_from_response
from airflow_provider_linkedin_ads.client.retry import RetryRunner
from airflow_provider_linkedin_ads.client.stats import ClientStats, StatsRecorder
from airflow_provider_linkedin_ads.client.transport import (
    OutgoingRequest,
    Transport,
    api_headers,
    build_session,
    introspect_url,
    plan_get,
    should_tunnel,
)
from airflow_provider_linkedin_ads.errors import (
    ConfigurationError,
    RequestSummary,
    RequestTooLongError,
    UnauthorizedError,
)
from airflow_provider_linkedin_ads.restli import build_query
from airflow_provider_linkedin_ads.versions import check_version

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import TracebackType

    import requests

    from airflow_provider_linkedin_ads.client.config import ClientConfig
    from airflow_provider_linkedin_ads.restli import Value

__all__ = ["BatchResult", "LinkedInAdsClient"]

T = TypeVar("T")


@dataclass(frozen=True)
class BatchResult:
    """The answer of a ``BATCH_GET``, keyed by the ids as the caller passed them (``str(id)``).

    :param results: id -> entity, for the ids that were found.
    :param statuses: id -> HTTP status LinkedIn reported for it.
    :param errors: id -> LinkedIn's error object, for the ids that failed.

    .. code-block:: python

        batch = client.batch_get("adCampaigns", [123, 456])
        names = {campaign_id: entity["name"] for campaign_id, entity in batch.results.items()}
    """

    results: dict[str, Any]
    statuses: dict[str, int]
    errors: dict[str, Any]


class LinkedInAdsClient:
    """Synchronous, thread-safe client of LinkedIn's versioned REST API (``/rest``).

    :param config: resolved configuration, secrets included.
    :param sleep: how to wait (retries, after-refresh pause); tests inject a recorder.
    :param clock: POSIX time source (token expiry, ``Retry-After`` dates, quota resets).
    :param monotonic: monotonic time source of the attempt deadline and the call's total budget
        (``RetryPolicy.max_total_wait``); tests inject a fake one.
    :param session: a ``requests.Session`` to use instead of the client's own pooled one; the
        client then leaves closing it to the caller.
    :param logger: where retries and warnings go; never receives a token.
    :param on_new_token: called with every newly minted secret (access or refresh token), e.g.
        to register it with Airflow's secret masker.

    .. code-block:: python

        config = ClientConfig(client_id="...", client_secret="...", refresh_token="...", api_version="202608")
        with LinkedInAdsClient(config) as client:
            page = client.finder(
                "adAnalytics",
                "analytics",
                [("pivot", "CAMPAIGN"), ("timeGranularity", "DAILY"), ("accounts", ["urn:li:sponsoredAccount:1"])],
            )
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
        logger: logging.Logger | None = None,
        on_new_token: Callable[[str], None] | None = None,
    ) -> None:
        self._config = config
        self._sleep = sleep
        self._clock = clock
        self._log = logger or logging.getLogger(__name__)
        self._owns_session = session is None
        self._session = session if session is not None else build_session(config)
        self._transport = Transport(self._session, config, monotonic=monotonic)
        self._stats = StatsRecorder()
        self._tokens = TokenProvider(
            config,
            transport=self._transport,
            clock=clock,
            logger=self._log,
            on_new_token=on_new_token,
            on_refresh=self._stats.count_refresh,
        )
        self._retry = RetryRunner(
            config.retry,
            sleep=sleep,
            logger=self._log,
            on_retry=self._stats.count_retry,
            monotonic=monotonic,
            defer_longer_than=config.defer_waits_longer_than,
            clock=clock,
        )
        today = dt.datetime.fromtimestamp(clock(), tz=dt.UTC).date()
        for warning in check_version(config.api_version, today):
            self._log.warning("%s", warning)

    def __repr__(self) -> str:
        return f"LinkedInAdsClient(api_base_url={self._config.api_base_url!r}, api_version={self._config.api_version!r})"

    def __enter__(self) -> LinkedInAdsClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def config(self) -> ClientConfig:
        """The configuration this client was built with."""
        return self._config

    @property
    def stats(self) -> ClientStats:
        """A consistent snapshot of the counters (calls, retries, tunnelled, refreshes)."""
        return self._stats.snapshot()

    def close(self) -> None:
        """Close the pooled connections (only when the client created the session)."""
        if self._owns_session:
            self._session.close()

    def get(
        self,
        resource: str,
        params: Sequence[tuple[str, Value | None]] = (),
        *,
        restli_method: str | None = None,
        summary: RequestSummary | None = None,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> dict[str, Any]:
        """GET ``resource`` with a Rest.li-encoded query; tunnelled automatically when long.

        :param resource: path below ``config.api_base_url``, e.g. ``"adAnalytics"`` or
            ``"adAccounts/123/adCampaigns"`` (encode path keys with ``restli.encode_path_key``).
        :param params: ``(name, value)`` pairs in the order they are sent; ``None`` values are skipped.
        :param restli_method: value of ``X-RestLi-Method`` (``"BATCH_GET"``...), if any.
        :param summary: token-free description attached to any :class:`~airflow_provider_linkedin_ads.errors.APIError`;
            a minimal one (method, resource, ``q``) is built when omitted.
        :param on_retry: called with the error of a failed attempt before it is retried.
        :raises LinkedInAdsError: a typed error from ``errors.py``; transient ones after the retries.
        """
        return self._call(resource, params, _decode_whole, restli_method, summary, on_retry)

    def finder(
        self,
        resource: str,
        finder: str,
        params: Sequence[tuple[str, Value | None]],
        *,
        summary: RequestSummary | None = None,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> dict[str, Any]:
        """Call a Rest.li finder: ``q=<finder>`` first, then ``params`` (see :meth:`get`)."""
        return self.get(resource, [("q", finder), *params], summary=summary, on_retry=on_retry)

    def read_finder(
        self,
        resource: str,
        finder: str,
        params: Sequence[tuple[str, Value | None]],
        read: Callable[[Sequence[bytes], int], T],
        *,
        summary: RequestSummary | None = None,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> T:
        """Call a Rest.li finder like :meth:`finder`, turning a successful body into ``read(pieces, status)``.

        The body comes as the pieces it arrived in (at most 64 KiB each, in order; join them for the
        whole), so a large answer is never one contiguous block (see
        :meth:`~.transport.Transport.send_in_pieces`). ``read`` runs inside the attempt, so an error it
        raises is handled exactly as one of :func:`~.responses.decode_json` (a ``TransportError`` for a
        body cut mid-way is retried), and the caller can consume the answer without ever holding its
        whole decoded tree (the report engine: :func:`~.responses.read_elements`). Error answers are
        typed errors as for :meth:`get`.

        .. code-block:: python

            size = client.read_finder("adAnalytics", "analytics", params, lambda pieces, status: sum(map(len, pieces)))
        """
        return self._call(resource, [("q", finder), *params], read, None, summary, on_retry)

    def _call(
        self,
        resource: str,
        params: Sequence[tuple[str, Value | None]],
        decode: Callable[[Sequence[bytes], int], T],
        restli_method: str | None,
        summary: RequestSummary | None,
        on_retry: Callable[[BaseException], None] | None,
    ) -> T:
        query = build_query(params)
        described = summary or _default_summary(resource, params)
        return self._retry.call(
            lambda: self._attempt(resource, query, restli_method, described, decode),
            describe=str(described),
            on_retry=on_retry,
        )

    def batch_get(
        self, resource: str, ids: Sequence[str | int], params: Sequence[tuple[str, Value | None]] = ()
    ) -> BatchResult:
        """Fetch several entities at once (``ids=List(...)``, ``X-RestLi-Method: BATCH_GET``).

        :param ids: numeric ids or URNs; the result maps are keyed by ``str(id)``.
        :raises ConfigurationError: when ``ids`` is empty.
        """
        if not ids:
            raise ConfigurationError("batch_get needs at least one id", argument="ids")
        answer = self.get(resource, [("ids", list(ids)), *params], restli_method="BATCH_GET")
        return BatchResult(
            results=_unquote_keys(answer.get("results")),
            statuses={key: int(value) for key, value in _unquote_keys(answer.get("statuses")).items()},
            errors=_unquote_keys(answer.get("errors")),
        )

    def introspect(self) -> dict[str, Any]:
        """Ask LinkedIn about the current access token (``active``, ``status``, ``expires_at``...).

        :raises ConfigurationError: when client id or client secret is missing.
        :raises AuthenticationError: when LinkedIn refuses the client credentials.
        """
        if not (self._config.client_id and self._config.client_secret):
            raise ConfigurationError(
                "token introspection needs the client id (login) and client secret (password)",
                argument="client_id",
            )
        return self._retry.call(self._introspect_once, describe="POST introspectToken")

    def _introspect_once(self) -> dict[str, Any]:
        form = {
            "client_id": self._config.client_id or "",
            "client_secret": self._config.client_secret or "",
            "token": self._tokens.current(),
        }
        response = self._transport.post_form(introspect_url(self._config.token_url), form)
        return read_oauth_answer(response, action="introspect the access token", now=self._clock())

    def _attempt(
        self,
        resource: str,
        query: str,
        restli_method: str | None,
        summary: RequestSummary,
        decode: Callable[[Sequence[bytes], int], T],
    ) -> T:
        tunnel = should_tunnel(query, self._config.tunnel_threshold)
        try:
            return self._authorized(resource, query, restli_method, summary, decode, tunnel=tunnel)
        except RequestTooLongError:
            if tunnel:
                raise
            self._log.info("LinkedIn Ads %s: 414 Request-URI Too Long; retrying once tunnelled", summary)
            return self._authorized(resource, query, restli_method, summary, decode, tunnel=True)

    def _authorized(
        self,
        resource: str,
        query: str,
        restli_method: str | None,
        summary: RequestSummary,
        decode: Callable[[Sequence[bytes], int], T],
        *,
        tunnel: bool,
    ) -> T:
        request = plan_get(
            self._config.api_base_url, resource, query, tunnel=tunnel, restli_method=restli_method
        )
        if tunnel:
            summary = dataclasses.replace(summary, tunnelled=True)
        flow = self._tokens.flow(sleep=self._sleep, after_refresh_wait=self._config.retry.after_refresh_wait)
        token = flow.token()
        while True:  # bounded: the flow raises once it has waited and refreshed
            try:
                return self._exchange(request, token, summary, decode)
            except UnauthorizedError as err:
                token = flow.on_unauthorized(token, err)

    def _exchange(
        self,
        request: OutgoingRequest,
        token: str,
        summary: RequestSummary,
        decode: Callable[[Sequence[bytes], int], T],
    ) -> T:
        self._stats.count_call(tunnelled=request.tunnelled)
        response, pieces = self._transport.send_in_pieces(
            request, api_headers(token, self._config.api_version)
        )
        if 200 <= response.status_code < 300:  # not response.ok, which lets a 3xx pass as success
            return decode(pieces, response.status_code)
        raise error_from_response(
            response, requested_version=self._config.api_version, summary=summary, now=self._clock()
        )


def _decode_whole(pieces: Sequence[bytes], status: int) -> dict[str, Any]:
    """Decode an answer's body whole (:meth:`LinkedInAdsClient.get`, :meth:`~LinkedInAdsClient.finder`), keeping one copy.

    The pieces are handed over by :meth:`LinkedInAdsClient._exchange`: once joined, the list is
    emptied, so a large answer (a capped finder answer can be 7 MiB) is not held twice while it is
    decoded. The report engine reads its answers with :meth:`~LinkedInAdsClient.read_finder` instead.
    """
    body = b"".join(pieces)
    if isinstance(pieces, list):
        pieces.clear()
    return decode_json(body, status)


def _default_summary(resource: str, params: Sequence[tuple[str, Value | None]]) -> RequestSummary:
    finder = next((value for key, value in params if key == "q" and isinstance(value, str)), None)
    return RequestSummary(method="GET", resource=resource, finder=finder)


def _unquote_keys(mapping: object) -> dict[str, Any]:
    """Batch maps use Rest.li's reduced encoding for keys; return them as the caller wrote the ids."""
    if not isinstance(mapping, dict):
        return {}
    return {urllib.parse.unquote(str(key)): value for key, value in mapping.items()}
