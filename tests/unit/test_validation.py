from __future__ import annotations

import datetime as dt
import logging

import pytest

from airflow_provider_linkedin_ads.errors import ReportValidationError
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.validation import effective_date_range, validate_request

TODAY = dt.date(2026, 11, 28)
VERSION = "202609"


def build(**overrides: object) -> ReportRequest:
    arguments: dict[str, object] = {
        "finder": "analytics",
        "pivots": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": ("2026-10-01", "2026-10-31"),
        "facets": {"accounts": [508000000]},
        "metrics": ["impressions", "clicks"],
    }
    arguments.update(overrides)
    return ReportRequest.build(**arguments)  # type: ignore[arg-type]


REVENUE = {
    "finder": "attributedRevenueMetrics",
    "pivots": ["CAMPAIGN"],
    "time_granularity": None,
    "facets": {"account": [1]},
    "metrics": (),
    "date_range": ("2026-06-01", "2026-08-31"),
}


def revenue(**overrides: object) -> dict[str, object]:
    return {**REVENUE, **overrides}


RULES = [
    pytest.param(
        {"pivots": "CAMPAIGNS"}, "pivots", "unknown_pivot", "did you mean 'CAMPAIGN'", id="unknown-pivot"
    ),
    pytest.param(
        {"pivots": "MEMBER_COUNTRY"}, "pivots", "unknown_pivot", "MEMBER_COUNTRY_V2", id="removed-pivot"
    ),
    pytest.param(
        {"pivots": ["CAMPAIGN", "CREATIVE"]}, "pivots", "pivot_count", "exactly one", id="analytics-two"
    ),
    pytest.param({"pivots": []}, "pivots", "pivot_count", "got 0", id="no-pivot"),
    pytest.param(
        {"finder": "statistics", "pivots": ["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"]},
        "pivots",
        "pivot_count",
        "1 to 3",
        id="statistics-four",
    ),
    pytest.param(
        {"finder": "statistics", "pivots": ["CAMPAIGN", "CAMPAIGN"]},
        "pivots",
        "duplicate_pivot",
        "once",
        id="duplicate",
    ),
    pytest.param(
        {"finder": "statistics", "pivots": ["CAMPAIGN", "MEMBER_JOB_TITLE"]},
        "pivots",
        "demographic_pivot_on_statistics",
        "MEMBER_*",
        id="member-on-statistics",
    ),
    pytest.param(revenue(pivots=["CREATIVE"]), "pivots", "revenue_pivot", "CREATIVE", id="revenue-pivot"),
    pytest.param(
        {
            "pivots": "MEMBER_DESIGNATED_MARKET_AREA",
            "metrics": ["impressions"],
            "date_range": ("2026-10-01", "2026-10-02"),
        },
        "pivots",
        "pivot_needs_newer_version",
        "202609",
        id="pivot-version",
    ),
    pytest.param(
        {"time_granularity": None}, "time_granularity", "missing_granularity", "DAILY", id="no-granularity"
    ),
    pytest.param(
        revenue(time_granularity="DAILY"),
        "time_granularity",
        "granularity_not_allowed",
        "",
        id="revenue-granularity",
    ),
    pytest.param(
        {"facets": {"campaign_groups": [1]}},
        "campaign_groups",
        "unknown_facet",
        "campaignGroups",
        id="facet-name",
    ),
    pytest.param(
        {"facets": {"account": [1]}}, "account", "facet_not_allowed", "accounts", id="account-on-analytics"
    ),
    pytest.param(
        revenue(facets={"account": [1], "creatives": [2]}),
        "creatives",
        "facet_not_allowed",
        "",
        id="revenue-facet",
    ),
    pytest.param({"facets": {"accounts": []}}, "accounts", "empty_facet", "empty", id="empty-facet"),
    pytest.param({"facets": {}}, "facets", "missing_facet", "at least one", id="no-facet"),
    pytest.param(
        revenue(facets={"campaigns": [5]}),
        "account",
        "revenue_account",
        "exactly one",
        id="revenue-no-account",
    ),
    pytest.param(
        revenue(facets={"account": [1, 2]}), "account", "revenue_account", "got 2", id="revenue-two-accounts"
    ),
    pytest.param(
        revenue(campaign_type="TEXT_AD"), "campaign_type", "filter_not_allowed", "", id="revenue-filter"
    ),
    pytest.param(
        {"finder": "statistics", "objective_type": "VIDEO_VIEW"},
        "objective_type",
        "filter_not_allowed",
        "",
        id="objective",
    ),
    pytest.param(
        {"campaign_type": "TEXT_ADS"}, "campaign_type", "unknown_campaign_type", "TEXT_AD", id="campaign-type"
    ),
    pytest.param({"metrics": []}, "metrics", "no_metrics", "", id="no-metrics"),
    pytest.param(
        {"metrics": ["clicks", "clicks"]}, "metrics", "duplicate_metric", "clicks", id="duplicate-metric"
    ),
    pytest.param(
        {"metrics": ["approximateUniqueImpressions"]},
        "metrics",
        "legacy_name",
        "approximateMemberReach",
        id="legacy",
    ),
    pytest.param(
        {"metrics": ["conversions"]}, "metrics", "misnomer", "externalWebsiteConversions", id="misnomer"
    ),
    pytest.param(
        {"metrics": ["impresions"]}, "metrics", "unknown_metric", "did you mean 'impressions'", id="typo"
    ),
    pytest.param({"metrics": ["CostInUsd"]}, "metrics", "unknown_metric", "'costInUsd'", id="case"),
    pytest.param(revenue(metrics=["clicks"]), "metrics", "not_a_revenue_metric", "", id="metric-on-revenue"),
    pytest.param(
        {"metrics": ["revenueWonInUsd"]},
        "metrics",
        "revenue_metric",
        "attributedRevenueMetrics",
        id="revenue-on-analytics",
    ),
    pytest.param(
        {"pivots": "MEMBER_JOB_TITLE", "metrics": ["impressions", "cardClicks"]},
        "metrics",
        "non_demographic_metric",
        "cardClicks",
        id="non-demographic",
    ),
    pytest.param(
        {"pivots": "CREATIVE", "metrics": ["audiencePenetration"]},
        "metrics",
        "needs_entity_pivot",
        "CAMPAIGN",
        id="penetration-pivot",
    ),
    pytest.param(
        {
            "finder": "statistics",
            "pivots": ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
            "metrics": ["externalWebsiteConversions"],
        },
        "metrics",
        "device_pivot_metric",
        "IMPRESSION_DEVICE_TYPE",
        id="device",
    ),
    pytest.param(
        {"metrics": ["approximateMemberReach"], "date_range": ("2026-01-01", "2026-06-30")},
        "date_range",
        "range_too_long_for_metric",
        "92 days",
        id="reach-range",
    ),
    pytest.param(
        {
            "metrics": ["approximateMemberReach"],
            "time_granularity": "ALL",
            "date_range": ("2026-03-20", "2026-06-01"),
        },
        "date_range",
        "range_too_long_for_metric",
        "2026-03-01",
        id="reach-range-after-rounding",
    ),
    pytest.param(
        {"metrics": ["averageDwellTime"]}, "metrics", "metric_needs_newer_version", "202411", id="version"
    ),
    pytest.param(
        {"date_range": ("2016-11-27", "2016-12-31")},
        "date_range",
        "date_too_early",
        "10 years",
        id="performance-retention",
    ),
    pytest.param(
        {"pivots": "MEMBER_SENIORITY", "date_range": ("2024-11-27", "2024-12-31")},
        "date_range",
        "date_too_early",
        "2 years",
        id="demographic-retention",
    ),
    pytest.param(
        revenue(date_range=("2026-06-01", "2026-06-29")),
        "date_range",
        "revenue_range_length",
        "29",
        id="revenue-short",
    ),
    pytest.param(
        revenue(date_range=("2025-06-01", "2026-06-02")),
        "date_range",
        "revenue_range_length",
        "367",
        id="revenue-long",
    ),
    pytest.param(
        revenue(date_range=("2025-11-26", "2026-01-31")),
        "date_range",
        "revenue_range_start",
        "last year",
        id="revenue-old",
    ),
]


