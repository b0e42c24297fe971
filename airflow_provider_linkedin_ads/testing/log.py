"""The emulator's request log and counters, for tests to assert on.

Every request is recorded with ``Authorization`` redacted and without bodies (the OAuth form bodies
hold client secrets and refresh tokens), so printing the log never leaks a credential.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["REDACTED", "Counters", "RequestLog", "RequestRecord", "endpoint_of", "redact_headers"]

REDACTED = "REDACTED"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class RequestRecord:
    """One logged request and what the emulator did with it.

    :param method: the effective method (``GET`` for a tunnelled call).
    :param path: the raw path.
    :param query: the raw query string (from the URL or the tunnelled body); empty for OAuth calls.
    :param headers: request headers, lower-case names, ``Authorization`` redacted.
    :param status: the HTTP status answered; ``None`` when the connection was reset instead.
    :param tunnelled: whether the query came in a ``POST`` body.
    :param response_size: bytes of body sent (for a cut body: the bytes actually sent).
    :param fault: the injected fault kind, if any.
    :param endpoint: the endpoint name used by the counters, e.g. ``"adAnalytics"``.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    status: int | None
    tunnelled: bool = False
    response_size: int = 0
    fault: str | None = None
    endpoint: str = ""

    @property
    def params(self) -> dict[str, str]:
        """The query as ``{name: raw value}`` (values still Rest.li-encoded), first value per name."""
        result: dict[str, str] = {}
        for segment in self.query.split("&"):
            key, _, value = segment.partition("=")
            if key:
                result.setdefault(unquote(key), value)
        return result


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Copy ``headers`` with credentials replaced by :data:`REDACTED`."""
    return {name: (REDACTED if name.lower() in _SECRET_HEADERS else value) for name, value in headers.items()}


def redact_query(query: str) -> str:
    """Blank out an ``oauth2_access_token`` query parameter (a client should never send one)."""
    if "oauth2_access_token" not in query:
        return query
    parts = []
    for segment in query.split("&"):
        key, sep, _ = segment.partition("=")
        parts.append(f"{key}{sep}{REDACTED}" if key == "oauth2_access_token" else segment)
    return "&".join(parts)


def endpoint_of(path: str) -> str:
    """Name the endpoint of ``path`` for the counters: ``/rest/adAccounts/1/adCampaigns`` -> ``adCampaigns``.

    OAuth endpoints are ``oauth/accessToken`` and ``oauth/introspectToken``; single gets count under
    their collection (``/rest/adAccounts/1`` -> ``adAccounts``).
    """
    parts = [part for part in path.split("/") if part]
    if parts[:2] == ["oauth", "v2"] and len(parts) > 2:
        return f"oauth/{parts[2]}"
    if not parts or parts[0] not in ("rest", "v2"):
        return "other"
    names = [part for part in parts[1:] if not part[:1].isdigit() and "%3A" not in part and ":" not in part]
    return names[-1] if names else "other"


@dataclass
class Counters:
    """Counts since the last reset.

    :param calls: requests per endpoint name (see :func:`endpoint_of`).
    :param faults: injected faults per kind.
    :param throttled: 429 answers per kind: ``"data"``, ``"day"``, ``"short"``.
    :param tunnelled: requests that arrived tunnelled.
    :param metric_values: metric values served by ``adAnalytics`` (fields x rows).
    :param handler_errors: requests answered 500 because the emulator itself failed.
    """

    calls: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    tunnelled: int = 0
    metric_values: int = 0
    handler_errors: int = 0

    @property
    def total_calls(self) -> int:
        """All requests counted."""
        return sum(self.calls.values())

    def copy(self) -> Counters:
        """Return a snapshot that later requests do not change."""
        return Counters(
            Counter(self.calls),
            Counter(self.faults),
            Counter(self.throttled),
            self.tunnelled,
            self.metric_values,
            self.handler_errors,
        )


_THROTTLE_KINDS = {"429": "short", "429-retry-after": "short", "429-data": "data"}


class RequestLog:
    """Thread-safe request log plus counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._counters = Counters()

    def add(self, record: RequestRecord, *, metric_values: int = 0, throttle: str | None = None) -> None:
        """Record one request and update the counters.

        :param record: the request and its outcome.
        :param metric_values: metric values the answer carried.
        :param throttle: ``"data"``/``"day"`` when the emulator's own throttles answered 429.
        """
        with self._lock:
            self._records.append(record)
            counters = self._counters
            counters.calls[record.endpoint] += 1
            counters.tunnelled += int(record.tunnelled)
            counters.metric_values += metric_values
            if record.fault is not None:
                counters.faults[record.fault] += 1
            kind = throttle or _THROTTLE_KINDS.get(record.fault or "")
            if kind is not None:
                counters.throttled[kind] += 1

    def handler_error(self) -> None:
        """Count a request the emulator failed to handle."""
        with self._lock:
            self._counters.handler_errors += 1

    @property
    def records(self) -> list[RequestRecord]:
        """A copy of the records, oldest first."""
        with self._lock:
            return list(self._records)

    @property
    def counters(self) -> Counters:
        """A snapshot of the counters."""
        with self._lock:
            return self._counters.copy()

    def clear(self) -> None:
        """Forget every record and zero the counters."""
        with self._lock:
            self._records.clear()
            self._counters = Counters()
