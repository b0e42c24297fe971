from __future__ import annotations

import datetime as dt
import itertools

import pytest

from airflow_provider_linkedin_ads.client.planning import (
    METRICS_PER_CHUNK,
    Calibration,
    Discovery,
    Scope,
    SharedTail,
    buckets,
    call_params,
    chunk_metrics,
    discovery_for,
    discovery_params,
    initial_scopes,
    merge_scopes,
    per_account_scopes,
    plan_windows,
    probe_params,
    share_tails,
    split_scope,
    split_window,
    static_bound,
)
from airflow_provider_linkedin_ads.enums import Pivot, TimeGranularity
from airflow_provider_linkedin_ads.metrics import METRICS, REVENUE_METRICS
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.restli import build_query

D = dt.date
ACCOUNT = "urn:li:sponsoredAccount:{}"
CAMPAIGN = "urn:li:sponsoredCampaign:{}"


def build(**overrides: object) -> ReportRequest:
    arguments: dict[str, object] = {
        "finder": "analytics",
        "pivots": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": ("2026-01-01", "2026-03-31"),
        "facets": {"accounts": [1]},
        "metrics": ["impressions", "clicks"],
    }
    arguments.update(overrides)
    return ReportRequest.build(**arguments)  # type: ignore[arg-type]


def span(start: str, end: str) -> DateRange:
    return DateRange(D.fromisoformat(start), D.fromisoformat(end))


class TestChunks:
    def test_sixty_metrics_make_four_chunks_of_at_most_eighteen(self) -> None:
        names = list(METRICS)[:60]
        chunks = chunk_metrics(build(metrics=names))
        assert [len(chunk.metrics) for chunk in chunks] == [18, 18, 18, 6]
        assert [chunk.index for chunk in chunks] == [0, 1, 2, 3]
        assert [name for chunk in chunks for name in chunk.metrics] == names
        for chunk in chunks:
            assert chunk.fields[:2] == ("dateRange", "pivotValues")
            assert len(chunk.fields) <= 20
        assert METRICS_PER_CHUNK == 18

    def test_smaller_chunk_size_is_honoured_but_never_above_eighteen(self) -> None:
        request = build(metrics=list(METRICS)[:40])
        assert [len(chunk.metrics) for chunk in chunk_metrics(request, size=10)] == [10, 10, 10, 10]
        assert [len(chunk.metrics) for chunk in chunk_metrics(request, size=50)] == [18, 18, 4]

    @pytest.mark.parametrize(
        ("metrics", "projection"),
        [
            pytest.param((), "revenueAttributionMetrics", id="all"),
            pytest.param(
                ("revenueWonInUsd", "openOpportunities"),
                "revenueAttributionMetrics:(revenueWonInUsd,openOpportunities)",
                id="sub-projection",
            ),
        ],
    )
    def test_revenue_is_one_chunk(self, metrics: tuple[str, ...], projection: str) -> None:
        request = build(
            finder="attributedRevenueMetrics", time_granularity=None, facets={"account": 1}, metrics=metrics
        )
        (chunk,) = chunk_metrics(request)
        assert chunk.fields == ("dateRange", "pivotValues", projection)
        assert chunk.metrics == (metrics or tuple(REVENUE_METRICS))


