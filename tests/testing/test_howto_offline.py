from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.client import RetryPolicy
from airflow_provider_linkedin_ads.errors import ServerError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange

# In your conftest.py: opt in to the emulator fixtures (nothing loads them otherwise).
pytest_plugins = ["airflow_provider_linkedin_ads.testing.pytest_plugin"]


def report(hook: LinkedInAdsHook, account: int, pivot: str, day: dt.date) -> list[dict]:
    """Your task's code: here one adAnalytics call through the provider's hook."""
    return hook.analytics(
        pivot=pivot,
        time_granularity="DAILY",
        date_range=DateRange(day, day),
        accounts=[account],
        fields=["pivotValues", "impressions"],
    )


def test_report_offline(linkedin_ads_emulator, linkedin_ads_connection):
    emulator = linkedin_ads_emulator  # running on 127.0.0.1, reset for this test
    # linkedin_ads_connection is the id of an Airflow connection aimed at the emulator.
    hook = LinkedInAdsHook(linkedin_ads_connection, retry_policy=RetryPolicy(max_attempts=1))
    account = next(iter(emulator.world.accounts))
    day = dt.date(2026, 11, 27)

    # The clock is yours: 6 hours after the day ended, demographics have not arrived yet.
    emulator.clock.set(dt.datetime(2026, 11, 28, 6, tzinfo=dt.UTC))
    assert report(hook, account, "CAMPAIGN", day)
    assert report(hook, account, "MEMBER_SENIORITY", day) == []
    emulator.clock.advance(dt.timedelta(hours=24))
    assert report(hook, account, "MEMBER_SENIORITY", day)

    # Every request is logged (Authorization redacted) and counted; the token was fetched once.
    last = emulator.requests[-1]
    assert last.params["pivot"] == "MEMBER_SENIORITY"
    assert last.headers["authorization"] == "REDACTED"
    assert emulator.counters.calls == {"oauth/accessToken": 1, "adAnalytics": 3}

    # Script LinkedIn's failures: the next API call gets a 503, raised as the provider's ServerError.
    emulator.faults.script("503")
    with pytest.raises(ServerError) as failure:
        report(hook, account, "CAMPAIGN", day)
    assert failure.value.status == 503
    assert failure.value.code == "UNDER_MAINTENANCE"
    assert emulator.counters.faults["503"] == 1
