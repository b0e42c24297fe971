"""The emulator against LinkedIn's Reporting page: every sample request verbatim, every documented error.

Requests go over a real loopback socket with ``urllib`` (the emulator itself must not need
``requests``). Worlds and clocks are chosen so that the page's (old) sample dates are still inside
LinkedIn's retention windows on the emulator's "today".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airflow_provider_linkedin_ads.testing import DEFAULT_MEMBER, EmulatorServer, World
from tests.testing.restli1_client import Protocol1Client

# -- worlds -------------------------------------------------------------------------------------

RECENT_TODAY = dt.date(2026, 2, 15)  # the 2024/2025 samples are inside every retention window
GEO_TODAY = dt.date(2021, 7, 1)  # the 2019 MEMBER_* samples are inside the 2-year window


def sample_world(today: dt.date) -> World:
    """The ids the Reporting page's samples use, each account with one running campaign."""
    accounts = {502840441: 1111, 511183580: 2222, 12345: 3333}
    campaigns = {502840441: 502840001, 511183580: 511180001, 12345: 1234567}
    data: dict[str, Any] = {
        "seed": 11,
        "today": today.isoformat(),
        "accounts": [
            {
                "id": aid,
                "name": f"Sample {aid}",
                "currency": "USD",
                "organization_id": org,
                "crm_connected": True,
            }
            for aid, org in accounts.items()
        ],
        "campaign_groups": [
            {"id": 900 + i, "account_id": aid, "name": f"Group {i}"} for i, aid in enumerate(accounts)
        ],
        "campaigns": [
            {
                "id": campaigns[aid],
                "account_id": aid,
                "group_id": 900 + i,
                "name": f"Campaign {i}",
                "status": "ACTIVE",
                "start": "2019-01-01",
                "end": None,
                # tracks a conversion, so externalWebsiteConversions is in its rows as in the sample
                "conversion_ids": [600 + i],
            }
            for i, aid in enumerate(accounts)
        ],
        "creatives": [
            {
                "id": 7000 + i,
                "account_id": aid,
                "campaign_id": campaigns[aid],
                "kind": "IMAGE",
                "share_id": 8000 + i,
            }
            for i, aid in enumerate(accounts)
        ],
        "members": {DEFAULT_MEMBER: list(accounts)},
    }
    return World.from_dict(data)


@pytest.fixture(scope="module")
def recent_server() -> Any:
    with EmulatorServer(sample_world(RECENT_TODAY)) as server:
        yield server


@pytest.fixture(scope="module")
def geo_server() -> Any:
    with EmulatorServer(sample_world(GEO_TODAY)) as server:
        yield server


# -- the sample requests, verbatim ----------------------------------------------------------------

SAMPLE_BASE = "https://api.linkedin.com"
#: The keys of the page's sample responses. Without ``fields`` the samples carry ``dateRange`` and
#: ``pivotValues`` next to the default metrics (the page's text names only the metrics).
DEFAULT_SAMPLE_KEYS = {"clicks", "impressions", "dateRange", "pivotValues"}
COMPANY_FIELDS = "externalWebsiteConversions,dateRange,impressions,landingPageClicks,likes,shares,costInLocalCurrency,pivotValues"
GEO_QUERY = "accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&dateRange=(start:(day:28,month:7,year:2019))&pivot={pivot}&q=analytics&timeGranularity=ALL&fields=impressions,pivotValues"
GEO_START = {"day": 28, "month": 7, "year": 2019}

