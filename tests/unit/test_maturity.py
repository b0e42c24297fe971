"""When is a report final: the documented delays combined, as a table."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.maturity import (
    DEFAULT_SETTLE_MARGIN,
    applicable_delay,
    is_mature,
    maturity_moment,
)
from airflow_provider_linkedin_ads.metrics import DEMOGRAPHIC_DELAY_HOURS, METRICS

END = dt.date(2026, 11, 27)
DAY_END = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("pivots", "metrics", "expected_delay"),
    [
        pytest.param(["CAMPAIGN"], ["impressions", "clicks"], DEFAULT_SETTLE_MARGIN, id="performance-only"),
        pytest.param([Pivot.ACCOUNT], ["costInUsd"], DEFAULT_SETTLE_MARGIN, id="enum-pivot-performance"),
        pytest.param(["MEMBER_JOB_TITLE"], ["impressions"], 24 * H, id="demographic-pivot"),
        pytest.param([Pivot.MEMBER_COUNTRY_V2], ["clicks"], 24 * H, id="demographic-enum-pivot"),
        pytest.param(["CAMPAIGN", "MEMBER_SENIORITY"], ["clicks"], 24 * H, id="one-of-three-demographic"),
        pytest.param(["CAMPAIGN"], ["videoWatchTime"], 48 * H, id="video-watch-time"),
        pytest.param(["CREATIVE"], ["averageVideoWatchTime"], 48 * H, id="average-video-watch-time"),
        pytest.param(["MEMBER_INDUSTRY"], ["videoWatchTime", "clicks"], 48 * H, id="video-beats-demographic"),
        pytest.param(["CAMPAIGN"], ["videoViews"], DEFAULT_SETTLE_MARGIN, id="video-views-not-delayed"),
        pytest.param(["CAMPAIGN"], ["noSuchMetric"], DEFAULT_SETTLE_MARGIN, id="unknown-metric-no-delay"),
        pytest.param(["CAMPAIGN"], [], DEFAULT_SETTLE_MARGIN, id="no-metrics"),
    ],
)
def test_maturity_moment_table(pivots, metrics, expected_delay):
    assert applicable_delay(pivots, metrics) == expected_delay
    assert maturity_moment(pivots, metrics, END) == DAY_END + expected_delay


@pytest.mark.parametrize(
    ("pivots", "metrics", "settle_margin", "extra_delay", "expected"),
    [
        pytest.param(["CAMPAIGN"], ["clicks"], dt.timedelta(0), dt.timedelta(0), DAY_END, id="zero-margin"),
        pytest.param(["CAMPAIGN"], ["clicks"], 30 * dt.timedelta(minutes=1), H, DAY_END + 90 * dt.timedelta(minutes=1), id="margin-plus-extra"),
        pytest.param(["MEMBER_COMPANY"], ["clicks"], 5 * H, dt.timedelta(0), DAY_END + 24 * H, id="margin-ignored-when-documented"),
        pytest.param(["MEMBER_COMPANY"], ["clicks"], 5 * H, 6 * H, DAY_END + 30 * H, id="extra-adds-to-documented"),
        pytest.param(["CAMPAIGN"], ["videoWatchTime"], 0 * H, 3 * H, DAY_END + 51 * H, id="extra-adds-to-video"),
    ],
)  # fmt: skip
def test_settle_margin_and_extra_delay(pivots, metrics, settle_margin, extra_delay, expected):
    moment = maturity_moment(pivots, metrics, END, settle_margin=settle_margin, extra_delay=extra_delay)
    assert moment == expected


def test_moment_is_aware_utc():
    moment = maturity_moment(["CAMPAIGN"], ["clicks"], END)
    assert moment.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("name", sorted(n for n, m in METRICS.items() if m.delay_hours), ids=str)
def test_every_catalogue_delay_is_applied(name):
    # The delay table lives in the catalogue: whatever it says, the moment follows.
    expected = max(METRICS[name].delay_hours, DEMOGRAPHIC_DELAY_HOURS)
    assert maturity_moment(["MEMBER_INDUSTRY"], [name], END) == DAY_END + expected * H


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        pytest.param({"settle_margin": -dt.timedelta(seconds=1)}, "settle_margin", id="negative-margin"),
        pytest.param({"extra_delay": -dt.timedelta(seconds=1)}, "extra_delay", id="negative-extra"),
    ],
)
def test_negative_delays_are_rejected(kwargs, argument):
    with pytest.raises(ConfigurationError) as info:
        maturity_moment(["CAMPAIGN"], ["clicks"], END, **kwargs)
    assert info.value.argument == argument


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(DAY_END - dt.timedelta(microseconds=1), False, id="just-before"),
        pytest.param(DAY_END, True, id="exactly-at"),
        pytest.param(DAY_END + H, True, id="after"),
        pytest.param(dt.datetime(2026, 11, 28, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))), False, id="non-utc-before"),
    ],
)  # fmt: skip
def test_is_mature(now, expected):
    assert is_mature(DAY_END, now) is expected


def test_is_mature_rejects_naive_now():
    with pytest.raises(ConfigurationError) as info:
        is_mature(DAY_END, dt.datetime(2026, 11, 29))  # noqa: DTZ001 -- the naive value is the point
    assert info.value.argument == "now"
