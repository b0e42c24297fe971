"""A client-side budget of metric values per rolling 5 minutes, shared by concurrent calls.

LinkedIn throttles ``adAnalytics`` once more than 45 million metric values (fields requested x rows
returned) were served in a rolling 5-minute window, and then answers 429 for minutes. The engine
never provokes that: before each call it reserves the call's *estimated* cost (an upper bound:
fields x the rows the plan expects, at most the 15,000-row cap) and waits while the reservation
would push the window past the budget; after the call it settles the reservation to the actual
cost. Settled costs are stamped at completion, after LinkedIn counted them, so they leave the
client's window no earlier than LinkedIn's.

Waiting on costs that age out uses the injected ``sleep`` (tests advance a fake clock); waiting on
calls still in flight blocks until one settles. With ``defer_longer_than`` set, a wait for costs to
age out that would be longer is not slept: :class:`~airflow_provider_linkedin_ads.errors.WaitDeferredError`
is raised, resuming when the whole window has aged out (the resumed report starts with a new, empty
budget, so it must not come back while LinkedIn still counts this window's values).

.. code-block:: python

    budget = MetricValueBudget(limit=44_000_000)
    ticket = budget.acquire(20 * 15_000)
    answer = client.finder("adAnalytics", "analytics", params)
    budget.settle(ticket, 20 * len(answer["elements"]))
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.client.retry import deferred_wait
from airflow_provider_linkedin_ads.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["BUDGET_WINDOW_SECONDS", "DEFAULT_METRIC_VALUE_BUDGET", "BudgetTicket", "MetricValueBudget"]

#: Just under LinkedIn's 45,000,000 metric values, leaving room for other users of the same app.
DEFAULT_METRIC_VALUE_BUDGET = 44_000_000
#: Length of LinkedIn's rolling data-throttle window.
BUDGET_WINDOW_SECONDS = 300.0
# A waiter blocked only by calls in flight re-checks at least this often (real seconds).
_IN_FLIGHT_POLL = 1.0


@dataclass(frozen=True)
class BudgetTicket:
    """A reservation returned by :meth:`MetricValueBudget.acquire`; settle it exactly once.

    :param number: reservation id.
    :param amount: metric values reserved.
    :param waited: whether the call had to wait for room in the window.
    :param wait_seconds: how long it waited (by the budget's clock).

    .. code-block:: python

        ticket = budget.acquire(20 * 15_000)
        budget.settle(ticket, 20 * rows)
    """

    number: int
    amount: int
    waited: bool = False
    wait_seconds: float = 0.0


class MetricValueBudget:
    """Rolling-window budget of metric values; thread-safe, clock and sleep injectable.

    :param limit: metric values the window may hold (default :data:`DEFAULT_METRIC_VALUE_BUDGET`).
    :param window: window length in seconds (LinkedIn: 300).
    :param clock: time source in seconds (monotonic by default; tests pass the emulator's clock).
    :param sleep: how to wait for old costs to age out (tests advance their fake clock).
    :param defer_longer_than: seconds; a longer wait for old costs raises
        :class:`~airflow_provider_linkedin_ads.errors.WaitDeferredError` instead (``None``: always sleep).
    :param wall_clock: POSIX time, for the absolute ``resume_at`` of a deferred wait.

    .. code-block:: python

        budget = MetricValueBudget(limit=1_000, clock=fake.time, sleep=fake.sleep)
        ticket = budget.acquire(400)  # returns at once, or after old costs aged out
        budget.settle(ticket, 360)
    """

    def __init__(
        self,
        limit: int = DEFAULT_METRIC_VALUE_BUDGET,
        *,
        window: float = BUDGET_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        defer_longer_than: float | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigurationError(
                f"metric value budget must be a positive integer, got {limit!r}", argument="budget"
            )
        if window <= 0:
            raise ConfigurationError("budget window must be positive", argument="window")
        self.limit = limit
        self.window = float(window)
        self._clock = clock
        self._sleep = sleep
        self._defer_longer_than = defer_longer_than
        self._wall_clock = wall_clock
        self._condition = threading.Condition()
        self._settled: deque[tuple[float, int]] = deque()
        self._settled_total = 0
        self._in_flight: dict[int, int] = {}
        self._numbers = itertools.count(1)
        self._waits = 0
        self._wait_seconds = 0.0
        self._consumed = 0

    @property
    def waits(self) -> int:
        """Calls that had to wait for the budget."""
        with self._condition:
            return self._waits

    @property
    def wait_seconds(self) -> float:
        """Total time (by ``clock``) calls spent waiting for the budget."""
        with self._condition:
            return self._wait_seconds

    @property
    def consumed(self) -> int:
        """Metric values settled so far (the actual costs, whole lifetime)."""
        with self._condition:
            return self._consumed

    def in_window(self) -> int:
        """Metric values counted now: settled within the window plus reservations in flight."""
        with self._condition:
            self._prune(self._clock())
            return self._settled_total + sum(self._in_flight.values())

    def acquire(self, estimate: int) -> BudgetTicket:
        """Reserve ``estimate`` metric values, waiting until the window has room for them.

        An estimate above the whole budget is clamped to it (the call then runs alone).

        :param estimate: an upper bound of the call's cost (fields x rows).
        :raises WaitDeferredError: instead of sleeping longer than ``defer_longer_than``.
        """
        amount = max(0, min(int(estimate), self.limit))
        started = self._clock()
        waited = False
        while True:
            with self._condition:
                delay = self._try_admit(amount)
                if delay is None:
                    number = next(self._numbers)
                    self._in_flight[number] = amount
                    elapsed = max(0.0, self._clock() - started) if waited else 0.0
                    self._waits += int(waited)
                    self._wait_seconds += elapsed
                    return BudgetTicket(number, amount, waited, elapsed)
                waited = True
                if delay == 0:  # blocked by calls in flight: wait for one to settle
                    self._condition.wait(_IN_FLIGHT_POLL)
                    continue
                if self._defer_longer_than is not None and delay > self._defer_longer_than:
                    raise self._deferred(delay)
            self._sleep(delay)

    def settle(self, ticket: BudgetTicket, actual: int) -> None:
        """Replace a reservation by the call's actual cost, stamped now (or nothing if ``actual`` is 0).

        :param ticket: the reservation from :meth:`acquire`.
        :param actual: fields x rows of the answer (use the estimate if the outcome is unknown).
        """
        with self._condition:
            if self._in_flight.pop(ticket.number, None) is None:
                return  # settled already; settling twice must not count twice
            cost = max(0, int(actual))
            if cost:
                self._settled.append((self._clock(), cost))
                self._settled_total += cost
                self._consumed += cost
            self._condition.notify_all()

    def _deferred(self, delay: float) -> Exception:
        """Return the deferral of a wait of ``delay`` s, resuming once every settled cost aged out (locked)."""
        clear = max(delay, self._settled[-1][0] + self.window - self._clock()) if self._settled else delay
        return deferred_wait(
            clear,
            now=self._wall_clock(),
            threshold=float(self._defer_longer_than or 0.0),
            reason=f"LinkedIn Ads metric-value budget ({self.limit:,} values per {self.window:g} s) is spent",
        )

    def _try_admit(self, amount: int) -> float | None:
        """Return ``None`` when ``amount`` fits now; else seconds until the oldest cost ages out (0: in flight)."""
        now = self._clock()
        self._prune(now)
        in_flight = sum(self._in_flight.values())
        if self._settled_total + in_flight + amount <= self.limit:
            return None
        if not self._settled or (in_flight and in_flight + amount > self.limit):
            return 0.0
        return max(self._settled[0][0] + self.window - now, 1e-3)

    def _prune(self, now: float) -> None:
        while self._settled and now - self._settled[0][0] >= self.window:
            self._settled_total -= self._settled.popleft()[1]
