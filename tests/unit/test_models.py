from __future__ import annotations

import datetime as dt
import json

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReportValidationError
from airflow_provider_linkedin_ads.metrics import REVENUE_METRICS
from airflow_provider_linkedin_ads.models import (
    FACET_URN_TYPES,
    DateRange,
    OpenDateRange,
    ReportRequest,
    add_months,
    month_end,
    normalize_urn,
)
from airflow_provider_linkedin_ads.results import (
    Column,
    ColumnKind,
    ReportSummary,
    TruncationEvent,
    report_columns,
)

D = dt.date


def build(**overrides: object) -> ReportRequest:
    arguments: dict[str, object] = {
        "finder": "analytics",
        "pivots": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": ("2026-01-01", "2026-01-31"),
        "facets": {"accounts": [508000000]},
        "metrics": ["impressions", "costInUsd"],
    }
    arguments.update(overrides)
    return ReportRequest.build(**arguments)  # type: ignore[arg-type]


class TestBuild:
    def test_normalises_loose_input(self) -> None:
        request = build(
            finder="STATISTICS",
            pivots=["campaign", Pivot.CREATIVE],
            time_granularity="monthly",
            facets={"campaigns": ["7", "urn:li:sponsoredCampaign:8", 7]},
            campaign_type="sponsored_updates",
        )
        assert request.finder is Finder.STATISTICS
        assert request.pivots == (Pivot.CAMPAIGN, Pivot.CREATIVE)
        assert all(isinstance(pivot, Pivot) for pivot in request.pivots)
        assert request.time_granularity is TimeGranularity.MONTHLY
        assert request.date_range == DateRange(D(2026, 1, 1), D(2026, 1, 31))
        assert dict(request.facets) == {
            "campaigns": ("urn:li:sponsoredCampaign:7", "urn:li:sponsoredCampaign:8")
        }
        assert request.campaign_type == "SPONSORED_UPDATES"
        assert request.pivot_columns == ("campaign", "creative")

    @pytest.mark.parametrize(
        "date_range",
        [
            pytest.param(DateRange(D(2026, 1, 1), D(2026, 1, 31)), id="date-range"),
            pytest.param((D(2026, 1, 1), D(2026, 1, 31)), id="dates"),
            pytest.param(["2026-01-01", " 2026-01-31 "], id="iso-strings"),
        ],
    )
    def test_accepts_date_range_forms(self, date_range: object) -> None:
        assert build(date_range=date_range).date_range == DateRange(D(2026, 1, 1), D(2026, 1, 31))

    def test_unknown_pivot_stays_a_string_for_validation(self) -> None:
        request = build(pivots="NEW_PIVOT")
        assert request.pivots == ("NEW_PIVOT",)
        assert not isinstance(request.pivots[0], Pivot)
        assert request.pivot_columns == ("new_pivot",)

    def test_metrics_accept_a_comma_list(self) -> None:
        assert build(metrics="impressions, clicks,").metrics == ("impressions", "clicks")

    def test_revenue_without_metrics_means_every_sub_field(self) -> None:
        request = build(
            finder="attributedRevenueMetrics",
            pivots=["CAMPAIGN"],
            time_granularity=None,
            metrics=(),
            facets={"account": 1},
        )
        assert request.metrics == tuple(REVENUE_METRICS)
        assert request.facets["account"] == ("urn:li:sponsoredAccount:1",)

    def test_demographic_flag(self) -> None:
        assert build(pivots="MEMBER_JOB_TITLE").is_demographic
        assert not build().is_demographic

    @pytest.mark.parametrize(
        ("overrides", "argument", "rule"),
        [
            pytest.param({"finder": "reports"}, "finder", "unknown_finder", id="finder"),
            pytest.param(
                {"time_granularity": "WEEKLY"}, "time_granularity", "unknown_granularity", id="granularity"
            ),
            pytest.param(
                {"date_range": ("2026-02-01", "2026-01-01")}, "date_range", "start_after_end", id="reversed"
            ),
            pytest.param(
                {"date_range": ("2026-02-30", "2026-03-01")}, "date_range", "invalid_type", id="bad-date"
            ),
            pytest.param({"date_range": "2026-01-01"}, "date_range", "invalid_type", id="not-a-pair"),
            pytest.param(
                {"date_range": (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), D(2026, 1, 2))},
                "date_range",
                "invalid_type",
                id="datetime",
            ),
            pytest.param(
                {"facets": {"accounts": ["urn:li:sponsoredCampaign:1"]}},
                "accounts",
                "invalid_urn",
                id="urn-type",
            ),
            pytest.param({"facets": {"campaigns": ["abc"]}}, "campaigns", "invalid_urn", id="text"),
            pytest.param({"pivots": [""]}, "pivots", "invalid_type", id="empty-pivot"),
            pytest.param({"metrics": ["impressions", 3]}, "metrics", "invalid_type", id="metric-type"),
            pytest.param({"campaign_type": "bad type"}, "campaign_type", "invalid_type", id="campaign-type"),
        ],
    )
    def test_shape_errors_name_the_argument(
        self, overrides: dict[str, object], argument: str, rule: str
    ) -> None:
        with pytest.raises(ReportValidationError) as caught:
            build(**overrides)
        assert caught.value.argument == argument
        assert caught.value.rule == rule
        assert argument in str(caught.value)

    def test_describe_is_short_and_token_free(self) -> None:
        assert (
            build().describe()
            == "q=analytics pivots=CAMPAIGN DAILY 2026-01-01..2026-01-31 2 metric(s) [accounts=1]"
        )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(D(2026, 11, 28), -6, D(2026, 5, 28), id="back"),
        pytest.param(D(2026, 8, 31), -6, D(2026, 2, 28), id="clamped"),
        pytest.param(D(2024, 2, 29), -12, D(2023, 2, 28), id="leap"),
        pytest.param(D(2026, 1, 15), -1, D(2025, 12, 15), id="year-boundary"),
        pytest.param(D(2025, 12, 31), 2, D(2026, 2, 28), id="forward"),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2026, 2, 3), D(2026, 2, 28), id="february"),
        pytest.param(D(2024, 2, 29), D(2024, 2, 29), id="leap"),
        pytest.param(D(2026, 12, 1), D(2026, 12, 31), id="december"),
    ],
)
def test_month_end(day: dt.date, expected: dt.date) -> None:
    assert month_end(day) == expected


