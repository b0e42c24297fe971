"""The daily-quota decisions: when the quota resets, the resume trigger, the failure message."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_linkedin_ads.errors import DailyQuotaExceededError
from airflow_provider_linkedin_ads.operators._quota import (
    QUOTA_RESUME_MARGIN,
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
