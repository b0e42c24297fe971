"""A three-pivot MONTHLY ``q=statistics`` report whose data call hits LinkedIn's real 15,000-row cap.

LinkedIn cuts an ``adAnalytics`` answer at 15,000 rows without notice. Here one account's creatives
give more than 15,000 (creative, device, placement) rows in a single month bucket, so the first data
call comes back cut at exactly 15,000 (not a probe: a one-month MONTHLY window has nothing to
probe). The engine cannot split a single month bucket by date, nor a one-account facet list, so it
discovers the account's campaign groups and splits the call by them; the rows must equal the
world's untruncated answer. The emulator runs at its default cap (``EmulatorConfig.max_elements``).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
from airflow_provider_linkedin_ads.client.planning import FieldChunk
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import DEFAULT_MEMBER, EmulatorServer, World
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.state import DEFAULT_MAX_ELEMENTS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from airflow_provider_linkedin_ads.results import ReportRow

DAY = dt.date(2026, 10, 31)
PIVOTS = ["CREATIVE", "IMPRESSION_DEVICE_TYPE", "PLACEMENT_NAME"]
METRICS = ["impressions", "clicks", "costInLocalCurrency"]


def _world() -> World:
    shape: dict[str, Any] = {"seed": 3, "accounts": 1, "campaigns_per_account": 1000, "history_days": 120}
    account = list(World(**shape).accounts)
    return World(**shape, members={DEFAULT_MEMBER: account})


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=_world()) as server:  # the real cap: 15,000 rows
        yield server


def _request(server: EmulatorServer) -> ReportRequest:
    (account,) = server.world.accounts
    return ReportRequest.build(
        finder="statistics",
        pivots=PIVOTS,
        time_granularity="MONTHLY",
        date_range=(DAY, DAY),
        facets={"accounts": [f"urn:li:sponsoredAccount:{account}"]},
        metrics=METRICS,
    )


def _truth(server: EmulatorServer, request: ReportRequest) -> list[ReportRow]:
    fields = ("dateRange", "pivotValues", *request.metrics)
    query = ReportQuery(
        finder=Finder.STATISTICS,
        pivots=tuple(Pivot(pivot) for pivot in request.pivots),
        granularity=TimeGranularity.MONTHLY,
        start=request.date_range.start,
        end=request.date_range.end,
        facets={name: tuple(values) for name, values in request.facets.items()},
        fields=fields,
    )
    join = ChunkJoin(request)
    join.add(FieldChunk(0, request.metrics, fields), server.world.answer(query, now=server.clock.now()))
    return list(join.rows())


def _replay(server: EmulatorServer, query: str) -> list[Any]:
    request = urllib.request.Request(
        f"{server.api_base_url}/adAnalytics",
        data=query.encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {server.issue_access_token()}",
            "LinkedIn-Version": "202609",
            "X-Restli-Protocol-Version": "2.0.0",
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=120) as response:
        return list(json.loads(response.read())["elements"])


def test_statistics_data_call_cut_at_15000_rows_is_split_and_complete(emulator: EmulatorServer) -> None:
    request = _request(emulator)
    truth = _truth(emulator, request)
    assert len(truth) > DEFAULT_MAX_ELEMENTS, "one month bucket holds more rows than LinkedIn returns"
    config = ClientConfig(
        client_id="emulator-client",
        client_secret="emulator-secret",
        refresh_token="emulator-refresh-token",
        api_base_url=emulator.api_base_url,
        token_url=emulator.token_url,
        api_version="202609",
    )

    with LinkedInAdsClient(
        config, sleep=lambda _: None, clock=lambda: emulator.clock.now().timestamp()
    ) as client:
        run = ReportEngine(client, today=emulator.clock.today).run(request)
        rows = list(run)
    summary = run.summary

    assert rows == truth
    assert summary.truncation_events == ()
    calls = [record.query for record in emulator.requests if record.path.endswith("/adAnalytics")]
    first_data_call = next(query for query in calls if "impressions" in unquote(query))
    assert "q=statistics" in first_data_call
    assert "timeGranularity=MONTHLY" in first_data_call
    assert (
        f"accounts=List(urn%3Ali%3AsponsoredAccount%3A{next(iter(emulator.world.accounts))})"
        in first_data_call
    )
    # sent again, the whole-account data call answers exactly 15,000 rows: LinkedIn's silent cut
    assert len(_replay(emulator, first_data_call)) == DEFAULT_MAX_ELEMENTS
    # its replacements are scoped to the account's discovered campaign groups
    assert any("campaignGroups=List(" in query for query in calls if "impressions" in unquote(query))
    assert summary.calls_made == len(calls)
