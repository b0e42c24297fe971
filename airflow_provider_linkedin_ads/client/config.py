"""Frozen configuration of the LinkedIn Ads client, resolved once at the edge.

The client never sees an Airflow ``Connection``: the hook (or your own code) builds a
:class:`ClientConfig` and hands it over. Secrets are kept out of ``repr``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.versions import parse_version

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_API_VERSION",
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_TOKEN_URL",
    "HTTP_HOSTS_ENV",
    "ON_TRUNCATION",
    "TUNNEL_THRESHOLD",
    "ClientConfig",
    "RetryPolicy",
    "check_header_safe",
    "check_secure_url",
]

# The report engine's defaults live here, with the client's, so the operators can use them without
# importing the engine (and ``requests``) when a DAG file is parsed.
#: Calls in flight per report by default (LinkedIn throttles high concurrency; see linkedin-api.md 11).
DEFAULT_MAX_CONCURRENCY = 4
#: Accepted values of ``on_truncation``.
ON_TRUNCATION = ("fail", "warn")

DEFAULT_API_BASE_URL = "https://api.linkedin.com/rest"
DEFAULT_TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
#: A recent, active ``LinkedIn-Version``; bump it with the procedure in the README.
DEFAULT_API_VERSION = "202608"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 300.0
#: Seconds one attempt may take from connecting to the last byte of the body (the read timeout
#: bounds only the silence between two reads, so a server dripping bytes could hold a call for ever).
DEFAULT_ATTEMPT_TIMEOUT = 300.0
#: Largest answer body read, in bytes (64 MiB). LinkedIn's largest legitimate answer is 15,000
#: elements. The widest row a report can request (20 fields: ``dateRange``, three pivot URNs with
#: 19-digit ids, the 18 longest metric names each with a 28-character BigDecimal string) is 1,537
#: bytes of JSON (measured with ``json.dumps``), so 15,000 of them are 15,000 x 1,540 = 23.1 MB
#: (22 MiB). 64 MiB leaves a 2.9x margin for whitespace and longer values, while an oversize answer
#: (a proxy's endless page, a broken gateway) fails after 64 MiB instead of growing memory by its
#: whole size.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Largest piece a response body is read and handed over in (the transport's read size, a checkpoint's
#: read-back size): small enough that no answer is one multi-MiB block (see ``element_stream``).
BODY_PIECE_BYTES = 64 * 1024
#: Queries whose encoded form is longer than this many characters are tunnelled (POST + override).
TUNNEL_THRESHOLD = 4000
#: Environment variable listing extra hosts (comma-separated) that may be reached over ``http://``:
#: only for an emulator on a private network, e.g. ``linkedin-ads-emulator`` in docker-compose.yaml.
HTTP_HOSTS_ENV = "LINKEDIN_ADS_ALLOW_HTTP_HOSTS"


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried (one policy, applied by ``client.retry``).

    :param max_attempts: attempts per call, the first one included.
    :param max_total_wait: seconds a call may take in total, its attempts *and* the waits between
        them (measured on a monotonic clock): no retry is started whose wait would end past it, so a
        silent server cannot hold a call for ``max_attempts`` x the read timeout.
    :param initial_wait: first backoff in seconds; doubles each attempt, with full jitter.
    :param max_wait: cap of a single backoff (``Retry-After`` is capped by it too).
    :param data_throttle_wait: wait after a 45-million-metric-values throttle (>= 330 s).
    :param after_refresh_wait: pause before retrying a 401 received right after a fresh token.
    """

    max_attempts: int = 8
    max_total_wait: float = 1800.0
    initial_wait: float = 1.0
    max_wait: float = 120.0
    data_throttle_wait: float = 330.0
    after_refresh_wait: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("max_attempts must be at least 1", argument="max_attempts")
        for name in (
            "max_total_wait",
            "initial_wait",
            "max_wait",
            "data_throttle_wait",
            "after_refresh_wait",
        ):
            value = getattr(self, name)
            if value < 0:
                raise ConfigurationError(f"{name} must not be negative, got {value!r}", argument=name)


