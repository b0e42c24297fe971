"""The long-wait decisions: when the quota resets, the resume trigger, the failure message, handed-over waits."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_linkedin_ads.errors import DailyQuotaExceededError, DataThrottleError, WaitDeferredError
from airflow_provider_linkedin_ads.operators._quota import (
    DEFAULT_DEFER_WAITS_LONGER_THAN,
    QUOTA_RESUME_MARGIN,
    defer_waits_longer_than,
    deferral,
    quota_failure,
    quota_resets_at,
    resume_trigger,
)
from airflow_provider_linkedin_ads.version_compat import datetime_trigger_class

UTC = dt.UTC
MINUS5 = dt.timezone(dt.timedelta(hours=-5))


def quota_error(resets_at: dt.datetime | None) -> DailyQuotaExceededError:
    return DailyQuotaExceededError("APPLICATION DAY limit reached", status=429, resets_at=resets_at)


@pytest.mark.parametrize(
    ("resets_at", "now", "expected"),
    [
        pytest.param(dt.datetime(2026, 11, 29, tzinfo=UTC), dt.datetime(2026, 11, 28, 9, tzinfo=UTC), dt.datetime(2026, 11, 29, tzinfo=UTC), id="from-the-error"),
        pytest.param(None, dt.datetime(2026, 11, 28, 23, 59, tzinfo=UTC), dt.datetime(2026, 11, 29, tzinfo=UTC), id="next-utc-midnight"),
        pytest.param(None, dt.datetime(2026, 11, 28, 21, tzinfo=MINUS5), dt.datetime(2026, 11, 30, tzinfo=UTC), id="local-evening-is-next-utc-day"),
    ],
)  # fmt: skip
def test_quota_resets_at(resets_at, now, expected):
    assert quota_resets_at(quota_error(resets_at), now) == expected


def test_resume_trigger_fires_shortly_after_the_reset():
    resets_at = dt.datetime(2026, 11, 29, tzinfo=UTC)
    trigger = resume_trigger(resets_at)
    assert isinstance(trigger, datetime_trigger_class())
    assert trigger.moment == resets_at + QUOTA_RESUME_MARGIN == dt.datetime(2026, 11, 29, 0, 5, tzinfo=UTC)
    classpath, kwargs = trigger.serialize()
    assert classpath.endswith(".DateTimeTrigger")
    assert kwargs["moment"] == dt.datetime(2026, 11, 29, 0, 5, tzinfo=UTC)


def test_quota_failure_says_when_to_run_again():
    failure = quota_failure(dt.datetime(2026, 11, 29, tzinfo=UTC))
    assert isinstance(failure, AirflowFailException)  # no retry before the reset
    assert "it resets at 2026-11-29T00:00:00+00:00 (00:00 UTC)" in str(failure)
    assert "deferrable=True" in str(failure)


# --- the generalised path: any wait the client hands over -----------------------------------------


def _wait_error(resume_at: dt.datetime) -> WaitDeferredError:
    cause = DataThrottleError("More than 45 million metric values", status=429)
    return WaitDeferredError("wait", resume_at=resume_at, wait=330.0, cause=cause)


def test_a_handed_over_wait_resumes_exactly_at_its_absolute_moment():
    resume_at = dt.datetime(2026, 11, 28, 9, 5, 30, tzinfo=UTC)
    trigger, reason = deferral(
        _wait_error(resume_at), dt.datetime(2026, 11, 28, 9, tzinfo=UTC), deferrable=True
    )
    assert isinstance(trigger, datetime_trigger_class())
    assert trigger.moment == resume_at  # no margin: the client already added what LinkedIn asked for
    assert "DataThrottleError" in reason
    assert "330 s" in reason


def test_the_daily_quota_takes_the_same_path():
    now = dt.datetime(2026, 11, 28, 23, tzinfo=UTC)
    trigger, reason = deferral(quota_error(None), now, deferrable=True)
    assert trigger.moment == dt.datetime(2026, 11, 29, 0, 5, tzinfo=UTC)
    assert "daily API quota" in reason
    with pytest.raises(AirflowFailException):
        deferral(quota_error(None), now, deferrable=False)


def test_a_non_deferrable_task_never_defers_a_handed_over_wait():
    err = _wait_error(dt.datetime(2026, 11, 28, 9, 5, tzinfo=UTC))
    with pytest.raises(WaitDeferredError) as caught:
        deferral(err, dt.datetime(2026, 11, 28, 9, tzinfo=UTC), deferrable=False)
    assert caught.value is err


def test_only_deferrable_tasks_hand_waits_over(monkeypatch: pytest.MonkeyPatch):
    assert defer_waits_longer_than(False) is None
    assert defer_waits_longer_than(True) == DEFAULT_DEFER_WAITS_LONGER_THAN == 60.0
    monkeypatch.setenv("AIRFLOW__LINKEDIN_ADS__DEFER_WAITS_LONGER_THAN", "5")
    assert defer_waits_longer_than(True) == 5.0
    assert defer_waits_longer_than(False) is None