class TestResults:
    def test_columns_follow_dates_pivots_then_metrics_in_request_order(self) -> None:
        request = build(
            finder="statistics",
            pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
            metrics=["costInUsd", "clicks", "newMetric"],
        )
        assert report_columns(request) == (
            Column("start_date", ColumnKind.DATE),
            Column("end_date", ColumnKind.DATE),
            Column("campaign", ColumnKind.STRING),
            Column("impression_device_type", ColumnKind.STRING),
            Column("costInUsd", ColumnKind.DECIMAL),
            Column("clicks", ColumnKind.LONG),
            Column("newMetric", ColumnKind.RAW),
        )

    def test_revenue_columns_are_the_flattened_sub_fields(self) -> None:
        request = build(
            finder="attributedRevenueMetrics",
            pivots="CAMPAIGN",
            time_granularity=None,
            facets={"account": 1},
            metrics=["revenueWonInUsd", "returnOnAdSpend", "closedWonOpportunities"],
        )
        kinds = {column.name: column.kind for column in report_columns(request)}
        assert kinds["revenueWonInUsd"] is ColumnKind.DECIMAL
        assert kinds["returnOnAdSpend"] is ColumnKind.DOUBLE
        assert kinds["closedWonOpportunities"] is ColumnKind.LONG

    def test_summary_is_plain_json(self) -> None:
        event = TruncationEvent(
            DateRange(D(2026, 1, 2), D(2026, 1, 2)), "accounts=urn:li:sponsoredAccount:1", 15000, ("clicks",)
        )
        summary = ReportSummary(
            rows_written=3,
            truncation_events=(event,),
            metric_values=60,
            date_range_covered=DateRange(D(2026, 1, 1), D(2026, 1, 31)),
            wall_time_seconds=1.23456,
            warnings=("w",),
        )
        data = json.loads(json.dumps(summary.to_dict()))
        assert data["rows_written"] == 3
        assert data["truncation_events"] == [
            {
                "start_date": "2026-01-02",
                "end_date": "2026-01-02",
                "entity": "accounts=urn:li:sponsoredAccount:1",
                "rows": 15000,
                "metrics": ["clicks"],
            }
        ]
        assert data["date_range_covered"] == {"start": "2026-01-01", "end": "2026-01-31"}
        assert data["wall_time_seconds"] == 1.235
        assert set(data) >= {
            "calls_made",
            "calls_retried",
            "tunnelled_calls",
            "windows_split",
            "metric_values",
            "budget_waits",
        }

    def test_empty_summary_has_no_range(self) -> None:
        assert ReportSummary().to_dict()["date_range_covered"] is None


def test_open_date_range_sends_only_start_and_resolves_to_a_closed_range():
    open_range = OpenDateRange(dt.date(2025, 1, 1))

    assert open_range.end is None
    assert open_range.to_restli() == {"start": {"year": 2025, "month": 1, "day": 1}}
    assert str(open_range) == "2025-01-01.."
    assert open_range.resolve(dt.date(2025, 1, 31)) == DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    with pytest.raises(ConfigurationError):
        open_range.resolve(dt.date(2024, 12, 31))
    with pytest.raises(ConfigurationError) as caught:
        OpenDateRange(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))  # type: ignore[arg-type]
    assert caught.value.argument == "date_range_start"


@pytest.mark.parametrize("facet", sorted(FACET_URN_TYPES))
@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda urn_type: 0, id="int-0"),
        pytest.param(lambda urn_type: "0", id="text-0"),
        pytest.param(lambda urn_type: "000", id="text-000"),
        pytest.param(lambda urn_type: -5, id="negative"),
        pytest.param(lambda urn_type: f"urn:li:{urn_type}:0", id="urn-0"),
    ],
)
def test_entity_ids_below_one_are_refused_naming_the_argument(facet: str, form: object) -> None:
    urn_type = FACET_URN_TYPES[facet]
    with pytest.raises(ConfigurationError) as caught:
        normalize_urn(form(urn_type), urn_type=urn_type, argument=facet)  # type: ignore[operator]
    assert caught.value.argument == facet
    assert facet in str(caught.value)


def test_account_0_fails_the_request_before_any_call() -> None:
    with pytest.raises(ReportValidationError) as caught:
        build(facets={"accounts": [508000000, 0]})
    assert caught.value.argument == "accounts"
    assert ">= 1" in str(caught.value)


@pytest.mark.parametrize("value", [1, "1", "urn:li:sponsoredAccount:1", "0001"])
def test_id_1_is_the_smallest_accepted(value: object) -> None:
    assert (
        normalize_urn(value, urn_type="sponsoredAccount", argument="accounts") == "urn:li:sponsoredAccount:1"
    )
