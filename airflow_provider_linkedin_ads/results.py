"""What a report produces: typed columns, normalised rows, truncation events and the run summary.

Pure standard library. :func:`report_columns` is the one definition of a report's output schema
(``start_date``, ``end_date``, one column per pivot, then the metrics in request order); the row
normaliser, the writers and the emulator-based tests all use it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from airflow_provider_linkedin_ads.enums import Finder
from airflow_provider_linkedin_ads.metrics import METRICS, REVENUE_METRICS

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.models import DateRange, ReportRequest

__all__ = [
    "Column",
    "ColumnKind",
    "ReportRow",
    "ReportSummary",
    "RowValue",
    "TruncationEvent",
    "report_columns",
]

#: One cell of a normalised report row.
RowValue: TypeAlias = dt.date | str | int | float | Decimal | None
#: A normalised report row: every column of :func:`report_columns`, in that order.
ReportRow: TypeAlias = dict[str, RowValue]


class ColumnKind(enum.StrEnum):
    """Type of an output column; metric kinds mirror :class:`~.metrics.MetricKind`.

    ``RAW`` marks a metric the catalogue does not know (the ``allow_unknown_names`` escape hatch):
    its values are passed through as LinkedIn sent them.

    .. code-block:: python

        ColumnKind(MetricKind.DECIMAL.value)  # ColumnKind.DECIMAL
    """

    DATE = "date"
    STRING = "string"
    LONG = "long"
    DOUBLE = "double"
    DECIMAL = "decimal"
    RAW = "raw"
    #: An aware UTC instant (entity tables); JSON Lines/CSV ``2026-01-31T09:30:00Z``, Parquet ``timestamp[us, UTC]``.
    TIMESTAMP = "timestamp"
    #: ``true``/``false`` (entity tables).
    BOOLEAN = "boolean"
    #: Canonical JSON text of a whole entity (sorted keys); written as a string in every format.
    JSON = "json"


@dataclass(frozen=True)
class Column:
    """One output column: its name and type (writers derive CSV headers and Parquet types from it).

    .. code-block:: python

        Column("costInUsd", ColumnKind.DECIMAL)
    """

    name: str
    kind: ColumnKind


def report_columns(request: ReportRequest) -> tuple[Column, ...]:
    """Return every output column in order: dates, one per pivot, then the metrics as requested.

    .. code-block:: python

        [column.name for column in report_columns(request)]
        # ['start_date', 'end_date', 'campaign', 'impressions', 'costInUsd']
    """
    return (
        Column("start_date", ColumnKind.DATE),
        Column("end_date", ColumnKind.DATE),
        *(Column(name, ColumnKind.STRING) for name in request.pivot_columns),
        *(Column(name, _metric_column_kind(request.finder, name)) for name in request.metrics),
    )


def _metric_column_kind(finder: Finder, name: str) -> ColumnKind:
    catalogue = REVENUE_METRICS if finder is Finder.ATTRIBUTED_REVENUE else METRICS
    metric = catalogue.get(name)
    return ColumnKind.RAW if metric is None else ColumnKind(metric.kind.value)


@dataclass(frozen=True)
class TruncationEvent:
    """One response that still held the 15,000-row maximum after every possible split.

    Only recorded with ``on_truncation="warn"``; by default the engine raises
    :class:`~.errors.TruncatedReportError` instead.

    :param window: the date window of the call (a single day for DAILY reports).
    :param entity: the facet that could not be split further, e.g. ``accounts=urn:li:sponsoredAccount:1``.
    :param rows: rows kept from the truncated response.
    :param metrics: the metric chunk of the call.

    .. code-block:: python

        for event in summary.truncation_events:
            log.warning("truncated: %s %s (%d rows kept)", event.window, event.entity, event.rows)
    """

    window: DateRange
    entity: str
    rows: int
    metrics: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "start_date": self.window.start.isoformat(),
            "end_date": self.window.end.isoformat(),
            "entity": self.entity,
            "rows": self.rows,
            "metrics": list(self.metrics),
        }


@dataclass(frozen=True)
class ReportSummary:
    """What one report run did, for the task log and XCom (:meth:`to_dict` is plain JSON).

    :param rows_written: rows yielded by the engine.
    :param calls_planned: report calls in the plan, re-splits and probes included.
    :param calls_made: HTTP requests sent (every attempt, retries included).
    :param calls_retried: attempts repeated by the client's retry policy.
    :param tunnelled_calls: requests sent tunnelled (POST + ``X-HTTP-Method-Override: GET``).
    :param probe_calls: calls sent to learn sizes before planning: row-count probes, entity
        discovery, and the first field chunk asked for as a probe (MONTHLY/YEARLY reports, short
        DAILY ones), whose answer is kept as that chunk's data unless it reached the row cap.
    :param calls_replayed: answers taken from the checkpoint of a resumed report instead of asked
        again (counted in ``calls_planned``, not in ``calls_made``).
    :param windows_split: responses discarded at the row cap and split (date window or facet list).
    :param truncation_events: responses kept although truncated (``on_truncation="warn"``).
    :param metric_values: metric values consumed (fields x rows, as LinkedIn's data throttle counts).
    :param budget_waits: times a call waited for the client-side metric-value budget.
    :param budget_wait_seconds: total time spent in those waits.
    :param date_range_covered: the days the rows cover, after any month rounding by LinkedIn.
    :param wall_time_seconds: elapsed time of the run.
    :param warnings: validation warnings (not failures).

    .. code-block:: python

        summary.to_dict()["rows_written"]
    """

    rows_written: int = 0
    calls_planned: int = 0
    calls_made: int = 0
    calls_retried: int = 0
    tunnelled_calls: int = 0
    probe_calls: int = 0
    calls_replayed: int = 0
    windows_split: int = 0
    truncation_events: tuple[TruncationEvent, ...] = ()
    metric_values: int = 0
    budget_waits: int = 0
    budget_wait_seconds: float = 0.0
    date_range_covered: DateRange | None = None
    wall_time_seconds: float = 0.0
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form (dates as ISO strings)."""
        covered = self.date_range_covered
        return {
            "rows_written": self.rows_written,
            "calls_planned": self.calls_planned,
            "calls_made": self.calls_made,
            "calls_retried": self.calls_retried,
            "tunnelled_calls": self.tunnelled_calls,
            "probe_calls": self.probe_calls,
            "calls_replayed": self.calls_replayed,
            "windows_split": self.windows_split,
            "truncation_events": [event.to_dict() for event in self.truncation_events],
            "metric_values": self.metric_values,
            "budget_waits": self.budget_waits,
            "budget_wait_seconds": round(self.budget_wait_seconds, 3),
            "date_range_covered": None
            if covered is None
            else {"start": covered.start.isoformat(), "end": covered.end.isoformat()},
            "wall_time_seconds": round(self.wall_time_seconds, 3),
            "warnings": list(self.warnings),
        }
