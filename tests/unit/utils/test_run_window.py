"""resolve_date_range: the operators' and the sensor's date-range resolution, as pure tables.

The context is a plain mapping, exactly the keys Airflow puts there, so no database is needed.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.utils.run_window import parse_day, resolve_date_range

UTC = dt.UTC
PLUS2 = dt.timezone(dt.timedelta(hours=2))
MINUS5 = dt.timezone(dt.timedelta(hours=-5))
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


def rng(start: str, end: str) -> DateRange:
    return DateRange(d(start), d(end))


def interval(start: dt.datetime, end: dt.datetime, logical: dt.datetime | None = None) -> dict[str, object]:
    return {"data_interval_start": start, "data_interval_end": end, "logical_date": logical or start}


def manual_run(run_after: dt.datetime) -> dict[str, object]:
    # Airflow 3 manual run without a logical date: no logical_date/data_interval_* keys at all.
    return {"dag_run": SimpleNamespace(run_after=run_after)}


@pytest.mark.parametrize(
    ("context", "kwargs", "expected"),
    [
        pytest.param({}, {"date_range_start": "2026-01-01", "date_range_end": "2026-01-31"}, rng("2026-01-01", "2026-01-31"), id="explicit-iso-strings"),
        pytest.param({}, {"date_range_start": d("2026-02-01"), "date_range_end": d("2026-02-01")}, rng("2026-02-01", "2026-02-01"), id="explicit-dates-one-day"),
        pytest.param({}, {"date_range_start": " 2026-01-05 ", "date_range_end": "2026-01-06"}, rng("2026-01-05", "2026-01-06"), id="explicit-whitespace"),
        pytest.param({}, {"date_range_start": at("2026-03-01T01:00:00", PLUS2), "date_range_end": at("2026-03-01T20:00:00", MINUS5)}, rng("2026-02-28", "2026-03-02"), id="explicit-aware-objects-to-utc"),
        pytest.param({}, {"date_range_start": "2026-03-09", "date_range_end": "2026-03-10"}, rng("2026-03-09", "2026-03-10"), id="explicit-today-kept-as-given"),
        pytest.param(interval(at("2026-01-01"), at("2026-01-02")), {"date_range_start": "2026-02-01", "date_range_end": "2026-02-03"}, rng("2026-02-01", "2026-02-03"), id="explicit-beats-interval"),
        pytest.param({}, {"date_range_end": "2026-02-14"}, rng("2026-02-14", "2026-02-14"), id="end-only-is-one-day"),
        pytest.param({}, {"date_range_start": "2026-03-01"}, rng("2026-03-01", "2026-03-09"), id="start-only-until-yesterday"),
        pytest.param({}, {"date_range_start": "2026-03-09"}, rng("2026-03-09", "2026-03-09"), id="start-only-yesterday"),
        pytest.param({}, {"date_range_start": "None", "date_range_end": "2026-02-14"}, rng("2026-02-14", "2026-02-14"), id="rendered-none-start-ignored"),
        pytest.param(interval(at("2026-02-28"), at("2026-03-01")), {}, rng("2026-02-28", "2026-02-28"), id="daily-interval-one-day"),
        pytest.param(interval(at("2026-02-23"), at("2026-03-02")), {}, rng("2026-02-23", "2026-03-01"), id="weekly-interval"),
        pytest.param(interval(at("2026-02-01"), at("2026-02-28T12:00:00")), {}, rng("2026-02-01", "2026-02-28"), id="interval-ending-mid-day"),
        pytest.param(interval(at("2026-03-01T00:00:00", PLUS2), at("2026-03-02T00:00:00", PLUS2)), {}, rng("2026-02-28", "2026-03-01"), id="non-utc-interval-converted"),
        pytest.param(interval(at("2026-02-28T19:00:00", MINUS5), at("2026-03-01T19:00:00", MINUS5)), {}, rng("2026-03-01", "2026-03-01"), id="negative-offset-interval"),
        pytest.param(interval(at("2026-03-01"), at("2026-03-01")), {}, rng("2026-02-28", "2026-02-28"), id="zero-width-day-before-logical"),
        pytest.param(interval(at("2026-03-01T06:00:00"), at("2026-03-01T06:00:00")), {}, rng("2026-02-28", "2026-02-28"), id="zero-width-hourly"),
        pytest.param(interval(at("2026-03-01T01:00:00", PLUS2), at("2026-03-01T01:00:00", PLUS2)), {}, rng("2026-02-27", "2026-02-27"), id="zero-width-non-utc"),
        pytest.param(manual_run(at("2026-03-05T08:00:00")), {}, rng("2026-03-04", "2026-03-04"), id="no-logical-date-run-after"),
        pytest.param({**manual_run(at("2026-03-05T08:00:00")), "logical_date": None}, {}, rng("2026-03-04", "2026-03-04"), id="logical-date-none-run-after"),
        pytest.param(interval(at("2026-02-28"), at("2026-03-01")), {"lookback_days": 7}, rng("2026-02-21", "2026-02-28"), id="lookback-on-interval"),
        pytest.param({}, {"date_range_end": "2026-02-14", "lookback_days": 2}, rng("2026-02-12", "2026-02-14"), id="lookback-on-explicit"),
        pytest.param(manual_run(at("2026-03-05")), {"lookback_days": 0}, rng("2026-03-04", "2026-03-04"), id="lookback-zero"),
        pytest.param(interval(at("2026-03-08"), at("2026-03-11")), {}, rng("2026-03-08", "2026-03-09"), id="today-trimmed-from-interval"),
        pytest.param(interval(at("2026-03-09"), at("2026-03-10")), {}, rng("2026-03-09", "2026-03-09"), id="yesterday-complete"),
    ],
)  # fmt: skip
def test_resolve_date_range(context, kwargs, expected):
    assert resolve_date_range(context, now=NOW, **kwargs) == expected


@pytest.mark.parametrize(
    ("context", "kwargs", "argument"),
    [
        pytest.param({}, {"date_range_start": "2026-02-02", "date_range_end": "2026-02-01"}, "date_range_end", id="start-after-end"),
        pytest.param({}, {"date_range_start": "2026-03-10"}, "date_range_end", id="start-only-today"),
        pytest.param({}, {"date_range_start": "01/02/2026"}, "date_range_start", id="not-iso-start"),
        pytest.param({}, {"date_range_end": "2026-13-01"}, "date_range_end", id="bad-month-end"),
        pytest.param({}, {"date_range_end": 20260101}, "date_range_end", id="int-end"),
        pytest.param({}, {"date_range_end": "2026-01-01", "lookback_days": -1}, "lookback_days", id="negative-lookback"),
        pytest.param({}, {"date_range_end": "2026-01-01", "lookback_days": True}, "lookback_days", id="bool-lookback"),
        pytest.param({}, {"date_range_end": "2026-01-01", "lookback_days": 1.5}, "lookback_days", id="float-lookback"),
        pytest.param({}, {}, "date_range_start", id="nothing-to-resolve-from"),
        pytest.param({"dag_run": SimpleNamespace(run_after=None)}, {}, "date_range_start", id="run-after-none"),
        pytest.param(interval(at("2026-03-10"), at("2026-03-11")), {}, "date_range_end", id="interval-is-today"),
        pytest.param(manual_run(at("2026-03-11T02:00:00")), {}, "date_range_end", id="run-after-tomorrow"),
    ],
)  # fmt: skip
def test_resolve_date_range_errors_name_the_argument(context, kwargs, argument):
    with pytest.raises(ConfigurationError) as info:
        resolve_date_range(context, now=NOW, **kwargs)
    assert info.value.argument == argument
    assert argument in str(info.value)


def test_default_now_is_the_wall_clock():
    # Without an injected now, "yesterday" is relative to the real UTC day.
    resolved = resolve_date_range({}, date_range_start="2020-01-01")
    assert resolved.end == dt.datetime.now(tz=UTC).date() - dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param("", None, id="empty"),
        pytest.param("2026-01-31", d("2026-01-31"), id="iso-date"),
        pytest.param(" 2026-01-31 ", d("2026-01-31"), id="iso-date-with-spaces"),
        pytest.param(d("2026-01-31"), d("2026-01-31"), id="date"),
        pytest.param(at("2026-01-31T23:30:00", MINUS5), d("2026-02-01"), id="aware-datetime-to-utc-date"),
        pytest.param(
            dt.datetime.fromisoformat("2026-01-31T23:30:00"), d("2026-01-31"), id="naive-datetime-is-utc"
        ),
    ],
)
def test_parse_day(value, expected):
    assert parse_day(value, argument="date_range_start") == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2026-11-01T23:30:00+05:00", id="aware-datetime-string"),
        pytest.param("2026-11-01T23:30:00", id="naive-datetime-string"),
        pytest.param("2026-11-01 00:00:00", id="space-separated-datetime-string"),
        pytest.param("20261101", id="basic-format"),
        pytest.param("2026-W45-1", id="week-date"),
        pytest.param("2026-305", id="ordinal-date"),
        pytest.param("2026-02-30", id="no-such-day"),
        pytest.param("２０２６-１１-０１", id="non-ascii-digits"),
        pytest.param(20261101, id="int"),
    ],
)
def test_parse_day_refuses_everything_but_plain_iso_days(value):
    with pytest.raises(ConfigurationError) as info:
        parse_day(value, argument="date_range_end")
    assert info.value.argument == "date_range_end"
    assert "date_range_end" in str(info.value)
    assert "YYYY-MM-DD" in str(info.value)