SAMPLES = [
    pytest.param(
        "recent",
        "GET https://api.linkedin.com/rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=ALL&dateRange=(start:(year:2024,month:1,day:1))&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1234567)",
        {
            "q": "analytics",
            "pivot": "CREATIVE",
            "timeGranularity": "ALL",
            "dateRange": {"start": {"year": 2024, "month": 1, "day": 1}},
            "campaigns": ["urn:li:sponsoredCampaign:1234567"],
        },
        DEFAULT_SAMPLE_KEYS,
        "urn:li:sponsoredCreative:",
        id="analytics-creative-all",
    ),
    pytest.param(
        "recent",
        f"GET https://api.linkedin.com/rest/adAnalytics?q=analytics&dateRange=(start:(year:2024,month:5,day:28),end:(year:2024,month:9,day:30))&timeGranularity=DAILY&accounts=List(urn%3Ali%3AsponsoredAccount%3A502840441)&pivot=MEMBER_COMPANY&fields={COMPANY_FIELDS}",
        {
            "q": "analytics",
            "dateRange": {
                "start": {"year": 2024, "month": 5, "day": 28},
                "end": {"year": 2024, "month": 9, "day": 30},
            },
            "timeGranularity": {"value": "DAILY"},
            "accounts": ["urn:li:sponsoredAccount:502840441"],
            "pivot": {"value": "MEMBER_COMPANY"},
            "fields": COMPANY_FIELDS,
        },
        set(COMPANY_FIELDS.split(",")),
        "urn:li:organization:",
        id="analytics-member-company-fields",
    ),
    pytest.param(
        "recent",
        "GET https://api.linkedin.com/rest/adAnalytics?q=statistics&pivots=List(CAMPAIGN)&dateRange=(start:(year:2024,month:1,day:1))&timeGranularity=DAILY&campaigns=List(urn:li:sponsoredAccount:1234567)",
        {
            "q": "statistics",
            "pivots": [{"value": "CAMPAIGN"}],
            "dateRange": {"start": {"year": 2024, "month": 1, "day": 1}},
            "timeGranularity": "DAILY",
            "campaigns": ["urn:li:sponsoredAccount:1234567"],
        },
        DEFAULT_SAMPLE_KEYS,
        "urn:li:sponsoredCampaign:",
        id="statistics-campaign-raw-colons",
    ),
    pytest.param(
        "recent",
        "GET https://api.linkedin.com/rest/adAnalytics?q=attributedRevenueMetrics&fields=revenueAttributionMetrics,dateRange,pivotValues&dateRange=(start:(year:2025,month:03,day:1),end:(year:2025,month:05,day:31))&account=List(urn%3Ali%3AsponsoredAccount%3A12345)&pivots=List(ACCOUNT)",
        {
            "q": "attributedRevenueMetrics",
            "fields": "revenueAttributionMetrics,dateRange,pivotValues",
            "dateRange": {
                "start": {"year": 2025, "month": 3, "day": 1},
                "end": {"year": 2025, "month": 5, "day": 31},
            },
            "account": "urn:li:sponsoredAccount:12345",
            "pivots": ["ACCOUNT"],
        },
        {"revenueAttributionMetrics", "dateRange", "pivotValues"},
        "urn:li:sponsoredAccount:12345",
        id="attributed-revenue",
    ),
    *(
        pytest.param(
            "geo",
            f"GET https://api.linkedin.com/rest/adAnalytics?{GEO_QUERY.format(pivot=pivot)}",
            {
                "accounts": ["urn:li:sponsoredAccount:511183580"],
                "dateRange": {"start": GEO_START},
                # the form of the page's own 1.0 paging links: pivot.value=, timeGranularity.value=
                "pivot": {"value": pivot.strip("()")},
                "q": "analytics",
                "timeGranularity": {"value": "ALL"},
                "fields": "impressions,pivotValues",
            },
            {"impressions", "pivotValues"},
            "urn:li:geo:",
            id=f"analytics-{pivot.strip('()').lower()}",
        )
        for pivot in ("(MEMBER_COUNTRY_V2)", "MEMBER_REGION_V2", "MEMBER_COUNTY")
    ),
]
SAMPLE_ARGS = ("world", "sample", "protocol_1", "sample_keys", "urn_prefix")


