"""Report requests LinkedIn accepts but that probably do not mean what the user expects.

Warnings, not failures (``linkedin-api.md`` section 15, item 6): ``ALL`` ranges that LinkedIn rounds to
month boundaries, non-additive metrics (reach, penetration, averages) requested per day or month of a
longer range, and days still inside a documented reporting delay. :func:`effective_date_range` is the
one place that knows how LinkedIn rounds ``ALL`` ranges; the engine reports it as the range covered.

.. code-block:: python

    [warning.rule for warning in advise(request, today=dt.date(2026, 11, 28))]
    # ['all_rounded_to_months']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from airflow_provider_linkedin_ads.enums import Finder, TimeGranularity
from airflow_provider_linkedin_ads.metrics import DEMOGRAPHIC_DELAY_HOURS, METRICS, REVENUE_METRICS, Metric
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest, add_months, month_end

__all__ = ["DAILY_RETENTION_MONTHS", "ValidationWarning", "advise", "effective_date_range", "known_metrics"]

#: With ``timeGranularity=ALL``, a range reaching before this many months ago is rounded to months.
DAILY_RETENTION_MONTHS = 6


@dataclass(frozen=True)
class ValidationWarning:
    """A request that LinkedIn accepts but that probably does not mean what the user expects.

    :param rule: stable identifier, e.g. ``"all_rounded_to_months"``.
    :param argument: the parameter concerned.
    :param message: human-readable explanation, naming the parameter.

    .. code-block:: python

        [w.rule for w in validate_request(request, api_version="202609", today=today)]
    """

    rule: str
    argument: str
    message: str

    def __str__(self) -> str:
        return self.message


def effective_date_range(request: ReportRequest, today: dt.date) -> DateRange:
    """Return the days LinkedIn will actually cover: month-rounded for ``ALL`` outside the daily window.

    With ``timeGranularity=ALL``, if the start or the end lies before the 6-month daily retention
    window, LinkedIn rounds both to month boundaries and reports whole months.
    """
    span = request.date_range
    if request.time_granularity is not TimeGranularity.ALL:
        return span
    window_start = add_months(today, -DAILY_RETENTION_MONTHS)
    if span.start >= window_start and span.end >= window_start:
        return span
    # The end is rounded up to its month's end, but LinkedIn has nothing after today to report.
    return DateRange(span.start.replace(day=1), max(span.end, min(month_end(span.end), today)))


def known_metrics(request: ReportRequest) -> list[Metric]:
    """Return the catalogue entries of the request's known metrics (unknown names are skipped)."""
    catalogue = REVENUE_METRICS if request.finder is Finder.ATTRIBUTED_REVENUE else METRICS
    return [catalogue[name] for name in request.metrics if name in catalogue]


def advise(request: ReportRequest, *, today: dt.date) -> list[ValidationWarning]:
    """Return the warnings for ``request`` as of ``today`` (UTC), in a stable order."""
    return [
        *_rounding_warnings(request, today),
        *_additivity_warnings(request),
        *_delay_warnings(request, today),
    ]


def _rounding_warnings(request: ReportRequest, today: dt.date) -> list[ValidationWarning]:
    rounded = effective_date_range(request, today)
    if rounded == request.date_range:
        return []
    return [
        ValidationWarning(
            "all_rounded_to_months",
            "time_granularity",
            f"time_granularity: with ALL, a range reaching outside the {DAILY_RETENTION_MONTHS}-month daily "
            f"window is rounded to month boundaries: {request.date_range} will cover {rounded}",
        )
    ]


def _additivity_warnings(request: ReportRequest) -> list[ValidationWarning]:
    granularity = request.time_granularity
    if granularity in (None, TimeGranularity.ALL) or _single_bucket(request.date_range, granularity):
        return []
    names = [metric.name for metric in known_metrics(request) if not metric.additive]
    if not names:
        return []
    return [
        ValidationWarning(
            "non_additive_metric",
            "metrics",
            f"metrics: {', '.join(names)} are not additive; {granularity} rows cannot be summed to the range "
            f"{request.date_range} (query it with time_granularity=ALL instead)",
        )
    ]


def _delay_warnings(request: ReportRequest, today: dt.date) -> list[ValidationWarning]:
    hours = [metric.delay_hours for metric in known_metrics(request)]
    if request.is_demographic:
        hours.append(DEMOGRAPHIC_DELAY_HOURS)
    delay = max(hours, default=0)
    # The last day settles `delay` hours after it ends; warn while that day has not begun yet.
    settled_day = request.date_range.end + dt.timedelta(days=1 + -(-delay // 24))
    if delay == 0 or settled_day <= today:
        return []
    return [
        ValidationWarning(
            "inside_delay_window",
            "date_range",
            f"date_range: values for {request.date_range.end.isoformat()} may still change for up to {delay} h "
            "(demographic or video metrics); re-fetch them later",
        )
    ]


def _single_bucket(span: DateRange, granularity: TimeGranularity | None) -> bool:
    if granularity is TimeGranularity.DAILY:
        return span.days == 1
    if granularity is TimeGranularity.MONTHLY:
        return (span.start.year, span.start.month) == (span.end.year, span.end.month)
    return span.start.year == span.end.year
