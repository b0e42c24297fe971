"""Thread-safe counters of what one client did: calls, retries, tunnelled requests, refreshes."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ClientStats", "StatsRecorder"]


@dataclass(frozen=True)
class ClientStats:
    """A snapshot of a client's counters (the live counters keep moving; this does not).

    :param calls: HTTP requests sent to the API (every attempt, tunnelled or not).
    :param retries: attempts repeated by the retry policy.
    :param tunnelled: requests sent as ``POST`` + ``X-HTTP-Method-Override: GET``.
    :param refreshes: access tokens obtained from the token endpoint.
    :param retries_by_reason: retries per error type name, e.g. ``{"ThrottledError": 2}``.

    .. code-block:: python

        stats = client.stats
        log.info("%d calls, %d retries (%s)", stats.calls, stats.retries, dict(stats.retries_by_reason))
    """

    calls: int = 0
    retries: int = 0
    tunnelled: int = 0
    refreshes: int = 0
    retries_by_reason: Mapping[str, int] = field(default_factory=dict)


class StatsRecorder:
    """The live, lock-protected counters behind :class:`ClientStats`.

    .. code-block:: python

        recorder = StatsRecorder()
        recorder.count_call(tunnelled=False)
        recorder.snapshot().calls  # 1
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        self._tunnelled = 0
        self._refreshes = 0
        self._retries: Counter[str] = Counter()

    def count_call(self, *, tunnelled: bool) -> None:
        """Count one HTTP request sent to the API."""
        with self._lock:
            self._calls += 1
            self._tunnelled += int(tunnelled)

    def count_refresh(self) -> None:
        """Count one access token obtained from the token endpoint."""
        with self._lock:
            self._refreshes += 1

    def count_retry(self, reason: str) -> None:
        """Count one retry, keyed by its reason (the error type name)."""
        with self._lock:
            self._retries[reason] += 1

    def snapshot(self) -> ClientStats:
        """Return a consistent, immutable copy of the counters."""
        with self._lock:
            return ClientStats(
                calls=self._calls,
                retries=sum(self._retries.values()),
                tunnelled=self._tunnelled,
                refreshes=self._refreshes,
                retries_by_reason=MappingProxyType(dict(self._retries)),
            )