class TestScopes:
    def test_partitioned_facet_is_batched(self) -> None:
        request = build(facets={"campaigns": list(range(1, 451))})
        scopes = initial_scopes(request, batch_size=200)
        assert [len(scope.get("campaigns")) for scope in scopes] == [200, 200, 50]
        assert [urn for scope in scopes for urn in scope.get("campaigns")] == [
            CAMPAIGN.format(i) for i in range(1, 451)
        ]

    def test_facet_not_partitioned_by_the_pivot_is_sent_whole(self) -> None:
        request = build(pivots="MEMBER_JOB_TITLE", facets={"creatives": list(range(1, 301))})
        (scope,) = initial_scopes(request, batch_size=50)
        assert len(scope.get("creatives")) == 300

    @pytest.mark.parametrize(
        ("pivots", "facets", "splits"),
        [
            pytest.param(
                ["CAMPAIGN"], {"accounts": [1, 2, 3]}, "accounts", id="campaign-rows-split-by-account"
            ),
            pytest.param(["ACCOUNT"], {"accounts": [1, 2]}, "accounts", id="account-rows"),
            pytest.param(["CREATIVE"], {"campaigns": [1, 2]}, "campaigns", id="creative-rows-by-campaign"),
            pytest.param(["ACCOUNT"], {"campaigns": [1, 2]}, None, id="account-rows-not-by-campaign"),
            pytest.param(["MEMBER_JOB_TITLE"], {"accounts": [1, 2]}, None, id="demographics-never"),
            pytest.param(["COMPANY"], {"companies": [1, 2]}, "companies", id="company"),
            pytest.param(
                ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
                {"accounts": [1], "campaigns": [1, 2, 3, 4]},
                "campaigns",
                id="longest",
            ),
        ],
    )
    def test_split_scope_only_where_rows_are_partitioned(
        self, pivots: list[str], facets: dict[str, list[int]], splits: str | None
    ) -> None:
        request = build(finder="statistics", pivots=pivots, facets=facets)
        (scope,) = initial_scopes(request, batch_size=1000)
        halves = split_scope(request, scope)
        if splits is None:
            assert halves is None
            return
        assert halves is not None
        first, second = halves
        assert first.get(splits) + second.get(splits) == scope.get(splits)
        assert len(first.get(splits)) == len(scope.get(splits)) // 2
        others = [name for name, _ in scope.facets if name != splits]
        assert all(first.get(name) == scope.get(name) == second.get(name) for name in others)

    @pytest.mark.parametrize(
        ("pivots", "facets", "expected"),
        [
            pytest.param(
                ["CAMPAIGN"],
                {"accounts": [1]},
                Discovery("accounts", "campaignGroups", Pivot.CAMPAIGN_GROUP),
                id="groups-of-an-account",
            ),
            pytest.param(
                ["CAMPAIGN"],
                {"campaignGroups": [1]},
                Discovery("campaignGroups", "campaigns", Pivot.CAMPAIGN),
                id="campaigns-of-a-group",
            ),
            pytest.param(
                ["CREATIVE"],
                {"accounts": [1]},
                Discovery("accounts", "campaignGroups", Pivot.CAMPAIGN_GROUP),
                id="one-level-at-a-time",
            ),
            pytest.param(["CAMPAIGN_GROUP"], {"campaignGroups": [1]}, None, id="group-rows"),
            pytest.param(
                ["CREATIVE"],
                {"accounts": [1], "campaigns": [2]},
                Discovery("campaigns", "creatives", Pivot.CREATIVE),
                id="finest-facet",
            ),
            pytest.param(["CAMPAIGN"], {"campaigns": [2]}, None, id="already-finest"),
            pytest.param(["MEMBER_COUNTRY_V2"], {"accounts": [1]}, None, id="demographics"),
            pytest.param(["CAMPAIGN"], {"accounts": [1, 2]}, None, id="not-single"),
        ],
    )
    def test_discovery(
        self, pivots: list[str], facets: dict[str, list[int]], expected: Discovery | None
    ) -> None:
        request = build(pivots=pivots if len(pivots) > 1 else pivots[0], facets=facets)
        (scope,) = initial_scopes(request, batch_size=1000)
        assert discovery_for(request, scope) == expected

    def test_scope_replace_and_describe(self) -> None:
        scope = Scope(
            (("accounts", (ACCOUNT.format(1),)), ("campaignGroups", ("urn:li:sponsoredCampaignGroup:5",)))
        )
        replaced = scope.replace("campaigns", tuple(CAMPAIGN.format(i) for i in range(5)), drop="accounts")
        assert [name for name, _ in replaced.facets] == ["campaignGroups", "campaigns"]
        assert replaced.describe() == (
            "campaignGroups=urn:li:sponsoredCampaignGroup:5 campaigns=urn:li:sponsoredCampaign:0,"
            "urn:li:sponsoredCampaign:1,urn:li:sponsoredCampaign:2,... (5 in all)"
        )

    @pytest.mark.parametrize(
        ("pivots", "facets", "bound"),
        [
            pytest.param("CAMPAIGN", {"campaigns": [1, 2, 3]}, 3, id="campaigns"),
            pytest.param("ACCOUNT", {"accounts": [1, 2]}, 2, id="accounts"),
            pytest.param("CAMPAIGN", {"accounts": [1]}, None, id="unknown"),
            pytest.param("MEMBER_INDUSTRY", {"campaigns": [1]}, None, id="demographic"),
        ],
    )
    def test_static_bound(self, pivots: str, facets: dict[str, list[int]], bound: int | None) -> None:
        request = build(pivots=pivots, facets=facets)
        (scope,) = initial_scopes(request, batch_size=1000)
        assert static_bound(request, scope) == bound


