"""``LinkedInAdsHook`` calls against the bundled emulator on 127.0.0.1: finders, generic access, test_connection."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from airflow.providers.common.compat.sdk import mask_secret, redact

from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import BadRequestError
from airflow_provider_linkedin_ads.hooks import linkedin_ads as hook_module
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange, OpenDateRange
from airflow_provider_linkedin_ads.testing.query import ReportQuery

OCTOBER_START = DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 3))
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


def _account(emulator) -> int:
    # The emulator's default member sees every account but the last one.
    return min(emulator.world.accounts)


def _truth(emulator, **query) -> list[dict]:
    """The emulator's ground truth as the client reads it: fractions exact, as Decimal."""
    answer = emulator.world.answer(ReportQuery(**query), now=emulator.clock.now())
    return json.loads(json.dumps(answer), parse_float=Decimal)


def _analytics_queries(emulator) -> list[str]:
    return [record.query for record in emulator.requests if record.path.endswith("/adAnalytics")]


def test_init_sends_nothing(emulator_connection):
    hook = LinkedInAdsHook()
    _ = hook.client_config
    _ = hook.client
    assert emulator_connection.requests == []


def test_analytics_returns_the_report_rows(emulator_connection):
    account = _account(emulator_connection)
    fields = ["dateRange", "pivotValues", "impressions", "clicks", "costInLocalCurrency"]
    rows = LinkedInAdsHook().analytics(
        pivot=Pivot.CAMPAIGN,
        time_granularity=TimeGranularity.DAILY,
        date_range=OCTOBER_START,
        accounts=[account],
        fields=fields,
    )
    assert rows
    assert rows == _truth(
        emulator_connection,
        finder=Finder.ANALYTICS,
        pivots=(Pivot.CAMPAIGN,),
        granularity=TimeGranularity.DAILY,
        start=OCTOBER_START.start,
        end=OCTOBER_START.end,
        facets={"accounts": (f"urn:li:sponsoredAccount:{account}",)},
        fields=tuple(fields),
    )
    (query,) = _analytics_queries(emulator_connection)
    assert query == (
        "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
        "&dateRange=(start:(year:2026,month:10,day:1),end:(year:2026,month:10,day:3))"
        f"&accounts=List(urn%3Ali%3AsponsoredAccount%3A{account})"
        "&fields=dateRange,pivotValues,impressions,clicks,costInLocalCurrency"
    )


def test_statistics_returns_rows_with_one_pivot_value_per_pivot(emulator_connection):
    account = _account(emulator_connection)
    fields = ["dateRange", "pivotValues", "impressions", "costInUsd"]
    rows = LinkedInAdsHook().statistics(
        pivots=["CAMPAIGN_GROUP", "CAMPAIGN"],
        time_granularity="MONTHLY",
        date_range=OCTOBER_START,
        accounts=account,
        fields=fields,
    )
    assert rows
    assert all(len(row["pivotValues"]) == 2 for row in rows)
    assert rows == _truth(
        emulator_connection,
        finder=Finder.STATISTICS,
        pivots=(Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN),
        granularity=TimeGranularity.MONTHLY,
        start=OCTOBER_START.start,
        end=OCTOBER_START.end,
        facets={"accounts": (f"urn:li:sponsoredAccount:{account}",)},
        fields=tuple(fields),
    )
    (query,) = _analytics_queries(emulator_connection)
    assert query.startswith("q=statistics&pivots=List(CAMPAIGN_GROUP,CAMPAIGN)&timeGranularity=MONTHLY&")


def test_attributed_revenue_returns_the_revenue_rows(emulator_connection):
    account = _account(emulator_connection)
    window = DateRange(dt.date(2026, 6, 1), dt.date(2026, 9, 30))
    fields = ["dateRange", "pivotValues", "revenueAttributionMetrics"]
    rows = LinkedInAdsHook().attributed_revenue(
        pivots=[Pivot.CAMPAIGN], date_range=window, account=account, fields=fields
    )
    assert rows == _truth(
        emulator_connection,
        finder=Finder.ATTRIBUTED_REVENUE,
        pivots=(Pivot.CAMPAIGN,),
        granularity=None,
        start=window.start,
        end=window.end,
        facets={"account": (f"urn:li:sponsoredAccount:{account}",)},
        fields=tuple(fields),
    )
    (query,) = _analytics_queries(emulator_connection)
    assert "timeGranularity" not in query
    assert f"&account=List(urn%3Ali%3AsponsoredAccount%3A{account})&" in query


def test_open_ended_range_is_sent_without_end_and_runs_to_today(emulator_connection):
    account = _account(emulator_connection)
    today = emulator_connection.clock.today()
    fields = ["dateRange", "pivotValues", "impressions"]
    rows = LinkedInAdsHook().analytics(
        pivot=Pivot.CAMPAIGN,
        time_granularity=TimeGranularity.ALL,
        date_range=OpenDateRange(dt.date(2026, 10, 1)),
        accounts=[account],
        fields=fields,
    )
    (query,) = _analytics_queries(emulator_connection)
    assert "&dateRange=(start:(year:2026,month:10,day:1))&" in query
    assert rows
    assert rows == _truth(
        emulator_connection,
        finder=Finder.ANALYTICS,
        pivots=(Pivot.CAMPAIGN,),
        granularity=TimeGranularity.ALL,
        start=dt.date(2026, 10, 1),
        end=today,
        facets={"accounts": (f"urn:li:sponsoredAccount:{account}",)},
        fields=tuple(fields),
    )


