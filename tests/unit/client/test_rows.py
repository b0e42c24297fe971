from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from airflow_provider_linkedin_ads.client.planning import chunk_metrics
from airflow_provider_linkedin_ads.client.rows import ChunkJoin, parse_element, parse_metric, row_sort_key
from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.results import ColumnKind, report_columns

D = dt.date
C = "urn:li:sponsoredCampaign:{}"


def element(day: int, campaign: int, **metrics: Any) -> dict[str, Any]:
    record = {"year": 2026, "month": 1, "day": day}
    return {"dateRange": {"start": record, "end": record}, "pivotValues": [C.format(campaign)], **metrics}


def request_with(metrics: list[str], **overrides: object) -> ReportRequest:
    arguments: dict[str, object] = {
        "finder": "analytics",
        "pivots": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": ("2026-01-01", "2026-01-31"),
        "facets": {"accounts": [1]},
        "metrics": metrics,
    }
    arguments.update(overrides)
    return ReportRequest.build(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        pytest.param("19.91833", ColumnKind.DECIMAL, Decimal("19.91833"), id="decimal-string"),
        pytest.param(
            "107.5300000000000335346", ColumnKind.DECIMAL, Decimal("107.5300000000000335346"), id="all-digits"
        ),
        pytest.param("-0.50", ColumnKind.DECIMAL, Decimal("-0.50"), id="negative-credit"),
        pytest.param(19.91833, ColumnKind.DECIMAL, Decimal("19.91833"), id="decimal-as-number"),
        pytest.param(Decimal("1.10"), ColumnKind.DECIMAL, Decimal("1.10"), id="decimal-parsed-json"),
        pytest.param(7, ColumnKind.DECIMAL, Decimal(7), id="decimal-integer"),
        pytest.param(165, ColumnKind.LONG, 165, id="long"),
        pytest.param("165", ColumnKind.LONG, 165, id="long-as-string"),
        pytest.param(165.0, ColumnKind.LONG, 165, id="long-as-integral-number"),
        pytest.param(0.25, ColumnKind.DOUBLE, 0.25, id="double"),
        pytest.param(3, ColumnKind.DOUBLE, 3.0, id="double-integer"),
        pytest.param("0.75", ColumnKind.DOUBLE, 0.75, id="double-as-string"),
        pytest.param(None, ColumnKind.DECIMAL, None, id="absent"),
        pytest.param("1.5", ColumnKind.RAW, "1.5", id="raw-string"),
        pytest.param({"a": 1}, ColumnKind.RAW, '{"a":1}', id="raw-object"),
    ],
)
def test_parse_metric(value: object, kind: ColumnKind, expected: object) -> None:
    parsed = parse_metric(value, kind, "metric")
    assert parsed == expected
    assert type(parsed) is type(expected)
    if isinstance(expected, Decimal):
        assert str(parsed) == str(expected)  # every digit and the sign kept


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        pytest.param(1.5, ColumnKind.LONG, id="fraction-for-long"),
        pytest.param("abc", ColumnKind.DECIMAL, id="text"),
        pytest.param("NaN", ColumnKind.DECIMAL, id="nan"),
        pytest.param(True, ColumnKind.LONG, id="boolean"),
        pytest.param([1], ColumnKind.DOUBLE, id="list"),
    ],
)
def test_parse_metric_rejects_values_that_do_not_fit(value: object, kind: ColumnKind) -> None:
    with pytest.raises(RestliError, match="metric 'clicks'"):
        parse_metric(value, kind, "clicks")


def test_parse_element_reads_revenue_sub_fields() -> None:
    item = element(1, 5, revenueAttributionMetrics={"revenueWonInUsd": "1250.00", "returnOnAdSpend": 4.2})
    key, values = parse_element(
        item,
        [
            ("revenueWonInUsd", ColumnKind.DECIMAL),
            ("returnOnAdSpend", ColumnKind.DOUBLE),
            ("openOpportunities", ColumnKind.LONG),
        ],
        pivot_count=1,
        revenue=True,
    )
    assert key == (D(2026, 1, 1), D(2026, 1, 1), (C.format(5),))
    assert values == (Decimal("1250.00"), 4.2, None)


@pytest.mark.parametrize(
    "item",
    [
        pytest.param({"pivotValues": ["a", "b"]}, id="too-many-pivot-values"),
        pytest.param({"dateRange": {"start": {"year": 2026}}, "pivotValues": ["a"]}, id="bad-date"),
        pytest.param({}, id="no-pivot-values"),
    ],
)
def test_parse_element_rejects_malformed_keys(item: dict[str, Any]) -> None:
    with pytest.raises(RestliError):
        parse_element(item, [], pivot_count=1, revenue=False)


def test_missing_date_range_gives_none_dates() -> None:
    key, _ = parse_element({"pivotValues": ["x"]}, [], pivot_count=1, revenue=False)
    assert key == (None, None, ("x",))


