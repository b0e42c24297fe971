"""The emulator's settable clock: the one notion of "now" behind every time-dependent behaviour.

Metric delays, data retention, ``LinkedIn-Version`` sunsets, throttle windows, the daily quota and
token expiry all read this clock, never the wall clock, so a test moves time instead of sleeping.

A clock is *frozen* by default (it only moves when told to), which keeps tests deterministic; a
*ticking* clock follows real time from its starting point, which is what a long-running emulator
process (the console script, docker-compose) needs so that tokens expire and throttle windows roll.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from airflow_provider_linkedin_ads.errors import ConfigurationError

__all__ = ["Clock"]


class Clock:
    """A thread-safe, settable UTC clock.

    :param now: the starting moment (aware; a naive value is taken as UTC); default: the real now.
    :param ticking: follow real time from ``now`` on (``False``: stay put until moved).

    .. code-block:: python

        clock = Clock(dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC))
        clock.advance(dt.timedelta(hours=30))
        clock.today()  # datetime.date(2026, 11, 29)
    """

    def __init__(self, now: dt.datetime | None = None, *, ticking: bool = False) -> None:
        self._lock = threading.Lock()
        self._ticking = ticking
        self._base = _aware(now) if now is not None else dt.datetime.now(dt.UTC)
        self._anchor = time.monotonic()

    @property
    def ticking(self) -> bool:
        """Whether the clock follows real time."""
        return self._ticking

    def now(self) -> dt.datetime:
        """Return the current emulated moment (aware, UTC)."""
        with self._lock:
            if not self._ticking:
                return self._base
            return self._base + dt.timedelta(seconds=time.monotonic() - self._anchor)

    def today(self) -> dt.date:
        """Return the current emulated UTC calendar day."""
        return self.now().date()

    def set(self, now: dt.datetime) -> None:
        """Jump to ``now`` (aware; a naive value is taken as UTC), backwards or forwards.

        :param now: the new current moment.
        """
        with self._lock:
            self._base = _aware(now)
            self._anchor = time.monotonic()

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock by ``delta`` and return the new moment.

        :param delta: how far to move (may be negative).
        """
        with self._lock:
            current = self._base
            if self._ticking:
                current += dt.timedelta(seconds=time.monotonic() - self._anchor)
            self._base = current + delta
            self._anchor = time.monotonic()
            return self._base

    def timestamp(self) -> int:
        """Return the current emulated moment as whole epoch seconds."""
        return int(self.now().timestamp())

    def __repr__(self) -> str:
        mode = "ticking" if self._ticking else "frozen"
        return f"Clock({self.now().isoformat()}, {mode})"


def _aware(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise ConfigurationError(f"now: Clock needs a datetime, not {type(moment).__name__}", argument="now")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