class TestWindows:
    def test_daily_windows_pack_up_to_the_target_evenly(self) -> None:
        windows = plan_windows(
            span("2026-01-01", "2026-01-10"), TimeGranularity.DAILY, lambda unit: 100, target=300
        )
        # The fewest windows (4), the heaviest as light as possible (300), no 1-day tail.
        assert windows == [
            span("2026-01-01", "2026-01-03"),
            span("2026-01-04", "2026-01-05"),
            span("2026-01-06", "2026-01-08"),
            span("2026-01-09", "2026-01-10"),
        ]

    def test_balanced_packing_leaves_no_small_tail(self) -> None:
        # Greedy at 13,500 rows: 64 + 64 + 52 days... with a 208-row day, 180 days need 3 windows;
        # greedy would fill the first two and leave the third light, balanced gives 60/60/60.
        windows = plan_windows(
            span("2026-01-01", "2026-06-29"), TimeGranularity.DAILY, lambda unit: 208, target=13_500
        )
        assert [window.days for window in windows] == [60, 60, 60]

    def test_balanced_packing_never_exceeds_the_target_nor_adds_windows(self) -> None:
        loads = [(day * 7919) % 900 for day in range(200)]
        first = D(2026, 1, 1)

        def weight(unit: DateRange) -> int:
            return loads[(unit.start - first).days]

        whole = span("2026-01-01", "2026-07-19")
        windows = plan_windows(whole, TimeGranularity.DAILY, weight, target=5_000)
        sums = [sum(loads[(w.start - first).days : (w.end - first).days + 1]) for w in windows]
        assert max(sums) <= 5_000
        greedy, load = 1, 0
        for rows in loads:
            if load + rows > 5_000:
                greedy, load = greedy + 1, 0
            load += rows
        assert len(windows) == greedy
        assert windows[0].start == whole.start
        assert windows[-1].end == whole.end
        assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(windows))

    def test_heavy_day_gets_its_own_window_and_empty_days_pack_freely(self) -> None:
        weights = {D(2026, 1, 3): 500}
        windows = plan_windows(
            span("2026-01-01", "2026-01-06"),
            TimeGranularity.DAILY,
            lambda unit: weights.get(unit.start, 0),
            target=300,
        )
        assert windows == [
            span("2026-01-01", "2026-01-02"),
            span("2026-01-03", "2026-01-03"),
            span("2026-01-04", "2026-01-06"),
        ]

    def test_monthly_windows_stay_on_month_boundaries(self) -> None:
        windows = plan_windows(
            span("2026-01-15", "2026-05-10"), TimeGranularity.MONTHLY, lambda unit: 10, target=20
        )
        assert windows == [
            span("2026-01-15", "2026-02-28"),
            span("2026-03-01", "2026-04-30"),
            span("2026-05-01", "2026-05-10"),
        ]

    @pytest.mark.parametrize("granularity", [TimeGranularity.ALL, None])
    def test_all_and_revenue_are_one_window(self, granularity: TimeGranularity | None) -> None:
        whole = span("2025-01-01", "2026-06-30")
        assert plan_windows(whole, granularity, lambda unit: 10**9, target=10) == [whole]

    @pytest.mark.parametrize(
        ("window", "granularity", "expected"),
        [
            pytest.param(
                span("2026-01-01", "2026-01-10"),
                TimeGranularity.DAILY,
                (span("2026-01-01", "2026-01-05"), span("2026-01-06", "2026-01-10")),
                id="daily",
            ),
            pytest.param(span("2026-01-01", "2026-01-01"), TimeGranularity.DAILY, None, id="one-day"),
            pytest.param(
                span("2026-01-20", "2026-03-05"),
                TimeGranularity.MONTHLY,
                (span("2026-01-20", "2026-01-31"), span("2026-02-01", "2026-03-05")),
                id="monthly",
            ),
            pytest.param(span("2026-03-02", "2026-03-30"), TimeGranularity.MONTHLY, None, id="one-month"),
            pytest.param(
                span("2024-06-01", "2026-02-01"),
                TimeGranularity.YEARLY,
                (span("2024-06-01", "2024-12-31"), span("2025-01-01", "2026-02-01")),
                id="yearly",
            ),
            pytest.param(span("2026-01-01", "2026-03-01"), TimeGranularity.ALL, None, id="all"),
            pytest.param(span("2026-01-01", "2026-03-01"), None, None, id="revenue"),
        ],
    )
    def test_split_window(
        self,
        window: DateRange,
        granularity: TimeGranularity | None,
        expected: tuple[DateRange, DateRange] | None,
    ) -> None:
        assert split_window(window, granularity) == expected

    def test_buckets_are_clipped_to_the_span(self) -> None:
        assert buckets(span("2026-01-30", "2026-03-02"), TimeGranularity.MONTHLY) == [
            span("2026-01-30", "2026-01-31"),
            span("2026-02-01", "2026-02-28"),
            span("2026-03-01", "2026-03-02"),
        ]


