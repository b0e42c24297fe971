from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest

# In your conftest.py: opt in to the emulator fixtures (nothing loads them otherwise).
pytest_plugins = ["airflow_provider_linkedin_ads.testing.pytest_plugin"]


def report(account: int, pivot: str, day: dt.date) -> list[dict]:
    """Stand-in for your task: read the Airflow connection, refresh the token, call adAnalytics."""
    conn = json.loads(os.environ["AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT"])
    extra = conn["extra"]
    form = {"grant_type": "refresh_token", "refresh_token": extra["refresh_token"]}
    form |= {"client_id": conn["login"], "client_secret": conn["password"]}
    with urllib.request.urlopen(extra["token_url"], urllib.parse.urlencode(form).encode()) as response:
        token = json.load(response)["access_token"]
    date = f"(year:{day.year},month:{day.month},day:{day.day})"
    query = (
        f"q=analytics&pivot={pivot}&timeGranularity=DAILY&dateRange=(start:{date},end:{date})"
        f"&accounts=List(urn%3Ali%3AsponsoredAccount%3A{account})&fields=pivotValues,impressions"
    )
    headers = {"Authorization": f"Bearer {token}", "LinkedIn-Version": extra["api_version"]}
    headers["X-Restli-Protocol-Version"] = "2.0.0"
    request = urllib.request.Request(f"{extra['api_base_url']}/adAnalytics?{query}", headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.load(response)["elements"]


def test_report_offline(linkedin_ads_emulator, linkedin_ads_connection):
    emulator = linkedin_ads_emulator  # running on 127.0.0.1, reset for this test
    account = next(iter(emulator.world.accounts))
    day = dt.date(2026, 11, 27)

    # The clock is yours: 6 hours after the day ended, demographics have not arrived yet.
    emulator.clock.set(dt.datetime(2026, 11, 28, 6, tzinfo=dt.UTC))
    assert report(account, "CAMPAIGN", day)
    assert report(account, "MEMBER_SENIORITY", day) == []
    emulator.clock.advance(dt.timedelta(hours=24))
    assert report(account, "MEMBER_SENIORITY", day)

    # Every request is logged (Authorization redacted) and counted.
    last = emulator.requests[-1]
    assert last.params["pivot"] == "MEMBER_SENIORITY"
    assert last.headers["authorization"] == "REDACTED"
    assert emulator.counters.calls == {"oauth/accessToken": 3, "adAnalytics": 3}

    # Script LinkedIn's failures: the next API call gets a 503.
    emulator.faults.script("503")
    with pytest.raises(urllib.error.HTTPError) as failure:
        report(account, "CAMPAIGN", day)
    failure.value.close()
    assert failure.value.code == 503
    assert emulator.counters.faults["503"] == 1
