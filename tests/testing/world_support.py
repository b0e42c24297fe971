"""Helpers shared by the synthetic-world tests (query builders, exact row sums)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.metrics import METRICS, MetricKind
from airflow_provider_linkedin_ads.testing.query import ReportQuery

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.world import World

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
SEP_1, NOV_10 = dt.date(2026, 9, 1), dt.date(2026, 11, 10)
#: Additive metrics of every family and both additive wire types: counts and decimals (money, halves, long tails).
SAMPLE = (
    "impressions", "clicks", "costInLocalCurrency", "costInUsd", "conversionValueInLocalCurrency",
    "externalWebsiteConversions", "videoViews", "videoWatchTime", "cardClicks", "opens", "eventViews",
    "documentCompletions", "jobApplications", "viralRegistrations", "viralImpressions", "likes",
)  # fmt: skip
ADDITIVE = tuple(name for name, metric in METRICS.items() if metric.additive)


def urns(kind: str, ids: Any) -> tuple[str, ...]:
    return tuple(f"urn:li:{kind}:{item}" for item in ids)


def query(
    pivots: tuple[Pivot, ...],
    granularity: TimeGranularity | None,
    start: dt.date = SEP_1,
    end: dt.date = NOV_10,
    *,
    fields: tuple[str, ...] | None = ("dateRange", "pivotValues", *SAMPLE),
    finder: Finder = Finder.STATISTICS,
    **facets: tuple[str, ...],
) -> ReportQuery:
    return ReportQuery(finder, pivots, granularity, start, end, facets=facets, fields=fields)


def account_facet(world: World, *indexes: int) -> tuple[str, ...]:
    ids = list(world.accounts)
    return urns("sponsoredAccount", [ids[index] for index in indexes])


def totals(rows: list[dict[str, Any]], names: tuple[str, ...] = SAMPLE) -> dict[str, Any]:
    """Sum rows per metric; decimals exactly; a metric never present stays absent."""
    sums: dict[str, Any] = {}
    for row in rows:
        for name in names:
            if name in row:
                value = Decimal(row[name]) if METRICS[name].kind is MetricKind.DECIMAL else row[name]
                sums[name] = sums.get(name, 0) + value
    return sums


def day(record: dict[str, int]) -> dt.date:
    return dt.date(record["year"], record["month"], record["day"])