@dataclass(frozen=True)
class ClientConfig:
    """Everything the client needs, secrets included (never shown by ``repr``).

    Either ``access_token`` or the trio ``client_id``/``client_secret``/``refresh_token`` must be
    given; with both, the access token is used first and refreshed through the refresh token.

    ``connect_timeout`` and ``read_timeout`` bound one connect and the silence between two reads;
    ``attempt_timeout`` bounds a whole attempt, connect to last byte (a server dripping one byte at a
    time fails with a ``TransportError`` at the deadline, which is retried; the deadline is checked
    after every read of the body, so an attempt ends at most one read timeout past it, and the
    status line and headers are bounded by the read timeout per read). ``max_response_bytes``
    caps an answer's body: a larger one fails with ``AnswerTooLargeError`` as soon as the cap is
    passed, without reading the rest. ``defer_waits_longer_than`` (seconds, ``None`` by default: every
    wait is slept in-process) makes the client raise
    :class:`~airflow_provider_linkedin_ads.errors.WaitDeferredError` instead of sleeping longer than
    that (a data throttle, a long ``Retry-After``, the metric-value budget), so a deferrable operator
    can wait in Airflow's triggerer rather than in a worker slot. Credentials must be header-safe (printable ASCII, no spaces or
    line breaks) and the URLs must not carry ``user:password@``: both are refused here, naming the
    field and never showing the value.

    .. code-block:: python

        config = ClientConfig(client_id="abc", client_secret="...", refresh_token="...", api_version="202609")
    """

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    api_version: str = DEFAULT_API_VERSION
    api_base_url: str = DEFAULT_API_BASE_URL
    token_url: str = DEFAULT_TOKEN_URL
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    attempt_timeout: float = DEFAULT_ATTEMPT_TIMEOUT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    tunnel_threshold: int = TUNNEL_THRESHOLD
    pool_size: int = 16
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    defer_waits_longer_than: float | None = None

    def __post_init__(self) -> None:
        parse_version(self.api_version)  # YYYYMM[.RR] with a real month, naming api_version
        check_secure_url(self.api_base_url, argument="api_base_url")
        check_secure_url(self.token_url, argument="token_url")
        object.__setattr__(self, "api_base_url", self.api_base_url.rstrip("/"))
        for name in ("client_id", "client_secret", "refresh_token", "access_token"):
            check_header_safe(getattr(self, name), argument=name)
        for name in ("connect_timeout", "read_timeout", "attempt_timeout"):
            _check_positive(getattr(self, name), name)
        _check_positive(self.max_response_bytes, "max_response_bytes")
        if self.defer_waits_longer_than is not None:
            _check_positive(self.defer_waits_longer_than, "defer_waits_longer_than")
        if not self.access_token and not self.can_refresh:
            raise ConfigurationError(_missing_credentials(self), argument="access_token")

    @property
    def can_refresh(self) -> bool:
        """True when the refresh-token grant is possible."""
        return bool(self.client_id and self.client_secret and self.refresh_token)

    def replace(self, **changes: object) -> ClientConfig:
        """Return a copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _missing_credentials(config: ClientConfig) -> str:
    """Say which credentials are missing, by their connection fields (no value is ever shown)."""
    fields = (
        (config.client_id, "login (client id)"),
        (config.client_secret, "password (client secret)"),
        (config.refresh_token, "extra refresh_token"),
    )
    missing = [label for value, label in fields if not value]
    text = (
        "no credentials: set extra access_token, or login (client id), password (client secret) and "
        "extra refresh_token"
    )
    if len(missing) < len(fields):  # part of the refresh-token trio is there: say what it lacks
        text += f" ({' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing)"
    return text


def _check_positive(value: object, name: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not value > 0
        or value == float("inf")
    ):
        raise ConfigurationError(f"{name} must be a positive finite number, got {value!r}", argument=name)


def check_header_safe(secret: str | None, *, argument: str) -> None:
    """Refuse a credential that cannot travel in an HTTP header or form unchanged.

    OAuth tokens are printable ASCII without spaces (RFC 6750 ``b64token``); a line break, a control
    character or a non-ASCII letter is a paste error. Sent anyway, ``requests`` would raise an
    ``InvalidHeader`` quoting the token in escaped form, which Airflow's masker does not recognise.

    :raises ConfigurationError: naming ``argument``, never the value.
    """
    if secret is None or all("!" <= char <= "~" for char in secret):
        return
    raise ConfigurationError(
        f"{argument} holds a character that is not allowed in an HTTP header (a line break, space, control "
        "or non-ASCII character): paste it again without surrounding text",
        argument=argument,
    )


def check_secure_url(url: str, *, argument: str) -> None:
    """Refuse URLs that would send credentials in clear text, or that carry ``user:password@``.

    User info in a URL would put a password in messages and ``repr`` and make ``requests`` swap the
    Bearer header for Basic authentication; it is refused, naming ``argument`` and showing the URL
    without its user info.

    ``https://`` is always accepted; ``http://`` only for loopback hosts (``localhost``,
    ``127.0.0.0/8``, ``::1``), which is what the bundled emulator uses, and for the hosts named in
    the ``LINKEDIN_ADS_ALLOW_HTTP_HOSTS`` environment variable (an emulator in another container).

    :raises ConfigurationError: naming ``argument``.
    """
    try:
        parts = urlsplit(url or "")
    except ValueError:  # e.g. a malformed IPv6 literal
        raise ConfigurationError(f"{argument} is not a valid URL", argument=argument) from None
    if "@" in parts.netloc:
        raise ConfigurationError(
            f"{argument} must not contain user info (user:password@); got "
            f"{_without_userinfo(parts.scheme, parts.netloc, parts.path)!r}",
            argument=argument,
        )
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _http_allowed(parts.hostname):
        return
    raise ConfigurationError(
        f"{argument} must be an https:// URL (http:// is allowed only for loopback hosts); got {url!r}",
        argument=argument,
    )


def _without_userinfo(scheme: str, netloc: str, path: str) -> str:
    return f"{scheme}://{netloc.rpartition('@')[2]}{path}"


def _http_allowed(host: str) -> bool:
    allowed = {name.strip().lower() for name in os.environ.get(HTTP_HOSTS_ENV, "").split(",")}
    return _is_loopback(host) or host.lower() in allowed - {""}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