def _sample_elements(server: EmulatorServer, make_api: Any, sample: str, form: str, protocol_1: Any) -> Any:
    """Send one page sample in ``form``: verbatim 2.0 (plain/tunnelled) or as protocol 1.0."""
    path, _, query = sample.removeprefix("GET " + SAMPLE_BASE).partition("?")
    api = make_api(server)
    if form == "2.0":
        reply = api.get(path, query)
    elif form == "2.0-tunnelled":
        reply = api.tunnel(path, query)
    else:
        client = Protocol1Client(server.url, api.token, api.version)
        status, body = client.get(path, protocol_1, tunnel=form == "1.0-tunnelled")
        assert status == 200, body
        assert server.requests[-1].headers.get("x-restli-protocol-version") is None
        return body
    assert reply.status == 200, reply.body
    if form == "2.0":
        assert server.requests[-1].query == query
    return reply.json


@pytest.mark.parametrize(SAMPLE_ARGS, SAMPLES)
def test_seed_sample_request_answers_with_the_sample_keys_in_both_protocols_plain_and_tunnelled(
    request: pytest.FixtureRequest,
    make_api: Any,
    world: str,
    sample: str,
    protocol_1: Any,
    sample_keys: set[str],
    urn_prefix: str,
) -> None:
    server: EmulatorServer = request.getfixturevalue(f"{world}_server")
    server.reset()
    answers = {
        form: _sample_elements(server, make_api, sample, form, protocol_1)
        for form in ("2.0", "2.0-tunnelled", "1.0", "1.0-tunnelled")
    }

    body = answers["2.0"]
    assert body["paging"] == {"start": 0, "count": 10, "links": []}
    assert body["elements"], "the sample world has activity for every sample"
    for element in body["elements"]:
        assert set(element) == sample_keys
        assert len(element["pivotValues"]) == 1
        assert element["pivotValues"][0].startswith(urn_prefix)
        if "dateRange" in element and "timeGranularity=DAILY" in sample:
            assert element["dateRange"]["start"] == element["dateRange"]["end"]
    for form, other in answers.items():
        assert other == body, f"{form} answered differently from the verbatim 2.0 sample"


def test_seed_geo_lookup_sample_verbatim_and_in_protocol_1(
    recent_server: EmulatorServer, make_api: Any
) -> None:
    api = make_api(recent_server)
    client = Protocol1Client(recent_server.url, api.token, api.version)

    reply = api.get("/v2/geo/1", "locale=(language:en,country:US)")
    status, body = client.get("/v2/geo/1", {"locale": {"language": "en", "country": "US"}})

    assert reply.status == 200
    assert reply.json == {
        "defaultLocalizedName": {"locale": {"country": "US", "language": "en"}, "value": "United States"},
        "id": 1,
    }
    assert (status, body) == (200, reply.json)
    assert recent_server.requests[-1].query == "locale.language=en&locale.country=US"


def test_sample_revenue_rows_join_other_finders_on_the_same_range(
    recent_server: EmulatorServer, make_api: Any
) -> None:
    recent_server.reset()
    query = "q=attributedRevenueMetrics&fields=revenueAttributionMetrics,dateRange,pivotValues&dateRange=(start:(year:2025,month:03,day:1),end:(year:2025,month:05,day:31))&account=List(urn%3Ali%3AsponsoredAccount%3A12345)&pivots=List(ACCOUNT)"

    element = make_api(recent_server).analytics(query).json["elements"][0]

    assert element["dateRange"] == {
        "start": {"year": 2025, "month": 3, "day": 1},
        "end": {"year": 2025, "month": 5, "day": 31},
    }
    assert isinstance(element["revenueAttributionMetrics"], dict)


# -- the error table: 400s with errorDetails.inputErrors naming the parameter -------------------

RANGE = "dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:7))"
FACET = "accounts=List(urn%3Ali%3AsponsoredAccount%3A{account})"
BASE = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE}&{FACET}"
REVENUE = (
    "q=attributedRevenueMetrics&pivots=List(CAMPAIGN)&account=List(urn%3Ali%3AsponsoredAccount%3A{account})"
)
TWENTY_ONE = ",".join(
    [
        "dateRange",
        "pivotValues",
        "impressions",
        "clicks",
        "costInUsd",
        "costInLocalCurrency",
        "likes",
        "comments",
        "shares",
        "follows",
        "reactions",
        "landingPageClicks",
        "companyPageClicks",
        "totalEngagements",
        "otherEngagements",
        "videoViews",
        "videoStarts",
        "videoCompletions",
        "oneClickLeads",
        "opens",
        "sends",
    ]
)

