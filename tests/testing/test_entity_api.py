"""Entity endpoints (adAccounts, campaign groups, campaigns, creatives) and URN -> name lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing import EmulatorServer


def children(server: EmulatorServer, account: int, kind: str) -> list[int]:
    table = getattr(server.world, kind)
    return sorted(key for key, entity in table.items() if entity.account_id == account)


# -- ad accounts --------------------------------------------------------------------------------------


def test_account_search_lists_visible_accounts_page_by_page(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    first = api.get("/rest/adAccounts", "q=search&pageSize=1")
    token = first.json["metadata"]["nextPageToken"]
    second = api.get("/rest/adAccounts", f"q=search&pageSize=1&pageToken={token}")

    assert [element["id"] for element in first.json["elements"]] == [accounts["visible"]]
    assert [element["id"] for element in second.json["elements"]] == [accounts["second"]]
    assert second.json["metadata"] == {}
    assert first.json["elements"][0] == server.world.account_json(accounts["visible"])


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("(id:(values:List({second})))", ["second"], id="by-id"),
        pytest.param("(id:(values:List(urn%3Ali%3AsponsoredAccount%3A{visible})))", ["visible"], id="by-urn"),
        pytest.param(
            "(status:(values:List(ACTIVE)),type:(values:List(BUSINESS)))",
            ["visible", "second"],
            id="status-and-type",
        ),
        pytest.param("(status:(values:List(DRAFT)))", [], id="no-match"),
        pytest.param("(test:false)", ["visible", "second"], id="test-flag"),
    ],
)
def test_account_search_criteria(
    server: EmulatorServer, api: Any, accounts: dict[str, int], search: str, expected: list[str]
) -> None:
    statuses = {account: server.world.account_json(account)["status"] for account in accounts.values()}
    if "ACTIVE" in search:
        expected = [name for name in expected if statuses[accounts[name]] == "ACTIVE"]

    reply = api.get("/rest/adAccounts", "q=search&search=" + search.format(**accounts))

    assert [element["id"] for element in reply.json["elements"]] == [accounts[name] for name in expected]


@pytest.mark.parametrize(
    ("path", "query", "status", "fragment"),
    [
        pytest.param(
            "/rest/adAccounts",
            "q=search&search=(color:(values:List(RED)))",
            400,
            "unknown search criterion",
            id="bad-criterion",
        ),
        pytest.param("/rest/adAccounts", "q=search&pageToken=bogus", 400, "pageToken", id="bad-page-token"),
        pytest.param("/rest/adAccounts", "q=search&pageSize=0", 400, "pageSize", id="bad-page-size"),
        pytest.param("/rest/adAccounts", "", 400, "q=search", id="no-finder"),
        pytest.param("/rest/adAccounts/{hidden}", "", 403, "no role", id="hidden-account"),
        pytest.param("/rest/adAccounts/1", "", 404, "does not exist", id="unknown-account"),
        pytest.param("/rest/adAccounts/abc", "", 400, "NumberFormatException", id="non-numeric-account"),
        pytest.param(
            "/rest/adCampaigns", "ids=List(1)", 400, "account id must be in the path", id="unscoped-campaigns"
        ),
        pytest.param(
            "/rest/adCampaignGroups",
            "ids=List(1)",
            400,
            "account id must be in the path",
            id="unscoped-groups",
        ),
        pytest.param(
            "/rest/adAccounts/{visible}/adCampaigns",
            "ids=List(urn%3Ali%3AsponsoredCampaign%3A1)",
            400,
            "NumberFormatException",
            id="urn-key-for-campaigns",
        ),
        pytest.param(
            "/rest/adAccounts/{visible}/creatives",
            "ids=List(123)",
            400,
            "encoded URNs",
            id="numeric-key-for-creatives",
        ),
        pytest.param(
            "/rest/adAccounts/{visible}/adCampaigns",
            "q=search&ids=List(1)",
            400,
            "not both",
            id="finder-and-batch",
        ),
        pytest.param("/rest/adAccounts/{visible}/widgets", "", 404, "It serves", id="unknown-child"),
    ],
)
def test_entity_errors(
    api: Any, accounts: dict[str, int], path: str, query: str, status: int, fragment: str
) -> None:
    reply = api.get(path.format(**accounts), query)

    assert reply.status == status
    assert fragment in reply.json["message"]


def test_account_single_and_batch_get(server: EmulatorServer, api: Any, accounts: dict[str, int]) -> None:
    single = api.get(f"/rest/adAccounts/{accounts['visible']}")
    batch = api.get(
        "/rest/adAccounts",
        f"ids=List({accounts['visible']},{accounts['hidden']},1)",
        X_RestLi_Method="BATCH_GET",
    )

    assert single.json == server.world.account_json(accounts["visible"])
    body = batch.json
    assert body["results"] == {str(accounts["visible"]): server.world.account_json(accounts["visible"])}
    assert body["statuses"] == {str(accounts["visible"]): 200, str(accounts["hidden"]): 403, "1": 404}
    assert body["errors"]["1"]["code"] == "NOT_FOUND"


def test_entity_endpoints_need_the_r_ads_scope(server: EmulatorServer, make_api: Any) -> None:
    api = make_api(server, server.issue_access_token(scope="r_ads_reporting"))

    reply = api.get("/rest/adAccounts", "q=search")

    assert reply.error[:2] == (403, "USER_NOT_AUTHORIZED")
    assert "r_ads" in reply.error[2]


# -- campaign groups, campaigns, creatives --------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "table"), [("adCampaigns", "campaigns"), ("adCampaignGroups", "campaign_groups")]
)
def test_batch_get_by_numeric_ids(
    server: EmulatorServer, api: Any, accounts: dict[str, int], resource: str, table: str
) -> None:
    own = children(server, accounts["visible"], table)[:2]
    foreign = children(server, accounts["second"], table)[0]
    ids = [*own, foreign]

    reply = api.get(
        f"/rest/adAccounts/{accounts['visible']}/{resource}",
        f"ids=List({','.join(map(str, ids))})",
        X_RestLi_Method="BATCH_GET",
    )

    body = reply.json
    json_of = getattr(server.world, table.removesuffix("s") + "_json")
    assert body["results"] == {str(key): json_of(key) for key in own}
    assert body["statuses"] == {**{str(key): 200 for key in own}, str(foreign): 404}
    assert all(isinstance(body["results"][str(key)]["name"], str) for key in own)


@pytest.mark.parametrize(
    ("resource", "table"), [("adCampaigns", "campaigns"), ("adCampaignGroups", "campaign_groups")]
)
def test_search_pages_through_an_accounts_children(
    server: EmulatorServer, api: Any, accounts: dict[str, int], resource: str, table: str
) -> None:
    path = f"/rest/adAccounts/{accounts['visible']}/{resource}"
    seen: list[int] = []
    query = "q=search&pageSize=3"
    while True:
        body = api.get(path, query).json
        seen += [element["id"] for element in body["elements"]]
        if "nextPageToken" not in body["metadata"]:
            break
        query = f"q=search&pageSize=3&pageToken={body['metadata']['nextPageToken']}"

    assert seen == children(server, accounts["visible"], table)


def test_campaign_search_by_group_and_status(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    campaign = server.world.campaigns[children(server, accounts["visible"], "campaigns")[0]]
    search = f"(campaignGroup:(values:List(urn%3Ali%3AsponsoredCampaignGroup%3A{campaign.group_id})),status:(values:List({campaign.status})))"

    reply = api.get(f"/rest/adAccounts/{accounts['visible']}/adCampaigns", "q=search&search=" + search)

    expected = [
        cid
        for cid in children(server, accounts["visible"], "campaigns")
        if server.world.campaigns[cid].group_id == campaign.group_id
        and server.world.campaigns[cid].status == campaign.status
    ]
    assert [element["id"] for element in reply.json["elements"]] == expected


def test_creatives_by_criteria_and_by_encoded_urn(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    account = accounts["visible"]
    campaign = children(server, account, "campaigns")[0]
    own = sorted(cid for cid, creative in server.world.creatives.items() if creative.campaign_id == campaign)
    path = f"/rest/adAccounts/{account}/creatives"

    criteria = api.get(path, f"q=criteria&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A{campaign})")
    keys = ",".join(f"urn%3Ali%3AsponsoredCreative%3A{cid}" for cid in own)
    batch = api.get(path, f"ids=List({keys})", X_RestLi_Method="BATCH_GET")
    single = api.get(f"{path}/urn%3Ali%3AsponsoredCreative%3A{own[0]}")

    assert [element["id"] for element in criteria.json["elements"]] == [
        f"urn:li:sponsoredCreative:{cid}" for cid in own
    ]
    assert set(batch.json["results"]) == {f"urn%3Ali%3AsponsoredCreative%3A{cid}" for cid in own}
    assert single.json == server.world.creative_json(own[0])


# -- name lookups -----------------------------------------------------------------------------------------


def first_ids(server: EmulatorServer, kind: str, count: int = 2) -> list[str]:
    return list(server.world.names(kind))[:count]


@pytest.mark.parametrize(
    ("prefix", "resource", "kind", "name_of"),
    [
        pytest.param(
            "/rest",
            "organizationsLookup",
            "organization",
            lambda item: item["localizedName"],
            id="organizations",
        ),
        pytest.param(
            "/rest", "geo", "geo", lambda item: item["defaultLocalizedName"]["value"], id="geo-rest"
        ),
        pytest.param("/v2", "geo", "geo", lambda item: item["defaultLocalizedName"]["value"], id="geo-v2"),
        pytest.param("/v2", "titles", "title", lambda item: item["name"]["localized"]["en_US"], id="titles"),
        pytest.param(
            "/v2", "functions", "function", lambda item: item["name"]["localized"]["en_US"], id="functions"
        ),
        pytest.param(
            "/rest",
            "seniorities",
            "seniority",
            lambda item: item["name"]["localized"]["en_US"],
            id="seniorities",
        ),
        pytest.param(
            "/v2", "industries", "industry", lambda item: item["name"]["localized"]["en_US"], id="industries"
        ),
    ],
)
def test_lookup_batch_get(
    server: EmulatorServer, api: Any, prefix: str, resource: str, kind: str, name_of: Any
) -> None:
    ids = first_ids(server, kind)

    body = api.get(f"{prefix}/{resource}", f"ids=List({','.join(ids)},999999999)").json

    names = server.world.names(kind)
    assert {key: name_of(item) for key, item in body["results"].items()} == {key: names[key] for key in ids}
    assert body["statuses"] == {**{key: 200 for key in ids}, "999999999": 404}
    assert body["errors"]["999999999"]["code"] == "NOT_FOUND"


def test_lookups_under_v2_need_no_version_header_and_accept_locales(server: EmulatorServer, api: Any) -> None:
    title = first_ids(server, "title", 1)[0]

    reply = api.get(
        "/v2/titles", f"ids=List({title})&locale=en_US", LinkedIn_Version=None, X_Restli_Protocol_Version=None
    )

    assert reply.status == 200
    assert reply.json["results"][title]["name"]["localized"]["en_US"] == server.world.names("title")[title]


@pytest.mark.parametrize(("resource", "kind"), [("functions", "function"), ("seniorities", "seniority")])
def test_small_standardized_sets_can_be_fetched_whole(
    server: EmulatorServer, api: Any, resource: str, kind: str
) -> None:
    body = api.get(f"/v2/{resource}").json

    assert len(body["elements"]) == len(server.world.names(kind))


def test_analytics_is_not_served_under_v2(api: Any) -> None:
    assert api.get("/v2/adAnalytics", "q=analytics").status == 404
