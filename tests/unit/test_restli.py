"""Golden, sample-URL and error tests for the Rest.li 2.0 codec (property tests: test_restli_fuzz.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import types
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.enums import Pivot, SortField, SortOrder
from airflow_provider_linkedin_ads.errors import LinkedInAdsError, RestliError
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.restli import (
    MAX_DEPTH,
    Decoded,
    Value,
    build_query,
    decode,
    encode,
    encode_fields,
    encode_path_key,
    parse_fields,
    parse_query,
    reduced_encode,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

# --------------------------------------------------------------------------- golden tables (7.3)

JAN_2025 = {"start": {"year": 2025, "month": 1, "day": 1}, "end": {"year": 2025, "month": 1, "day": 31}}
JAN_2025_DECODED: Decoded = {
    "start": {"year": "2025", "month": "1", "day": "1"},
    "end": {"year": "2025", "month": "1", "day": "31"},
}


@pytest.mark.parametrize(
    ("value", "encoded", "decoded"),
    [
        pytest.param(
            "urn:li:sponsoredAccount:508000000",
            "urn%3Ali%3AsponsoredAccount%3A508000000",
            "urn:li:sponsoredAccount:508000000",
            id="urn",
        ),
        pytest.param(
            ["urn:li:sponsoredAccount:1", "urn:li:sponsoredAccount:2"],
            "List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)",
            ["urn:li:sponsoredAccount:1", "urn:li:sponsoredAccount:2"],
            id="facet-list-of-two-accounts",
        ),
        pytest.param(
            JAN_2025,
            "(start:(year:2025,month:1,day:1),end:(year:2025,month:1,day:31))",
            JAN_2025_DECODED,
            id="date-range",
        ),
        pytest.param(
            {"start": {"year": 2025, "month": 1, "day": 1}},
            "(start:(year:2025,month:1,day:1))",
            {"start": {"year": "2025", "month": "1", "day": "1"}},
            id="open-ended-range",
        ),
        pytest.param(
            [Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN, Pivot.CREATIVE],
            "List(CAMPAIGN_GROUP,CAMPAIGN,CREATIVE)",
            ["CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE"],
            id="three-pivots-strenum",
        ),
        pytest.param(
            {"field": SortField.COST_IN_LOCAL_CURRENCY, "order": SortOrder.DESCENDING},
            "(field:COST_IN_LOCAL_CURRENCY,order:DESCENDING)",
            {"field": "COST_IN_LOCAL_CURRENCY", "order": "DESCENDING"},
            id="sort",
        ),
        pytest.param("a b,(c):'d'", "a%20b%2C%28c%29%3A%27d%27", "a b,(c):'d'", id="reserved-leaf"),
        pytest.param("", "''", "", id="empty-string"),
        pytest.param([], "List()", [], id="empty-list"),
        pytest.param({}, "()", {}, id="empty-record"),
        pytest.param([""], "List('')", [""], id="list-of-empty-string"),
        pytest.param({"": ""}, "('':'')", {"": ""}, id="empty-key-and-value"),
        pytest.param(
            "&=+/?#% ~-._", "%26%3D%2B%2F%3F%23%25%20~-._", "&=+/?#% ~-._", id="url-reserved-and-unreserved"
        ),
        pytest.param("café 😀 中", "caf%C3%A9%20%F0%9F%98%80%20%E4%B8%AD", "café 😀 中", id="non-ascii-utf8"),
        pytest.param(True, "true", "true", id="true"),
        pytest.param(False, "false", "false", id="false"),
        pytest.param(-42, "-42", "-42", id="negative-int"),
        pytest.param(("a", 1, True), "List(a,1,true)", ["a", "1", "true"], id="tuple-mixed"),
        pytest.param(
            types.MappingProxyType({"k:1": ["x,y"], "(k)": {}}),
            "(k%3A1:List(x%2Cy),%28k%29:())",
            {"k:1": ["x,y"], "(k)": {}},
            id="keys-encoded-as-leaves",
        ),
        pytest.param(
            {
                "k1": "v1",
                "k2": "value with spaces",
                "k3": [1, 2, 3],
                "k4": "value:with:reserved:char",
                "k5": {"k51": "v51"},
            },
            "(k1:v1,k2:value%20with%20spaces,k3:List(1,2,3),k4:value%3Awith%3Areserved%3Achar,k5:(k51:v51))",
            {
                "k1": "v1",
                "k2": "value with spaces",
                "k3": ["1", "2", "3"],
                "k4": "value:with:reserved:char",
                "k5": {"k51": "v51"},
            },
            id="restli-spec-example-object",
        ),
    ],
)
def test_golden_encode_and_decode(value: Value, encoded: str, decoded: Decoded) -> None:
    assert encode(value) == encoded
    assert decode(encoded) == decoded
    assert decode(encoded, lenient=True) == decoded


def test_record_keys_keep_insertion_order() -> None:
    assert encode({"end": 2, "start": 1}) == "(end:2,start:1)"
    assert list(decode("(end:2,start:1)")) == ["end", "start"]


def test_date_range_model_encodes_to_golden_string() -> None:
    rng = DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert build_query([("dateRange", rng.to_restli())]) == (
        "dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:1,day:31))"
    )


def test_int_enum_encodes_as_number() -> None:
    class Level(enum.IntEnum):
        HIGH = 3

    assert encode(Level.HIGH) == "3"


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        pytest.param("urn:li:sponsoredCreative:789", "urn%3Ali%3AsponsoredCreative%3A789", id="urn"),
        pytest.param(508000000, "508000000", id="numeric"),
        pytest.param("(a,b)", "%28a%2Cb%29", id="parentheses-encoded"),
        pytest.param("a/b c", "a%2Fb%20c", id="slash-and-space"),
    ],
)
def test_encode_path_key(key: str | int, encoded: str) -> None:
    assert encode_path_key(key) == encoded


def test_path_key_builds_the_documented_url() -> None:
    url = f"/rest/adAccounts/{encode_path_key(508000000)}/creatives/{encode_path_key('urn:li:sponsoredCreative:789')}"
    assert url == "/rest/adAccounts/508000000/creatives/urn%3Ali%3AsponsoredCreative%3A789"


@pytest.mark.parametrize(
    "key", [pytest.param("", id="empty"), pytest.param(True, id="bool"), pytest.param(1.5, id="float")]
)
def test_encode_path_key_rejects(key: object) -> None:
    with pytest.raises(RestliError):
        encode_path_key(key)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        pytest.param("value with spaces", "value with spaces", id="spaces-stay-raw"),
        pytest.param("value:with:reserved:char", "value%3Awith%3Areserved%3Achar", id="colons"),
        pytest.param("a,(b)'c'", "a%2C%28b%29%27c%27", id="all-five"),
        pytest.param("x&y=z/é", "x&y=z/é", id="others-untouched"),
        pytest.param("", "''", id="empty"),
    ],
)
def test_reduced_encode(text: str, encoded: str) -> None:
    assert reduced_encode(text) == encoded


# --------------------------------------------------------------------------- fields


def test_fields_golden() -> None:
    assert (
        encode_fields(["dateRange", "pivotValues", "impressions", "clicks"])
        == "dateRange,pivotValues,impressions,clicks"
    )
    assert build_query([("fields", ("dateRange", "pivotValues"))]) == "fields=dateRange,pivotValues"


def test_fields_sub_projection_round_trip() -> None:
    names = ["dateRange", "pivotValues", "revenueAttributionMetrics:(openOpportunities,revenueWonInUsd)"]
    text = encode_fields(names)
    assert text == "dateRange,pivotValues,revenueAttributionMetrics:(openOpportunities,revenueWonInUsd)"
    assert parse_fields(text) == {
        "dateRange": None,
        "pivotValues": None,
        "revenueAttributionMetrics": ("openOpportunities", "revenueWonInUsd"),
    }
    assert list(parse_fields("b,a,c")) == ["b", "a", "c"]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param("impressions,clicks", id="str-not-sequence"),
        pytest.param([], id="empty"),
        pytest.param(["impressions", ""], id="empty-name"),
        pytest.param(["1clicks"], id="leading-digit"),
        pytest.param(["cost_in_usd"], id="underscore"),
        pytest.param(["impressions,clicks"], id="comma-inside-name"),
        pytest.param(["a:()"], id="empty-sub-projection"),
        pytest.param(["a:(b"], id="unclosed-sub-projection"),
        pytest.param(["a:(b:(c))"], id="nested-sub-projection"),
        pytest.param(["clicks", "clicks"], id="duplicate"),
        pytest.param(["clicks", 3], id="non-str-name"),
        pytest.param({"clicks": None}, id="mapping"),
    ],
)
def test_encode_fields_rejects(fields: object) -> None:
    with pytest.raises(RestliError):
        encode_fields(fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        pytest.param("", 0, id="empty"),
        pytest.param("a,", 2, id="trailing-comma"),
        pytest.param(",a", 0, id="leading-comma"),
        pytest.param("a,,b", 2, id="double-comma"),
        pytest.param("impressions%2Cclicks", 11, id="encoded-comma"),
        pytest.param("List(impressions,clicks)", 4, id="list-syntax"),
        pytest.param("a,b,a", 4, id="duplicate"),
        pytest.param("a:(b,)", 1, id="bad-sub-projection"),
        pytest.param("a b", 1, id="space"),
    ],
)
def test_parse_fields_rejects(text: str, position: int) -> None:
    with pytest.raises(RestliError) as info:
        parse_fields(text)
    assert info.value.position == position


# --------------------------------------------------------------------------- build_query / parse_query


def test_build_query_keeps_order_skips_none_and_renders_fields_raw() -> None:
    query = build_query(
        [
            ("q", "analytics"),
            ("pivot", Pivot.CAMPAIGN),
            ("campaignType", None),
            ("accounts", ["urn:li:sponsoredAccount:1"]),
            ("fields", ["impressions", "clicks"]),
            ("sortBy", {"field": "IMPRESSIONS", "order": "DESCENDING"}),
        ]
    )
    assert query == (
        "q=analytics&pivot=CAMPAIGN&accounts=List(urn%3Ali%3AsponsoredAccount%3A1)"
        "&fields=impressions,clicks&sortBy=(field:IMPRESSIONS,order:DESCENDING)"
    )


def test_build_query_empty() -> None:
    assert build_query([]) == ""
    assert build_query([("q", None)]) == ""


@pytest.mark.parametrize(
    "params",
    [
        pytest.param([("", "x")], id="empty-key"),
        pytest.param([("1a", "x")], id="leading-digit"),
        pytest.param([("a-b", "x")], id="dash"),
        pytest.param([("a b", "x")], id="space"),
        pytest.param([("a&b", "x")], id="ampersand"),
        pytest.param([("_a", "x")], id="leading-underscore"),
        pytest.param([(3, "x")], id="non-str-key"),
        pytest.param([("q", "a"), ("q", "b")], id="duplicate-key"),
        pytest.param([("fields", "impressions,clicks")], id="fields-as-str"),
        pytest.param([("fields", ["bad name"])], id="fields-bad-name"),
        pytest.param([("x", 1.5)], id="float-value"),
        pytest.param([("x", [None])], id="none-inside-list"),
    ],
)
def test_build_query_rejects(params: list[tuple[object, object]]) -> None:
    with pytest.raises(RestliError):
        build_query(params)  # type: ignore[arg-type]


def test_build_query_accepts_legacy_dotted_and_underscored_keys() -> None:
    assert build_query([("pivot.value", "X"), ("a_b", 1)]) == "pivot.value=X&a_b=1"


def test_parse_query_basics() -> None:
    parsed = parse_query("?q=analytics&&pivot.value=CAMPAIGN&fields=a,b:(c,d)&x%2Ey=List()&")
    assert parsed == {"q": "analytics", "pivot.value": "CAMPAIGN", "fields": "a,b:(c,d)", "x.y": []}
    assert list(parsed) == ["q", "pivot.value", "fields", "x.y"]


def test_parse_query_returns_fields_unchanged_even_if_odd() -> None:
    assert parse_query("fields=List(a%2C")["fields"] == "List(a%2C"


def test_parse_query_value_with_equals_sign() -> None:
    assert parse_query("a=b=c") == {"a": "b=c"}


@pytest.mark.parametrize(
    ("query", "position"),
    [
        pytest.param("q=analytics&pivot", 12, id="segment-without-equals"),
        pytest.param("q=a&=b", 4, id="empty-key"),
        pytest.param("q=a&q=b", 4, id="duplicate-key"),
        pytest.param("q=a&x%2=b", 5, id="bad-percent-in-key"),
        pytest.param("q=a&x=(a:b", 10, id="unbalanced-value-position-is-absolute"),
        pytest.param("?q=a&x=a'b", 8, id="raw-quote-after-question-mark"),
        pytest.param("q=", 2, id="empty-value-strict"),
        pytest.param("q=a&campaigns=List(urn:li:sponsoredAccount:1)", 22, id="raw-colon-strict"),
    ],
)
def test_parse_query_rejects_with_absolute_position(query: str, position: int) -> None:
    with pytest.raises(RestliError) as info:
        parse_query(query)
    assert info.value.position == position


def test_parse_query_error_names_the_parameter() -> None:
    with pytest.raises(RestliError, match="'dateRange'"):
        parse_query("q=a&dateRange=(start:(year:2025)")


def test_parse_query_lenient_empty_value() -> None:
    assert parse_query("q=", lenient=True) == {"q": ""}


# --------------------------------------------------------------------------- LinkedIn's sample URLs (seed page)

# Copied verbatim from LinkedIn's public Reporting page (seed 000_b132a9cef4c0bf8a.txt, line noted in each id).
SEED_MEMBER_GEO: dict[str, Decoded] = {
    "accounts": ["urn:li:sponsoredAccount:511183580"],
    "dateRange": {"start": {"day": "28", "month": "7", "year": "2019"}},
    "q": "analytics",
    "timeGranularity": "ALL",
    "fields": "impressions,pivotValues",
}
SEED_PAGING: dict[str, Decoded] = {
    "q": "analytics",
    "timeGranularity": "ALL",
    "dateRange": {"start": {"day": "28", "month": "7", "year": "2019"}},
    "start": "10",
    "count": "10",
    "pivot": "_MEMBER_COUNTRY_V2",
    "accounts": ["urn:li:sponsoredAccount:511183580"],
    "fields": "impressions,pivotValues",
}
SEED_PAGING_DOTTED: dict[str, Decoded] = {
    "q": "analytics",
    "timeGranularity.value": "ALL",
    "dateRange": {"start": {"day": "28", "month": "7", "year": "2019"}},
    "start": "10",
    "count": "10",
    "pivot.value": "_MEMBER_COUNTRY_V2",
    "accounts": ["urn:li:sponsoredAccount:511183580"],
    "fields": "impressions,pivotValues",
}


def _with(base: Mapping[str, Decoded], **changes: Decoded) -> dict[str, Decoded]:
    """Insert ``changes`` after ``dateRange`` (where ``pivot`` sits in the geo samples)."""
    result: dict[str, Decoded] = {}
    for key, value in base.items():
        result[key] = value
        if key == "dateRange":
            result.update(changes)
    return result


SEED_SAMPLES = [
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=ALL&dateRange=(start:(year:2024,month:1,day:1))&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1234567)",
        {
            "q": "analytics",
            "pivot": "CREATIVE",
            "timeGranularity": "ALL",
            "dateRange": {"start": {"year": "2024", "month": "1", "day": "1"}},
            "campaigns": ["urn:li:sponsoredCampaign:1234567"],
        },
        True,
        id="line82-analytics-creative",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?q=analytics&dateRange=(start:(year:2024,month:5,day:28),end:(year:2024,month:9,day:30))&timeGranularity=DAILY&accounts=List(urn%3Ali%3AsponsoredAccount%3A502840441)&pivot=MEMBER_COMPANY&fields=externalWebsiteConversions,dateRange,impressions,landingPageClicks,likes,shares,costInLocalCurrency,pivotValues",
        {
            "q": "analytics",
            "dateRange": {
                "start": {"year": "2024", "month": "5", "day": "28"},
                "end": {"year": "2024", "month": "9", "day": "30"},
            },
            "timeGranularity": "DAILY",
            "accounts": ["urn:li:sponsoredAccount:502840441"],
            "pivot": "MEMBER_COMPANY",
            "fields": "externalWebsiteConversions,dateRange,impressions,landingPageClicks,likes,shares,costInLocalCurrency,pivotValues",
        },
        True,
        id="line129-analytics-member-company",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?q=statistics&pivots=List(CAMPAIGN)&dateRange=(start:(year:2024,month:1,day:1))&timeGranularity=DAILY&campaigns=List(urn:li:sponsoredAccount:1234567)",
        {
            "q": "statistics",
            "pivots": ["CAMPAIGN"],
            "dateRange": {"start": {"year": "2024", "month": "1", "day": "1"}},
            "timeGranularity": "DAILY",
            "campaigns": ["urn:li:sponsoredAccount:1234567"],
        },
        False,  # quirk: raw colons inside List(...)
        id="line193-statistics-raw-colons",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?q=attributedRevenueMetrics&fields=revenueAttributionMetrics,dateRange,pivotValues&dateRange=(start:(year:2025,month:03,day:1),end:(year:2025,month:05,day:31))&account=List(urn%3Ali%3AsponsoredAccount%3A12345)&pivots=List(ACCOUNT)",
        {
            "q": "attributedRevenueMetrics",
            "fields": "revenueAttributionMetrics,dateRange,pivotValues",
            "dateRange": {
                "start": {"year": "2025", "month": "03", "day": "1"},
                "end": {"year": "2025", "month": "05", "day": "31"},
            },
            "account": ["urn:li:sponsoredAccount:12345"],
            "pivots": ["ACCOUNT"],
        },
        True,  # leading zeros are just strings
        id="line255-attributed-revenue-leading-zeros",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&dateRange=(start:(day:28,month:7,year:2019))&pivot=(MEMBER_COUNTRY_V2)&q=analytics&timeGranularity=ALL&fields=impressions,pivotValues",
        _with(SEED_MEMBER_GEO, pivot="MEMBER_COUNTRY_V2"),
        False,  # quirk: parenthesised bare value
        id="line302-member-country-parenthesised",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&dateRange=(start:(day:28,month:7,year:2019))&pivot=MEMBER_REGION_V2&q=analytics&timeGranularity=ALL&fields=impressions,pivotValues",
        _with(SEED_MEMBER_GEO, pivot="MEMBER_REGION_V2"),
        True,
        id="line339-member-region",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&dateRange=(start:(day:28,month:7,year:2019))&pivot=MEMBER_COUNTY&q=analytics&timeGranularity=ALL&fields=impressions,pivotValues",
        _with(SEED_MEMBER_GEO, pivot="MEMBER_COUNTY"),
        True,
        id="line376-member-county",
    ),
    pytest.param(
        "GET https://api.linkedin.com/rest/adAnalytics?accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&dateRange=(start:(day:28,month:7,year:2019))&pivot=(MEMBER_COUNTRY_V2)&q=analytics&timeGranularity=ALL&fields=impressions,pivotValues",
        _with(SEED_MEMBER_GEO, pivot="MEMBER_COUNTRY_V2"),
        False,
        id="line415-member-country-parenthesised-again",
    ),
    pytest.param(
        "/adAnalytics?q=analytics&timeGranularity.value=ALL&dateRange=(start:(day:28,month:7,year:2019))&start=10&count=10&pivot.value=_MEMBER_COUNTRY_V2&accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&fields=impressions,pivotValues",
        SEED_PAGING_DOTTED,
        True,
        id="line331-paging-href-dotted",
    ),
    pytest.param(
        "/adAnalytics?q=analytics&timeGranularity=ALL&dateRange=(start:(day:28,month:7,year:2019))&start=10&count=10&pivot=_MEMBER_COUNTRY_V2&accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&fields=impressions,pivotValues",
        SEED_PAGING,
        True,
        id="line368-paging-href",
    ),
    pytest.param(
        "/adAnalyticsV2?q=analytics&timeGranularity=ALL&dateRange=(start:(day:28,month:7,year:2019))&start=10&count=10&pivot=_MEMBER_COUNTRY_V2&accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&fields=impressions,pivotValues",
        SEED_PAGING,
        True,
        id="line405-paging-href-v2",
    ),
    pytest.param(
        "/adAnalytics?q=analytics&timeGranularity.value=ALL&dateRange=(start:(day:28,month:7,year:2019))&start=10&count=10&pivot.value=_MEMBER_COUNTRY_V2&accounts=List(urn%3Ali%3AsponsoredAccount%3A511183580)&fields=impressions,pivotValues",
        SEED_PAGING_DOTTED,
        True,
        id="line444-paging-href-dotted",
    ),
]


def _query_of(url: str) -> str:
    return url.split("?", 1)[1]


def _fields_list(raw: str) -> list[str]:
    return [name if sub is None else f"{name}:({','.join(sub)})" for name, sub in parse_fields(raw).items()]


def _rebuild(parsed: Mapping[str, Decoded]) -> str:
    """Re-encode a parsed query in the same key order (fields through encode_fields)."""
    params: list[tuple[str, Value | None]] = []
    for key, value in parsed.items():
        params.append((key, _fields_list(value) if key == "fields" else value))  # type: ignore[arg-type]
    return build_query(params)


@pytest.mark.parametrize(("url", "expected", "canonical"), SEED_SAMPLES)
def test_seed_sample_urls_parse_leniently(url: str, expected: dict[str, Decoded], canonical: bool) -> None:
    parsed = parse_query(_query_of(url), lenient=True)
    assert parsed == expected
    assert list(parsed) == list(expected)  # order kept


@pytest.mark.parametrize(("url", "expected", "canonical"), SEED_SAMPLES)
def test_seed_sample_urls_reencode_to_an_equivalent_strict_query(
    url: str, expected: dict[str, Decoded], canonical: bool
) -> None:
    query = _query_of(url)
    rebuilt = _rebuild(parse_query(query, lenient=True))
    assert parse_query(rebuilt) == expected  # strict: our encoder never produces the quirks
    assert (rebuilt == query) is canonical


@pytest.mark.parametrize(("url", "expected", "canonical"), SEED_SAMPLES)
def test_seed_sample_urls_strict_mode_rejects_exactly_the_quirks(
    url: str, expected: dict[str, Decoded], canonical: bool
) -> None:
    query = _query_of(url)
    if canonical:
        assert parse_query(query) == expected
    else:
        with pytest.raises(RestliError):
            parse_query(query)


def test_seed_sample_fields_parse() -> None:
    assert parse_fields("revenueAttributionMetrics,dateRange,pivotValues") == dict.fromkeys(
        ["revenueAttributionMetrics", "dateRange", "pivotValues"]
    )


# --------------------------------------------------------------------------- linkedin-api.md section 14 (strict)

EXAMPLE_A = "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:1,day:31))&accounts=List(urn%3Ali%3AsponsoredAccount%3A508000000)&fields=dateRange,pivotValues,impressions,clicks,costInLocalCurrency,costInUsd,externalWebsiteConversions,oneClickLeads"
EXAMPLE_A_DECODED: dict[str, Decoded] = {
    "q": "analytics",
    "pivot": "CAMPAIGN",
    "timeGranularity": "DAILY",
    "dateRange": JAN_2025_DECODED,
    "accounts": ["urn:li:sponsoredAccount:508000000"],
    "fields": "dateRange,pivotValues,impressions,clicks,costInLocalCurrency,costInUsd,externalWebsiteConversions,oneClickLeads",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(EXAMPLE_A, EXAMPLE_A_DECODED, id="A-analytics-daily"),
        pytest.param(
            "q=statistics&pivots=List(CAMPAIGN_GROUP,CAMPAIGN,CREATIVE)&timeGranularity=MONTHLY&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:3,day:31))&campaignGroups=List(urn%3Ali%3AsponsoredCampaignGroup%3A111,urn%3Ali%3AsponsoredCampaignGroup%3A222)&fields=dateRange,pivotValues,impressions,clicks,costInUsd",
            {
                "q": "statistics",
                "pivots": ["CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE"],
                "timeGranularity": "MONTHLY",
                "dateRange": {
                    "start": {"year": "2025", "month": "1", "day": "1"},
                    "end": {"year": "2025", "month": "3", "day": "31"},
                },
                "campaignGroups": ["urn:li:sponsoredCampaignGroup:111", "urn:li:sponsoredCampaignGroup:222"],
                "fields": "dateRange,pivotValues,impressions,clicks,costInUsd",
            },
            id="B-statistics-three-pivots",
        ),
        pytest.param(
            "q=analytics&pivot=MEMBER_JOB_FUNCTION&timeGranularity=ALL&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:3,day:31))&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A700000001)&fields=pivotValues,impressions,clicks,costInLocalCurrency",
            {
                "q": "analytics",
                "pivot": "MEMBER_JOB_FUNCTION",
                "timeGranularity": "ALL",
                "dateRange": {
                    "start": {"year": "2025", "month": "1", "day": "1"},
                    "end": {"year": "2025", "month": "3", "day": "31"},
                },
                "campaigns": ["urn:li:sponsoredCampaign:700000001"],
                "fields": "pivotValues,impressions,clicks,costInLocalCurrency",
            },
            id="C-demographics",
        ),
        pytest.param(
            "q=attributedRevenueMetrics&pivots=List(CAMPAIGN)&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:6,day:30))&account=List(urn%3Ali%3AsponsoredAccount%3A508000000)&fields=pivotValues,dateRange,revenueAttributionMetrics",
            {
                "q": "attributedRevenueMetrics",
                "pivots": ["CAMPAIGN"],
                "dateRange": {
                    "start": {"year": "2025", "month": "1", "day": "1"},
                    "end": {"year": "2025", "month": "6", "day": "30"},
                },
                "account": ["urn:li:sponsoredAccount:508000000"],
                "fields": "pivotValues,dateRange,revenueAttributionMetrics",
            },
            id="D-attributed-revenue",
        ),
        pytest.param(EXAMPLE_A, EXAMPLE_A_DECODED, id="E-tunnelled-body-is-the-same-query"),
        pytest.param(
            "ids=List(700000001,700000002)", {"ids": ["700000001", "700000002"]}, id="F-batch-get-ids"
        ),
    ],
)
def test_contract_examples_strict(query: str, expected: dict[str, Decoded]) -> None:
    parsed = parse_query(query)
    assert parsed == expected
    assert _rebuild(parsed) == query  # our encoder reproduces the documented string byte for byte


def test_example_a_built_from_typed_values() -> None:
    query = build_query(
        [
            ("q", "analytics"),
            ("pivot", Pivot.CAMPAIGN),
            ("timeGranularity", "DAILY"),
            ("dateRange", DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31)).to_restli()),
            ("accounts", ["urn:li:sponsoredAccount:508000000"]),
            ("fields", str(EXAMPLE_A_DECODED["fields"]).split(",")),
        ]
    )
    assert query == EXAMPLE_A


def test_example_f_ids_from_ints() -> None:
    assert build_query([("ids", [700000001, 700000002])]) == "ids=List(700000001,700000002)"


# --------------------------------------------------------------------------- documented wrong forms (7.3)


def test_structure_encoded_is_a_string_not_a_list() -> None:
    assert decode("List%28urn%3Ali%3AsponsoredAccount%3A1%29") == "List(urn:li:sponsoredAccount:1)"


def test_unencoded_urn_in_list_is_rejected_strictly_but_read_leniently() -> None:
    with pytest.raises(RestliError) as info:
        decode("List(urn:li:sponsoredAccount:1)")
    assert info.value.position == 8
    assert decode("List(urn:li:sponsoredAccount:1)", lenient=True) == ["urn:li:sponsoredAccount:1"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("List(impressions,clicks)", id="list-syntax"),
        pytest.param("impressions%2Cclicks", id="encoded"),
    ],
)
def test_wrong_fields_forms_rejected(text: str) -> None:
    with pytest.raises(RestliError):
        parse_fields(text)


# --------------------------------------------------------------------------- decode details


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        pytest.param("a+b", "a+b", id="plus-is-literal"),
        pytest.param("caf%c3%a9", "café", id="lowercase-hex"),
        pytest.param("café", "café", id="raw-non-ascii-kept"),
        pytest.param("List", "List", id="bare-word-List"),
        pytest.param("List(List(),(),'',List(''))", [[], {}, "", [""]], id="nested-empties"),
        pytest.param("(a:List((b:c)))", {"a": [{"b": "c"}]}, id="record-in-list-in-record"),
        pytest.param("(%28k%29:v)", {"(k)": "v"}, id="encoded-key"),
        pytest.param("%27%27", "''", id="encoded-quotes-are-text"),
        pytest.param("03", "03", id="leading-zero-is-a-string"),
    ],
)
def test_decode_details(text: str, decoded: Decoded) -> None:
    assert decode(text) == decoded


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        pytest.param(
            "List(urn:li:sponsoredAccount:1234567)", ["urn:li:sponsoredAccount:1234567"], id="raw-colons"
        ),
        pytest.param("(MEMBER_COUNTRY_V2)", "MEMBER_COUNTRY_V2", id="parenthesised-bare"),
        pytest.param("List((A),(B))", ["A", "B"], id="bare-inside-list"),
        pytest.param("(k:(V))", {"k": "V"}, id="bare-inside-record"),
        pytest.param("('')", "", id="bare-empty-string"),
        pytest.param("", "", id="empty-text"),
    ],
)
def test_decode_lenient_quirks(text: str, decoded: Decoded) -> None:
    assert decode(text, lenient=True) == decoded
    with pytest.raises(RestliError):
        decode(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("(a:b", id="unclosed"),
        pytest.param("(a,b)", id="bare-pair-is-not-bare"),
        pytest.param("(a:b,c)", id="bare-after-pair"),
        pytest.param("a:b", id="top-level-colon"),
        pytest.param("List(a:(b))", id="colon-then-record"),
        pytest.param("List(a,,b)", id="empty-element"),
        pytest.param("a'b", id="raw-quote"),
    ],
)
def test_decode_lenient_still_rejects(text: str) -> None:
    with pytest.raises(RestliError):
        decode(text, lenient=True)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "position"),
    [
        pytest.param("(a:b", 4, id="unbalanced-open"),
        pytest.param("List(a", 6, id="unbalanced-list"),
        pytest.param("(a:b))", 5, id="unbalanced-close"),
        pytest.param(")", 0, id="lone-close"),
        pytest.param("(a:b)c", 5, id="stray-after-record"),
        pytest.param("List()x", 6, id="stray-after-list"),
        pytest.param("a,b", 1, id="top-level-comma"),
        pytest.param("a:b", 1, id="top-level-colon"),
        pytest.param("ab(c)", 2, id="paren-after-leaf"),
        pytest.param("list(a)", 4, id="lowercase-list"),
        pytest.param("List(a,)", 7, id="trailing-comma"),
        pytest.param("List(,a)", 5, id="leading-comma"),
        pytest.param("(a:)", 3, id="missing-value"),
        pytest.param("(:a)", 1, id="missing-key"),
        pytest.param("(a)", 2, id="bare-value-strict"),
        pytest.param("(a:1,b)", 6, id="key-without-value"),
        pytest.param("(List(a):b)", 5, id="list-as-key"),
        pytest.param("((a:b):c)", 1, id="record-as-key"),
        pytest.param("%", 0, id="bare-percent"),
        pytest.param("ab%4", 2, id="short-percent"),
        pytest.param("List(x,%zz)", 7, id="non-hex-percent"),
        pytest.param("(k:a%C3)", 3, id="truncated-utf8"),
        pytest.param("%FF", 0, id="invalid-utf8"),
        pytest.param("%ED%A0%80", 0, id="encoded-surrogate"),
        pytest.param("List(\ud800%41)", 5, id="raw-lone-surrogate-next-to-escape"),
        pytest.param("'", 0, id="single-quote"),
        pytest.param("'''", 2, id="three-quotes"),
        pytest.param("'a'", 0, id="quoted-string"),
        pytest.param("a'", 1, id="trailing-quote"),
        pytest.param("List('',x'y)", 9, id="quote-inside-leaf"),
        pytest.param("(a:1,a:2)", 5, id="duplicate-key"),
        pytest.param("('':1,'':2)", 6, id="duplicate-empty-key"),
        pytest.param("(a%3Ab:1,a%3ab:2)", 9, id="duplicate-after-decoding"),
        pytest.param("", 0, id="empty-text-strict"),
    ],
)
def test_decode_errors_have_positions(text: str, position: int) -> None:
    with pytest.raises(RestliError) as info:
        decode(text)
    assert info.value.position == position
    assert f"position {position}" in str(info.value)


def test_unbalanced_message_points_at_the_opening() -> None:
    with pytest.raises(RestliError, match="'\\(' at position 0 is never closed") as info:
        decode("(a:(b:c)")  # the inner record closes, the outer one does not
    assert info.value.position == 8


def test_decode_rejects_non_str() -> None:
    with pytest.raises(RestliError):
        decode(b"abc")  # type: ignore[arg-type]
    with pytest.raises(RestliError):
        parse_query(None)  # type: ignore[arg-type]
    with pytest.raises(RestliError):
        parse_fields(["a"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        pytest.param(1.5, "float", id="float"),
        pytest.param(None, "NoneType", id="none"),
        pytest.param({"a"}, "set", id="set"),
        pytest.param(frozenset(), "frozenset", id="frozenset"),
        pytest.param(b"urn", "bytes", id="bytes"),
        pytest.param(bytearray(b"x"), "bytearray", id="bytearray"),
        pytest.param(decimal.Decimal("1.5"), "Decimal", id="decimal"),
        pytest.param(dt.date(2025, 1, 1), "date", id="date"),
        pytest.param(object(), "object", id="object"),
        pytest.param(["a", [1.5]], "float", id="float-nested-in-list"),
        pytest.param({"a": {"b": None}}, "NoneType", id="none-nested-in-record"),
        pytest.param({1: "a"}, "int", id="non-str-record-key"),
    ],
)
def test_encode_rejects_unsupported_types_naming_them(value: object, type_name: str) -> None:
    with pytest.raises(RestliError, match=type_name) as info:
        encode(value)  # type: ignore[arg-type]
    assert info.value.position is None
    assert isinstance(info.value, LinkedInAdsError)


def test_encode_rejects_lone_surrogate_and_huge_int() -> None:
    with pytest.raises(RestliError):
        encode("\ud800")
    with pytest.raises(RestliError):
        encode(10**5000)


def _nested_list(depth: int) -> Value:
    value: Value = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_depth_limit_is_the_same_for_encode_and_decode() -> None:
    deepest = encode(_nested_list(MAX_DEPTH))
    assert decode(deepest) == _nested_list(MAX_DEPTH)
    with pytest.raises(RestliError):
        encode(_nested_list(MAX_DEPTH + 1))
    with pytest.raises(RestliError) as info:
        decode("List(" + deepest + ")")
    assert info.value.position == 5 * MAX_DEPTH


def test_encode_self_referencing_list_is_an_error_not_a_crash() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(RestliError):
        encode(loop)  # type: ignore[arg-type]


@pytest.mark.parametrize(("max_depth", "ok"), [pytest.param(1, False, id="1"), pytest.param(2, True, id="2")])
def test_decode_max_depth_parameter(max_depth: int, ok: bool) -> None:
    if ok:
        assert decode("(a:List(b))", max_depth=max_depth) == {"a": ["b"]}
    else:
        with pytest.raises(RestliError, match="max_depth=1"):
            decode("(a:List(b))", max_depth=max_depth)


def test_parse_fields_merges_a_repeated_name_only_when_asked() -> None:
    text = "dateRange,clicks,revenueAttributionMetrics:(a,b),clicks,revenueAttributionMetrics:(b,c)"

    merged = parse_fields(text, merge_duplicates=True)

    assert merged == {"dateRange": None, "clicks": None, "revenueAttributionMetrics": ("a", "b", "c")}
    assert parse_fields("x:(a),x", merge_duplicates=True) == {"x": None}
    with pytest.raises(RestliError):
        parse_fields(text)