ERRORS = [
    pytest.param(
        f"pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE}&{FACET}",
        "MISSING_FIELD",
        "q",
        "'q' is missing",
        id="missing-q",
    ),
    pytest.param(
        f"q=analytics&timeGranularity=DAILY&{RANGE}&{FACET}",
        "MISSING_FIELD",
        "pivot",
        "'pivot' is missing",
        id="missing-pivot",
    ),
    pytest.param(
        f"q=statistics&timeGranularity=DAILY&{RANGE}&{FACET}",
        "MISSING_FIELD",
        "pivots",
        "'pivots' is missing",
        id="missing-pivots",
    ),
    pytest.param(
        f"q=analytics&pivot=CAMPAIGN&{RANGE}&{FACET}",
        "MISSING_FIELD",
        "timeGranularity",
        "ALL, DAILY",
        id="missing-granularity",
    ),
    pytest.param(
        f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{FACET}",
        "MISSING_FIELD",
        "dateRange",
        "'dateRange' is missing",
        id="missing-date-range",
    ),
    pytest.param(
        f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(end:(year:2026,month:1,day:1))&{FACET}",
        "MISSING_FIELD",
        "dateRange.start",
        "required",
        id="missing-start",
    ),
    pytest.param(
        f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE}",
        "MISSING_FIELD",
        "accounts",
        "at least one facet",
        id="missing-facet",
    ),
    pytest.param(
        "q=attributedRevenueMetrics&pivots=List(CAMPAIGN)&dateRange=(start:(year:2026,month:9,day:1),end:(year:2026,month:10,day:31))",
        "MISSING_FIELD",
        "account",
        "requires account",
        id="revenue-missing-account",
    ),
    pytest.param(
        "q=report&pivot=CAMPAIGN", "INVALID_VALUE_FOR_FIELD", "q", "not a finder", id="unknown-finder"
    ),
    pytest.param(
        BASE.replace("pivot=CAMPAIGN", "pivot=CAMPAIGNS"),
        "INVALID_VALUE_FOR_FIELD",
        "pivot",
        "did you mean CAMPAIGN?",
        id="unknown-pivot",
    ),
    pytest.param(
        BASE.replace("pivot=CAMPAIGN", "pivot=MEMBER_COUNTRY"),
        "INVALID_VALUE_FOR_FIELD",
        "pivot",
        "MEMBER_COUNTRY_V2",
        id="removed-pivot",
    ),
    pytest.param(
        BASE.replace("DAILY", "WEEKLY"),
        "INVALID_VALUE_FOR_FIELD",
        "timeGranularity",
        "ALL, DAILY, MONTHLY or YEARLY",
        id="unknown-granularity",
    ),
    pytest.param(
        BASE + "&fields=impresions",
        "INVALID_VALUE_FOR_FIELD",
        "fields",
        "did you mean impressions?",
        id="unknown-metric",
    ),
    pytest.param(
        BASE + "&fields=approximateUniqueImpressions",
        "INVALID_VALUE_FOR_FIELD",
        "fields",
        "use approximateMemberReach",
        id="legacy-metric",
    ),
    pytest.param(
        BASE + "&fields=" + TWENTY_ONE,
        "INVALID_VALUE_FOR_FIELD",
        "fields",
        "at most 20",
        id="twenty-one-fields",
    ),
    pytest.param(
        BASE + "&fields=revenueAttributionMetrics",
        "INVALID_VALUE_FOR_FIELD",
        "fields",
        "attributedRevenueMetrics",
        id="revenue-field-on-analytics",
    ),
    pytest.param(
        BASE + "&fields=impressions%2Cclicks",
        "INVALID_VALUE_FOR_FIELD",
        "fields",
        "percent-encoded",
        id="fields-encoded",
    ),
    pytest.param(
        BASE + "&fields=List(impressions,clicks)",
        "INVALID_VALUE_FOR_FIELD",
        "fields",
        "not List(...)",
        id="fields-as-list",
    ),
    pytest.param(
        f"q=statistics&pivots=List(ACCOUNT,CAMPAIGN_GROUP,CAMPAIGN,CREATIVE)&timeGranularity=DAILY&{RANGE}&{FACET}",
        "INVALID_VALUE_FOR_FIELD",
        "pivots",
        "1 to 3",
        id="four-pivots",
    ),
    pytest.param(
        f"q=statistics&pivots=List(CAMPAIGN,MEMBER_JOB_TITLE)&timeGranularity=DAILY&{RANGE}&{FACET}",
        "FIELD_INVALID",
        "pivots",
        "does not support MEMBER_* pivots",
        id="statistics-demographic",
    ),
    pytest.param(
        f"q=analytics&pivots=List(CAMPAIGN)&timeGranularity=DAILY&{RANGE}&{FACET}",
        "QUERY_PARAM_NOT_ALLOWED",
        "pivots",
        "one pivot",
        id="pivots-on-analytics",
    ),
    pytest.param(
        REVENUE.replace("CAMPAIGN)", "CREATIVE)")
        + "&dateRange=(start:(year:2026,month:9,day:1),end:(year:2026,month:10,day:31))",
        "INVALID_VALUE_FOR_FIELD",
        "pivots",
        "only ACCOUNT, CAMPAIGN_GROUP, CAMPAIGN",
        id="revenue-pivot",
    ),
    pytest.param(
        REVENUE + "&dateRange=(start:(year:2026,month:10,day:1),end:(year:2026,month:10,day:10))",
        "INVALID_VALUE_FOR_FIELD",
        "dateRange",
        "30 to 366 days",
        id="revenue-too-short",
    ),
    pytest.param(
        REVENUE + "&dateRange=(start:(year:2025,month:11,day:1),end:(year:2026,month:11,day:27))",
        "INVALID_VALUE_FOR_FIELD",
        "dateRange",
        "30 to 366 days",
        id="revenue-too-long",
    ),
    pytest.param(
        REVENUE + "&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:3,day:1))",
        "DATE_TOO_EARLY",
        "dateRange.start",
        "within the last year",
        id="revenue-too-old",
    ),
    pytest.param(
        REVENUE + f"&{RANGE}&timeGranularity=DAILY",
        "QUERY_PARAM_NOT_ALLOWED",
        "timeGranularity",
        "not a parameter of q=attributedRevenueMetrics",
        id="revenue-granularity",
    ),
    pytest.param(
        BASE.replace("end:(year:2026,month:11,day:7)", "end:(year:2026,month:10,day:7)"),
        "START_DATE_AFTER_END_DATE",
        "dateRange",
        "is after dateRange.end",
        id="reversed-range",
    ),
    pytest.param(
        BASE.replace(RANGE, "dateRange=(start:(year:2016,month:11,day:27),end:(year:2016,month:12,day:1))"),
        "DATE_TOO_EARLY",
        "dateRange.start",
        "retained for 10 years",
        id="performance-retention",
    ),
    pytest.param(
        BASE.replace("pivot=CAMPAIGN", "pivot=MEMBER_SENIORITY").replace(
            RANGE, "dateRange=(start:(year:2024,month:11,day:27),end:(year:2024,month:12,day:1))"
        ),
        "DATE_TOO_EARLY",
        "dateRange.start",
        "retained for 2 years",
        id="demographic-retention",
    ),
    pytest.param(
        BASE.replace("month:11,day:1", "month:2,day:30"),
        "INVALID_VALUE_FOR_FIELD",
        "dateRange.start",
        "not a calendar date",
        id="impossible-date",
    ),
    pytest.param(
        BASE.replace("pivot=CAMPAIGN", "pivot.value=CAMPAIGN"),
        "QUERY_PARAM_NOT_ALLOWED",
        "pivot.value",
        "protocol 1.0",
        id="restli-1.0-pivot",
    ),
    pytest.param(
        BASE + "&sortBy.field=IMPRESSIONS",
        "QUERY_PARAM_NOT_ALLOWED",
        "sortBy.field",
        "protocol 1.0",
        id="restli-1.0-sort",
    ),
    pytest.param(
        BASE + "&sortBy=(field:REACH,order:DESCENDING)",
        "INVALID_VALUE_FOR_FIELD",
        "sortBy",
        "field must be one of",
        id="bad-sort",
    ),
    pytest.param(
        BASE.replace(FACET, "accounts=List%28urn%3Ali%3AsponsoredAccount%3A{account}%29"),
        "INVALID_VALUE_FOR_FIELD",
        "accounts",
        "must be List(",
        id="double-encoded-list",
    ),
    pytest.param(
        BASE.replace(FACET, "accounts=List({account})"),
        "INVALID_VALUE_FOR_FIELD",
        "accounts",
        "is not a URN",
        id="bare-id-in-facet",
    ),
    pytest.param(
        BASE.replace(FACET, "accounts=List()"),
        "INVALID_VALUE_FOR_FIELD",
        "accounts",
        "empty list",
        id="empty-facet",
    ),
    pytest.param(
        BASE + "&campaignType=VIDEO",
        "INVALID_VALUE_FOR_FIELD",
        "campaignType",
        "SPONSORED_UPDATES",
        id="bad-campaign-type",
    ),
    pytest.param(
        BASE + "&pivot=ACCOUNT",
        "INVALID_VALUE_FOR_FIELD",
        "pivot",
        "more than once",
        id="duplicate-parameter",
    ),
    pytest.param(
        BASE + "&accounts2=List(x)",
        "QUERY_PARAM_NOT_ALLOWED",
        "accounts2",
        "not a parameter of q=analytics",
        id="unknown-parameter",
    ),
    pytest.param(
        BASE.replace(RANGE, "dateRange=(start:(year:2026,month:11,day:1)"),
        "INVALID_VALUE_FOR_FIELD",
        "dateRange",
        "never closed",
        id="unbalanced-parentheses",
    ),
]


