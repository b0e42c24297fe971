"""LinkedIn-Version values: format, sunset table, warnings and gates."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.versions import (
    KNOWN_SUNSETS,
    ApiVersion,
    check_version,
    is_at_least,
    parse_version,
    sunset_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("202603", ApiVersion(2026, 3, 0), id="yyyymm"),
        pytest.param("202603.01", ApiVersion(2026, 3, 1), id="revision"),
        pytest.param("202212", ApiVersion(2022, 12, 0), id="december"),
    ],
)
def test_parse_version(text: str, expected: ApiVersion) -> None:
    assert parse_version(text) == expected
    assert parse_version(text).release_month == text[:6]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("2026-03", id="dash"),
        pytest.param("20260301", id="yyyymmdd"),
        pytest.param("202613", id="month-13"),
        pytest.param("202600", id="month-0"),
        pytest.param("202603.1", id="short-revision"),
        pytest.param(" 202603", id="leading-space"),
        pytest.param("latest", id="alias"),
        pytest.param(202603, id="int"),
    ],
)
def test_malformed_versions_name_the_argument(text: object) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_version(text)  # type: ignore[arg-type]
    assert raised.value.argument == "api_version"
    assert "YYYYMM" in str(raised.value)


def test_known_sunsets_match_the_reference_table() -> None:
    assert KNOWN_SUNSETS["202407"] == dt.date(2025, 7, 22)
    assert KNOWN_SUNSETS["202603"] == dt.date(2027, 3, 16)
    assert len(KNOWN_SUNSETS) == 11
    assert sunset_date("202511.02") == dt.date(2026, 11, 16)
    assert sunset_date("202604") is None


@pytest.mark.parametrize(
    ("version", "today", "expected"),
    [
        pytest.param("202603", dt.date(2026, 3, 10), None, id="known-far-from-sunset"),
        pytest.param("202603", dt.date(2027, 1, 14), None, id="known-61-days-before"),
        pytest.param(
            "202603", dt.date(2027, 1, 15), "is sunset on 2027-03-16 (in 60 days)", id="known-60-days-before"
        ),
        pytest.param(
            "202603", dt.date(2027, 3, 16), "is sunset on 2027-03-16 (in 0 days)", id="known-sunset-day"
        ),
        pytest.param("202407", dt.date(2026, 3, 10), "was sunset on 2025-07-22", id="known-past-sunset"),
        pytest.param("202604", dt.date(2027, 2, 28), None, id="unknown-10-months-quiet"),
        pytest.param("202604", dt.date(2027, 3, 1), "is 11 months old", id="unknown-11-months-warns"),
        pytest.param("202209.01", dt.date(2026, 3, 10), "is 42 months old", id="unknown-ancient-revision"),
        pytest.param("203001", dt.date(2026, 3, 10), "lies in the future", id="future"),
        pytest.param("202604", dt.date(2026, 4, 30), None, id="unknown-this-month"),
    ],
)
def test_check_version(version: str, today: dt.date, expected: str | None) -> None:
    warnings = check_version(version, today)
    if expected is None:
        assert warnings == []
    else:
        assert len(warnings) == 1
        assert expected in warnings[0]
        assert version in warnings[0]


@pytest.mark.parametrize(
    ("version", "gate", "expected"),
    [
        pytest.param("202609", "202609", True, id="equal"),
        pytest.param("202610", "202609", True, id="newer"),
        pytest.param("202608", "202609", False, id="older"),
        pytest.param("202609.01", "202609", True, id="revision-after-gate"),
        pytest.param("202609", "202609.01", False, id="gate-is-a-revision"),
        pytest.param("202701", "202612", True, id="year-boundary"),
    ],
)
def test_is_at_least(version: str, gate: str, expected: bool) -> None:
    assert is_at_least(version, gate) is expected


def test_is_at_least_names_a_bad_gate() -> None:
    with pytest.raises(ConfigurationError) as raised:
        is_at_least("202603", "2026")
    assert raised.value.argument == "gate"
