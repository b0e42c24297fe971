"""The synthetic world's professional-demographic values and its reporting delays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing import demographics
from airflow_provider_linkedin_ads.testing.entities import CreativeKind
from airflow_provider_linkedin_ads.testing.lookups import DEMOGRAPHIC_VALUES
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.world import World

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 26)
DAY_END = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


def analytics(
    pivot: Pivot,
    start: dt.date,
    end: dt.date,
    *,
    granularity: TimeGranularity = TimeGranularity.DAILY,
    fields: tuple[str, ...] = ("dateRange", "pivotValues", "impressions", "clicks"),
    **facets: tuple[str, ...],
) -> ReportQuery:
    return ReportQuery(Finder.ANALYTICS, (pivot,), granularity, start, end, facets=facets, fields=fields)


def creative_urn(creative_id: int) -> tuple[str, ...]:
    return (f"urn:li:sponsoredCreative:{creative_id}",)


def all_accounts(world: World) -> tuple[str, ...]:
    return tuple(f"urn:li:sponsoredAccount:{account}" for account in world.accounts)


def impressions(rows: list[dict[str, Any]]) -> int:
    return sum(row["impressions"] for row in rows)


@pytest.fixture(scope="module")
def busiest(world: World) -> tuple[int, dt.date, int]:
    """The creative-day with the most impressions in the last three months."""
    rows = world.answer(
        analytics(Pivot.CREATIVE, dt.date(2026, 9, 1), dt.date(2026, 11, 27), accounts=all_accounts(world)),
        now=NOW,
    )
    row = max(rows, key=lambda item: item["impressions"])
    start = row["dateRange"]["start"]
    day = dt.date(start["year"], start["month"], start["day"])
    return int(row["pivotValues"][0].rsplit(":", 1)[1]), day, row["impressions"]


@pytest.fixture(scope="module")
def video_creative(world: World) -> int:
    """A video creative that delivered on DAY."""
    for creative in world.creatives.values():
        if creative.kind is CreativeKind.VIDEO and world.campaigns[creative.campaign_id].active_on(DAY):
            rows = world.answer(
                analytics(Pivot.CREATIVE, DAY, DAY, creatives=creative_urn(creative.id)), now=NOW
            )
            if rows:
                return creative.id
    raise AssertionError("the default world has no video creative delivering on DAY")


class TestPrivacyRules:
    def test_only_the_top_100_values_per_creative_per_day(
        self, world: World, busiest: tuple[int, dt.date, int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        creative, day, _total = busiest
        query = analytics(Pivot.MEMBER_JOB_TITLE, day, day, creatives=creative_urn(creative))
        rows = world.answer(query, now=NOW)
        monkeypatch.setattr(demographics, "TOP_VALUES", 10**6)
        uncapped = world.answer(query, now=NOW)
        assert len(rows) == 100  # LinkedIn's documented cap, whatever the constant says
        assert len(uncapped) > 150
        kept = sorted(row["impressions"] for row in rows)
        assert kept == sorted(row["impressions"] for row in uncapped)[-100:]

    def test_values_below_three_events_are_dropped(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        query = analytics(
            Pivot.MEMBER_JOB_TITLE, dt.date(2026, 11, 1), dt.date(2026, 11, 1), accounts=all_accounts(world)
        )
        rows = world.answer(query, now=NOW)
        monkeypatch.setattr(demographics, "MIN_EVENTS", 1)
        unfiltered = world.answer(query, now=NOW)
        assert len(rows) > 100
        assert min(row["impressions"] for row in rows) >= 3
        assert min(row["impressions"] for row in unfiltered) < 3

    def test_small_creative_days_reach_few_values(self, world: World) -> None:
        rows = world.answer(
            analytics(
                Pivot.CREATIVE, dt.date(2026, 11, 1), dt.date(2026, 11, 20), accounts=all_accounts(world)
            ),
            now=NOW,
        )
        small = min((row for row in rows if row["impressions"] >= 100), key=lambda row: row["impressions"])
        start = small["dateRange"]["start"]
        day = dt.date(start["year"], start["month"], start["day"])
        creative = int(small["pivotValues"][0].rsplit(":", 1)[1])
        titles = world.answer(
            analytics(Pivot.MEMBER_JOB_TITLE, day, day, creatives=creative_urn(creative)), now=NOW
        )
        assert 0 < len(titles) < 2 + small["impressions"] // 16

    @pytest.mark.parametrize(
        "pivot",
        [
            pytest.param(Pivot.MEMBER_COUNTRY_V2, id="country"),
            pytest.param(Pivot.MEMBER_SENIORITY, id="seniority"),
            pytest.param(Pivot.MEMBER_JOB_FUNCTION, id="function"),
        ],
    )
    def test_values_are_approximate(self, world: World, pivot: Pivot) -> None:
        campaign = world.campaigns_of(next(iter(world.accounts)))[0]
        facet = (f"urn:li:sponsoredCampaign:{campaign.id}",)
        start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
        demographic = world.answer(
            analytics(pivot, start, end, granularity=TimeGranularity.ALL, campaigns=facet), now=NOW
        )
        exact = world.answer(
            analytics(Pivot.CAMPAIGN, start, end, granularity=TimeGranularity.ALL, campaigns=facet), now=NOW
        )
        assert impressions(demographic) != impressions(exact)
        assert 0.85 < impressions(demographic) / impressions(exact) < 1.05

    def test_non_demographic_metrics_are_absent(self, world: World) -> None:
        fields = ("pivotValues", "impressions", "approximateMemberReach", "cardClicks", "viralCardImpressions",
                  "conversionValueInLocalCurrency", "audiencePenetration", "costInUsd")  # fmt: skip
        rows = world.answer(
            analytics(
                Pivot.MEMBER_INDUSTRY,
                DAY,
                DAY,
                granularity=TimeGranularity.ALL,
                fields=fields,
                accounts=all_accounts(world),
            ),
            now=NOW,
        )
        assert rows
        assert all(list(row) == ["pivotValues", "impressions", "costInUsd"] for row in rows)


class TestValueForms:
    @pytest.mark.parametrize(
        ("pivot", "kind", "prefix"),
        [
            pytest.param(Pivot.MEMBER_COUNTRY_V2, "geo", "urn:li:geo:", id="country"),
            pytest.param(Pivot.MEMBER_REGION_V2, "geo", "urn:li:geo:", id="region"),
            pytest.param(Pivot.MEMBER_COUNTY, "geo", "urn:li:geo:", id="county"),
            pytest.param(Pivot.MEMBER_JOB_TITLE, "title", "urn:li:title:", id="title"),
            pytest.param(Pivot.MEMBER_JOB_FUNCTION, "function", "urn:li:function:", id="function"),
            pytest.param(Pivot.MEMBER_SENIORITY, "seniority", "urn:li:seniority:", id="seniority"),
            pytest.param(Pivot.MEMBER_INDUSTRY, "industry", "urn:li:industry:", id="industry"),
            pytest.param(Pivot.MEMBER_COMPANY, "organization", "urn:li:organization:", id="company"),
        ],
    )
    def test_values_are_urns_the_lookups_resolve(
        self, world: World, pivot: Pivot, kind: str, prefix: str
    ) -> None:
        rows = world.answer(
            analytics(pivot, DAY, DAY, granularity=TimeGranularity.ALL, accounts=all_accounts(world)), now=NOW
        )
        assert rows
        names = world.names(kind)
        for row in rows:
            (value,) = row["pivotValues"]
            assert value.startswith(prefix)
            assert names[value.removeprefix(prefix)]

    def test_company_size_values(self, world: World) -> None:
        rows = world.answer(
            analytics(
                Pivot.MEMBER_COMPANY_SIZE,
                DAY,
                DAY,
                granularity=TimeGranularity.ALL,
                accounts=all_accounts(world),
            ),
            now=NOW,
        )
        assert {row["pivotValues"][0] for row in rows} <= set(DEMOGRAPHIC_VALUES[Pivot.MEMBER_COMPANY_SIZE])
        assert "urn:li:staffCountRange:(11,50)" in DEMOGRAPHIC_VALUES[Pivot.MEMBER_COMPANY_SIZE]

    def test_job_titles_are_plentiful(self, world: World) -> None:
        assert len(DEMOGRAPHIC_VALUES[Pivot.MEMBER_JOB_TITLE]) >= 1000
        assert len(world.names("title")) == len(DEMOGRAPHIC_VALUES[Pivot.MEMBER_JOB_TITLE])


class TestDelays:
    @pytest.mark.parametrize(
        ("hours_after_day_end", "expected"),
        [
            pytest.param(6, "absent", id="6h-absent"),
            pytest.param(18, "partial", id="18h-partial"),
            pytest.param(30, "final", id="30h-final"),
        ],
    )
    def test_demographic_values_mature_between_12_and_24_hours(
        self, world: World, hours_after_day_end: int, expected: str
    ) -> None:
        query = analytics(Pivot.MEMBER_COUNTRY_V2, DAY, DAY, accounts=all_accounts(world))
        final = impressions(world.answer(query, now=DAY_END + dt.timedelta(hours=72)))
        seen = impressions(world.answer(query, now=DAY_END + dt.timedelta(hours=hours_after_day_end)))
        performance = world.answer(
            analytics(Pivot.ACCOUNT, DAY, DAY, accounts=all_accounts(world)),
            now=DAY_END + dt.timedelta(hours=hours_after_day_end),
        )
        assert impressions(performance) == impressions(
            world.answer(analytics(Pivot.ACCOUNT, DAY, DAY, accounts=all_accounts(world)), now=NOW)
        )
        assert {"absent": seen == 0, "partial": 0 < seen < final, "final": seen == final}[expected]

    def test_video_watch_time_keeps_growing_for_48_hours(self, world: World, video_creative: int) -> None:
        fields = ("impressions", "videoViews", "videoWatchTime", "averageVideoWatchTime")
        query = analytics(Pivot.CREATIVE, DAY, DAY, fields=fields, creatives=creative_urn(video_creative))
        seen = [
            world.answer(query, now=DAY_END + dt.timedelta(hours=hours))[0] for hours in (1, 24, 47, 48, 100)
        ]
        watch = [row["videoWatchTime"] for row in seen]
        assert watch[0] < watch[1] < watch[2] < watch[3] == watch[4]
        assert [row["impressions"] for row in seen] == [seen[0]["impressions"]] * 5
        assert [row["videoViews"] for row in seen] == [seen[0]["videoViews"]] * 5
        assert seen[0]["averageVideoWatchTime"] < seen[4]["averageVideoWatchTime"]

    def test_today_shows_only_the_elapsed_part_of_the_day(self, world: World) -> None:
        today = dt.date(2026, 11, 28)
        query = analytics(Pivot.ACCOUNT, today, today, accounts=all_accounts(world))
        midnight = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
        seen = [
            impressions(world.answer(query, now=midnight + dt.timedelta(hours=hours)))
            for hours in (0, 6, 18, 30)
        ]
        assert seen[0] == 0
        assert 0 < seen[1] < seen[2] < seen[3]

    def test_future_days_have_no_facts(self, world: World) -> None:
        query = analytics(
            Pivot.ACCOUNT, dt.date(2026, 11, 29), dt.date(2026, 12, 31), accounts=all_accounts(world)
        )
        assert world.answer(query, now=NOW) == []

    def test_naive_now_is_utc(self, world: World) -> None:
        query = analytics(Pivot.ACCOUNT, DAY, DAY, accounts=all_accounts(world))
        assert world.answer(query, now=NOW.replace(tzinfo=None)) == world.answer(query, now=NOW)
