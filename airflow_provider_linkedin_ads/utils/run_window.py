"""Turn operator arguments and an Airflow run into LinkedIn's inclusive UTC ``dateRange``.

LinkedIn's ``dateRange`` is inclusive on both ends and in UTC; Airflow's data interval is
half-open; on Airflow 3 a cron schedule gives a zero-width interval and a manual run may have no
logical date at all. Every operator and the maturity sensor resolve their range here, in this
order (``airflow.md`` section 8.2):

====  ======================================================  =========================================
 #    situation                                               resolved range (inclusive UTC days)
====  ======================================================  =========================================
 1    ``date_range_start`` and/or ``date_range_end`` given    exactly those (end alone = that one day;
                                                              start alone = start .. yesterday)
 2    non-empty data interval ``[start, end)``                start's day .. the day before end
 3    zero-width interval (``CronTriggerTimetable``)          the UTC day before ``logical_date``
 4    no logical date (manual Airflow 3 run)                  the UTC day before ``dag_run.run_after``
====  ======================================================  =========================================

Then ``lookback_days`` moves the start back, so revised clicks and conversions are re-fetched.
Computed ranges (rows 2–4) never include the current UTC day, which is still incomplete; an
explicit range is taken as given.

This module reads the task context as a mapping and imports nothing from Airflow.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.models import DateRange

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["parse_day", "resolve_date_range"]

DateLike = str | dt.date | dt.datetime | None
#: The only accepted string form of a day (``[0-9]`` rather than ``\\d``: no non-ASCII digits).
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: DateLike, *, argument: str) -> dt.date | None:
    """Parse a day: a ``YYYY-MM-DD`` string, a ``date`` or a ``datetime``; ``None``/``""`` -> None.

    Strings must be plain ISO calendar dates. Datetime *strings* (``2026-11-01T23:30:00+05:00``),
    basic format (``20261101``) and week dates (``2026-W45-1``) are refused: LinkedIn's days are
    UTC calendar days, and a string with a time or offset leaves it unclear which day was meant.
    A ``datetime`` object is converted to its UTC date; a naive one is taken as UTC (Airflow's
    convention: its context datetimes are UTC).

    :raises ConfigurationError: naming ``argument`` and the accepted forms when the value is not a day.

    .. code-block:: python

        parse_day("2026-11-01", argument="date_range_start")  # datetime.date(2026, 11, 1)
    """
    if value is None or (isinstance(value, str) and value.strip() in ("", "None")):
        return None
    if isinstance(value, dt.datetime):
        return _utc_day(value)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{argument} must be a YYYY-MM-DD string, a date or a datetime, got {type(value).__name__}",
            argument=argument,
        )
    text = value.strip()
    try:
        if _ISO_DAY.fullmatch(text) is None:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"{argument} must be a YYYY-MM-DD day such as 2026-01-31 (or a date/datetime object; "
            f"datetime strings, 20260131 and week dates are not accepted), got {text[:40]!r}",
            argument=argument,
        ) from None


def resolve_date_range(
    context: Mapping[str, Any],
    *,
    date_range_start: DateLike = None,
    date_range_end: DateLike = None,
    lookback_days: int = 0,
    now: dt.datetime | None = None,
) -> DateRange:
    """Resolve the inclusive UTC date range of one task run (see the module table).

    :param context: the Airflow task context (``data_interval_*``, ``logical_date``, ``dag_run``).
    :param date_range_start: explicit first day (ISO string, date or datetime), templated upstream.
    :param date_range_end: explicit last day.
    :param lookback_days: days before the start to re-fetch as well (>= 0).
    :param now: the current aware time (injectable for tests); defaults to the wall clock.
    """
    if not isinstance(lookback_days, int) or isinstance(lookback_days, bool) or lookback_days < 0:
        raise ConfigurationError(
            f"lookback_days must be a whole number >= 0, got {lookback_days!r}", argument="lookback_days"
        )
    today = _utc_day(now or dt.datetime.now(tz=dt.UTC))
    start = parse_day(date_range_start, argument="date_range_start")
    end = parse_day(date_range_end, argument="date_range_end")
    resolved = _from_run(context, today) if start is None and end is None else _explicit(start, end, today)
    if lookback_days:
        resolved = DateRange(resolved.start - dt.timedelta(days=lookback_days), resolved.end)
    return resolved


def _explicit(start: dt.date | None, end: dt.date | None, today: dt.date) -> DateRange:
    if start is None:
        assert end is not None  # both None is handled by the caller
        return DateRange(end, end)
    end = end if end is not None else today - dt.timedelta(days=1)
    if end < start:
        raise ConfigurationError(
            f"date_range_end {end.isoformat()} is before date_range_start {start.isoformat()}",
            argument="date_range_end",
        )
    return DateRange(start, end)


def _from_run(context: Mapping[str, Any], today: dt.date) -> DateRange:
    interval_start = context.get("data_interval_start")
    interval_end = context.get("data_interval_end")
    if interval_start is not None and interval_end is not None and interval_start < interval_end:
        resolved = DateRange(_utc_day(interval_start), _utc_day(interval_end - dt.timedelta(microseconds=1)))
    else:
        anchor = context.get("logical_date") or _run_after(context)
        day_before = _utc_day(anchor) - dt.timedelta(days=1)
        resolved = DateRange(day_before, day_before)
    return _without_today(resolved, today)


def _run_after(context: Mapping[str, Any]) -> dt.datetime:
    run_after = getattr(context.get("dag_run"), "run_after", None)
    if run_after is None:
        raise ConfigurationError(
            "cannot resolve a date range: the run has no logical date, no data interval and no run_after; "
            "set date_range_start/date_range_end",
            argument="date_range_start",
        )
    return run_after


def _without_today(resolved: DateRange, today: dt.date) -> DateRange:
    last_complete = today - dt.timedelta(days=1)
    if resolved.end <= last_complete:
        return resolved
    if resolved.start > last_complete:
        raise ConfigurationError(
            f"the run's interval {resolved} has no complete UTC day yet (today is {today.isoformat()}); "
            "set date_range_start/date_range_end to report the current day explicitly",
            argument="date_range_end",
        )
    return DateRange(resolved.start, last_complete)


def _utc_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        # Airflow hands out aware datetimes; a naive one here means UTC by Airflow's convention.
        return moment.date()
    return moment.astimezone(dt.UTC).date()
