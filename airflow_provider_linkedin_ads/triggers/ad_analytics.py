"""``LinkedInAdsMetricsMaturityTrigger``: wait in the triggerer until a report's data has matured.

The trigger sleeps until an *absolute* moment (computed by
:func:`~airflow_provider_linkedin_ads.maturity.maturity_moment` in the sensor), so a triggerer
restart rebuilds it from its kwargs and simply waits for whatever time is left. With
``confirm_with_api`` it then reads the report's totals until two reads ``poke_interval`` apart agree.

Everything that blocks runs off the event loop: the connection is fetched through
``get_async_connection``, and the synchronous LinkedIn client runs in a worker thread. The
triggerer imports this module on its event loop, so it stays light: the hook and ``requests`` are
imported (in a worker thread) only when a totals check runs. The serialised kwargs are JSON-only and
never hold a credential.

Waiting costs nothing at scale: all triggers of a triggerer process share one client (and one access
token) per connection and configuration (``client.cache``), and their API reads run in one small
dedicated thread pool of ``[linkedin_ads] trigger_api_concurrency`` threads (default
:data:`DEFAULT_API_CONCURRENCY`; the ``AIRFLOW__LINKEDIN_ADS__TRIGGER_API_CONCURRENCY`` variable
sets it too), so 1,000 triggers make at most that many calls at once and never exhaust the event
loop's default executor. Every read is bounded by ``timeout_at``: at the deadline the trigger stops
waiting for it and fires its ``timeout`` event; the abandoned read ends in its thread within the
client's own ``attempt_timeout`` and its answer is dropped.

The module-level :func:`utcnow` and :func:`sleep` are the time seam: tests replace them (with
``monkeypatch``) to drive the trigger with a controllable clock instead of really sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import importlib
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from airflow.providers.common.compat.connection import get_async_connection
from airflow.providers.common.compat.sdk import conf, redact
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.utils.run_window import parse_day

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
    from decimal import Decimal

__all__ = ["DEFAULT_API_CONCURRENCY", "LinkedInAdsMetricsMaturityTrigger", "api_executor", "sleep", "utcnow"]

_T = TypeVar("_T")

#: The longest single sleep: waits are re-derived from the absolute moment at least this often, so
#: a stepped system clock is corrected without restarting the trigger.
MAX_SLEEP_SECONDS = 3600.0
#: Holds the hook, imported on demand (off the event loop) by the totals check.
TOTALS_MODULE = "airflow_provider_linkedin_ads.triggers._report_totals"
#: Threads running the totals reads of all triggers of one process (``[linkedin_ads]
#: trigger_api_concurrency``): enough to keep a few slow reads from queueing the rest, few enough
#: that 1,000 triggers due at once do not open 1,000 connections to LinkedIn.
DEFAULT_API_CONCURRENCY = 8

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def api_executor() -> ThreadPoolExecutor:
    """Return the process's pool for the triggers' API reads, created on first use.

    Its size is read once, from ``[linkedin_ads] trigger_api_concurrency`` (default
    :data:`DEFAULT_API_CONCURRENCY`; at least 1).
    """
    global _pool  # one pool per process, created lazily so importing this module stays free
    with _pool_lock:
        if _pool is None:
            size = conf.getint("linkedin_ads", "trigger_api_concurrency", fallback=DEFAULT_API_CONCURRENCY)
            _pool = ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix="linkedin-ads-trigger")
        return _pool


#: Seconds a fetched connection serves the other triggers of the same loop: one lookup (and one pass
#: through Airflow's secrets backends, which runs partly on the loop) for a burst of 1,000 triggers,
#: while a changed connection is still picked up within a minute.
CONNECTION_REUSE_SECONDS = 60.0

_lookups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, tuple[float, asyncio.Task[Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _shared_lookup(conn_id: str, fetch: Callable[[], Awaitable[Any]]) -> asyncio.Task[Any]:
    """Return the loop's recent (or in-flight) lookup of ``conn_id``, starting one if there is none.

    A failed lookup is not kept: the next trigger asks again.
    """
    loop = asyncio.get_running_loop()
    lookups = _lookups.setdefault(loop, {})
    now = loop.time()
    entry = lookups.get(conn_id)
    if entry is not None and now < entry[0] and not _failed(entry[1]):
        return entry[1]

    async def run() -> Any:
        return await fetch()

    task = loop.create_task(run())
    lookups[conn_id] = (now + CONNECTION_REUSE_SECONDS, task)
    return task


def _failed(task: asyncio.Task[Any]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


class _DeadlineReached(Exception):
    """``timeout_at`` came while an API read (or the connection lookup) was still running."""


def utcnow() -> dt.datetime:
    """Return the current aware UTC time (the trigger's clock; tests replace it)."""
    return dt.datetime.now(tz=dt.UTC)


async def sleep(seconds: float) -> None:
    """Sleep without blocking the event loop (the trigger's sleep; tests replace it)."""
    await asyncio.sleep(seconds)


class LinkedInAdsMetricsMaturityTrigger(BaseTrigger):
    """Fire once a report's data has matured, optionally confirmed by stable API totals.

    Yields exactly one event ``{"status": "success" | "error" | "timeout", "message": ...,
    "moment": <ISO>, "date_range_start": <ISO>, "date_range_end": <ISO>}``.

    .. code-block:: python

        LinkedInAdsMetricsMaturityTrigger(
            moment="2026-11-29T00:00:00+00:00",
            pivots=["MEMBER_JOB_TITLE"],
            metrics=["impressions", "clicks"],
            date_range_start="2026-11-27",
            date_range_end="2026-11-27",
            facets={"accounts": ["urn:li:sponsoredAccount:508000000"]},
            confirm_with_api=True,
            poke_interval=600,
        )

    :param moment: the aware ISO moment from which the data counts as mature.
    :param pivots: the report's pivots (names).
    :param metrics: the report's metric names.
    :param date_range_start: first day of the report (ISO date), read by the totals check.
    :param date_range_end: last day of the report (ISO date).
    :param facets: hook facet argument -> list of URNs (``accounts``, ``campaigns``, ...), for the
        totals check.
    :param linkedin_ads_conn_id: the connection the totals check reads credentials from.
    :param api_version: ``LinkedIn-Version`` override for the totals check.
    :param poke_interval: seconds between the two totals reads that must agree.
    :param confirm_with_api: after the moment, also wait for two agreeing totals reads.
    :param timeout_at: aware ISO moment at which to give up with a ``timeout`` event (optional).
    """

    def __init__(
        self,
        *,
        moment: str | dt.datetime,
        pivots: Sequence[str],
        metrics: Sequence[str],
        date_range_start: str,
        date_range_end: str,
        facets: Mapping[str, Sequence[str]] | None = None,
        linkedin_ads_conn_id: str = "linkedin_ads_default",
        api_version: str | None = None,
        poke_interval: float = 60.0,
        confirm_with_api: bool = False,
        timeout_at: str | dt.datetime | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call,unused-ignore]  # untyped in Airflow 3
        self.moment = _aware(moment, argument="moment")
        self.timeout_at = None if timeout_at is None else _aware(timeout_at, argument="timeout_at")
        self.pivots = [str(pivot) for pivot in pivots]
        self.metrics = [str(metric) for metric in metrics]
        self.date_range = DateRange(
            _day(date_range_start, argument="date_range_start"),
            _day(date_range_end, argument="date_range_end"),
        )
        self.facets = {name: [str(value) for value in values] for name, values in (facets or {}).items()}
        self.linkedin_ads_conn_id = linkedin_ads_conn_id
        self.api_version = api_version
        self.poke_interval = float(poke_interval)
        self.confirm_with_api = bool(confirm_with_api)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the classpath and JSON-only kwargs (absolute ISO moments, no credentials)."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "moment": self.moment.isoformat(),
                "pivots": list(self.pivots),
                "metrics": list(self.metrics),
                "date_range_start": self.date_range.start.isoformat(),
                "date_range_end": self.date_range.end.isoformat(),
                "facets": {name: list(values) for name, values in self.facets.items()},
                "linkedin_ads_conn_id": self.linkedin_ads_conn_id,
                "api_version": self.api_version,
                "poke_interval": self.poke_interval,
                "confirm_with_api": self.confirm_with_api,
                "timeout_at": None if self.timeout_at is None else self.timeout_at.isoformat(),
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Wait for the moment (and stable totals if asked), then yield exactly one event."""
        try:
            status, message = await self._outcome()
        except Exception as err:
            # Ours never carry secrets; a foreign error's text goes through Airflow's masker.
            status, message = "error", f"{type(err).__name__}: {redact(str(err))}"
        yield TriggerEvent(self._payload(status, message))  # type: ignore[no-untyped-call,unused-ignore]

    async def _outcome(self) -> tuple[str, str]:
        self.log.info(
            "Waiting until %s for the data of %s to mature", self.moment.isoformat(), self.date_range
        )
        if not await self._wait_until(self.moment):
            return (
                "timeout",
                f"gave up at {self._deadline_text()} before the data matured at {self.moment.isoformat()}",
            )
        if not self.confirm_with_api:
            return "success", f"data for {self.date_range} matured at {self.moment.isoformat()}"
        try:
            return await self._confirm_totals()
        except _DeadlineReached:
            return (
                "timeout",
                f"gave up at {self._deadline_text()} while reading the totals of {self.date_range}",
            )

    async def _confirm_totals(self) -> tuple[str, str]:
        read = await self._totals_reader()
        previous = await self._in_pool(read)
        while True:
            if not await self._wait_until(utcnow() + dt.timedelta(seconds=self.poke_interval)):
                return (
                    "timeout",
                    f"totals for {self.date_range} were still changing at {self._deadline_text()}",
                )
            current = await self._in_pool(read)
            if current == previous:
                return "success", f"data for {self.date_range} matured and its totals are stable"
            self.log.info(
                "Totals for %s still changing; checking again in %ss", self.date_range, self.poke_interval
            )
            previous = current

    async def _in_pool(self, function: Callable[[], _T]) -> _T:
        """Run a blocking ``function`` in the API pool, giving up on it at ``timeout_at``."""
        return await self._by_deadline(asyncio.get_running_loop().run_in_executor(api_executor(), function))

    async def _by_deadline(self, awaitable: Awaitable[_T]) -> _T:
        """Await ``awaitable`` until ``timeout_at`` at most; raise :class:`_DeadlineReached` then."""
        if self.timeout_at is None:
            return await awaitable
        remaining = (self.timeout_at - utcnow()).total_seconds()
        try:
            # A queued read is cancelled; a running one is abandoned (its thread ends it within the
            # client's attempt_timeout) -- either way the trigger answers at its deadline.
            return await asyncio.wait_for(awaitable, timeout=max(remaining, 0.0))
        except TimeoutError:
            raise _DeadlineReached from None

    async def _wait_until(self, target: dt.datetime) -> bool:
        """Sleep until ``target``; False if ``timeout_at`` comes first. Re-derived from absolute times."""
        while True:
            now = utcnow()
            if now >= target:  # checked first: data that is mature succeeds even at the deadline
                return True
            if self.timeout_at is not None and now >= self.timeout_at:
                return False
            wake = target if self.timeout_at is None else min(target, self.timeout_at)
            await sleep(min((wake - now).total_seconds(), MAX_SLEEP_SECONDS))

    async def _totals_reader(self) -> Callable[[], dict[str, Decimal]]:
        """Return a blocking totals read, built without blocking the loop and by the deadline.

        The hook's client is the process's shared one (``client.cache``), so the trigger never
        closes it: the cache owns it and it serves the next trigger of the same connection.
        """
        totals = await self._in_pool(functools.partial(importlib.import_module, TOTALS_MODULE))
        # The async-safe lookup: on Airflow 3 a synchronous one inside the loop could deadlock.
        lookup = _shared_lookup(
            self.linkedin_ads_conn_id,
            functools.partial(get_async_connection, self.linkedin_ads_conn_id, hook=totals.LinkedInAdsHook),
        )
        # shield: one trigger reaching its deadline must not cancel the lookup the others share.
        connection = await self._by_deadline(asyncio.shield(lookup))
        hook = totals.ConnectionBoundHook(connection, self.linkedin_ads_conn_id, api_version=self.api_version)
        return functools.partial(
            totals.read_report_totals,
            hook,
            pivots=self.pivots,
            metrics=self.metrics,
            date_range=self.date_range,
            facets=self.facets,
        )

    def _payload(self, status: str, message: str) -> dict[str, Any]:
        return {
            "status": status,
            "message": message,
            "moment": self.moment.isoformat(),
            "date_range_start": self.date_range.start.isoformat(),
            "date_range_end": self.date_range.end.isoformat(),
        }

    def _deadline_text(self) -> str:
        return "the deadline" if self.timeout_at is None else self.timeout_at.isoformat()


def _day(value: str, *, argument: str) -> dt.date:
    day = parse_day(value, argument=argument)
    if day is None:
        raise ConfigurationError(f"{argument} is required", argument=argument)
    return day


def _aware(value: str | dt.datetime, *, argument: str) -> dt.datetime:
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ConfigurationError(
            f"{argument} must be an ISO moment, got {value!r}", argument=argument
        ) from None
    if moment.tzinfo is None:
        raise ConfigurationError(
            f"{argument} must be a timezone-aware moment, got {value!r}", argument=argument
        )
    return moment.astimezone(dt.UTC)
