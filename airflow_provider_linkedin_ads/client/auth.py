"""OAuth 2.0 access tokens: a static token, or the refresh-token grant with an in-memory cache.

.. code-block:: text

    token()            cached token; refreshed first when it expires within the margin:
                       min(REFRESH_MARGIN_SECONDS, half its lifetime), and never sooner than
                       MIN_TOKEN_REUSE_SECONDS after it was minted (a short expires_in must not
                       make every call ask the token endpoint again)
    refresh refused    remembered: later refreshes fail at once, without asking the token endpoint again
    401 on a call      (UnauthorizedError, whatever the body: JSON or an edge's HTML page)
                       access-token-only mode            -> UnauthorizedError at once
                       body not about the token          -> UnauthorizedError at once
                       token minted moments ago          -> wait after_refresh_wait, retry once
                       otherwise                         -> refresh once (all threads share it), retry
                       still 401                         -> UnauthorizedError telling what to fix
    token endpoint     3xx / 5xx / 429 -> RedirectError / ServerError / RateLimitError; an OAuth
                       error body -> AuthenticationError; a token that is not header-safe ->
                       AuthenticationError (never holding the value)

Tokens travel only in the ``Authorization`` header and the token-endpoint body: never in a URL, a
log line, an exception message or a ``repr``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.config import check_header_safe
from airflow_provider_linkedin_ads.client.responses import decode_json, error_from_response, preview
from airflow_provider_linkedin_ads.errors import AuthenticationError, ConfigurationError, UnauthorizedError

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable

    import requests

    from airflow_provider_linkedin_ads.client.config import ClientConfig
    from airflow_provider_linkedin_ads.client.transport import Transport

__all__ = [
    "FRESH_TOKEN_SECONDS",
    "MIN_TOKEN_REUSE_SECONDS",
    "REFRESHABLE_CODES",
    "REFRESHABLE_SERVICE_ERROR_CODES",
    "REFRESH_MARGIN_SECONDS",
    "REFRESH_TOKEN_WARNING_DAYS",
    "AuthFlow",
    "TokenProvider",
    "is_token_rejection",
    "read_oauth_answer",
]

#: Refresh this long before the access token's announced expiry.
REFRESH_MARGIN_SECONDS = 300.0
#: A minted token is used at least this long, whatever its ``expires_in`` (a floor against a token
#: endpoint announcing 0 or a few seconds: at worst the stale token gets a 401 and one refresh).
MIN_TOKEN_REUSE_SECONDS = 10.0
#: A token minted this recently may still be unknown to LinkedIn's edge (a 401 "revoked").
FRESH_TOKEN_SECONDS = 60.0
#: Warn when the refresh token expires within this many days.
REFRESH_TOKEN_WARNING_DAYS = 30
#: ``serviceErrorCode`` of a 401 about the token: invalid, revoked, expired.
REFRESHABLE_SERVICE_ERROR_CODES = frozenset({65600, 65601, 65602})
REFRESHABLE_CODES = frozenset({"INVALID_ACCESS_TOKEN", "REVOKED_ACCESS_TOKEN", "EXPIRED_ACCESS_TOKEN"})

_REAUTHORISE = (
    "re-authorise the LinkedIn app for this member and store the new refresh token in the "
    "connection extra refresh_token"
)


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    expires_at: float | None = None  # POSIX seconds; None: unknown (a configured access token)
    minted_at: float | None = None  # POSIX seconds; None: not obtained by this process
    refresh_at: float | None = None  # POSIX seconds from which a new token is fetched first


def _refresh_at(now: float, expires_in: float | None) -> float | None:
    """When to replace a token minted at ``now``: the margin shrinks for short lifetimes, with a floor."""
    if expires_in is None:
        return None
    lifetime = max(expires_in, 0.0)
    margin = min(REFRESH_MARGIN_SECONDS, lifetime / 2)
    return now + max(lifetime - margin, MIN_TOKEN_REUSE_SECONDS)


def is_token_rejection(error: AuthenticationError) -> bool:
    """Tell whether a 401 says the token is invalid, revoked or expired (so a refresh may help).

    Decided on ``serviceErrorCode`` and ``code``, never on the message. A 401 carrying neither is
    treated as a token rejection too; a 401 with another code (``EMPTY_ACCESS_TOKEN``) is not.
    """
    if error.service_error_code in REFRESHABLE_SERVICE_ERROR_CODES:
        return True
    if error.code is not None:
        return error.code.upper() in REFRESHABLE_CODES
    return error.service_error_code is None


def read_oauth_answer(response: requests.Response, *, action: str, now: float) -> dict[str, Any]:
    """Decode a token-endpoint answer; OAuth errors become :class:`AuthenticationError`.

    :param response: the answer of the token or introspection endpoint.
    :param action: what was attempted, for the message (``"refresh the access token"``).
    :param now: current POSIX time (for ``Retry-After`` on 429/5xx).
    :raises AuthenticationError: for an OAuth error body (``invalid_grant``, ``invalid_request``...).
    :raises ServerError | RateLimitError | TransportError: for transient failures, which are retried.
    """
    if 200 <= response.status_code < 300:  # a 3xx (SSO page) is not a token answer
        return decode_json(response.content, response.status_code)
    body = _json_object(response)
    if response.status_code in (400, 401) and body is not None and "error" in body:
        error = str(body.get("error"))
        description = preview(str(body.get("error_description") or ""))
        raise AuthenticationError(
            f"LinkedIn's token endpoint refused to {action} (HTTP {response.status_code} {error}: "
            f"{description}). The refresh token or client credentials are invalid, expired or revoked: "
            f"check the connection's client id and secret, then {_REAUTHORISE}.",
            status=response.status_code,
            code=error,
        )
    raise error_from_response(response, requested_version="", summary=None, now=now)


def _json_object(response: requests.Response) -> Mapping[str, Any] | None:
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, Mapping) else None


class TokenProvider:
    """Hands out the current access token and refreshes it when possible; shared by all threads.

    :param config: credentials and the token URL.
    :param transport: sends the token request.
    :param clock: POSIX time source (injected in tests).
    :param logger: receives the refresh-token expiry warning; never a token.
    :param on_new_token: called with every newly obtained secret (e.g. to register it with a
        secret masker) before it is used.
    :param on_refresh: called once per token obtained from the token endpoint (statistics).

    .. code-block:: python

        provider = TokenProvider(config, transport=transport, clock=time.time, logger=log)
        headers = {"Authorization": f"Bearer {provider.current()}"}
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: Transport,
        clock: Callable[[], float],
        logger: logging.Logger,
        on_new_token: Callable[[str], None] | None = None,
        on_refresh: Callable[[], None] | None = None,
    ) -> None:
        self._config = config
        self._transport = transport
        self._clock = clock
        self._log = logger
        self._on_new_token = on_new_token
        self._on_refresh = on_refresh
        self._lock = threading.Lock()
        self._refresh_token = config.refresh_token
        self._token = _Token(config.access_token) if config.access_token else None
        # A refresh token the endpoint refused stays refused (invalid_grant: revoked or expired) until
        # someone re-authorises, so concurrent calls must not each ask again with it.
        self._refusal: AuthenticationError | None = None

    def __repr__(self) -> str:
        mode = "refresh-token" if self.can_refresh else "access-token"
        return f"TokenProvider(mode={mode!r}, token_url={self._config.token_url!r})"

    @property
    def can_refresh(self) -> bool:
        """True in refresh-token mode (client id, client secret and refresh token configured)."""
        return self._config.can_refresh

    def current(self) -> str:
        """Return a usable access token, refreshing first when it is missing or about to expire.

        :raises AuthenticationError: when the token endpoint refuses the refresh token.
        """
        token = self._token
        if token is not None and not self._due(token):
            return token.value
        with self._lock:  # double-checked: only the first waiting thread refreshes
            token = self._token
            if token is not None and not self._due(token):
                return token.value
            return self._refresh_locked().value

    def refresh(self, stale: str) -> str:
        """Replace ``stale`` by a new token, unless another thread already did; return the current one.

        :raises AuthenticationError: in access-token-only mode, or when the refresh is refused.
        """
        with self._lock:
            token = self._token
            if token is not None and token.value != stale:
                return token.value
            return self._refresh_locked().value

    def is_fresh(self, value: str) -> bool:
        """Tell whether ``value`` is the current token and was minted moments ago."""
        token = self._token
        return (
            token is not None
            and token.value == value
            and token.minted_at is not None
            and self._clock() - token.minted_at <= FRESH_TOKEN_SECONDS
        )

    def flow(self, *, sleep: Callable[[float], None], after_refresh_wait: float) -> AuthFlow:
        """Start the per-call state machine that reacts to 401 answers."""
        return AuthFlow(self, sleep=sleep, after_refresh_wait=after_refresh_wait)

    def _due(self, token: _Token) -> bool:
        if token.refresh_at is not None:
            return self._clock() >= token.refresh_at
        return token.expires_at is not None and self._clock() >= token.expires_at - REFRESH_MARGIN_SECONDS

    def _refresh_locked(self) -> _Token:
        if not self.can_refresh:
            raise AuthenticationError(
                "the access token cannot be refreshed: configure the client id (login), client secret "
                "(password) and the extra refresh_token, or set a new extra access_token"
            )
        if self._refusal is not None:
            refusal = self._refusal
            raise AuthenticationError(
                str(refusal),
                status=refusal.status,
                code=refusal.code,
                service_error_code=refusal.service_error_code,
            )
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token or "",
            "client_id": self._config.client_id or "",
            "client_secret": self._config.client_secret or "",
        }
        response = self._transport.post_form(self._config.token_url, form)
        now = self._clock()
        try:
            answer = read_oauth_answer(response, action="refresh the access token", now=now)
        except AuthenticationError as err:
            self._refusal = err
            raise
        token = self._accept(answer, now)
        self._token = token
        if self._on_refresh is not None:
            self._on_refresh()
        return token

    def _accept(self, answer: Mapping[str, Any], now: float) -> _Token:
        value = answer.get("access_token")
        if not isinstance(value, str) or not value:
            raise AuthenticationError("LinkedIn's token endpoint answered without an access_token")
        self._announce(value)  # masked first: even a refused token must never show in a log
        _check_received(value, "access_token")
        new_refresh = answer.get("refresh_token")
        if isinstance(new_refresh, str) and new_refresh and new_refresh != self._refresh_token:
            self._announce(new_refresh)
            _check_received(new_refresh, "refresh_token")
            self._refresh_token = new_refresh
        self._warn_refresh_expiry(answer.get("refresh_token_expires_in"), now)
        expires_in = _seconds(answer.get("expires_in"))
        return _Token(
            value,
            None if expires_in is None else now + expires_in,
            minted_at=now,
            refresh_at=_refresh_at(now, expires_in),
        )

    def _announce(self, secret: str) -> None:
        if self._on_new_token is not None:
            self._on_new_token(secret)

    def _warn_refresh_expiry(self, expires_in: object, now: float) -> None:
        seconds = _seconds(expires_in)
        if seconds is None or seconds >= REFRESH_TOKEN_WARNING_DAYS * 86400:
            return
        expires = dt.datetime.fromtimestamp(now + seconds, tz=dt.UTC)
        self._log.warning(
            "The LinkedIn refresh token expires in %d day(s), on %s UTC; %s before then.",
            int(seconds // 86400),
            expires.strftime("%Y-%m-%d %H:%M"),
            _REAUTHORISE,
        )


def _check_received(secret: str, name: str) -> None:
    """Refuse a token the endpoint sent that cannot travel in a header; the value is never shown."""
    try:
        check_header_safe(secret, argument=name)
    except ConfigurationError:
        raise AuthenticationError(
            f"LinkedIn's token endpoint answered with an {name} holding characters not allowed in an HTTP "
            "header (a line break, space or control character); check token_url points at LinkedIn"
        ) from None


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


class AuthFlow:
    """Per-call reaction to 401 answers: at most one after-refresh wait and one refresh.

    .. code-block:: python

        flow = provider.flow(sleep=time.sleep, after_refresh_wait=5.0)
        token = flow.token()
        while True:
            try:
                return send(token)
            except UnauthorizedError as err:
                token = flow.on_unauthorized(token, err)  # raises when nothing is left to try
    """

    def __init__(
        self, provider: TokenProvider, *, sleep: Callable[[float], None], after_refresh_wait: float
    ) -> None:
        self._provider = provider
        self._sleep = sleep
        self._after_refresh_wait = after_refresh_wait
        self._waited = False
        self._refreshed = False

    def token(self) -> str:
        """Return the token to send first."""
        return self._provider.current()

    def on_unauthorized(self, used: str, error: UnauthorizedError) -> str:
        """Decide how to continue after ``used`` got a 401; return the token to retry with.

        :raises AuthenticationError: when a retry cannot help; the message says what to fix.
        """
        if not self._provider.can_refresh:
            raise UnauthorizedError(
                f"LinkedIn refused the access token ({_describe(error)}) and there is no refresh token "
                "to get a new one: set a new access token in the connection extra access_token, or "
                "configure client id (login), client secret (password) and the extra refresh_token.",
                status=error.status or 401,
                code=error.code,
                service_error_code=error.service_error_code,
                request_summary=error.request_summary,
            ) from error
        if not is_token_rejection(error):
            raise error
        if self._provider.is_fresh(used) and not self._waited:
            # LinkedIn's edge can reject a token for a few seconds after it was minted.
            self._waited = True
            self._sleep(self._after_refresh_wait)
            return used
        if not self._refreshed:
            self._refreshed = True
            return self._provider.refresh(used)
        raise UnauthorizedError(
            f"LinkedIn still refuses a freshly refreshed access token ({_describe(error)}): the "
            f"member's authorisation is no longer valid; {_REAUTHORISE}.",
            status=error.status or 401,
            code=error.code,
            service_error_code=error.service_error_code,
            request_summary=error.request_summary,
        ) from error


def _describe(error: AuthenticationError) -> str:
    text = f"HTTP {error.status or 401}"
    if error.code:
        text += f" {error.code}"
    if error.service_error_code is not None:
        text += f", serviceErrorCode {error.service_error_code}"
    return text