def test_open_ended_revenue_range_returns_the_only_when_today_metrics(emulator_connection):
    account = _account(emulator_connection)
    today = emulator_connection.clock.today()
    start = today - dt.timedelta(days=59)
    fields = ["dateRange", "pivotValues", "revenueAttributionMetrics"]
    hook = LinkedInAdsHook()

    open_rows = hook.attributed_revenue(
        pivots=[Pivot.ACCOUNT], date_range=OpenDateRange(start), account=account, fields=fields
    )
    closed_rows = hook.attributed_revenue(
        pivots=[Pivot.ACCOUNT],
        date_range=DateRange(start, today - dt.timedelta(days=1)),
        account=account,
        fields=fields,
    )

    assert open_rows
    assert closed_rows
    assert all("openOpportunities" in row["revenueAttributionMetrics"] for row in open_rows)
    assert all("opportunityAmountInUsd" in row["revenueAttributionMetrics"] for row in open_rows)
    assert not any("openOpportunities" in row["revenueAttributionMetrics"] for row in closed_rows)
    assert open_rows[0]["dateRange"]["end"] == {"year": today.year, "month": today.month, "day": today.day}


def test_rejected_request_carries_the_hooks_summary(emulator_connection):
    # statistics does not accept MEMBER_* pivots: LinkedIn (and the emulator) answer 400.
    with pytest.raises(BadRequestError) as info:
        LinkedInAdsHook(retry_policy=ONE_ATTEMPT).statistics(
            pivots=["MEMBER_JOB_TITLE"],
            time_granularity="ALL",
            date_range=OCTOBER_START,
            accounts=[_account(emulator_connection)],
            campaigns=[1, 2],
        )
    summary = info.value.request_summary
    assert summary is not None
    assert summary.finder == "statistics"
    assert summary.pivots == ("MEMBER_JOB_TITLE",)
    assert dict(summary.facet_counts) == {"accounts": 1, "campaigns": 2}


def test_minted_access_token_is_masked(monkeypatch, emulator_connection):
    minted: list[tuple[str, str | None]] = []

    def recording_mask_secret(value, name=None):
        minted.append((value, name))
        mask_secret(value, name)

    monkeypatch.setattr(hook_module, "mask_secret", recording_mask_secret)
    hook = LinkedInAdsHook()
    hook.get("adAccounts", [("q", "search"), ("pageSize", 1)])
    configured = {hook.client_config.client_secret, hook.client_config.refresh_token}
    new_tokens = [value for value, _ in minted if value not in configured]
    assert new_tokens, "the token minted by the refresh grant was not registered"
    for token in new_tokens:
        assert token not in redact(f"Authorization: Bearer {token}")


def test_generic_get_and_finder_pass_through(emulator_connection):
    hook = LinkedInAdsHook()
    account = _account(emulator_connection)
    found = hook.finder("adAccounts", "search", [("pageSize", 1)])
    assert len(found["elements"]) == 1
    entity = hook.get(f"adAccounts/{account}")
    assert entity["id"] == account
    paths = [
        (record.path, record.query) for record in emulator_connection.requests if "/rest/" in record.path
    ]
    assert paths == [("/rest/adAccounts", "q=search&pageSize=1"), (f"/rest/adAccounts/{account}", "")]


def test_test_connection_succeeds_with_one_call(emulator_connection):
    ok, message = LinkedInAdsHook().test_connection()
    assert ok is True, message
    assert "LinkedIn-Version" in message
    api_calls = [
        (record.path, record.query) for record in emulator_connection.requests if "/rest/" in record.path
    ]
    assert api_calls == [("/rest/adAccounts", "q=search&pageSize=1")]


def test_test_connection_reports_refused_credentials(emulator, set_connection):
    wrong_secret = "canary-wrong-client-secret-0123"
    set_connection(
        login=emulator.config.client_id,
        password=wrong_secret,
        extra={
            "refresh_token": emulator.config.refresh_token,
            "api_base_url": emulator.api_base_url,
            "oauth_url": emulator.token_url,
        },
    )
    ok, message = LinkedInAdsHook(retry_policy=ONE_ATTEMPT).test_connection()
    assert ok is False
    assert message.startswith("Authentication failed")
    assert wrong_secret not in message


def test_test_connection_reports_a_revoked_access_token(emulator, set_connection):
    token = emulator.issue_access_token()
    emulator.revoke(token)
    set_connection(login=None, extra={"access_token": token, "api_base_url": emulator.api_base_url})
    ok, message = LinkedInAdsHook(retry_policy=ONE_ATTEMPT).test_connection()
    assert ok is False
    assert message.startswith("Authentication failed")
    assert token not in message


def test_test_connection_reports_a_sunset_version(emulator_connection):
    ok, message = LinkedInAdsHook(api_version="202401", retry_policy=ONE_ATTEMPT).test_connection()
    assert ok is False
    assert message.startswith("LinkedIn-Version not active")
