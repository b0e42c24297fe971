"""``LinkedInAdsHook`` entity listing against the emulator: thin wrappers over ``client/entities.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.entity_tables import entity_columns
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.entity_truth import expected_entity_rows

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

# 120 creatives per account: more than one page of LinkedIn's default 100.
WORLD = World(accounts=5, campaigns_per_account=40, creatives_per_campaign=3)
VISIBLE = sorted(WORLD.accounts_for_member("urn:li:person:any"))


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorServer]:
    """Overrides the hooks conftest's server: this module needs a bigger world."""
    with EmulatorServer(WORLD) as server:
        yield server


def owned(table: Mapping[int, Any], account: int) -> list[int]:
    return sorted(key for key, entity in table.items() if entity.account_id == account)


def api_calls(emulator: EmulatorServer, suffix: str) -> list[Any]:
    return [record for record in emulator.requests if record.path.endswith(suffix)]


@pytest.mark.parametrize(
    ("statuses", "wanted"),
    [
        pytest.param("default", {"ACTIVE"}, id="default-active-only"),
        pytest.param(None, None, id="every-status"),
        pytest.param(["CANCELED"], {"CANCELED"}, id="canceled"),
    ],
)
def test_list_ad_accounts(
    emulator_connection: EmulatorServer, statuses: Any, wanted: set[str] | None
) -> None:
    hook = LinkedInAdsHook()

    listed = hook.list_ad_accounts() if statuses == "default" else hook.list_ad_accounts(statuses=statuses)

    assert listed == [
        WORLD.account_json(key) for key in VISIBLE if wanted is None or WORLD.accounts[key].status in wanted
    ]
    assert listed
    assert all(type(item) is dict for item in listed)


def test_list_creatives_pages_to_the_end(emulator_connection: EmulatorServer) -> None:
    account = VISIBLE[0]

    listed = LinkedInAdsHook().list_creatives(account)

    assert listed == [WORLD.creative_json(key) for key in owned(WORLD.creatives, account)]
    calls = api_calls(emulator_connection, "/creatives")
    assert len(calls) == 2  # 120 creatives at 100 per page
    assert "pageToken=" in calls[1].query


@pytest.mark.parametrize(
    "account",
    [pytest.param(VISIBLE[1], id="id"), pytest.param(f"urn:li:sponsoredAccount:{VISIBLE[1]}", id="urn")],
)
def test_list_campaigns_and_groups_accept_an_id_or_a_urn(
    emulator_connection: EmulatorServer, account: int | str
) -> None:
    hook = LinkedInAdsHook()

    campaigns = hook.list_campaigns(account, statuses=["ACTIVE"])
    groups = hook.list_campaign_groups(account)

    assert campaigns == [
        WORLD.campaign_json(key)
        for key in owned(WORLD.campaigns, VISIBLE[1])
        if WORLD.campaigns[key].status == "ACTIVE"
    ]
    assert campaigns
    assert groups == [WORLD.campaign_group_json(key) for key in owned(WORLD.campaign_groups, VISIBLE[1])]
    assert {call.path for call in emulator_connection.requests if call.path.startswith("/rest/")} == {
        f"/rest/adAccounts/{VISIBLE[1]}/adCampaigns",
        f"/rest/adAccounts/{VISIBLE[1]}/adCampaignGroups",
    }


def test_list_creatives_filters_by_intended_status(emulator_connection: EmulatorServer) -> None:
    account = VISIBLE[0]

    listed = LinkedInAdsHook().list_creatives(f"urn:li:sponsoredAccount:{account}", statuses=["PAUSED"])

    expected = [WORLD.creative_json(key) for key in owned(WORLD.creatives, account)]
    assert listed == [item for item in expected if item["intendedStatus"] == "PAUSED"]
    assert 0 < len(listed) < len(expected)


def test_a_malformed_account_fails_before_any_call(emulator_connection: EmulatorServer) -> None:
    with pytest.raises(ConfigurationError) as caught:
        LinkedInAdsHook().list_campaigns("urn:li:sponsoredCampaign:1")

    assert caught.value.argument == "account"
    assert [call for call in emulator_connection.requests if call.path.startswith("/rest/")] == []


def test_entity_rows_passes_through_to_the_client(emulator_connection: EmulatorServer) -> None:
    columns, rows = LinkedInAdsHook().entity_rows("creatives", VISIBLE[:1], page_size=50)

    assert columns == entity_columns("creatives")
    assert list(rows) == expected_entity_rows(WORLD, "creatives", VISIBLE[:1])
    assert len(api_calls(emulator_connection, "/creatives")) == 3  # 120 creatives at 50 per page
