"""The ``attributedRevenueMetrics`` finder: CRM revenue attributed to campaigns.

Daily revenue facts exist per campaign (deals closed won or lost, opportunities opened) for
accounts with a CRM connected, on the days the campaign runs. A query gets one row per pivot-value
combination (ACCOUNT / CAMPAIGN_GROUP / CAMPAIGN) with ``dateRange`` equal to the request range and
a nested ``revenueAttributionMetrics`` record:

* ``revenueWonInUsd`` (BigDecimal string, occasionally with many digits), ``closedWonOpportunities``;
* ``openOpportunities`` and ``opportunityAmountInUsd`` only when the request ends today (UTC);
* ratios from the row's sums: ``returnOnAdSpend`` (revenue / ``costInUsd`` of the same campaigns
  and range), ``opportunityWinRate``, ``averageDealSizeInUsd``, ``averageDaysToClose``.

Rows with neither revenue activity nor spend are left out. ``revenue_fields`` sub-projects the
record; without ``fields`` the row carries ``dateRange``, ``pivotValues`` and the whole record, as
the analytics finders' sample responses do (rows must be told apart).

.. code-block:: python

    revenue_day(7, 300000001, dt.date(2026, 5, 1).toordinal())  # (won, revenue, lost, days, opened, amount)
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.metrics import REVENUE_METRICS
from airflow_provider_linkedin_ads.testing.hashing import hash_ints
from airflow_provider_linkedin_ads.testing.rows import render_scaled, value_sort_key

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    from airflow_provider_linkedin_ads.models import DateRange
    from airflow_provider_linkedin_ads.testing.entities import Campaign

__all__ = ["REVENUE_SCALE", "RevenueQuery", "campaign_pivot_values", "revenue_day", "revenue_elements"]

#: ``revenueWonInUsd`` is counted in 1e-10 dollars (cents plus occasional long tails).
REVENUE_SCALE = 10
_CENT = 10 ** (REVENUE_SCALE - 2)
_SALT = 0x5245_5645_4E55_45  # "REVENUE"
_ONLY_WHEN_TODAY = frozenset({"openOpportunities", "opportunityAmountInUsd"})
#: What a row carries when the request has no ``fields``.
_DEFAULT_FIELDS = ("dateRange", "pivotValues", "revenueAttributionMetrics")
_Sums = list[int]  # won, revenue (1e-10 USD), lost, days-to-close sum, opened, opportunity amount (cents)


def revenue_day(seed: int, campaign_id: int, ordinal: int) -> tuple[int, int, int, int, int, int]:
    """One campaign-day of CRM facts: won, revenue, lost, days-to-close sum, opened, amount.

    :param seed: the world seed.
    :param campaign_id: the campaign.
    :param ordinal: the day's ordinal.
    """
    h = hash_ints(seed, campaign_id, ordinal, _SALT)
    won = (1 + ((h >> 5) & 1)) if h & 31 == 0 else 0
    revenue = won * (200_000 + (h >> 20) % 5_800_000) * _CENT
    if won and (h >> 12) & 7 == 0:
        revenue += (h >> 30) % _CENT  # CRM amounts converted to USD keep long tails
    lost = 1 if (h >> 8) & 31 == 0 else 0
    days_to_close = won * (10 + (h >> 40) % 140)
    opened = 1 if (h >> 16) & 15 == 0 else 0
    amount = opened * (500_000 + (h >> 44) % 9_500_000)
    return won, revenue, lost, days_to_close, opened, amount


def campaign_pivot_values(pivots: Iterable[Pivot], campaign: Campaign) -> tuple[str, ...]:
    """Return the ``pivotValues`` of a campaign under revenue pivots (ACCOUNT, CAMPAIGN_GROUP, CAMPAIGN)."""
    values = {
        Pivot.ACCOUNT: f"urn:li:sponsoredAccount:{campaign.account_id}",
        Pivot.CAMPAIGN_GROUP: f"urn:li:sponsoredCampaignGroup:{campaign.group_id}",
        Pivot.CAMPAIGN: f"urn:li:sponsoredCampaign:{campaign.id}",
    }
    return tuple(values[pivot] for pivot in pivots if pivot in values)


@dataclasses.dataclass(frozen=True)
class RevenueQuery:
    """The parts of a request the revenue finder needs.

    :param pivots: revenue pivots in request order.
    :param date_range: the request range.
    :param fields: requested top-level fields, ``None`` when absent.
    :param revenue_fields: sub-projection of the record, ``None`` for all.
    :param today: the emulator's current UTC day.
    """

    pivots: tuple[Pivot, ...]
    date_range: DateRange
    fields: tuple[str, ...] | None
    revenue_fields: tuple[str, ...] | None
    today: dt.date


def _sum_campaign(seed: int, campaign: Campaign, first: int, last: int) -> _Sums:
    start = max(first, campaign.start.toordinal())
    end = last if campaign.end is None else min(last, campaign.end.toordinal())
    sums = [0] * 6
    for ordinal in range(start, end + 1):
        for position, value in enumerate(revenue_day(seed, campaign.id, ordinal)):
            sums[position] += value
    return sums


def _record(sums: _Sums, cost_micro_usd: int, names: Iterable[str]) -> dict[str, Any]:
    won, revenue, lost, days, opened, amount = sums
    closed = won + lost
    values: dict[str, Any] = {
        "revenueWonInUsd": render_scaled(revenue, REVENUE_SCALE),
        "returnOnAdSpend": round(revenue / _CENT / 100 / (cost_micro_usd / 1e6), 4)
        if cost_micro_usd > 0
        else 0.0,
        "closedWonOpportunities": won,
        "openOpportunities": opened,
        "opportunityAmountInUsd": render_scaled(amount, 2),
        "opportunityWinRate": round(won / closed, 4) if closed else 0.0,
        "averageDealSizeInUsd": render_scaled((2 * revenue + won * _CENT) // (2 * won * _CENT), 2)
        if won
        else "0.0",
        "averageDaysToClose": round(days / won, 2) if won else 0.0,
    }
    return {name: values[name] for name in names if name in values}


def revenue_elements(
    seed: int, query: RevenueQuery, campaigns: Iterable[Campaign], cost: Mapping[tuple[str, ...], int]
) -> list[dict[str, Any]]:
    """Return the complete ``elements`` of an attributedRevenueMetrics query.

    :param seed: the world seed.
    :param query: the request.
    :param campaigns: the campaigns in scope (CRM-connected accounts, facets applied).
    :param cost: micro-USD spend per pivot-value tuple over the same range.
    """
    last_visible = min(query.date_range.end, query.today).toordinal()
    sums: dict[tuple[str, ...], _Sums] = {}
    for campaign in campaigns:
        key = campaign_pivot_values(query.pivots, campaign)
        campaign_sums = _sum_campaign(seed, campaign, query.date_range.start.toordinal(), last_visible)
        sums[key] = [a + b for a, b in zip(sums.get(key, [0] * 6), campaign_sums, strict=True)]
    names = [name for name in (query.revenue_fields or REVENUE_METRICS) if name in REVENUE_METRICS]
    if query.date_range.end != query.today:
        names = [name for name in names if name not in _ONLY_WHEN_TODAY]
    fields = query.fields if query.fields is not None else _DEFAULT_FIELDS
    elements = []
    for key in sorted(sums, key=lambda values: tuple(value_sort_key(value) for value in values)):
        if not any(sums[key]) and cost.get(key, 0) <= 0:
            continue
        row: dict[str, Any] = {}
        for field in fields:
            if field == "dateRange":
                row[field] = query.date_range.to_restli()
            elif field == "pivotValues":
                row[field] = list(key)
            elif field == "revenueAttributionMetrics":
                row[field] = _record(sums[key], cost.get(key, 0), names)
        elements.append(row)
    return elements
