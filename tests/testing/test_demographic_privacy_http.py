"""LinkedIn's demographic privacy rules met for real, over HTTP: top 100 values, at least 3 events.

"Top 100 values per pivot per creative per day, and each with at least 3 events": the world's
busiest creative-days reach hundreds of job titles, most with one or two impressions, so both rules
bite. The same report with the rules relaxed (the world's constants patched; the emulator serves
this world in-process) shows what they removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing import DEFAULT_MEMBER, World, demographics
from airflow_provider_linkedin_ads.testing.query import ReportQuery

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
FIELDS = "dateRange,pivotValues,impressions,clicks"


def _range(first: dt.date, last: dt.date) -> str:
    return (
        f"dateRange=(start:(year:{first.year},month:{first.month},day:{first.day}),"
        f"end:(year:{last.year},month:{last.month},day:{last.day}))"
    )


def _day_rows(shared_world: World) -> list[dict[str, Any]]:
    visible = sorted(shared_world.accounts_for_member(DEFAULT_MEMBER))  # what the test token reads
    accounts = tuple(f"urn:li:sponsoredAccount:{account}" for account in visible)
    query = ReportQuery(
        Finder.ANALYTICS,
        (Pivot.CREATIVE,),
        TimeGranularity.DAILY,
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 26),
        facets={"accounts": accounts},
        fields=("dateRange", "pivotValues", "impressions"),
    )
    return sorted(shared_world.answer(query, now=NOW), key=lambda row: -row["impressions"])


def _creative(row: dict[str, Any]) -> int:
    return int(row["pivotValues"][0].rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def busiest(shared_world: World) -> tuple[int, dt.date]:
    """The creative-day with the most impressions in November (before today)."""
    row = _day_rows(shared_world)[0]
    return _creative(row), dt.date(**row["dateRange"]["start"])


@pytest.fixture(scope="module")
def busy_pair(shared_world: World) -> tuple[int, int, dt.date]:
    """Two busy creatives of one day (the world's busiest days reach hundreds of titles each)."""
    rows = _day_rows(shared_world)[:40]
    for row in rows:
        day = row["dateRange"]["start"]
        other = next((item for item in rows if item is not row and item["dateRange"]["start"] == day), None)
        if other is not None:
            return _creative(row), _creative(other), dt.date(**day)
    raise AssertionError("no two busy creatives on one day")


def _titles(api: Any, creatives: list[int], first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    facet = ",".join(f"urn%3Ali%3AsponsoredCreative%3A{creative}" for creative in creatives)
    query = f"q=analytics&pivot=MEMBER_JOB_TITLE&timeGranularity=DAILY&{_range(first, last)}&creatives=List({facet})&fields={FIELDS}"
    reply = api.analytics(query)
    assert reply.status == 200, reply.body
    return list(reply.json["elements"])


def test_one_creative_day_keeps_its_top_100_titles_each_with_3_or_more_impressions(
    api: Any, busiest: tuple[int, dt.date], monkeypatch: pytest.MonkeyPatch
) -> None:
    creative, day = busiest

    rows = _titles(api, [creative], day, day)
    monkeypatch.setattr(demographics, "TOP_VALUES", 10**6)
    monkeypatch.setattr(demographics, "MIN_EVENTS", 1)
    unfiltered = _titles(api, [creative], day, day)

    assert len(rows) == 100
    assert min(row["impressions"] for row in rows) >= 3
    assert len(unfiltered) > 150, "the creative-day reaches far more than 100 titles"
    assert sum(row["impressions"] < 3 for row in unfiltered) > 50, "most of the tail has 1-2 impressions"
    assert (
        sorted(row["impressions"] for row in rows) == sorted(row["impressions"] for row in unfiltered)[-100:]
    )


def test_the_cap_is_per_creative_not_per_report(api: Any, busy_pair: tuple[int, int, dt.date]) -> None:
    first, second, day = busy_pair

    together = _titles(api, [first, second], day, day)
    alone = [_titles(api, [creative], day, day) for creative in (first, second)]

    assert [len(rows) for rows in alone] == [100, 100]
    # each creative keeps its own top 100; merged per title, the day shows more than 100 titles
    assert len(together) > 100
    assert {row["pivotValues"][0] for row in together} == {
        row["pivotValues"][0] for rows in alone for row in rows
    }
    assert all(row["impressions"] >= 3 for row in together)
