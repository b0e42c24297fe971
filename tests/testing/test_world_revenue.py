"""The synthetic world's attributedRevenueMetrics finder."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.metrics import REVENUE_METRICS
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.world import World

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
TODAY = NOW.date()
START = dt.date(2026, 6, 1)
FIELDS = ("dateRange", "pivotValues", "revenueAttributionMetrics")


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


def revenue(
    world: World,
    account_index: int,
    pivots: tuple[Pivot, ...] = (Pivot.CAMPAIGN,),
    end: dt.date = TODAY,
    **options: Any,
) -> ReportQuery:
    account = list(world.accounts)[account_index]
    return ReportQuery(
        Finder.ATTRIBUTED_REVENUE,
        pivots,
        None,
        START,
        end,
        facets={"account": (f"urn:li:sponsoredAccount:{account}",)},
        **{"fields": FIELDS, **options},
    )


def record_sum(rows: list[dict[str, Any]], name: str) -> Any:
    values = [row["revenueAttributionMetrics"][name] for row in rows]
    return sum(Decimal(value) if isinstance(value, str) else value for value in values)


def test_only_accounts_with_a_crm_connected(world: World) -> None:
    assert not list(world.accounts.values())[1].crm_connected
    assert world.answer(revenue(world, 1), now=NOW) == []
    assert world.answer(revenue(world, 0), now=NOW)


def test_one_row_per_pivot_value_covering_the_request_range(world: World) -> None:
    rows = world.answer(revenue(world, 0, end=dt.date(2026, 11, 20)), now=NOW)
    campaigns = {f"urn:li:sponsoredCampaign:{c.id}" for c in world.campaigns_of(next(iter(world.accounts)))}
    assert len(rows) > 1
    assert {row["pivotValues"][0] for row in rows} <= campaigns
    assert all(
        row["dateRange"]
        == {"start": {"year": 2026, "month": 6, "day": 1}, "end": {"year": 2026, "month": 11, "day": 20}}
        for row in rows
    )


@pytest.mark.parametrize(
    ("end", "with_open"),
    [
        pytest.param(TODAY, True, id="ends-today"),
        pytest.param(TODAY - dt.timedelta(days=1), False, id="ends-yesterday"),
    ],
)
def test_open_opportunities_only_when_the_range_ends_today(
    world: World, end: dt.date, with_open: bool
) -> None:
    rows = world.answer(revenue(world, 0, end=end), now=NOW)
    expected = (
        set(REVENUE_METRICS)
        if with_open
        else set(REVENUE_METRICS) - {"openOpportunities", "opportunityAmountInUsd"}
    )
    assert rows
    assert all(set(row["revenueAttributionMetrics"]) == expected for row in rows)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        pytest.param(TODAY, ["openOpportunities", "revenueWonInUsd"], id="ends-today"),
        pytest.param(TODAY - dt.timedelta(days=2), ["revenueWonInUsd"], id="ends-earlier"),
    ],
)
def test_sub_projection(world: World, end: dt.date, expected: list[str]) -> None:
    query = revenue(world, 0, end=end, revenue_fields=("openOpportunities", "revenueWonInUsd"))
    rows = world.answer(query, now=NOW)
    assert rows
    assert all(list(row["revenueAttributionMetrics"]) == expected for row in rows)


def test_without_fields_the_record_with_its_range_and_pivot_values(world: World) -> None:
    rows = world.answer(revenue(world, 0, fields=None), now=NOW)
    assert rows
    assert all(list(row) == ["dateRange", "pivotValues", "revenueAttributionMetrics"] for row in rows)


def test_campaign_rows_sum_to_the_account_row(world: World) -> None:
    campaigns = world.answer(revenue(world, 2), now=NOW)
    (account,) = world.answer(revenue(world, 2, (Pivot.ACCOUNT,)), now=NOW)
    for name in ("revenueWonInUsd", "closedWonOpportunities", "openOpportunities", "opportunityAmountInUsd"):
        assert record_sum(campaigns, name) == record_sum([account], name)
    assert record_sum(campaigns, "revenueWonInUsd") > 0


def test_pivot_order_and_types(world: World) -> None:
    rows = world.answer(revenue(world, 0, (Pivot.CAMPAIGN_GROUP, Pivot.ACCOUNT)), now=NOW)
    assert rows
    for row in rows:
        group, account = row["pivotValues"]
        assert group.startswith("urn:li:sponsoredCampaignGroup:")
        assert account.startswith("urn:li:sponsoredAccount:")
        record = row["revenueAttributionMetrics"]
        assert isinstance(record["revenueWonInUsd"], str)
        assert isinstance(record["closedWonOpportunities"], int)
        assert isinstance(record["returnOnAdSpend"], float)
        assert 0.0 <= record["opportunityWinRate"] <= 1.0
    assert any(len(row["revenueAttributionMetrics"]["revenueWonInUsd"].split(".")[1]) > 2 for row in rows)


def test_return_on_ad_spend_uses_the_same_spend(world: World) -> None:
    (row,) = world.answer(revenue(world, 0, (Pivot.ACCOUNT,)), now=NOW)
    spend_query = ReportQuery(
        Finder.STATISTICS, (Pivot.ACCOUNT,), TimeGranularity.DAILY, START, TODAY,
        facets={"accounts": row["pivotValues"]}, fields=("costInUsd",),
    )  # fmt: skip
    spend = sum(Decimal(item["costInUsd"]) for item in world.answer(spend_query, now=NOW))
    record = row["revenueAttributionMetrics"]
    assert record["returnOnAdSpend"] == pytest.approx(
        float(Decimal(record["revenueWonInUsd"]) / spend), abs=1e-4
    )
    deals = record["closedWonOpportunities"]
    assert Decimal(record["averageDealSizeInUsd"]) == (Decimal(record["revenueWonInUsd"]) / deals).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_visible_accounts_restrict(world: World) -> None:
    query = dataclasses.replace(revenue(world, 0), visible_accounts=frozenset(list(world.accounts)[1:]))
    assert world.answer(query, now=NOW) == []
