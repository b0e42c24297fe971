"""What a report task hands back: its summary (the XCom value), small reports' rows, lineage facts.

The summary is plain JSON: the resolved days, where the rows went, and the engine's
:class:`~airflow_provider_linkedin_ads.results.ReportSummary` (calls, rows, covered days,
truncation events). Rows only travel through XCom below :data:`XCOM_ROW_CAP`; past it the task
fails before anything reaches XCom, asking for ``output_path``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.writers import exact_decimal
from airflow_provider_linkedin_ads.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable

    from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
    from airflow_provider_linkedin_ads.results import Column, ReportRow, ReportSummary, RowValue

__all__ = ["XCOM_ROW_CAP", "Lineage", "report_summary", "rows_for_xcom", "with_date_range"]

#: Rows a report may have to be returned through XCom when no ``output_path`` is set.
XCOM_ROW_CAP = 5_000


@dataclasses.dataclass(frozen=True)
class Lineage:
    """What ``get_openlineage_facets_on_complete`` reports, kept from the last successful run.

    .. code-block:: python

        Lineage("https://api.linkedin.com/rest", "analytics", "file:///data/x.jsonl", columns, 120, 4096)
    """

    api_base_url: str
    finder: str
    uri: str | None
    columns: tuple[Column, ...]
    rows: int
    size: int | None
    #: The LinkedIn resource read: ``adAnalytics`` for reports, the entity collection for tables.
    resource: str = "adAnalytics"


def report_summary(
    request: ReportRequest,
    engine_summary: ReportSummary,
    *,
    columns: tuple[Column, ...],
    output_path: str | None,
    output_format: str,
    size: int | None,
) -> dict[str, Any]:
    """Return the task's JSON summary: the request's shape, the output and the engine's counters.

    :param request: the report that ran (facets as sent).
    :param engine_summary: the engine's summary of the run.
    :param columns: the output columns (name columns included).
    :param output_path: the landed file's public URI, ``None`` when the rows go to XCom.
    :param output_format: the file format.
    :param size: bytes of the landed file, when known.
    """
    granularity = request.time_granularity
    return {
        "finder": str(request.finder),
        "pivots": list(request.pivots),
        "time_granularity": None if granularity is None else str(granularity),
        "facets": {name: len(values) for name, values in request.facets.items()},
        "output_path": output_path,
        "output_format": None if output_path is None else output_format,
        "bytes_written": size,
        "columns": [column.name for column in columns],
        **engine_summary.to_dict(),
    }


def with_date_range(summary: dict[str, Any], date_range: DateRange) -> dict[str, Any]:
    """Return ``summary`` led by the days the run resolved (``date_range``)."""
    return {
        "date_range": {"start": date_range.start.isoformat(), "end": date_range.end.isoformat()},
        **summary,
    }


def rows_for_xcom(rows: Iterable[ReportRow]) -> list[dict[str, Any]]:
    """Return the rows JSON-ready (dates and decimals as exact strings), at most :data:`XCOM_ROW_CAP`.

    :raises ConfigurationError: naming ``output_path`` as soon as the rows exceed the cap (the
        engine's calls stop there).
    """
    collected: list[dict[str, Any]] = []
    # closing(): stop the engine's generator (and its calls) as soon as the cap is passed.
    with contextlib.closing(_generator(rows)) as stream:
        for row in stream:
            if len(collected) == XCOM_ROW_CAP:
                raise ConfigurationError(
                    f"the report has more than {XCOM_ROW_CAP:,} rows, too many for XCom; set output_path "
                    "(e.g. file:///data/linkedin/{{ ds }}/report.jsonl or s3://bucket/...) to land it in a file",
                    argument="output_path",
                )
            collected.append({name: _json_value(value) for name, value in row.items()})
    return collected


def _generator(rows: Iterable[ReportRow]) -> Generator[ReportRow, None, None]:
    yield from rows


def _json_value(value: RowValue) -> Any:
    if isinstance(value, Decimal):
        return exact_decimal(value)  # exact, as in the JSON Lines files
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
