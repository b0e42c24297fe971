"""LinkedIn's two documented throttles: the rolling metric-value budget and the daily call quota.

* Data throttle (Reporting page): metric values = fields requested x rows returned, summed over all
  ``adAnalytics`` answers in a rolling 5-minute window; once the window holds *more* than the budget
  (45,000,000 by default), further requests get 429 with the documented message until old answers
  fall out of the window.
* Daily quota (optional): at most ``daily_quota`` calls per resource per UTC day; the next call gets
  429 ``serviceErrorCode`` 101 naming the ``DAY`` window. Resets at 00:00 UTC (emulator clock).

Both read the emulator clock, so a test rolls a window over by advancing it. A test can also make
the data throttle fire mid-report without serving 45 million values:
:meth:`MetricValueBudget.throttle_after` throttles the requests that follow the next N answers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.clock import Clock

__all__ = ["DEFAULT_METRIC_VALUE_BUDGET", "WINDOW", "DailyQuota", "MetricValueBudget"]

#: LinkedIn's documented data limit per 5-minute window.
DEFAULT_METRIC_VALUE_BUDGET = 45_000_000
#: Length of the rolling window of the data throttle.
WINDOW = dt.timedelta(minutes=5)


class MetricValueBudget:
    """Rolling 5-minute sum of metric values served.

    :param clock: the emulator clock.
    :param limit: metric values the window may hold before requests are throttled.

    .. code-block:: python

        budget = MetricValueBudget(clock, limit=100)
        budget.record(120)
        budget.exhausted()  # True until the 120 values are 5 minutes old
        budget.throttle_after(3, times=1)  # the request after the next 3 answers is throttled
    """

    def __init__(self, clock: Clock, *, limit: int = DEFAULT_METRIC_VALUE_BUDGET) -> None:
        self.clock = clock
        self.limit = limit
        self._lock = threading.Lock()
        self._served: deque[tuple[dt.datetime, int]] = deque()
        self._total = 0
        self._trip_after: int | None = None  # answers still to serve before the scripted throttle
        self._trip_times = 0

    def _prune(self, now: dt.datetime) -> None:
        while self._served and now - self._served[0][0] >= WINDOW:
            self._total -= self._served.popleft()[1]

    def in_window(self) -> int:
        """Metric values served within the current window."""
        with self._lock:
            self._prune(self.clock.now())
            return self._total

    def exhausted(self) -> bool:
        """Tell whether the window already holds more than ``limit`` values."""
        return self.in_window() > self.limit

    def throttle_after(self, answers: int, *, times: int = 1) -> None:
        """Throttle the ``times`` ``adAnalytics`` requests that come after the next ``answers`` answers.

        A scripted data throttle mid-report (the emulator's ``retry_after`` is its ``Retry-After``),
        whatever the report's size; after ``times`` throttled requests the budget answers again.
        """
        with self._lock:
            self._trip_after, self._trip_times = max(0, answers), max(0, times)

    def tripped(self) -> bool:
        """Tell (and count) whether this request is throttled by :meth:`throttle_after`."""
        with self._lock:
            if self._trip_after != 0 or self._trip_times <= 0:
                return False
            self._trip_times -= 1
            if self._trip_times == 0:
                self._trip_after = None
            return True

    def record(self, values: int) -> None:
        """Count one answer of ``values`` metric values served now."""
        with self._lock:
            if self._trip_after:
                self._trip_after -= 1
        if values <= 0:
            return
        with self._lock:
            now = self.clock.now()
            self._prune(now)
            self._served.append((now, values))
            self._total += values

    def clear(self) -> None:
        """Forget everything served."""
        with self._lock:
            self._served.clear()
            self._total = 0
            self._trip_after, self._trip_times = None, 0


class DailyQuota:
    """Calls per resource per UTC day, against an optional limit.

    :param clock: the emulator clock.
    :param limit: calls allowed per resource and day; ``None`` means unlimited.
    """

    def __init__(self, clock: Clock, *, limit: int | None = None) -> None:
        self.clock = clock
        self.limit = limit
        self._lock = threading.Lock()
        self._day: dt.date | None = None
        self._calls: dict[str, int] = {}

    def admit(self, resource: str) -> bool:
        """Count one call to ``resource``; ``False`` (and not counted) when the day's quota is spent."""
        with self._lock:
            today = self.clock.today()
            if today != self._day:
                self._day, self._calls = today, {}
            used = self._calls.get(resource, 0)
            if self.limit is not None and used >= self.limit:
                return False
            self._calls[resource] = used + 1
            return True

    def resets_at(self) -> dt.datetime:
        """Return the next 00:00 UTC, when the quota resets."""
        tomorrow = self.clock.today() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=dt.UTC)

    def clear(self) -> None:
        """Forget the calls counted today."""
        with self._lock:
            self._day, self._calls = None, {}