class TestParams:
    def test_analytics_call(self) -> None:
        request = build(facets={"accounts": [1, 2]}, campaign_type="SPONSORED_UPDATES")
        (chunk,) = chunk_metrics(request)
        (scope,) = initial_scopes(request)
        query = build_query(call_params(request, chunk.fields, span("2026-01-01", "2026-01-31"), scope))
        assert query == (
            "pivot=CAMPAIGN&timeGranularity=DAILY"
            "&dateRange=(start:(year:2026,month:1,day:1),end:(year:2026,month:1,day:31))"
            "&accounts=List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)"
            "&campaignType=SPONSORED_UPDATES&fields=dateRange,pivotValues,impressions,clicks"
        )

    def test_statistics_call_lists_pivots(self) -> None:
        request = build(finder="statistics", pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"])
        (chunk,) = chunk_metrics(request)
        (scope,) = initial_scopes(request)
        query = build_query(call_params(request, chunk.fields, request.date_range, scope))
        assert query.startswith("pivots=List(CAMPAIGN,IMPRESSION_DEVICE_TYPE)&timeGranularity=DAILY&")

    def test_revenue_call_has_no_granularity_and_one_account(self) -> None:
        request = build(
            finder="attributedRevenueMetrics", time_granularity=None, facets={"account": 7}, metrics=()
        )
        (chunk,) = chunk_metrics(request)
        (scope,) = initial_scopes(request)
        query = build_query(call_params(request, chunk.fields, request.date_range, scope))
        assert "timeGranularity" not in query
        assert "account=List(urn%3Ali%3AsponsoredAccount%3A7)" in query
        assert query.endswith("fields=dateRange,pivotValues,revenueAttributionMetrics")

    def test_probe_counts_pivot_values_per_month_with_structural_fields_only(self) -> None:
        request = build(metrics=list(METRICS)[:30])
        (scope,) = initial_scopes(request)
        query = build_query(probe_params(request, request.date_range, scope))
        assert "timeGranularity=MONTHLY" in query
        assert query.endswith("fields=dateRange,pivotValues")

    def test_discovery_lists_children_for_the_window(self) -> None:
        request = build(pivots="CREATIVE", campaign_type="TEXT_AD")
        (scope,) = initial_scopes(request)
        discovery = discovery_for(request, scope)
        assert discovery is not None
        query = build_query(discovery_params(request, discovery, span("2026-01-05", "2026-01-05"), scope))
        assert query.startswith(
            "pivot=CAMPAIGN_GROUP&timeGranularity=ALL&dateRange=(start:(year:2026,month:1,day:5)"
        )
        assert "campaignType=TEXT_AD" in query
        assert query.endswith("fields=dateRange,pivotValues")


class TestCalibration:
    def test_nothing_observed_keeps_the_bound(self) -> None:
        calibration = Calibration(2)
        assert not calibration.calibrated
        assert calibration.scale(0, 1_000) == 1_000

    def test_scales_the_bound_by_the_observed_ratio_with_a_margin(self) -> None:
        calibration = Calibration(1, margin=1.05)
        calibration.observe(0, chunk=0, rows=6_000, bound=10_000)
        assert calibration.calibrated
        assert calibration.scale(0, 1_000) == 630  # 1,000 x 0.6 x 1.05

    def test_never_above_the_bound(self) -> None:
        calibration = Calibration(1, margin=1.05)
        calibration.observe(0, chunk=0, rows=10_000, bound=10_000)
        assert calibration.scale(0, 1_000) == 1_000

    def test_the_fullest_chunk_and_the_latest_drift_count(self) -> None:
        calibration = Calibration(1, margin=1.0)
        calibration.observe(0, chunk=0, rows=5_000, bound=10_000)
        calibration.observe(0, chunk=1, rows=6_000, bound=10_000)  # chunks may omit different rows
        assert calibration.scale(0, 1_000) == 600
        calibration.observe(0, chunk=1, rows=8_000, bound=10_000)  # activity grows: 0.8 now, 0.7 on average
        assert calibration.scale(0, 1_000) == 800

    def test_a_scope_without_answers_borrows_the_largest_ratio(self) -> None:
        calibration = Calibration(3, margin=1.0)
        calibration.observe(0, chunk=0, rows=3_000, bound=10_000)
        calibration.observe(1, chunk=0, rows=5_000, bound=10_000)
        assert calibration.scale(2, 1_000) == 500

    def test_every_answer_is_seen_by_the_scopes_that_borrow(self) -> None:
        calibration = Calibration(3, margin=1.0)
        assert calibration.scale(2, 1_000) == 1_000
        calibration.observe(0, chunk=0, rows=3_000, bound=10_000)
        assert calibration.calibrated
        assert calibration.scale(2, 1_000) == 300
        calibration.observe(1, chunk=0, rows=7_000, bound=10_000)  # learnt after scope 2 last asked
        assert calibration.scale(2, 1_000) == 700
        assert calibration.scale(0, 1_000) == 300  # its own ratio, not the borrowed one

    def test_too_few_rows_do_not_calibrate(self) -> None:
        calibration = Calibration(1, minimum_rows=100)
        calibration.observe(0, chunk=0, rows=10, bound=10_000)
        assert not calibration.calibrated
        assert calibration.scale(0, 1_000) == 1_000


class TestPerAccountScopes:
    def test_one_scope_per_account_when_rows_are_split_by_account(self) -> None:
        request = build(pivots="CREATIVE", facets={"accounts": [1, 2, 3]})
        (scope,) = initial_scopes(request)
        singles = per_account_scopes(request, scope)
        assert singles is not None
        assert [single.get("accounts") for single in singles] == [
            ("urn:li:sponsoredAccount:1",),
            ("urn:li:sponsoredAccount:2",),
            ("urn:li:sponsoredAccount:3",),
        ]

    @pytest.mark.parametrize(
        ("pivots", "accounts"),
        [("MEMBER_JOB_TITLE", [1, 2]), ("CREATIVE", [1]), ("CREATIVE", list(range(1, 40)))],
    )
    def test_not_when_rows_are_not_split_by_account_or_one_or_too_many(
        self, pivots: str, accounts: list[int]
    ) -> None:
        request = build(pivots=pivots, facets={"accounts": accounts})
        assert per_account_scopes(request, initial_scopes(request)[0]) is None


class TestMergeScopes:
    def test_scopes_split_from_one_facet_merge_back_in_order(self) -> None:
        request = build(pivots="CREATIVE", facets={"accounts": [1, 2, 3], "campaignGroups": [9]})
        singles = per_account_scopes(request, initial_scopes(request)[0])
        assert singles is not None
        merged = merge_scopes([singles[2], singles[0]])
        assert merged is not None
        assert merged.get("accounts") == (ACCOUNT.format(3), ACCOUNT.format(1))
        assert merged.get("campaignGroups") == ("urn:li:sponsoredCampaignGroup:9",)

    def test_scopes_differing_in_two_facets_or_none_do_not_merge(self) -> None:
        first = Scope((("accounts", ("a",)), ("campaigns", ("c",))))
        second = Scope((("accounts", ("b",)), ("campaigns", ("d",))))
        assert merge_scopes([first, second]) is None
        assert merge_scopes([first, first]) is None
        assert merge_scopes([first, Scope((("accounts", ("b",)),))]) is None
        assert merge_scopes([]) is None


class TestSharedTails:
    def test_two_partly_empty_last_windows_become_one_call(self) -> None:
        # 12 days of 1,000 rows each: alone, 2 windows per scope (10 + 2 days); the two 2-day tails
        # fit one call, so 1 + 1 + 1 = 3 windows instead of 4, cut as late as possible.
        assert share_tails([[1_000] * 12, [1_000] * 12], [0, 0], target=10_000) == [SharedTail((0, 1), 10)]

    def test_no_tail_when_it_saves_nothing(self) -> None:
        # Alone: 2 + 2 windows; any common cut needs at least 2 + 2 own windows before the tail.
        assert share_tails([[900] * 20, [800] * 20], [0, 0], target=10_000) == []
        assert share_tails([[1_000] * 10, [1_000] * 10], [0, 0], target=10_000) == []  # both exactly full

    def test_the_tail_never_exceeds_the_target(self) -> None:
        loads = [[(day * 13 + scope * 7) % 1_500 for day in range(60)] for scope in range(4)]
        tails = share_tails(loads, [0, 0, 0, 0], target=10_000)
        assert len(tails) == 2  # this world saves two windows: two pairs share their tails
        for tail in tails:
            assert sum(sum(loads[member][tail.start :]) for member in tail.members) <= 10_000

    def test_fewest_windows_over_every_grouping(self) -> None:
        loads = [[(day * 13 + scope * 7) % 1_500 for day in range(60)] for scope in range(4)]
        target = 10_000

        def windows(scope: int, stop: int) -> int:
            count, load = 0, 0
            for rows in loads[scope][:stop]:
                if count == 0 or load + rows > target:
                    count, load = count + 1, 0
                load += rows
            return count

        tails = share_tails(loads, [0, 0, 0, 0], target=target)
        stops = {member: tail.start for tail in tails for member in tail.members}
        chosen = len(tails) + sum(windows(scope, stops.get(scope, 60)) for scope in range(4))
        alone = sum(windows(scope, 60) for scope in range(4))
        assert chosen < alone
        # No single pair or triple with one common cut does better than the chosen plan.
        for size in (2, 3, 4):
            for group in itertools.combinations(range(4), size):
                for cut in range(1, 60):
                    if sum(sum(loads[m][cut:]) for m in group) > target:
                        continue
                    others = sum(windows(scope, 60) for scope in range(4) if scope not in group)
                    assert chosen <= 1 + others + sum(windows(m, cut) for m in group)

    def test_released_scopes_and_tail_limits_take_no_part(self) -> None:
        loads = [[1_000] * 12, [1_000] * 12, [1_000] * 12]
        # The third scope has released everything: only the first two can share.
        assert share_tails(loads, [0, 0, 12], target=10_000) == [SharedTail((0, 1), 10)]
        # Two days left in the first scope: both end in one call. One day left: a cut there saves nothing
        # (the second scope would still need 2 windows before it), and no cut may come before it.
        assert share_tails(loads[:2], [10, 0], target=10_000) == [SharedTail((0, 1), 10)]
        assert share_tails(loads[:2], [11, 0], target=10_000) == []
        assert share_tails([[1_000] * 12] * 9, [0] * 9, target=10_000) == []  # more than 8 free scopes