@pytest.mark.parametrize(("overrides", "argument", "rule", "hint"), RULES)
def test_every_rule_names_argument_and_rule(
    overrides: dict[str, object], argument: str, rule: str, hint: str
) -> None:
    version = "202410" if rule in ("metric_needs_newer_version",) else VERSION
    if rule == "pivot_needs_newer_version":
        version = "202608"
    request = build(**overrides)
    with pytest.raises(ReportValidationError) as caught:
        validate_request(request, api_version=version, today=TODAY)
    assert caught.value.rule == rule
    assert caught.value.argument == argument
    assert str(caught.value).startswith(f"{argument}: ")
    assert hint in str(caught.value)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="analytics"),
        pytest.param(
            {"finder": "statistics", "pivots": ["CAMPAIGN_GROUP", "CAMPAIGN", "IMPRESSION_DEVICE_TYPE"]},
            id="statistics",
        ),
        pytest.param(revenue(), id="revenue"),
        pytest.param(
            {
                "pivots": "CAMPAIGN",
                "metrics": ["audiencePenetration", "approximateMemberReach"],
                "time_granularity": "ALL",
            },
            id="reach-92-days",
        ),
        pytest.param(
            {"pivots": "MEMBER_JOB_TITLE", "date_range": ("2024-11-28", "2024-12-31")}, id="demographic-edge"
        ),
        pytest.param({"date_range": ("2016-11-28", "2016-12-31")}, id="performance-edge"),
        pytest.param(revenue(date_range=("2025-11-27", "2026-01-31")), id="revenue-edge"),
        pytest.param({"campaign_type": "SPONSORED_UPDATES", "objective_type": "VIDEO_VIEW"}, id="filters"),
    ],
)
def test_valid_requests_pass(overrides: dict[str, object]) -> None:
    validate_request(build(**overrides), api_version=VERSION, today=TODAY)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"pivots": "BRAND_NEW_PIVOT"}, id="pivot"),
        pytest.param({"metrics": ["brandNewMetric"]}, id="metric"),
        pytest.param({"metrics": ["reach"]}, id="misnomer-that-may-appear"),
        pytest.param({"campaign_type": "NEW_TYPE"}, id="campaign-type"),
    ],
)
def test_escape_hatch_lets_unknown_names_through(overrides: dict[str, object]) -> None:
    with pytest.raises(ReportValidationError):
        validate_request(build(**overrides), api_version=VERSION, today=TODAY)
    validate_request(build(**overrides, allow_unknown_names=True), api_version=VERSION, today=TODAY)