class TestChunkJoin:
    def test_outer_join_by_key_zero_fills_rows_a_chunk_left_out(self) -> None:
        # LinkedIn leaves out rows whose requested metrics are all zero: costInUsd is 0 where the
        # second chunk's answer lacks the row; m0 (unknown type) cannot be zero-filled: absent.
        request = request_with([f"m{i}" for i in range(20)] + ["costInUsd"], allow_unknown_names=True)
        first, second = chunk_metrics(request)
        join = ChunkJoin(request)
        join.add(first, [element(1, 1, m0=1), element(1, 2, m0=2)])
        join.add(second, [element(1, 2, costInUsd="-1.50"), element(2, 3, costInUsd="2")])
        rows = list(join.rows())
        assert [(row["start_date"], row["campaign"]) for row in rows] == [
            (D(2026, 1, 1), C.format(1)),
            (D(2026, 1, 1), C.format(2)),
            (D(2026, 1, 2), C.format(3)),
        ]
        assert [row["m0"] for row in rows] == [1, 2, None]
        assert [row["costInUsd"] for row in rows] == [Decimal("0.0"), Decimal("-1.50"), Decimal("2")]
        assert str(rows[0]["costInUsd"]) == "0.0"  # LinkedIn's own zero BigDecimal

    def test_rows_missing_from_a_truncated_answer_stay_absent(self) -> None:
        request = request_with(
            ["impressions", *[f"m{i}" for i in range(17)], "clicks", "costInUsd"], allow_unknown_names=True
        )
        first, second = chunk_metrics(request)
        join = ChunkJoin(request)
        join.add(first, [element(1, 1, impressions=5), element(1, 2, impressions=7)])
        join.merge(second, join.parse(second, [element(1, 2, clicks=1)]), complete=False)
        rows = list(join.rows())
        assert [row["clicks"] for row in rows] == [None, 1]
        assert [row["impressions"] for row in rows] == [5, 7]
        columns = [column.name for column in report_columns(request)]
        assert all(list(row) == columns for row in rows)

    def test_result_does_not_depend_on_chunk_arrival_order(self) -> None:
        request = request_with(list(_metrics(25)))
        first, second = chunk_metrics(request)
        a = [element(3, 10, impressions=1), element(1, 9, impressions=2)]
        b = [element(1, 9, clicks=4), element(2, 1, clicks=5)]
        forward, backward = ChunkJoin(request), ChunkJoin(request)
        forward.add(first, a)
        forward.add(second, b)
        backward.add(second, b)
        backward.add(first, a)
        assert list(forward.rows()) == list(backward.rows())
        assert len(forward) == 3

    def test_rows_sort_numerically_by_urn_id(self) -> None:
        request = request_with(["impressions"])
        (chunk,) = chunk_metrics(request)
        join = ChunkJoin(request)
        join.add(
            chunk,
            [element(1, 10, impressions=1), element(1, 9, impressions=1), element(1, 100, impressions=1)],
        )
        assert [row["campaign"] for row in join.rows()] == [C.format(9), C.format(10), C.format(100)]

    def test_sort_key_orders_dates_first(self) -> None:
        keys = [
            (D(2026, 1, 2), D(2026, 1, 2), ("b",)),
            (D(2026, 1, 1), D(2026, 1, 1), ("z",)),
            (None, None, ("a",)),
        ]
        assert sorted(keys, key=row_sort_key) == [keys[2], keys[1], keys[0]]


def _metrics(count: int) -> list[str]:
    return ["impressions", "clicks", *[name for name in METRICS if name not in {"impressions", "clicks"}]][
        :count
    ]


# -- malformed answers: refused with the window and the chunk named, or counted as warnings ----------


