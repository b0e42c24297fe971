"""A report's totals, read synchronously: the ``confirm_with_api`` check of the maturity sensor and trigger.

Kept apart from the trigger module because it imports the hook (and with it ``requests``): Airflow's
triggerer imports a trigger's module on its event loop, so the trigger module stays light and
imports this one in a worker thread, only when a totals check is asked for.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.enums import TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from airflow.providers.common.compat.sdk import Connection

    from airflow_provider_linkedin_ads.models import DateRange

__all__ = ["MAX_FIELDS", "ConnectionBoundHook", "read_report_totals"]

#: LinkedIn accepts at most 20 ``fields`` per call; the totals check reads the first 20 metrics.
MAX_FIELDS = 20


class ConnectionBoundHook(LinkedInAdsHook):
    """A hook that uses a connection fetched beforehand (asynchronously) instead of looking it up.

    .. code-block:: python

        connection = await get_async_connection(conn_id, hook=LinkedInAdsHook)
        hook = ConnectionBoundHook(connection, conn_id)

    :param connection: the already fetched Airflow connection.
    :param linkedin_ads_conn_id: its id (for logs and messages).
    :param kwargs: further :class:`LinkedInAdsHook` arguments (``api_version``, ...).
    """

    def __init__(self, connection: Connection, linkedin_ads_conn_id: str, **kwargs: Any) -> None:
        super().__init__(linkedin_ads_conn_id, **kwargs)
        self._connection = connection

    def get_connection(self, conn_id: str) -> Connection:  # type: ignore[override,unused-ignore]
        return self._connection


def read_report_totals(
    hook: LinkedInAdsHook,
    *,
    pivots: Sequence[str],
    metrics: Sequence[str],
    date_range: DateRange,
    facets: Mapping[str, Sequence[str]],
) -> dict[str, Decimal]:
    """Read a report's totals: each metric summed over all rows, plus the row count (``"_rows"``).

    One ``q=analytics`` call with ``timeGranularity=ALL`` on the report's first ``MEMBER_*`` pivot
    (the slowest to settle), or its first pivot when it has none. Synchronous and blocking: the
    trigger runs it in a worker thread.

    :param hook: the hook to read with.
    :param pivots: the report's pivots.
    :param metrics: the report's metrics (the first 20 are read).
    :param date_range: the report's inclusive UTC days.
    :param facets: hook facet argument -> URNs; LinkedIn needs at least one.
    :raises ConfigurationError: without pivots.
    """
    if not pivots:
        raise ConfigurationError("pivots: the totals check needs at least one pivot", argument="pivots")
    pivot = next((name for name in pivots if name.startswith("MEMBER_")), pivots[0])
    fields = list(metrics[:MAX_FIELDS])
    rows = hook.analytics(
        pivot=pivot, time_granularity=TimeGranularity.ALL, date_range=date_range, fields=fields, **facets
    )
    totals = {name: Decimal(0) for name in fields}
    for row in rows:
        for name in fields:
            totals[name] += _number(row.get(name))
    totals["_rows"] = Decimal(len(rows))
    return totals


def _number(value: object) -> Decimal:
    # Absent values (not yet reported) count as zero; decimals arrive as strings, never via float.
    if value is None or isinstance(value, bool):
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
