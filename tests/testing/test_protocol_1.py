"""Rest.li protocol 1.0: an independent 1.0 client gets the same rows as the 2.0 form, plain and tunnelled.

The 1.0 client (:mod:`tests.testing.restli1_client`) is written from the protocol description and
shares no code with the emulator; the 2.0 form goes through the shared ``urllib`` helper with the
header; the ground truth is the world's own answer to the equivalent :class:`ReportQuery`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.responses import Rejection
from airflow_provider_linkedin_ads.testing.restli1 import decode_query
from tests.testing.restli1_client import Protocol1Client, date, encode

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 20)
RANGE_2 = "dateRange=(start:(year:2026,month:10,day:1),end:(year:2026,month:10,day:20))"
RANGE_1 = {"start": date(START), "end": date(END)}
FIELDS = "dateRange,pivotValues,impressions,clicks,costInLocalCurrency,videoViews"


def _urn(kind: str, number: int) -> str:
    return f"urn:li:{kind}:{number}"


def _encoded(kind: str, number: int) -> str:
    return f"urn%3Ali%3A{kind}%3A{number}"


def _cases(world: World) -> list[Any]:
    first, second = sorted(world.accounts_for_member("urn:li:person:emulator"))[:2]
    campaigns = sorted(cid for cid, c in world.campaigns.items() if c.account_id == first)[:3]
    accounts_2 = (
        f"accounts=List({_encoded('sponsoredAccount', first)},{_encoded('sponsoredAccount', second)})"
    )
    campaigns_2 = "campaigns=List(" + ",".join(_encoded("sponsoredCampaign", c) for c in campaigns) + ")"
    return [
        pytest.param(
            f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE_2}&{accounts_2}&fields={FIELDS}",
            {
                "q": "analytics",
                "pivot": {"value": "CAMPAIGN"},
                "timeGranularity": {"value": "DAILY"},
                "dateRange": RANGE_1,
                "accounts": [_urn("sponsoredAccount", first), _urn("sponsoredAccount", second)],
                "fields": FIELDS,
            },
            ReportQuery(
                Finder.ANALYTICS,
                (Pivot.CAMPAIGN,),
                TimeGranularity.DAILY,
                START,
                END,
                facets={"accounts": (_urn("sponsoredAccount", first), _urn("sponsoredAccount", second))},
                fields=tuple(FIELDS.split(",")),
            ),
            id="analytics-daily-two-accounts",
        ),
        pytest.param(
            f"q=statistics&pivots=List(CAMPAIGN_GROUP,CAMPAIGN,CREATIVE)&timeGranularity=MONTHLY&{RANGE_2}&{campaigns_2}"
            "&sortBy=(field:IMPRESSIONS,order:DESCENDING)",
            {
                "q": "statistics",
                "pivots": [{"value": "CAMPAIGN_GROUP"}, {"value": "CAMPAIGN"}, "CREATIVE"],
                "timeGranularity": "MONTHLY",
                "dateRange": RANGE_1,
                "campaigns": [_urn("sponsoredCampaign", c) for c in campaigns],
                "sortBy": {"field": "IMPRESSIONS", "order": "DESCENDING"},
            },
            None,  # sorted by the HTTP layer: compared between the two protocols only
            id="statistics-three-pivots-sorted-no-fields",
        ),
        pytest.param(
            f"q=analytics&pivot=MEMBER_JOB_FUNCTION&timeGranularity=ALL&dateRange=(start:(year:2026,month:10,day:1))"
            f"&accounts=List({_encoded('sponsoredAccount', first)})&fields=pivotValues,impressions,clicks",
            {
                "q": "analytics",
                "pivot": "MEMBER_JOB_FUNCTION",
                "timeGranularity": "ALL",
                "dateRange": {"start": date(START)},
                "accounts": [_urn("sponsoredAccount", first)],
                "fields": "pivotValues,impressions,clicks",
            },
            ReportQuery(
                Finder.ANALYTICS,
                (Pivot.MEMBER_JOB_FUNCTION,),
                TimeGranularity.ALL,
                START,
                world.today,
                facets={"accounts": (_urn("sponsoredAccount", first),)},
                fields=("pivotValues", "impressions", "clicks"),
            ),
            id="analytics-demographic-open-ended",
        ),
        pytest.param(
            "q=attributedRevenueMetrics&pivots=List(CAMPAIGN)&dateRange=(start:(year:2026,month:10,day:1),end:(year:2026,month:11,day:28))"
            f"&account=List({_encoded('sponsoredAccount', first)})&fields=dateRange,pivotValues,revenueAttributionMetrics",
            {
                "q": "attributedRevenueMetrics",
                "pivots": ["CAMPAIGN"],
                "dateRange": {"start": date(START), "end": date(world.today)},
                "account": _urn("sponsoredAccount", first),
                "fields": "dateRange,pivotValues,revenueAttributionMetrics",
            },
            None,
            id="revenue-ending-today",
        ),
    ]


CASES = _cases(World())


@pytest.mark.parametrize(("query_2", "params_1", "truth"), CASES)
@pytest.mark.parametrize("tunnel", [False, True], ids=["plain", "tunnelled"])
def test_protocol_1_client_gets_the_rows_of_the_2_0_form(
    server: EmulatorServer,
    api: Any,
    shared_world: World,
    query_2: str,
    params_1: dict[str, Any],
    truth: ReportQuery | None,
    tunnel: bool,
) -> None:
    client = Protocol1Client(server.url, api.token, api.version)

    rows_1 = client.elements(params_1, tunnel=tunnel)
    reply = api.tunnel("/rest/adAnalytics", query_2) if tunnel else api.analytics(query_2)

    assert reply.status == 200, reply.body
    assert rows_1, "the case has activity"
    assert rows_1 == reply.json["elements"]
    if truth is not None:
        visible = shared_world.accounts_for_member("urn:li:person:emulator")
        expected = shared_world.answer(
            dataclasses.replace(truth, visible_accounts=visible), now=server.clock.now()
        )
        assert rows_1 == expected
    protocol_1, protocol_2 = server.requests[-2:]
    assert protocol_1.tunnelled is protocol_2.tunnelled is tunnel
    assert "x-restli-protocol-version" not in protocol_1.headers


def test_protocol_1_entity_finder_and_repeated_ids_batch_get(server: EmulatorServer, api: Any) -> None:
    client = Protocol1Client(server.url, api.token, api.version)
    visible = sorted(server.world.accounts_for_member("urn:li:person:emulator"))

    status, search = client.get(
        "/rest/adAccounts", {"q": "search", "search": {"id": {"values": [str(visible[0])]}}}
    )
    query = encode({"ids": str(visible[0])}) + "&" + encode({"ids": str(visible[1])})
    reply = api.get("/rest/adAccounts", query, X_Restli_Protocol_Version=None)

    assert status == 200, search
    assert [element["id"] for element in search["elements"]] == [visible[0]]
    assert reply.status == 200, reply.body
    assert sorted(reply.json["results"]) == sorted(str(item) for item in visible[:2])


def test_linkedin_tolerances_repeated_field_names_and_paging_params_are_ignored(api: Any) -> None:
    first = sorted(api.server.world.accounts_for_member("urn:li:person:emulator"))[0]
    base = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE_2}&accounts=List({_encoded('sponsoredAccount', first)})"

    plain = api.analytics(base + "&fields=dateRange,pivotValues,clicks")
    tolerant = api.analytics(
        base + "&fields=dateRange,clicks,pivotValues,clicks,dateRange&start=10&count=10000"
    )

    assert plain.status == tolerant.status == 200, tolerant.body
    assert plain.json["elements"]
    assert tolerant.json["elements"] == plain.json["elements"]


def test_protocol_1_refuses_2_0_syntax_and_a_header_it_does_not_know(api: Any) -> None:
    first = sorted(api.server.world.accounts_for_member("urn:li:person:emulator"))[0]
    query = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE_2}&accounts=List({_encoded('sponsoredAccount', first)})"

    without = api.analytics(query, X_Restli_Protocol_Version=None)
    unknown = api.analytics(query, X_Restli_Protocol_Version="3.0.0")

    assert without.error[:2] == (400, "INVALID_VALUE_FOR_FIELD")
    assert "X-Restli-Protocol-Version: 2.0.0" in without.error[2]
    assert without.field_path == "dateRange"
    assert unknown.error[:2] == (400, "INVALID_PROTOCOL_VERSION")


# -- the decoder on its own -----------------------------------------------------------------------


def test_decode_query_builds_records_arrays_and_unescapes_keys() -> None:
    decoded = decode_query(
        "dateRange.start.day=1&dateRange.start.month=2&dateRange.start.year=2026&pivot.value=CAMPAIGN"
        "&campaigns%5B1%5D=urn%3Ali%3AsponsoredCampaign%3A2&campaigns[0]=urn%3Ali%3AsponsoredCampaign%3A1"
        "&search.a~2Eb.values[0]=x+y&ids=1&ids=2&ids=3"
    )

    assert decoded == {
        "dateRange": {"start": {"day": "1", "month": "2", "year": "2026"}},
        "pivot": {"value": "CAMPAIGN"},
        "campaigns": ["urn:li:sponsoredCampaign:1", "urn:li:sponsoredCampaign:2"],
        "search": {"a.b": {"values": ["x y"]}},
        "ids": ["1", "2", "3"],
    }


@pytest.mark.parametrize(
    ("query", "field_path"),
    [
        pytest.param("campaigns[0]=a&campaigns[2]=b", "campaigns", id="index-gap"),
        pytest.param("pivot=CAMPAIGN&pivot.value=CAMPAIGN", "pivot.value", id="value-and-record"),
        pytest.param("a[0]=x&a.b=y", "a.b", id="array-and-record"),
        pytest.param("dateRange.start=1&dateRange.start=2", "dateRange.start", id="repeated-leaf"),
        pytest.param("pivot..value=X", "pivot..value", id="empty-step"),
        pytest.param("accounts=List(urn%3Ali%3AsponsoredAccount%3A1)", "accounts", id="2.0-list"),
        pytest.param("flag", "flag", id="no-equals"),
    ],
)
def test_decode_query_names_the_parameter_it_refuses(query: str, field_path: str) -> None:
    with pytest.raises(Rejection) as caught:
        decode_query(query)

    assert caught.value.response.status == 400
    assert field_path in caught.value.response.body.decode()


def test_v2_lookup_without_header_reads_1_0_names_and_keeps_2_0_lists(
    server: EmulatorServer, api: Any
) -> None:
    titles = sorted(server.world.names("title"), key=int)[:2]

    repeated = api.get("/v2/titles", f"ids={titles[0]}&ids={titles[1]}", X_Restli_Protocol_Version=None)
    listed = api.get("/v2/titles", f"ids=List({titles[0]},{titles[1]})", X_Restli_Protocol_Version=None)

    assert repeated.status == listed.status == 200, repeated.body
    assert repeated.json == listed.json
    assert sorted(repeated.json["results"]) == sorted(titles)