def _window(start: str, end: str) -> Any:
    from airflow_provider_linkedin_ads.models import DateRange

    return DateRange(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def _span(
    start: tuple[int, int, int], end: tuple[int, int, int], campaign: int = 1, **metrics: Any
) -> dict[str, Any]:
    def record(day: tuple[int, int, int]) -> dict[str, int]:
        return {"year": day[0], "month": day[1], "day": day[2]}

    return {
        "dateRange": {"start": record(start), "end": record(end)},
        "pivotValues": [C.format(campaign)],
        **metrics,
    }


def _join(
    granularity: str = "DAILY", metrics: tuple[str, ...] = ("impressions", "clicks")
) -> tuple[ChunkJoin, Any]:
    request = request_with(list(metrics), time_granularity=granularity)
    return ChunkJoin(request), chunk_metrics(request)[0]


def test_element_without_date_range_is_refused_naming_window_and_chunk() -> None:
    join, chunk = _join()
    rows = [
        {"pivotValues": [C.format(1)], "impressions": 1},
        {"pivotValues": [C.format(1)], "impressions": 2},
    ]
    with pytest.raises(RestliError) as raised:
        join.parse(chunk, rows, window=_window("2026-01-01", "2026-01-07"))
    text = str(raised.value)
    assert text.startswith("adAnalytics answer for 2026-01-01..2026-01-07, chunk [impressions, clicks]: ")
    assert "no dateRange" in text


def test_conflicting_duplicates_are_refused_identical_ones_dropped_and_counted() -> None:
    join, chunk = _join()
    window = _window("2026-01-01", "2026-01-07")
    with pytest.raises(RestliError, match=r"two rows for 2026-01-02\.\.2026-01-02 .* different values"):
        join.parse(chunk, [element(2, 1, impressions=5), element(2, 1, impressions=6)], window=window)
    parsed = join.parse(chunk, [element(2, 1, impressions=5), element(2, 1, impressions=5)], window=window)
    assert len(parsed) == 1
    assert join.warnings() == ("1 identical duplicate row(s) in one answer (dropped)",)


def test_daily_row_outside_the_window_is_refused() -> None:
    join, chunk = _join()
    with pytest.raises(RestliError, match=r"dated 2026-01-09\.\.2026-01-09, outside the requested window"):
        join.parse(chunk, [element(9, 1, impressions=1)], window=_window("2026-01-01", "2026-01-07"))


@pytest.mark.parametrize(
    ("granularity", "start", "end"),
    [
        pytest.param("MONTHLY", (2026, 1, 1), (2026, 1, 31), id="monthly-bucket-not-clipped"),
        pytest.param("YEARLY", (2026, 1, 1), (2026, 12, 31), id="yearly-bucket-not-clipped"),
        pytest.param("ALL", (2026, 1, 1), (2026, 1, 31), id="all-rounded-to-months"),
    ],
)
def test_documented_widening_is_kept_and_counted(
    granularity: str, start: tuple[int, int, int], end: tuple[int, int, int]
) -> None:
    join, chunk = _join(granularity)
    parsed = join.parse(chunk, [_span(start, end, impressions=3)], window=_window("2026-01-10", "2026-01-20"))
    assert [values for _, values in parsed] == [(3, None)]
    assert join.warnings() == (
        "1 row(s) dated beyond the requested window (LinkedIn's month/year rounding; kept)",
    )


def test_widening_beyond_the_documented_rounding_is_refused() -> None:
    join, chunk = _join("MONTHLY")
    with pytest.raises(RestliError, match="outside the requested window"):
        join.parse(chunk, [_span((2026, 2, 1), (2026, 2, 28))], window=_window("2026-01-10", "2026-01-20"))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"a": 1}, id="object"),
        pytest.param(["urn:li:sponsoredCampaign:1"], id="list"),
        pytest.param(123, id="number"),
        pytest.param(None, id="null"),
    ],
)
def test_pivot_value_that_is_not_a_string_is_refused(value: object) -> None:
    join, chunk = _join()
    row = {**element(2, 1, impressions=1), "pivotValues": [value]}
    with pytest.raises(RestliError, match="not a string"):
        join.parse(chunk, [row], window=_window("2026-01-01", "2026-01-07"))


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_double_is_refused_naming_metric_chunk_and_window(text: str) -> None:
    import json as json_module

    from airflow_provider_linkedin_ads.client.responses import decode_json

    join, chunk = _join(metrics=("impressions", "averageVideoWatchTime"))
    body = json_module.dumps({"elements": [element(2, 1, impressions=1)]})
    body = body.replace('"impressions": 1', f'"impressions": 1, "averageVideoWatchTime": {text}')
    answer = decode_json(body.encode(), 200)  # Python's json accepts NaN and Infinity
    with pytest.raises(RestliError) as raised:
        join.parse(chunk, answer["elements"], window=_window("2026-01-01", "2026-01-07"))
    message = str(raised.value)
    assert "2026-01-01..2026-01-07" in message
    assert "chunk [impressions, averageVideoWatchTime]" in message
    assert "'averageVideoWatchTime'" in message


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        pytest.param(Decimal("1e400"), ColumnKind.LONG, id="long-1e400"),
        pytest.param(10**400, ColumnKind.LONG, id="long-401-digits"),
        pytest.param(2**63, ColumnKind.LONG, id="long-just-past-64-bits"),
        pytest.param(Decimal("1e400"), ColumnKind.DOUBLE, id="double-overflow"),
        pytest.param(float("nan"), ColumnKind.RAW, id="raw-nan"),
    ],
)
def test_out_of_range_numbers_are_refused(value: object, kind: ColumnKind) -> None:
    with pytest.raises(RestliError, match="'m'"):
        parse_metric(value, kind, "m")


def test_64_bit_bounds_are_accepted() -> None:
    assert parse_metric(2**63 - 1, ColumnKind.LONG, "m") == 2**63 - 1
    assert parse_metric(str(-(2**63)), ColumnKind.LONG, "m") == -(2**63)
