"""URN -> name enrichment (``client/resolver.py``, ``client/names.py``) against the emulator on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.names import NAME_LOOKUPS, company_size_name
from airflow_provider_linkedin_ads.client.resolver import NameResolver, name_column
from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.results import Column, ColumnKind
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.headers import latest_version
from airflow_provider_linkedin_ads.testing.lookups import DEMOGRAPHIC_VALUES
from airflow_provider_linkedin_ads.testing.query import ReportQuery

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from airflow_provider_linkedin_ads.results import ReportRow

# 3 accounts; the member sees the first two (sorted by id), the last one is hidden.
WORLD = World(accounts=3, campaigns_per_account=20, creatives_per_campaign=2)
MEMBER = "urn:li:person:emulator"
VISIBLE = sorted(WORLD.accounts_for_member(MEMBER))
HIDDEN = sorted(set(WORLD.accounts) - set(VISIBLE))[0]
LOGGER = "tests.resolver"


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
        retry=RetryPolicy(max_attempts=1),  # a scripted 500 fails at once, without backoff
    )
    with LinkedInAdsClient(config, sleep=lambda _seconds: None) as api:
        yield api


def resolver(client: LinkedInAdsClient, **kwargs: Any) -> NameResolver:
    return NameResolver(client, logger=logging.getLogger(LOGGER), **kwargs)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def lookup_calls(emulator: EmulatorServer) -> list[Any]:
    return [record for record in emulator.requests if "ids=" in record.query]


def ids_of(record: Any) -> list[str]:
    return record.params["ids"].removeprefix("List(").removesuffix(")").split(",")


def rows_of(pivot: Pivot, values: list[str]) -> list[ReportRow]:
    return [
        {"start_date": dt.date(2026, 10, 1), pivot.column: value, "impressions": index}
        for index, value in enumerate(values)
    ]


def entity_ids(table: Mapping[int, Any], account: int) -> list[int]:
    return sorted(key for key, entity in table.items() if entity.account_id == account)


# -- what each pivot is named --------------------------------------------------------------------------


def _sponsored(pivot: Pivot) -> tuple[list[str], list[str | None]]:
    account = VISIBLE[0]
    if pivot is Pivot.ACCOUNT:
        return [f"urn:li:sponsoredAccount:{key}" for key in VISIBLE], [
            WORLD.accounts[key].name for key in VISIBLE
        ]
    if pivot is Pivot.COMPANY:
        organizations = [WORLD.accounts[key].organization_id for key in VISIBLE]
        return [f"urn:li:organization:{key}" for key in organizations], [
            WORLD.accounts[key].name for key in VISIBLE
        ]
    if pivot is Pivot.CAMPAIGN_GROUP:
        ids = entity_ids(WORLD.campaign_groups, account)
        return [f"urn:li:sponsoredCampaignGroup:{key}" for key in ids], [
            WORLD.campaign_groups[key].name for key in ids
        ]
    if pivot is Pivot.CAMPAIGN:
        ids = entity_ids(WORLD.campaigns, account)
        return [f"urn:li:sponsoredCampaign:{key}" for key in ids], [WORLD.campaigns[key].name for key in ids]
    ids = entity_ids(WORLD.creatives, account)
    # Creatives have no name of their own in the emulator (as on LinkedIn); text ads have a headline.
    names = [f"Text ad {key}" if WORLD.creatives[key].kind == "TEXT" else None for key in ids]
    return [f"urn:li:sponsoredCreative:{key}" for key in ids], names


_KIND = {
    Pivot.MEMBER_COMPANY: "organization",
    Pivot.MEMBER_COUNTRY_V2: "geo",
    Pivot.MEMBER_REGION_V2: "geo",
    Pivot.MEMBER_COUNTY: "geo",
    Pivot.MEMBER_DESIGNATED_MARKET_AREA: "geo",
    Pivot.MEMBER_JOB_TITLE: "title",
    Pivot.MEMBER_JOB_FUNCTION: "function",
    Pivot.MEMBER_SENIORITY: "seniority",
    Pivot.MEMBER_INDUSTRY: "industry",
}


def _demographic(pivot: Pivot) -> tuple[list[str], list[str | None]]:
    values = list(DEMOGRAPHIC_VALUES[pivot][:60])
    names = WORLD.names(_KIND[pivot])
    return values, [names[value.rsplit(":", 1)[-1]] for value in values]


@pytest.mark.parametrize(
    ("pivot", "resource"),
    [
        pytest.param(Pivot.ACCOUNT, "/rest/adAccounts", id="account"),
        pytest.param(
            Pivot.CAMPAIGN_GROUP, f"/rest/adAccounts/{VISIBLE[0]}/adCampaignGroups", id="campaign-group"
        ),
        pytest.param(Pivot.CAMPAIGN, f"/rest/adAccounts/{VISIBLE[0]}/adCampaigns", id="campaign"),
        pytest.param(Pivot.CREATIVE, f"/rest/adAccounts/{VISIBLE[0]}/creatives", id="creative"),
        pytest.param(Pivot.COMPANY, "/rest/organizationsLookup", id="company"),
        pytest.param(Pivot.MEMBER_COMPANY, "/rest/organizationsLookup", id="member-company"),
        pytest.param(Pivot.MEMBER_COUNTRY_V2, "/rest/geo", id="country"),
        pytest.param(Pivot.MEMBER_REGION_V2, "/rest/geo", id="region"),
        pytest.param(Pivot.MEMBER_COUNTY, "/rest/geo", id="county"),
        pytest.param(Pivot.MEMBER_DESIGNATED_MARKET_AREA, "/rest/geo", id="dma"),
        pytest.param(Pivot.MEMBER_JOB_TITLE, "/rest/titles", id="title"),
        pytest.param(Pivot.MEMBER_JOB_FUNCTION, "/rest/functions", id="function"),
        pytest.param(Pivot.MEMBER_SENIORITY, "/rest/seniorities", id="seniority"),
        pytest.param(Pivot.MEMBER_INDUSTRY, "/rest/industries", id="industry"),
    ],
)
def test_names_match_the_world_for_each_pivot_kind(
    emulator: EmulatorServer,
    client: LinkedInAdsClient,
    caplog: pytest.LogCaptureFixture,
    pivot: Pivot,
    resource: str,
) -> None:
    values, expected = _demographic(pivot) if pivot.is_demographic else _sponsored(pivot)

    enriched = list(resolver(client, accounts=[VISIBLE[0]]).enrich(rows_of(pivot, values), [pivot]))

    assert [row[f"{pivot.column}_name"] for row in enriched] == expected
    assert any(name is not None for name in expected)
    assert warnings_of(caplog) == []  # a creative without a name is not a failure
    calls = lookup_calls(emulator)
    assert {call.path for call in calls} == {resource}
    assert all(call.headers.get("x-restli-method") == "BATCH_GET" for call in calls)


def test_creatives_are_looked_up_by_encoded_urn(emulator: EmulatorServer, client: LinkedInAdsClient) -> None:
    creative = entity_ids(WORLD.creatives, VISIBLE[0])[0]

    list(
        resolver(client, accounts=[VISIBLE[0]]).enrich(
            rows_of(Pivot.CREATIVE, [f"urn:li:sponsoredCreative:{creative}"]), ["CREATIVE"]
        )
    )

    (call,) = lookup_calls(emulator)
    assert call.query == f"ids=List(urn%3Ali%3AsponsoredCreative%3A{creative})"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("urn:li:staffCountRange:(1,1)", "1 employee", id="one"),
        pytest.param("urn:li:staffCountRange:(11,50)", "11-50 employees", id="range"),
        pytest.param("urn:li:staffCountRange:(10001,2147483647)", "10001+ employees", id="open-end"),
        pytest.param("(2,10)", "2-10 employees", id="bare-range"),
        pytest.param("SIZE_501_TO_1000", "501-1000 employees", id="enum"),
        pytest.param("SIZE_10001_OR_MORE", "10001+ employees", id="enum-open-end"),
        pytest.param("SIZE_1", "1 employee", id="enum-one"),
        pytest.param("urn:li:staffCountRange:(50,11)", None, id="inverted"),
        pytest.param("urn:li:geo:1", None, id="other-urn"),
    ],
)
def test_company_size_table(value: str, expected: str | None) -> None:
    assert company_size_name(value) == expected


def test_company_sizes_are_named_without_any_call(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    values = list(DEMOGRAPHIC_VALUES[Pivot.MEMBER_COMPANY_SIZE])

    enriched = list(
        resolver(client).enrich(rows_of(Pivot.MEMBER_COMPANY_SIZE, values), ["MEMBER_COMPANY_SIZE"])
    )

    assert [row["member_company_size_name"] for row in enriched] == [
        "1 employee", "2-10 employees", "11-50 employees", "51-200 employees", "201-500 employees",
        "501-1000 employees", "1001-5000 employees", "5001-10000 employees", "10001+ employees",
    ]  # fmt: skip
    assert emulator.requests == []


def test_a_real_statistics_report_gets_every_name(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    pivots = (Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN, Pivot.CREATIVE)
    query = ReportQuery(
        finder=Finder.STATISTICS,
        pivots=pivots,
        granularity=TimeGranularity.ALL,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        facets={"accounts": tuple(f"urn:li:sponsoredAccount:{key}" for key in VISIBLE)},
        fields=("pivotValues", "impressions"),
    )
    elements = WORLD.answer(query, now=emulator.clock.now())
    rows = [
        dict(zip((pivot.column for pivot in pivots), element["pivotValues"], strict=True))
        for element in elements
    ]
    assert len(rows) > 10

    enriched = list(resolver(client, accounts=VISIBLE).enrich(rows, [pivot.value for pivot in pivots]))

    for row in enriched:
        group = int(row["campaign_group"].rsplit(":", 1)[-1])
        campaign = int(row["campaign"].rsplit(":", 1)[-1])
        assert row["campaign_group_name"] == WORLD.campaign_groups[group].name
        assert row["campaign_name"] == WORLD.campaigns[campaign].name
        assert list(row) == [
            "campaign_group",
            "campaign_group_name",
            "campaign",
            "campaign_name",
            "creative",
            "creative_name",
        ]


# -- columns -----------------------------------------------------------------------------------------

COLUMNS = (
    Column("start_date", ColumnKind.DATE),
    Column("end_date", ColumnKind.DATE),
    Column("campaign_group", ColumnKind.STRING),
    Column("impression_device_type", ColumnKind.STRING),
    Column("campaign", ColumnKind.STRING),
    Column("impressions", ColumnKind.LONG),
)


def test_name_columns_follow_their_pivot_columns(client: LinkedInAdsClient) -> None:
    columns = resolver(client).name_columns(
        COLUMNS, ["CAMPAIGN_GROUP", "IMPRESSION_DEVICE_TYPE", Pivot.CAMPAIGN]
    )

    assert [column.name for column in columns] == [
        "start_date", "end_date", "campaign_group", "campaign_group_name", "impression_device_type",
        "campaign", "campaign_name", "impressions",
    ]  # fmt: skip
    assert {column.kind for column in columns if column.name.endswith("_name")} == {ColumnKind.STRING}


@pytest.mark.parametrize(
    "pivot",
    [
        pytest.param(pivot, id=pivot.value)
        for pivot in (
            Pivot.SHARE,
            Pivot.CONVERSION,
            Pivot.IMPRESSION_DEVICE_TYPE,
            Pivot.SERVING_LOCATION,
            Pivot.OBJECTIVE_TYPE,
        )
    ],
)
def test_pivots_without_a_lookup_get_no_name_column_and_no_call(
    emulator: EmulatorServer, client: LinkedInAdsClient, pivot: Pivot
) -> None:
    rows = rows_of(pivot, ["urn:li:share:1", "ON_SITE"])
    columns = (Column(pivot.column, ColumnKind.STRING),)

    names = resolver(client)

    assert names.name_columns(columns, [pivot]) == columns
    assert list(names.enrich(rows, [pivot])) == rows
    assert pivot not in NAME_LOOKUPS
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        pytest.param(lambda names: names.name_columns(COLUMNS, ["CAMPAIGNS"]), "pivots", id="unknown-pivot"),
        pytest.param(lambda names: names.name_columns(COLUMNS, ["CREATIVE"]), "pivots", id="missing-column"),
        pytest.param(lambda names: names.enrich([], ["NOPE"]), "pivots", id="enrich-unknown-pivot"),
    ],
)
def test_bad_pivots_are_configuration_errors(client: LinkedInAdsClient, call: Any, argument: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        call(resolver(client))
    assert caught.value.argument == argument


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        pytest.param({"batch_size": 0}, "batch_size", id="batch-size"),
        pytest.param({"buffer_rows": -1}, "buffer_rows", id="buffer-rows"),
        pytest.param({"accounts": ["urn:li:sponsoredCampaign:1"]}, "accounts", id="account-urn-type"),
    ],
)
def test_bad_constructor_arguments(client: LinkedInAdsClient, kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolver(client, **kwargs)
    assert caught.value.argument == argument


def test_name_column_is_the_lower_case_pivot_plus_name() -> None:
    assert name_column("member_country_v2") == "member_country_v2_name"


# -- batching and cache --------------------------------------------------------------------------------


def test_one_batch_call_per_batch_size_distinct_ids(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    campaigns = entity_ids(WORLD.campaigns, VISIBLE[0])  # 20 campaigns
    values = [f"urn:li:sponsoredCampaign:{key}" for key in campaigns] * 3  # each one on three rows

    enriched = list(
        resolver(client, accounts=[VISIBLE[0]], batch_size=8).enrich(
            rows_of(Pivot.CAMPAIGN, values), ["CAMPAIGN"]
        )
    )

    calls = lookup_calls(emulator)
    assert [len(ids_of(call)) for call in calls] == [8, 8, 4]
    assert sorted(int(key) for call in calls for key in ids_of(call)) == campaigns
    assert all(row["campaign_name"] is not None for row in enriched)


def test_the_cache_spares_a_second_enrichment_any_call(
    emulator: EmulatorServer, client: LinkedInAdsClient
) -> None:
    values = [f"urn:li:sponsoredCampaign:{key}" for key in entity_ids(WORLD.campaigns, VISIBLE[0])]
    values += ["urn:li:sponsoredCampaign:1"]  # unknown: its failure is cached too
    names = resolver(client, accounts=[VISIBLE[0]])

    first = list(names.enrich(rows_of(Pivot.CAMPAIGN, values), ["CAMPAIGN"]))
    calls = len(emulator.requests)
    second = list(names.enrich(rows_of(Pivot.CAMPAIGN, values), ["CAMPAIGN"]))

    assert second == first
    assert len(emulator.requests) == calls == 1


def test_pivots_sharing_a_lookup_share_the_cache(emulator: EmulatorServer, client: LinkedInAdsClient) -> None:
    organization = WORLD.accounts[VISIBLE[0]].organization_id
    rows = [
        {
            "company": f"urn:li:organization:{organization}",
            "member_company": f"urn:li:organization:{organization}",
        }
    ]

    (row,) = resolver(client).enrich(rows, ["COMPANY", "MEMBER_COMPANY"])

    assert row["company_name"] == row["member_company_name"] == WORLD.accounts[VISIBLE[0]].name
    (call,) = lookup_calls(emulator)
    assert ids_of(call) == [str(organization)]


# -- bounded buffering ---------------------------------------------------------------------------------


def test_rows_are_read_ahead_at_most_buffer_rows(emulator: EmulatorServer, client: LinkedInAdsClient) -> None:
    campaigns = entity_ids(WORLD.campaigns, VISIBLE[0])
    consumed: list[int] = []

    def source() -> Iterator[ReportRow]:
        for index, key in enumerate(campaigns):
            consumed.append(index)
            yield {"campaign": f"urn:li:sponsoredCampaign:{key}"}

    enriched = resolver(client, accounts=[VISIBLE[0]], buffer_rows=5).enrich(source(), ["CAMPAIGN"])
    first = next(enriched)

    assert len(consumed) == 5
    assert first["campaign_name"] == WORLD.campaigns[campaigns[0]].name
    assert len(lookup_calls(emulator)) == 1  # only the first buffer's names so far
    rest = list(enriched)
    assert len(rest) == len(campaigns) - 1
    assert len(consumed) == len(campaigns)
    assert len(lookup_calls(emulator)) == 4  # one batch per buffer of 5 new ids


# -- accounts of account-scoped entities ---------------------------------------------------------------


def test_the_row_account_is_used_when_the_report_pivots_by_account(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [
        {"account": f"urn:li:sponsoredAccount:{account}", "campaign": f"urn:li:sponsoredCampaign:{campaign}"}
        for account in VISIBLE
        for campaign in entity_ids(WORLD.campaigns, account)[:3]
    ]

    enriched = list(resolver(client).enrich(rows, ["ACCOUNT", "CAMPAIGN"]))

    assert [row["campaign_name"] for row in enriched] == [
        WORLD.campaigns[int(row["campaign"].rsplit(":", 1)[-1])].name for row in rows
    ]
    paths = sorted(call.path for call in lookup_calls(emulator))
    assert paths == sorted(
        ["/rest/adAccounts", *(f"/rest/adAccounts/{account}/adCampaigns" for account in VISIBLE)]
    )
    assert warnings_of(caplog) == []


def test_each_hinted_account_is_tried_until_the_ids_are_found(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture
) -> None:
    # The hidden account answers 403, the first visible one 404 per id; the second holds them.
    campaigns = entity_ids(WORLD.campaigns, VISIBLE[1])[:4]
    names = resolver(client, accounts=[HIDDEN, VISIBLE[0], f"urn:li:sponsoredAccount:{VISIBLE[1]}"])

    enriched = list(
        names.enrich(
            rows_of(Pivot.CAMPAIGN, [f"urn:li:sponsoredCampaign:{key}" for key in campaigns]), ["CAMPAIGN"]
        )
    )

    assert [row["campaign_name"] for row in enriched] == [WORLD.campaigns[key].name for key in campaigns]
    assert [call.path for call in lookup_calls(emulator)] == [
        f"/rest/adAccounts/{account}/adCampaigns" for account in (HIDDEN, *VISIBLE)
    ]
    assert warnings_of(caplog) == []


def test_without_any_known_account_names_are_none_with_one_warning(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture
) -> None:
    values = [f"urn:li:sponsoredCampaign:{key}" for key in entity_ids(WORLD.campaigns, VISIBLE[0])[:3]]

    enriched = list(resolver(client).enrich(rows_of(Pivot.CAMPAIGN, values), ["CAMPAIGN"]))

    assert [row["campaign_name"] for row in enriched] == [None, None, None]
    assert emulator.requests == []
    (warning,) = warnings_of(caplog)
    assert "no ad account known" in warning


# -- failures ------------------------------------------------------------------------------------------


def test_a_failed_call_leaves_none_and_warns_once_per_batch(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture
) -> None:
    countries = list(DEMOGRAPHIC_VALUES[Pivot.MEMBER_COUNTRY_V2][:10])
    seniorities = list(DEMOGRAPHIC_VALUES[Pivot.MEMBER_SENIORITY][:3])
    rows = [
        {"member_country_v2": country, "member_seniority": seniorities[index % 3]}
        for index, country in enumerate(countries)
    ]
    emulator.faults.script("500", times=2, path_contains="/rest/geo")

    enriched = list(resolver(client, batch_size=5).enrich(rows, ["MEMBER_COUNTRY_V2", "MEMBER_SENIORITY"]))

    assert [row["member_country_v2_name"] for row in enriched] == [None] * 10
    assert [row["member_seniority_name"] for row in enriched] == [
        WORLD.names("seniority")[value.rsplit(":", 1)[-1]] for value in (seniorities * 4)[:10]
    ]
    warnings = warnings_of(caplog)
    assert len(warnings) == 2  # two failed geo batches of 5, one warning each
    assert all("ServerError (HTTP 500)" in warning and "geo" in warning for warning in warnings)


def test_ids_in_errors_leave_none_and_warn_once_per_batch(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture
) -> None:
    titles = list(DEMOGRAPHIC_VALUES[Pivot.MEMBER_JOB_TITLE][:4])
    values = [*titles, "urn:li:title:999999991", "urn:li:title:999999992", "urn:li:title:999999993"]

    enriched = list(
        resolver(client, batch_size=5).enrich(rows_of(Pivot.MEMBER_JOB_TITLE, values), ["MEMBER_JOB_TITLE"])
    )

    names = [row["member_job_title_name"] for row in enriched]
    assert names[:4] == [WORLD.names("title")[value.rsplit(":", 1)[-1]] for value in titles]
    assert names[4:] == [None, None, None]
    warnings = warnings_of(caplog)
    assert len(warnings) == 2  # both batches (5 + 2 ids) held unknown ids
    assert "1 of 5 title" in warnings[0]
    assert "2 of 2 title" in warnings[1]
    assert "status 404" in warnings[1]


def test_a_cached_failure_is_neither_retried_nor_warned_again(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.faults.script("503", times=1, path_contains="/rest/organizationsLookup")
    rows = [{"company": "urn:li:organization:2000000"}]
    names = resolver(client)

    assert next(names.enrich(rows, ["COMPANY"]))["company_name"] is None
    assert next(names.enrich(rows, ["COMPANY"]))["company_name"] is None

    assert len(lookup_calls(emulator)) == 1
    assert len(warnings_of(caplog)) == 1


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("urn:li:sponsoredCampaign:7", id="wrong-urn-type"),
        pytest.param(None, id="null"),
        pytest.param("UNKNOWN", id="text"),
    ],
)
def test_values_of_another_kind_get_no_name_and_no_call(
    emulator: EmulatorServer, client: LinkedInAdsClient, caplog: pytest.LogCaptureFixture, value: str | None
) -> None:
    (row,) = resolver(client).enrich([{"member_country_v2": value}], ["MEMBER_COUNTRY_V2"])

    assert row == {"member_country_v2": value, "member_country_v2_name": None}
    assert emulator.requests == []
    assert warnings_of(caplog) == []


def test_a_missing_pivot_column_still_gets_its_name_column(client: LinkedInAdsClient) -> None:
    (row,) = resolver(client).enrich([{"impressions": 1}], ["MEMBER_SENIORITY"])

    assert row == {"impressions": 1, "member_seniority_name": None}


def test_a_lone_pivot_name_is_one_pivot(client: LinkedInAdsClient) -> None:
    value = DEMOGRAPHIC_VALUES[Pivot.MEMBER_SENIORITY][0]

    (row,) = resolver(client).enrich([{"member_seniority": value}], "MEMBER_SENIORITY")

    assert row["member_seniority_name"] == WORLD.names("seniority")[value.rsplit(":", 1)[-1]]
    assert resolver(client).name_columns(
        [Column("member_seniority", ColumnKind.STRING)], "MEMBER_SENIORITY"
    ) == (
        Column("member_seniority", ColumnKind.STRING),
        Column("member_seniority_name", ColumnKind.STRING),
    )
