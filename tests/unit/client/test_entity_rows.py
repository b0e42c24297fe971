"""Dimension tables at the client level (``client/entity_rows.py``) against the emulator on 127.0.0.1.

The emulator splits every listing into small pages (``page_size``); each table must equal the
ground truth of ``testing/entity_truth.py``, over at least three pages per type, in both paging
styles. Misbehaving servers are scripted (``ScriptedServer``): every broken page is a typed error
and no row comes back.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.entity_rows import entity_rows, parse_modified_since
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.entity_tables import EntityType, entity_columns
from airflow_provider_linkedin_ads.errors import ConfigurationError, EntityPageError
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.entity_truth import (
    SMALL_PAGE_SIZE,
    expected_accounts,
    expected_entity_rows,
    paging_world,
)
from airflow_provider_linkedin_ads.testing.headers import latest_version
from tests.unit.client.conftest import Reply, ScriptedServer, make_config

if TYPE_CHECKING:
    from collections.abc import Iterator

# 5 ACTIVE visible accounts with 3 campaign groups, 11 campaigns and 11 creatives each. At 2 elements
# per page: ad accounts 3 pages, campaign groups 2 pages per account, campaigns and creatives 6.
WORLD = paging_world()
PAGE = SMALL_PAGE_SIZE
MEMBER = "urn:li:person:emulator"
TYPES = [item.value for item in EntityType]


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(WORLD, page_size=PAGE) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    emulator_server.reset()
    yield emulator_server
    emulator_server.check()


def _client(emulator: EmulatorServer, version: str | None = None) -> LinkedInAdsClient:
    config = ClientConfig(
        access_token=emulator.issue_access_token(member=MEMBER),
        api_version=version or latest_version(emulator.clock.today()),
        api_base_url=emulator.api_base_url,
        token_url=emulator.token_url,
        retry=RetryPolicy(max_attempts=1),
    )
    return LinkedInAdsClient(config)


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[LinkedInAdsClient]:
    with _client(emulator) as api:
        yield api


def entity_calls(emulator: EmulatorServer) -> list[Any]:
    return [record for record in emulator.requests if "/rest/adAccounts" in record.path]


def pages_per_listing(emulator: EmulatorServer, kind: EntityType) -> int:
    suffix = {
        EntityType.AD_ACCOUNTS: "/rest/adAccounts",
        EntityType.CAMPAIGN_GROUPS: "/adCampaignGroups",
        EntityType.CAMPAIGNS: "/adCampaigns",
        EntityType.CREATIVES: "/creatives",
    }[kind]
    return sum(1 for record in entity_calls(emulator) if record.path.endswith(suffix))


# -- ground truth, every page ------------------------------------------------------------------------


def test_the_world_needs_several_pages_per_type() -> None:
    active = expected_accounts(WORLD, member=MEMBER)
    assert len(active) >= 3  # ad accounts alone: at least 2 pages of 2
    for kind in TYPES:
        assert len(expected_entity_rows(WORLD, kind, member=MEMBER)) > 2 * PAGE, kind


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("paging", ["cursor", "offset"])
def test_each_table_equals_the_ground_truth_over_several_pages(
    emulator: EmulatorServer, client: LinkedInAdsClient, kind: str, paging: str
) -> None:
    columns, rows = entity_rows(client, kind, None, page_size=10, paging=paging)

    landed = list(rows)
    assert columns == entity_columns(kind)
    assert landed == expected_entity_rows(WORLD, kind, member=MEMBER)
    assert all(list(row) == [column.name for column in columns] for row in landed)
    assert pages_per_listing(emulator, EntityType(kind)) >= 3
    if paging == "offset":
        assert all("pageToken" not in record.query for record in entity_calls(emulator))
        assert any("start=2" in record.query for record in entity_calls(emulator))


def test_explicit_accounts_are_listed_one_by_one_in_account_order(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    first, second = expected_accounts(WORLD, member=MEMBER)[:2]

    _, rows = entity_rows(client, "campaigns", [f"urn:li:sponsoredAccount:{second}", first])

    assert list(rows) == expected_entity_rows(WORLD, "campaigns", [first, second])
    listed = [record.path for record in entity_calls(emulator)]
    assert not any(path.endswith("/rest/adAccounts") for path in listed)  # no discovery call
    assert listed.index(f"/rest/adAccounts/{first}/adCampaigns") < listed.index(
        f"/rest/adAccounts/{second}/adCampaigns"
    )


def test_explicit_ad_accounts_include_any_status_and_an_unseen_one_is_named(
    client: LinkedInAdsClient,
) -> None:
    canceled = [key for key, account in WORLD.accounts.items() if account.status != "ACTIVE"]
    visible = sorted(WORLD.accounts_for_member(MEMBER))
    hidden = sorted(set(WORLD.accounts) - set(visible))

    _, rows = entity_rows(client, "ad_accounts", visible)
    assert [row["id"] for row in rows] == visible
    assert set(canceled) & set(visible)  # the world has a non-ACTIVE visible account

    with pytest.raises(ConfigurationError, match=str(hidden[0])) as caught:
        entity_rows(client, "ad_accounts", hidden)
    assert caught.value.argument == "accounts"


def test_report_campaigns_all_exist_in_the_campaigns_table(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    accounts = expected_accounts(WORLD, member=MEMBER)
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="ALL",
        date_range=("2025-01-01", "2026-11-27"),
        facets={"accounts": accounts},
        metrics=["impressions", "costInLocalCurrency"],
    )
    report = list(ReportEngine(client, today=emulator.clock.today).run(request))
    _, rows = entity_rows(client, "campaigns", None)

    campaigns = {row["urn"] for row in rows}
    reported = {row["campaign"] for row in report}
    assert reported  # the report is not empty
    assert reported <= campaigns


# -- modified_since ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TYPES)
def test_modified_since_keeps_entities_changed_at_or_after_it(client: LinkedInAdsClient, kind: str) -> None:
    every = expected_entity_rows(WORLD, kind, member=MEMBER)
    times = sorted({row["last_modified_at"] for row in every if row["last_modified_at"] is not None})
    since = times[len(times) // 2]  # an exact last-modified time: "at" counts
    assert isinstance(since, dt.datetime)

    _, rows = entity_rows(client, kind, None, modified_since=since.isoformat())

    landed = list(rows)
    assert landed == expected_entity_rows(WORLD, kind, member=MEMBER, modified_since=since)
    assert 0 < len(landed) < len(every)
    assert all(row["last_modified_at"] >= since for row in landed)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2026-11-01", dt.datetime(2026, 11, 1, tzinfo=dt.UTC), id="date-text"),
        pytest.param("2026-11-01T06:30:00Z", dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC), id="z-text"),
        pytest.param(
            "2026-11-01T08:30:00+02:00", dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC), id="offset-text"
        ),
        pytest.param(
            dt.datetime(2026, 11, 1, 6),  # noqa: DTZ001 - a naive time is read as UTC
            dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),
            id="naive-utc",
        ),
        pytest.param(dt.date(2026, 11, 1), dt.datetime(2026, 11, 1, tzinfo=dt.UTC), id="date"),
        pytest.param(None, None, id="none"),
    ],
)
def test_modified_since_forms(value: Any, expected: dt.datetime | None) -> None:
    assert parse_modified_since(value, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)) == expected


# -- bad input: before any call ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        pytest.param({"kind": "ads"}, "entity_type", id="unknown-type"),
        pytest.param({"kind": None}, "entity_type", id="no-type"),
        pytest.param({"accounts": ["abc"]}, "accounts", id="bad-account"),
        pytest.param({"accounts": ["urn:li:sponsoredCampaign:1"]}, "accounts", id="wrong-urn-type"),
        pytest.param({"modified_since": "2999-01-01"}, "modified_since", id="future"),
        pytest.param({"modified_since": "yesterday"}, "modified_since", id="not-iso"),
        pytest.param({"modified_since": 1_700_000_000}, "modified_since", id="not-a-time"),
        pytest.param({"page_size": 0}, "page_size", id="page-size-zero"),
        pytest.param({"page_size": 1001}, "page_size", id="page-size-too-large"),
        pytest.param({"paging": "links"}, "paging", id="unknown-paging"),
    ],
)
def test_bad_input_fails_before_any_call(
    emulator: EmulatorServer, client: LinkedInAdsClient, arguments: dict[str, Any], argument: str
) -> None:
    values: dict[str, Any] = {"kind": "campaigns", "accounts": None, **arguments}
    kind, accounts = values.pop("kind"), values.pop("accounts")

    with pytest.raises(ConfigurationError) as caught:
        entity_rows(client, kind, accounts, **values)

    assert caught.value.argument == argument
    assert emulator.requests == []


# -- misbehaving servers: a typed error, no rows -----------------------------------------------------

CAMPAIGNS = "/rest/adAccounts/508000001/adCampaigns"


def _page(ids: list[Any], token: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"elements": [{"id": item, "name": f"c{item}"} for item in ids], **extra}
    if token is not None:
        body["metadata"] = {"nextPageToken": token}
    return body


@pytest.mark.parametrize(
    ("pages", "reason"),
    [
        pytest.param([_page([1], "a"), {"paging": {"start": 0}}], "no_elements", id="no-elements"),
        pytest.param([_page([1], 42)], "bad_token", id="numeric-token"),
        pytest.param([_page([1], "a"), {"elements": [{"name": "no id"}]}], "missing_id", id="missing-id"),
        pytest.param([_page([1], "a"), _page([2], "b"), _page([3], "a")], "repeated_token", id="repeated"),
        pytest.param([_page([1, 2], "a"), _page([2, 3])], "duplicate_id", id="duplicate-id"),
    ],
)
def test_a_broken_cursor_page_is_a_typed_error(
    server: ScriptedServer, pages: list[dict[str, Any]], reason: str
) -> None:
    server.script(CAMPAIGNS, *(Reply(200, page) for page in pages))

    with LinkedInAdsClient(make_config(server)) as api, pytest.raises(EntityPageError) as caught:
        entity_rows(api, "campaigns", [508000001], page_size=2, paging="cursor")

    assert caught.value.reason == reason
    assert caught.value.resource == "adAccounts/508000001/adCampaigns"
    assert caught.value.page == len(pages)


@pytest.mark.parametrize(
    ("pages", "reason"),
    [
        pytest.param(
            [
                _page([1, 2], paging={"start": 0, "count": 2, "total": 5}),
                _page([3, 4], paging={"start": 0, "count": 2, "total": 5}),
            ],
            "not_advancing",
            id="start-does-not-move",
        ),
        pytest.param(
            [
                _page([1, 2], paging={"start": 0, "count": 2, "total": 3}),
                _page([], paging={"start": 2, "total": 3}),
            ],
            "total_mismatch",
            id="fewer-than-total",
        ),
        pytest.param(
            [_page([1, 2], paging={"start": 0, "count": 2, "total": 1})],
            "total_mismatch",
            id="more-than-total",
        ),
        pytest.param(
            [_page([1, 2], paging={"start": 0, "count": 2, "total": "2"})], "bad_paging", id="text-total"
        ),
        pytest.param([_page([1, 2]), _page([1, 2])], "duplicate_id", id="no-echo-same-page"),
    ],
)
def test_a_broken_index_page_is_a_typed_error(
    server: ScriptedServer, pages: list[dict[str, Any]], reason: str
) -> None:
    server.script(CAMPAIGNS, *(Reply(200, page) for page in pages))

    with LinkedInAdsClient(make_config(server)) as api, pytest.raises(EntityPageError) as caught:
        entity_rows(api, "campaigns", [508000001], page_size=2, paging="offset")

    assert caught.value.reason == reason


def test_index_paging_follows_start_to_the_total(server: ScriptedServer) -> None:
    server.script(
        CAMPAIGNS,
        Reply(200, _page([5, 1], paging={"start": 0, "count": 2, "total": 5})),
        Reply(200, _page([3], paging={"start": 2, "count": 2, "total": 5})),  # a short page, not the end
        Reply(200, _page([4, 2], paging={"start": 3, "count": 2, "total": 5})),
    )

    with LinkedInAdsClient(make_config(server, api_version="202312")) as api:
        _, rows = entity_rows(api, "campaigns", [508000001], page_size=2)  # 202312: index paging

    assert [row["id"] for row in rows] == [1, 2, 3, 4, 5]
    queries = [request.query for request in server.requests_to(CAMPAIGNS)]
    assert [query.split("&")[-2:] for query in queries] == [
        ["start=0", "count=2"],
        ["start=2", "count=2"],
        ["start=3", "count=2"],
    ]


def test_a_bad_page_after_good_ones_returns_no_rows(server: ScriptedServer) -> None:
    server.script(CAMPAIGNS, Reply(200, _page([1, 2], "a")), Reply(200, _page([3, 3])))

    with LinkedInAdsClient(make_config(server)) as api:
        result: list[Any] = []
        with pytest.raises(EntityPageError):
            result.extend(entity_rows(api, "campaigns", [508000001], page_size=2).rows)

    assert result == []