def test_escape_hatch_never_admits_removed_names() -> None:
    request = build(metrics=["approximateUniqueImpressions"], allow_unknown_names=True)
    with pytest.raises(ReportValidationError) as caught:
        validate_request(request, api_version=VERSION, today=TODAY)
    assert caught.value.rule == "legacy_name"


class TestWarnings:
    def test_plain_request_has_none(self) -> None:
        assert validate_request(build(), api_version=VERSION, today=TODAY) == []

    def test_all_granularity_outside_daily_window_is_rounded(self, caplog: pytest.LogCaptureFixture) -> None:
        request = build(time_granularity="ALL", date_range=("2026-01-15", "2026-07-15"))
        with caplog.at_level(logging.WARNING):
            warnings = validate_request(request, api_version=VERSION, today=TODAY)
        assert [warning.rule for warning in warnings] == ["all_rounded_to_months"]
        assert warnings[0].argument == "time_granularity"
        assert "2026-01-01..2026-07-31" in str(warnings[0])
        assert "2026-01-01..2026-07-31" in caplog.text

    def test_non_additive_metrics_with_finer_granularity(self) -> None:
        request = build(metrics=["impressions", "approximateMemberReach", "costPerQualifiedLead"])
        warnings = validate_request(request, api_version=VERSION, today=TODAY)
        assert [warning.rule for warning in warnings] == ["non_additive_metric"]
        assert "approximateMemberReach, costPerQualifiedLead" in str(warnings[0])

    @pytest.mark.parametrize(
        ("granularity", "date_range"),
        [
            pytest.param("DAILY", ("2026-10-01", "2026-10-01"), id="one-day"),
            pytest.param("MONTHLY", ("2026-10-01", "2026-10-31"), id="one-month"),
            pytest.param("YEARLY", ("2026-01-01", "2026-03-31"), id="one-year"),
            pytest.param("ALL", ("2026-09-01", "2026-10-31"), id="all"),
        ],
    )
    def test_one_bucket_is_not_warned(self, granularity: str, date_range: tuple[str, str]) -> None:
        request = build(
            metrics=["approximateMemberReach"], time_granularity=granularity, date_range=date_range
        )
        assert validate_request(request, api_version=VERSION, today=TODAY) == []

    @pytest.mark.parametrize(
        ("overrides", "today", "warned"),
        [
            pytest.param({"metrics": ["videoWatchTime"]}, dt.date(2026, 11, 2), True, id="video-48h"),
            pytest.param({"metrics": ["videoWatchTime"]}, dt.date(2026, 11, 3), False, id="video-settled"),
            pytest.param({"pivots": "MEMBER_SENIORITY"}, dt.date(2026, 11, 1), True, id="demographic-24h"),
            pytest.param(
                {"pivots": "MEMBER_SENIORITY"}, dt.date(2026, 11, 2), False, id="demographic-settled"
            ),
            pytest.param({}, dt.date(2026, 11, 1), False, id="performance"),
        ],
    )
    def test_delay_window(self, overrides: dict[str, object], today: dt.date, warned: bool) -> None:
        warnings = validate_request(build(**overrides), api_version=VERSION, today=today)
        assert [warning.rule for warning in warnings] == (["inside_delay_window"] if warned else [])


@pytest.mark.parametrize(
    ("granularity", "span", "expected"),
    [
        pytest.param(
            "DAILY", ("2026-01-15", "2026-02-15"), ("2026-01-15", "2026-02-15"), id="daily-untouched"
        ),
        pytest.param("ALL", ("2026-06-15", "2026-07-15"), ("2026-06-15", "2026-07-15"), id="inside-window"),
        pytest.param("ALL", ("2026-01-15", "2026-07-15"), ("2026-01-01", "2026-07-31"), id="rounded"),
        pytest.param(
            "ALL", ("2026-05-15", "2026-11-20"), ("2026-05-01", "2026-11-28"), id="end-clipped-to-today"
        ),
    ],
)
def test_effective_date_range(granularity: str, span: tuple[str, str], expected: tuple[str, str]) -> None:
    request = build(time_granularity=granularity, date_range=span)
    start, end = (dt.date.fromisoformat(day) for day in expected)
    assert effective_date_range(request, TODAY) == DateRange(start, end)
