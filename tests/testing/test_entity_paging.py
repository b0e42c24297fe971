"""Entity finder paging in the emulator: the ``page_size`` knob, index paging, audit stamps, ground truth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.entity_truth import expected_accounts, expected_entities

if TYPE_CHECKING:
    from collections.abc import Callable


def ids(reply: Any) -> list[Any]:
    return [element["id"] for element in reply.json["elements"]]


def test_page_size_caps_every_page_whatever_is_asked(
    make_server: Callable[..., EmulatorServer], make_api: Any, accounts: dict[str, int]
) -> None:
    api = make_api(make_server(page_size=2))
    path = f"/rest/adAccounts/{accounts['visible']}/adCampaigns"

    seen: list[int] = []
    query = "q=search&pageSize=100"
    pages = 0
    while True:
        reply = api.get(path, query)
        assert reply.status == 200
        assert len(reply.json["elements"]) <= 2
        seen += ids(reply)
        pages += 1
        token = reply.json["metadata"].get("nextPageToken")
        if token is None:
            break
        query = f"q=search&pageSize=100&pageToken={token}"

    assert pages >= 3
    assert seen == [
        entity["id"] for entity in expected_entities(api.server.world, "campaigns", [accounts["visible"]])
    ]


def test_the_default_page_is_as_asked(api: Any, accounts: dict[str, int]) -> None:
    reply = api.get(f"/rest/adAccounts/{accounts['visible']}/adCampaigns", "q=search&pageSize=7")
    assert len(reply.json["elements"]) == 7


def test_index_paging_answers_start_count_and_total(api: Any, accounts: dict[str, int]) -> None:
    path = f"/rest/adAccounts/{accounts['visible']}/creatives"
    every = [
        entity["id"] for entity in expected_entities(api.server.world, "creatives", [accounts["visible"]])
    ]

    first = api.get(path, "q=criteria&start=0&count=5")
    later = api.get(path, "q=criteria&start=5&count=5")
    default = api.get(path, "q=criteria&start=0")

    assert first.json["paging"] == {"start": 0, "count": 5, "total": len(every), "links": []}
    assert ids(first) + ids(later) == every[:10]
    assert "metadata" not in first.json
    assert len(default.json["elements"]) == 10  # Rest.li's default count


def test_index_and_cursor_paging_do_not_mix(api: Any, accounts: dict[str, int]) -> None:
    reply = api.get(f"/rest/adAccounts/{accounts['visible']}/adCampaigns", "q=search&start=0&pageSize=5")
    assert reply.status == 400
    assert reply.field_path == "pageSize"


def test_a_page_size_below_one_is_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        EmulatorServer(page_size=0)
    assert caught.value.argument == "page_size"


def test_entities_carry_audit_stamps_budgets_and_currencies(api: Any, accounts: dict[str, int]) -> None:
    world = api.server.world
    account = accounts["visible"]
    currency = world.accounts[account].currency
    campaign = expected_entities(world, "campaigns", [account])[0]
    group = expected_entities(world, "campaign_groups", [account])[0]

    for entity in (campaign, group, world.account_json(account)):
        stamps = entity["changeAuditStamps"]
        assert stamps["created"]["time"] <= stamps["lastModified"]["time"]
    assert campaign["unitCost"]["currencyCode"] == campaign["dailyBudget"]["currencyCode"] == currency
    assert group["totalBudget"]["currencyCode"] == currency


def test_the_ground_truth_is_what_the_endpoints_serve(api: Any) -> None:
    world = api.server.world
    for account in expected_accounts(world):
        served = api.get(f"/rest/adAccounts/{account}/creatives", "q=criteria&pageSize=1000").json["elements"]
        assert served == expected_entities(world, "creatives", [account])