@pytest.mark.parametrize(("query", "code", "field_path", "fragment"), ERRORS)
def test_documented_400_names_the_parameter(
    api: Any, accounts: dict[str, int], query: str, code: str, field_path: str, fragment: str
) -> None:
    reply = api.analytics(query.format(account=accounts["visible"]))

    status, got_code, message = reply.error
    assert (status, got_code, reply.field_path) == (400, code, field_path)
    assert fragment in message
    assert reply.json["errorDetails"]["inputErrors"][0]["code"] == code


def test_twenty_fields_counting_structural_ones_are_accepted(api: Any, accounts: dict[str, int]) -> None:
    twenty = TWENTY_ONE.rsplit(",", 1)[0]

    reply = api.analytics(BASE.format(account=accounts["visible"]) + "&fields=" + twenty)

    assert reply.status == 200
    assert {key for element in reply.json["elements"] for key in element} <= set(twenty.split(","))


@pytest.mark.parametrize(
    "enum_form",
    [
        pytest.param("pivot=(value:CAMPAIGN)&timeGranularity=(value:DAILY)", id="record"),
        pytest.param("pivot=(CAMPAIGN)&timeGranularity=DAILY", id="parenthesised-sample-quirk"),
    ],
)
def test_enum_wire_forms_give_the_bare_form_answer(
    api: Any, accounts: dict[str, int], enum_form: str
) -> None:
    bare = BASE.format(account=accounts["visible"])
    other = bare.replace("pivot=CAMPAIGN&timeGranularity=DAILY", enum_form)

    first, second = api.analytics(bare), api.analytics(other)

    assert first.status == second.status == 200
    assert first.body == second.body
    assert first.json["elements"]
