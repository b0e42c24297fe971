"""LinkedInAdsMetricsMaturitySensor without a database or network: arguments, deferral, poking.

Time is injected through the sensor module's ``utcnow`` seam; Airflow's own poke-loop sleep is
replaced so nothing really waits.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from airflow.providers.common.compat.sdk import (
    AirflowSensorTimeout,
    AirflowSkipException,
    PokeReturnValue,
    TaskDeferred,
)

from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.sensors import ad_analytics as sensor_module
from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor
from airflow_provider_linkedin_ads.triggers.ad_analytics import LinkedInAdsMetricsMaturityTrigger
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if AIRFLOW_V_3_0_PLUS:
    from airflow.sdk.exceptions import AirflowRescheduleException, TaskDeferralError
else:
    from airflow.exceptions import AirflowRescheduleException, TaskDeferralError

DAY_END = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)  # end of 2026-11-27, the report's last day
DEMOGRAPHIC_MOMENT = DAY_END + dt.timedelta(hours=24)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(DAY_END + dt.timedelta(hours=6))
    monkeypatch.setattr(sensor_module, "utcnow", fake)
    return fake


def make(**overrides) -> LinkedInAdsMetricsMaturitySensor:
    kwargs = {
        "task_id": "wait_for_demographics",
        "pivots": ["MEMBER_JOB_TITLE"],
        "metrics": ["impressions", "clicks"],
        "date_range_end": "2026-11-27",
        "deferrable": True,
        **overrides,
    }
    return LinkedInAdsMetricsMaturitySensor(**kwargs)


def summary(moment: dt.datetime, *, confirmed: bool = False) -> dict[str, object]:
    return {
        "moment": moment.isoformat(),
        "date_range_start": "2026-11-27",
        "date_range_end": "2026-11-27",
        "confirmed_with_api": confirmed,
    }


# -- construction ----------------------------------------------------------------------------------


def test_template_fields():
    assert LinkedInAdsMetricsMaturitySensor.template_fields == (
        "date_range_start",
        "date_range_end",
        "pivots",
        "metrics",
        "accounts",
        "campaign_groups",
        "campaigns",
        "creatives",
        "shares",
        "companies",
        "linkedin_ads_conn_id",
    )


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        pytest.param({"lookback_days": -1}, "lookback_days", id="negative-lookback"),
        pytest.param({"lookback_days": True}, "lookback_days", id="bool-lookback"),
        pytest.param({"lookback_days": "3"}, "lookback_days", id="string-lookback"),
        pytest.param({"extra_delay": -1}, "extra_delay", id="negative-extra-seconds"),
        pytest.param({"extra_delay": "1h"}, "extra_delay", id="string-extra"),
        pytest.param({"settle_margin": dt.timedelta(minutes=-1)}, "settle_margin", id="negative-margin"),
        pytest.param({"settle_margin": True}, "settle_margin", id="bool-margin"),
        pytest.param({"confirm_with_api": "yes"}, "confirm_with_api", id="string-confirm"),
        pytest.param({"deferrable": "true"}, "deferrable", id="string-deferrable"),
    ],
)
def test_non_templated_arguments_fail_at_parse_time(overrides, argument):
    with pytest.raises(ConfigurationError) as info:
        make(**overrides)
    assert info.value.argument == argument


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(90, dt.timedelta(seconds=90), id="int-seconds"),
        pytest.param(1.5, dt.timedelta(seconds=1.5), id="float-seconds"),
        pytest.param(dt.timedelta(hours=3), dt.timedelta(hours=3), id="timedelta"),
    ],
)
def test_delays_accept_seconds_or_timedelta(value, expected):
    sensor = make(extra_delay=value, settle_margin=value)
    assert sensor.extra_delay == expected
    assert sensor.settle_margin == expected


def test_construction_reads_no_connection():
    # A connection that does not exist: building the sensor must not look it up.
    sensor = make(confirm_with_api=True, linkedin_ads_conn_id="does_not_exist", accounts=[1])
    assert "hook" not in vars(sensor)


def test_templated_arguments_are_kept_verbatim():
    sensor = make(pivots="{{ params.pivot }}", metrics="{{ params.metrics }}", accounts="{{ params.acct }}")
    assert (sensor.pivots, sensor.metrics, sensor.accounts) == (
        "{{ params.pivot }}",
        "{{ params.metrics }}",
        "{{ params.acct }}",
    )


# -- rendered-argument validation in execute ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        pytest.param({"pivots": ["MEMBER_SHOE_SIZE"]}, "pivots", id="unknown-pivot"),
        pytest.param({"pivots": []}, "pivots", id="no-pivot"),
        pytest.param({"pivots": ["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"]}, "pivots", id="four-pivots"),
        pytest.param({"pivots": [1]}, "pivots", id="non-string-pivot"),
        pytest.param({"metrics": ["impresions"]}, "metrics", id="unknown-metric"),
        pytest.param({"metrics": []}, "metrics", id="no-metric"),
        pytest.param({"metrics": None}, "metrics", id="none-metrics"),
        pytest.param({"accounts": ["abc"]}, "accounts", id="bad-account"),
        pytest.param({"campaigns": ["urn:li:sponsoredAccount:1"]}, "campaigns", id="wrong-urn-type"),
        pytest.param({"confirm_with_api": True}, "accounts", id="confirm-needs-a-facet"),
        pytest.param({"date_range_end": "27.11.2026"}, "date_range_end", id="bad-end"),
        pytest.param({"date_range_start": "2026-11-28"}, "date_range_end", id="start-after-end"),
    ],
)
def test_rendered_arguments_are_validated_in_execute(clock, overrides, argument):
    sensor = make(**overrides)
    with pytest.raises(ConfigurationError) as info:
        sensor.execute({})
    assert info.value.argument == argument


# -- deferrable ------------------------------------------------------------------------------------


def test_defers_until_the_moment(clock):
    sensor = make(timeout=dt.timedelta(days=3), poke_interval=300, api_version="202608")
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    deferred = info.value
    assert isinstance(deferred.trigger, LinkedInAdsMetricsMaturityTrigger)
    assert deferred.method_name == "execute_complete"
    assert deferred.timeout == dt.timedelta(days=3)
    classpath, kwargs = deferred.trigger.serialize()
    assert (
        classpath == "airflow_provider_linkedin_ads.triggers.ad_analytics.LinkedInAdsMetricsMaturityTrigger"
    )
    assert kwargs == {
        "moment": DEMOGRAPHIC_MOMENT.isoformat(),
        "pivots": ["MEMBER_JOB_TITLE"],
        "metrics": ["impressions", "clicks"],
        "date_range_start": "2026-11-27",
        "date_range_end": "2026-11-27",
        "facets": {},
        "linkedin_ads_conn_id": "linkedin_ads_default",
        "api_version": "202608",
        "poke_interval": 300.0,
        "confirm_with_api": False,
        "timeout_at": (clock.now + dt.timedelta(days=3)).isoformat(),
    }


@pytest.mark.parametrize(
    ("overrides", "moment"),
    [
        pytest.param({"metrics": ["videoWatchTime"]}, DAY_END + dt.timedelta(hours=48), id="video-48h"),
        pytest.param(
            {"pivots": ["CAMPAIGN"], "settle_margin": 3600}, DAY_END + dt.timedelta(hours=1), id="margin"
        ),
        pytest.param(
            {"extra_delay": dt.timedelta(hours=2)}, DEMOGRAPHIC_MOMENT + dt.timedelta(hours=2), id="extra"
        ),
        pytest.param(
            {"pivots": "MEMBER_SENIORITY", "metrics": "clicks"}, DEMOGRAPHIC_MOMENT, id="single-strings"
        ),
    ],
)
def test_deferred_moment_follows_the_request(clock, overrides, moment):
    clock.now = DAY_END  # before every moment in the table
    with pytest.raises(TaskDeferred) as info:
        make(**overrides).execute({})
    assert info.value.trigger.moment == moment


def test_mature_data_succeeds_without_deferring(clock):
    clock.now = DEMOGRAPHIC_MOMENT
    assert make().execute({}) == summary(DEMOGRAPHIC_MOMENT)


def test_range_comes_from_the_run_like_the_operators(clock):
    # A daily data interval [2026-11-27, 2026-11-28) is the single day 2026-11-27.
    context = {
        "data_interval_start": dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        "data_interval_end": DAY_END,
        "logical_date": dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
    }
    clock.now = DEMOGRAPHIC_MOMENT
    assert make(date_range_end=None).execute(context) == summary(DEMOGRAPHIC_MOMENT)


def test_confirm_with_api_defers_even_when_mature(clock):
    clock.now = DEMOGRAPHIC_MOMENT + dt.timedelta(days=1)
    sensor = make(confirm_with_api=True, accounts=[508000000, "urn:li:sponsoredAccount:7"], campaigns="42")
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    _, kwargs = info.value.trigger.serialize()
    assert kwargs["confirm_with_api"] is True
    assert kwargs["facets"] == {
        "accounts": ["urn:li:sponsoredAccount:508000000", "urn:li:sponsoredAccount:7"],
        "campaigns": ["urn:li:sponsoredCampaign:42"],
    }


EVENT = {
    "moment": DEMOGRAPHIC_MOMENT.isoformat(),
    "date_range_start": "2026-11-27",
    "date_range_end": "2026-11-27",
}


def test_execute_complete_success_returns_the_summary():
    event = {**EVENT, "status": "success", "message": "matured"}
    assert make().execute_complete({}, event) == summary(DEMOGRAPHIC_MOMENT)


@pytest.mark.parametrize(
    ("event", "error"),
    [
        pytest.param({**EVENT, "status": "error", "message": "boom"}, LinkedInAdsError, id="error"),
        pytest.param({**EVENT, "status": "timeout", "message": "late"}, AirflowSensorTimeout, id="timeout"),
        pytest.param({**EVENT, "status": "weird", "message": "?"}, LinkedInAdsError, id="unknown-status"),
        pytest.param(None, LinkedInAdsError, id="no-event"),
        pytest.param({"message": "no status"}, LinkedInAdsError, id="no-status"),
    ],
)
def test_execute_complete_raises_on_anything_but_success(event, error):
    with pytest.raises(error):
        make().execute_complete({}, event)


@pytest.mark.parametrize(
    ("next_method", "next_kwargs"),
    [
        pytest.param("execute_complete", {"event": {**EVENT, "status": "timeout", "message": "late"}}, id="trigger-timeout-event"),
        pytest.param("__fail__", {"error": "Trigger timeout" if AIRFLOW_V_3_0_PLUS else "Trigger/execution timeout"}, id="deferral-timeout"),
    ],
)  # fmt: skip
def test_soft_fail_turns_a_timeout_into_a_skip(next_method, next_kwargs):
    with pytest.raises(AirflowSkipException):
        make(soft_fail=True).resume_execution(next_method, next_kwargs, {})


def test_timeout_without_soft_fail_fails():
    event = {**EVENT, "status": "timeout", "message": "late"}
    with pytest.raises(AirflowSensorTimeout):
        make().resume_execution("execute_complete", {"event": event}, {})


def test_deferral_timeout_without_soft_fail_fails():
    expected = AirflowSensorTimeout if AIRFLOW_V_3_0_PLUS else TaskDeferralError
    error = "Trigger timeout" if AIRFLOW_V_3_0_PLUS else "Trigger/execution timeout"
    with pytest.raises(expected):
        make().resume_execution("__fail__", {"error": error}, {})


# -- non-deferrable --------------------------------------------------------------------------------


@pytest.fixture
def poke_sleeps(monkeypatch, clock):
    """Replace the poke loop's sleep: record it and move the sensor's clock instead."""
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += dt.timedelta(seconds=seconds)

    monkeypatch.setattr(time, "sleep", fake_sleep)
    return sleeps


def test_poke_reports_maturity(clock):
    sensor = make(deferrable=False)
    assert sensor.poke({}) is False
    clock.now = DEMOGRAPHIC_MOMENT
    result = sensor.poke({})
    assert isinstance(result, PokeReturnValue)
    assert result.is_done
    assert result.xcom_value == summary(DEMOGRAPHIC_MOMENT)


def test_poke_mode_waits_until_mature(poke_sleeps, clock):
    sensor = make(deferrable=False, mode="poke", poke_interval=3600)
    assert sensor.execute({}) == summary(DEMOGRAPHIC_MOMENT)
    assert poke_sleeps == [3600.0] * 18  # 06:00 the next day -> 00:00 the day after
    assert clock.now == DEMOGRAPHIC_MOMENT


def test_exponential_backoff_is_honoured(poke_sleeps, clock):
    sensor = make(deferrable=False, mode="poke", poke_interval=60, exponential_backoff=True)
    sensor.execute({})
    assert len(poke_sleeps) >= 3
    assert poke_sleeps[-1] > poke_sleeps[0]


@pytest.mark.parametrize(
    ("soft_fail", "error"),
    [
        pytest.param(False, AirflowSensorTimeout, id="fails"),
        pytest.param(True, AirflowSkipException, id="soft-fail-skips"),
    ],
)
def test_poke_mode_timeout(poke_sleeps, soft_fail, error):
    sensor = make(deferrable=False, mode="poke", timeout=0, soft_fail=soft_fail)
    with pytest.raises(error):
        sensor.execute({})
    assert poke_sleeps == []


class _RescheduleTI:
    """The two task-instance attributes the reschedule path reads (no database)."""

    max_tries = 0
    dag_id, task_id, run_id, map_index = "dag", "wait_for_demographics", "run", -1

    def get_first_reschedule_date(self, context):
        return None


def test_reschedule_mode_releases_the_slot_until_the_next_poke(monkeypatch, clock):
    if not AIRFLOW_V_3_0_PLUS:
        import airflow.sensors.base as base_sensor  # noqa: TID251 -- the 2.11 internal being stubbed

        monkeypatch.setattr(base_sensor, "_orig_start_date", lambda **_: None)
    sensor = make(deferrable=False, mode="reschedule", poke_interval=600)
    with pytest.raises(AirflowRescheduleException):
        sensor.execute({"ti": _RescheduleTI()})
    clock.now = DEMOGRAPHIC_MOMENT
    assert sensor.execute({"ti": _RescheduleTI()}) == summary(DEMOGRAPHIC_MOMENT)


def test_pivot_is_shorthand_for_one_pivot_as_the_analytics_operator_takes_it():
    # Copying pivot="MEMBER_JOB_TITLE" from an analytics task must work, not raise a TypeError.
    sensor = make(pivots=None, pivot="MEMBER_JOB_TITLE")
    assert sensor.pivots == ["MEMBER_JOB_TITLE"]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"pivots": ["CAMPAIGN"], "pivot": "CAMPAIGN"}, id="both"),
        pytest.param({"pivots": None}, id="neither"),
    ],
)
def test_pivot_and_pivots_are_one_or_the_other(overrides):
    with pytest.raises(ConfigurationError) as info:
        make(**overrides)
    assert info.value.argument == "pivots"
