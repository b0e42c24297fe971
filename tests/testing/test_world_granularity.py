"""The synthetic world's time buckets: DAILY, clipped MONTHLY/YEARLY, ALL with month rounding."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.enums import Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing.aggregate import effective_range
from airflow_provider_linkedin_ads.testing.world import World
from tests.testing.world_support import (
    NOW,
    account_facet,
    day,
    query,
    totals,
)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


class TestTimeBuckets:
    def test_daily_rows_cover_one_day(self, world: World) -> None:
        rows = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.DAILY, accounts=account_facet(world, 0)), now=NOW
        )
        assert all(row["dateRange"]["start"] == row["dateRange"]["end"] for row in rows)

    def test_monthly_buckets_are_clipped_to_the_request(self, world: World) -> None:
        start, end = dt.date(2026, 9, 15), dt.date(2026, 11, 10)
        rows = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.MONTHLY, start, end, accounts=account_facet(world, 0)),
            now=NOW,
        )
        ranges = [(day(row["dateRange"]["start"]), day(row["dateRange"]["end"])) for row in rows]
        assert ranges == [
            (start, dt.date(2026, 9, 30)),
            (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
            (dt.date(2026, 11, 1), end),
        ]

    def test_yearly_buckets_are_clipped_to_the_request(self, world: World) -> None:
        start, end = dt.date(2025, 11, 3), dt.date(2026, 2, 4)
        rows = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.YEARLY, start, end, accounts=account_facet(world, 0)),
            now=NOW,
        )
        assert [(day(r["dateRange"]["start"]), day(r["dateRange"]["end"])) for r in rows] == [
            (start, dt.date(2025, 12, 31)),
            (dt.date(2026, 1, 1), end),
        ]

    def test_all_inside_daily_retention_keeps_the_range(self, world: World) -> None:
        start, end = dt.date(2026, 7, 15), dt.date(2026, 8, 20)
        (row,) = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.ALL, start, end, accounts=account_facet(world, 0)),
            now=NOW,
        )
        assert (day(row["dateRange"]["start"]), day(row["dateRange"]["end"])) == (start, end)

    def test_all_outside_daily_retention_rounds_to_months(self, world: World) -> None:
        facet = account_facet(world, 0)
        (row,) = world.answer(
            query(
                (Pivot.ACCOUNT,),
                TimeGranularity.ALL,
                dt.date(2026, 3, 15),
                dt.date(2026, 6, 10),
                accounts=facet,
            ),
            now=NOW,
        )
        assert (day(row["dateRange"]["start"]), day(row["dateRange"]["end"])) == (
            dt.date(2026, 3, 1),
            dt.date(2026, 6, 30),
        )
        daily = world.answer(
            query(
                (Pivot.ACCOUNT,),
                TimeGranularity.DAILY,
                dt.date(2026, 3, 1),
                dt.date(2026, 6, 30),
                accounts=facet,
            ),
            now=NOW,
        )
        assert totals([row]) == totals(daily)

    @pytest.mark.parametrize(
        ("today", "start", "end", "expected"),
        [
            pytest.param(
                dt.date(2021, 8, 1),
                dt.date(2021, 1, 15),
                dt.date(2021, 7, 15),
                (dt.date(2021, 1, 1), dt.date(2021, 7, 31)),
                id="seed-page-example",
            ),
            pytest.param(
                dt.date(2026, 11, 28),
                dt.date(2026, 1, 10),
                dt.date(2026, 11, 28),
                (dt.date(2026, 1, 1), dt.date(2026, 11, 28)),
                id="end-not-after-today",
            ),
            pytest.param(
                dt.date(2026, 11, 28),
                dt.date(2026, 6, 1),
                dt.date(2026, 11, 3),
                (dt.date(2026, 6, 1), dt.date(2026, 11, 3)),
                id="inside-window",
            ),
            pytest.param(
                dt.date(2026, 11, 28),
                dt.date(2025, 2, 10),
                dt.date(2025, 4, 2),
                (dt.date(2025, 2, 1), dt.date(2025, 4, 30)),
                id="both-outside",
            ),
        ],
    )
    def test_effective_range(
        self, today: dt.date, start: dt.date, end: dt.date, expected: tuple[dt.date, dt.date]
    ) -> None:
        covered = effective_range(TimeGranularity.ALL, start, end, today)
        assert (covered.start, covered.end) == expected
        assert effective_range(TimeGranularity.DAILY, start, end, today).start == start
