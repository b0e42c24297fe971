"""Entity listing (``client/entities.py``) against the emulator: every page, status filters, arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient, RetryPolicy, entities
from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.headers import latest_version
from tests.unit.client.conftest import Reply, ScriptedServer, make_config

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

# 5 accounts (one CANCELED, the last one hidden from the member), 40 campaigns and 120 creatives each.
WORLD = World(accounts=5, campaigns_per_account=40, creatives_per_campaign=3)
MEMBER = "urn:li:person:emulator"


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(WORLD) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    emulator_server.reset()
    yield emulator_server
    emulator_server.check()


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[LinkedInAdsClient]:
    config = ClientConfig(
        access_token=emulator.issue_access_token(member=MEMBER),
        api_version=latest_version(emulator.clock.today()),
        api_base_url=emulator.api_base_url,
        token_url=emulator.token_url,
        retry=RetryPolicy(max_attempts=1),
    )
    with LinkedInAdsClient(config) as api:
        yield api


def visible_accounts() -> list[int]:
    return sorted(WORLD.accounts_for_member(MEMBER))


def first_account() -> int:
    return visible_accounts()[0]


def calls_to(emulator: EmulatorServer, suffix: str) -> list[Any]:
    return [record for record in emulator.requests if record.path.endswith(suffix)]


def children(table: Mapping[int, Any], account: int) -> list[int]:
    return sorted(key for key, entity in table.items() if entity.account_id == account)


# -- ad accounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "wanted"),
    [
        pytest.param(("ACTIVE",), {"ACTIVE"}, id="default-active"),
        pytest.param(None, None, id="every-status"),
        pytest.param(["canceled"], {"CANCELED"}, id="lower-case-canceled"),
        pytest.param("CANCELED", {"CANCELED"}, id="single-string"),
    ],
)
def test_list_ad_accounts_pages_to_the_end_and_filters_by_status(
    emulator: EmulatorServer, client: LinkedInAdsClient, statuses: Any, wanted: set[str] | None
) -> None:
    expected = [
        WORLD.account_json(key)
        for key in visible_accounts()
        if wanted is None or WORLD.accounts[key].status in wanted
    ]

    listed = entities.list_ad_accounts(client, statuses=statuses, page_size=1)

    assert listed == expected
    assert expected  # the world holds accounts of every wanted status
    # One account per page; the last page is the one without a next token.
    assert len(calls_to(emulator, "/adAccounts")) == max(len(expected), 1)


def test_list_ad_accounts_sends_the_search_criteria_and_page_size(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    entities.list_ad_accounts(client)

    (call,) = calls_to(emulator, "/adAccounts")
    assert call.query == "q=search&search=(status:(values:List(ACTIVE)))&pageSize=100"


def test_list_ad_accounts_without_filter_sends_no_search(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    entities.list_ad_accounts(client, statuses=None, page_size=2)

    queries = [record.query for record in calls_to(emulator, "/adAccounts")]
    assert queries[0] == "q=search&pageSize=2"
    assert queries[1].startswith("q=search&pageSize=2&pageToken=")


# -- account children --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "suffix", "table", "render", "page_size"),
    [
        pytest.param(
            entities.list_campaign_groups,
            "/adCampaignGroups",
            WORLD.campaign_groups,
            WORLD.campaign_group_json,
            3,
            id="campaign-groups",
        ),
        pytest.param(
            entities.list_campaigns, "/adCampaigns", WORLD.campaigns, WORLD.campaign_json, 15, id="campaigns"
        ),
        pytest.param(
            entities.list_creatives, "/creatives", WORLD.creatives, WORLD.creative_json, 50, id="creatives"
        ),
    ],
)
def test_account_children_are_listed_page_by_page(
    emulator: EmulatorServer,
    client: LinkedInAdsClient,
    function: Any,
    suffix: str,
    table: Any,
    render: Any,
    page_size: int,
) -> None:
    account = first_account()
    expected = [render(key) for key in children(table, account)]

    listed = function(client, f"urn:li:sponsoredAccount:{account}", page_size=page_size)

    assert listed == expected
    pages = -(-len(expected) // page_size)
    assert pages > 1
    calls = calls_to(emulator, suffix)
    assert len(calls) == pages
    assert all(call.path == f"/rest/adAccounts/{account}{suffix}" for call in calls)


@pytest.mark.parametrize(
    ("function", "table", "render", "status_key", "statuses"),
    [
        pytest.param(
            entities.list_campaigns,
            WORLD.campaigns,
            WORLD.campaign_json,
            "status",
            ["ACTIVE", "PAUSED"],
            id="campaigns-active-paused",
        ),
        pytest.param(
            entities.list_campaign_groups,
            WORLD.campaign_groups,
            WORLD.campaign_group_json,
            "status",
            ["ARCHIVED"],
            id="groups-archived",
        ),
        pytest.param(
            entities.list_creatives,
            WORLD.creatives,
            WORLD.creative_json,
            "intendedStatus",
            ["PAUSED"],
            id="creatives-paused",
        ),
    ],
)
def test_account_children_status_filter(
    client: LinkedInAdsClient, function: Any, table: Any, render: Any, status_key: str, statuses: list[str]
) -> None:
    everything = [render(key) for account in visible_accounts() for key in children(table, account)]
    expected = [item for item in everything if item[status_key] in statuses]
    assert expected
    assert len(expected) < len(everything)

    listed = [item for account in visible_accounts() for item in function(client, account, statuses=statuses)]

    assert listed == expected


def test_creative_status_filter_is_sent_as_intended_statuses(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    entities.list_creatives(client, first_account(), statuses=["ACTIVE", "PAUSED"], page_size=500)

    (call,) = calls_to(emulator, "/creatives")
    assert call.query == "q=criteria&intendedStatuses=List(ACTIVE,PAUSED)&pageSize=500"


# -- arguments ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        pytest.param({"account": "urn:li:sponsoredCampaign:1"}, "account", id="wrong-urn-type"),
        pytest.param({"account": "acme"}, "account", id="not-an-id"),
        pytest.param({"statuses": []}, "statuses", id="empty-statuses"),
        pytest.param({"statuses": ["ACTIVE)"]}, "statuses", id="grammar-in-status"),
        pytest.param({"page_size": 0}, "page_size", id="zero-page-size"),
    ],
)
def test_bad_arguments_fail_before_any_call(
    emulator: EmulatorServer, client: LinkedInAdsClient, kwargs: dict[str, Any], argument: str
) -> None:
    values: dict[str, Any] = {"account": first_account(), **kwargs}
    with pytest.raises(ConfigurationError) as caught:
        entities.list_campaigns(client, values.pop("account"), **values)
    assert caught.value.argument == argument
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        pytest.param(508000001, "508000001", id="int"),
        pytest.param(" 508000001 ", "508000001", id="text"),
        pytest.param("urn:li:sponsoredAccount:508000001", "508000001", id="urn"),
    ],
)
def test_account_id_accepts_ids_and_urns(account: int | str, expected: str) -> None:
    assert entities.account_id(account) == expected


# -- a server that misbehaves ------------------------------------------------------------------------


def test_a_repeated_page_token_stops_the_listing(server: ScriptedServer) -> None:
    page = {"elements": [{"id": 1}], "metadata": {"nextPageToken": "again"}}
    server.default("/rest/adAccounts", Reply(200, page))

    with LinkedInAdsClient(make_config(server)) as api, pytest.raises(LinkedInAdsError, match="repeated"):
        entities.list_ad_accounts(api)

    assert len(server.requests_to("/rest/adAccounts")) == 2


def test_an_answer_without_elements_is_an_error(server: ScriptedServer) -> None:
    server.script("/rest/adAccounts", Reply(200, {"paging": {}}))

    with LinkedInAdsClient(make_config(server)) as api, pytest.raises(LinkedInAdsError, match="elements"):
        entities.list_ad_accounts(api)
