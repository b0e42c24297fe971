"""The hook's finder parameters: fixed order, URN normalisation, argument errors, the wire form."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.hooks._params import FinderRequest, elements_of
from airflow_provider_linkedin_ads.models import DateRange, OpenDateRange
from airflow_provider_linkedin_ads.restli import build_query

JANUARY = DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
JANUARY_RESTLI = {"start": {"year": 2025, "month": 1, "day": 1}, "end": {"year": 2025, "month": 1, "day": 31}}


def _analytics(**overrides):
    arguments = {
        "pivot": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": JANUARY,
        "facets": {"accounts": [508000000]},
        "fields": None,
    }
    return FinderRequest.analytics(**{**arguments, **overrides})


def test_analytics_params_in_fixed_order():
    request = _analytics(
        pivot=Pivot.CAMPAIGN,
        time_granularity=TimeGranularity.DAILY,
        facets={"accounts": [508000000], "campaigns": ["urn:li:sponsoredCampaign:7"], "creatives": ()},
        fields=["dateRange", "pivotValues", "impressions"],
    )
    assert request.params == (
        ("q", "analytics"),
        ("pivot", "CAMPAIGN"),
        ("timeGranularity", "DAILY"),
        ("dateRange", JANUARY_RESTLI),
        ("accounts", ["urn:li:sponsoredAccount:508000000"]),
        ("campaigns", ["urn:li:sponsoredCampaign:7"]),
        ("fields", ["dateRange", "pivotValues", "impressions"]),
    )
    assert request.finder is Finder.ANALYTICS
    assert request.pivots == ("CAMPAIGN",)
    assert dict(request.facet_counts) == {"accounts": 1, "campaigns": 1}


def test_analytics_wire_form_is_the_reference_example():
    # linkedin-api.md section 14, example A.
    request = _analytics(
        fields=[
            "dateRange",
            "pivotValues",
            "impressions",
            "clicks",
            "costInLocalCurrency",
            "costInUsd",
            "externalWebsiteConversions",
            "oneClickLeads",
        ]
    )
    assert build_query(request.params) == (
        "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
        "&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:1,day:31))"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A508000000)"
        "&fields=dateRange,pivotValues,impressions,clicks,costInLocalCurrency,costInUsd,"
        "externalWebsiteConversions,oneClickLeads"
    )


def test_statistics_wire_form_is_the_reference_example():
    # linkedin-api.md section 14, example B.
    request = FinderRequest.statistics(
        pivots=["CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE"],
        time_granularity="MONTHLY",
        date_range=DateRange(dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        facets={"campaignGroups": [111, "urn:li:sponsoredCampaignGroup:222"]},
        fields=["dateRange", "pivotValues", "impressions", "clicks", "costInUsd"],
    )
    assert build_query(request.params) == (
        "q=statistics&pivots=List(CAMPAIGN_GROUP,CAMPAIGN,CREATIVE)&timeGranularity=MONTHLY"
        "&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:3,day:31))"
        "&campaignGroups=List(urn%3Ali%3AsponsoredCampaignGroup%3A111,urn%3Ali%3AsponsoredCampaignGroup%3A222)"
        "&fields=dateRange,pivotValues,impressions,clicks,costInUsd"
    )
    assert request.pivots == ("CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE")


def test_attributed_revenue_wire_form_is_the_reference_example():
    # linkedin-api.md section 14, example D: no timeGranularity, account as a one-URN list.
    request = FinderRequest.attributed_revenue(
        pivots=["CAMPAIGN"],
        date_range=DateRange(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        account=508000000,
        campaign_groups=(),
        campaigns=(),
        fields=["pivotValues", "dateRange", "revenueAttributionMetrics"],
    )
    assert build_query(request.params) == (
        "q=attributedRevenueMetrics&pivots=List(CAMPAIGN)"
        "&dateRange=(start:(year:2025,month:1,day:1),end:(year:2025,month:6,day:30))"
        "&account=List(urn%3Ali%3AsponsoredAccount%3A508000000)"
        "&fields=pivotValues,dateRange,revenueAttributionMetrics"
    )
    assert request.finder is Finder.ATTRIBUTED_REVENUE


def test_attributed_revenue_optional_facets_follow_account():
    request = FinderRequest.attributed_revenue(
        pivots="CAMPAIGN_GROUP",
        date_range=JANUARY,
        account="urn:li:sponsoredAccount:5",
        campaign_groups=[3],
        campaigns=[4],
        fields=None,
    )
    assert [name for name, _ in request.params] == [
        "q",
        "pivots",
        "dateRange",
        "account",
        "campaignGroups",
        "campaigns",
    ]


@pytest.mark.parametrize(
    ("facet", "value", "expected"),
    [
        pytest.param("accounts", 5, ["urn:li:sponsoredAccount:5"], id="single-int"),
        pytest.param("accounts", "5", ["urn:li:sponsoredAccount:5"], id="single-str"),
        pytest.param(
            "campaigns", {9, 3}, ["urn:li:sponsoredCampaign:3", "urn:li:sponsoredCampaign:9"], id="set-sorted"
        ),
        pytest.param("creatives", ("7",), ["urn:li:sponsoredCreative:7"], id="tuple"),
        pytest.param("companies", [1], ["urn:li:organization:1"], id="companies"),
        pytest.param("shares", ["urn:li:share:2"], ["urn:li:share:2"], id="shares"),
    ],
)
def test_facet_values_become_urns(facet, value, expected):
    request = _analytics(facets={facet: value})
    assert dict(request.params)[facet] == expected


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        pytest.param({"pivot": 3}, "pivot", id="pivot-int"),
        pytest.param({"pivot": ""}, "pivot", id="pivot-empty"),
        pytest.param({"time_granularity": None}, None, id="granularity-none-is-omitted"),
        pytest.param({"time_granularity": ["DAILY"]}, "time_granularity", id="granularity-list"),
        pytest.param({"date_range": ("2025-01-01", "2025-01-31")}, "date_range", id="date-range-tuple"),
        pytest.param(
            {"facets": {"accounts": ["urn:li:sponsoredCampaign:1"]}}, "accounts", id="wrong-urn-type"
        ),
        pytest.param({"facets": {"campaignGroups": ["abc"]}}, "campaign_groups", id="python-argument-named"),
        pytest.param({"facets": {"accounts": 5.0}}, "accounts", id="float-facet"),
        pytest.param({"fields": "impressions,clicks"}, "fields", id="fields-string"),
        pytest.param({"fields": []}, "fields", id="fields-empty"),
    ],
)
def test_argument_errors_name_the_argument(overrides, argument):
    if argument is None:
        assert "timeGranularity" not in dict(_analytics(**overrides).params)
        return
    with pytest.raises(ConfigurationError) as info:
        _analytics(**overrides)
    assert info.value.argument == argument


@pytest.mark.parametrize(
    "pivots",
    [
        pytest.param([], id="empty"),
        pytest.param(None, id="none"),
        pytest.param(["CAMPAIGN", 4], id="non-str"),
    ],
)
def test_pivots_must_name_pivots(pivots):
    with pytest.raises(ConfigurationError) as info:
        FinderRequest.statistics(
            pivots=pivots, time_granularity="ALL", date_range=JANUARY, facets={"accounts": 1}, fields=None
        )
    assert info.value.argument == "pivots"


@pytest.mark.parametrize("account", [pytest.param([1], id="list"), pytest.param(None, id="none")])
def test_attributed_revenue_takes_exactly_one_account(account):
    with pytest.raises(ConfigurationError) as info:
        FinderRequest.attributed_revenue(
            pivots=["CAMPAIGN"],
            date_range=JANUARY,
            account=account,
            campaign_groups=(),
            campaigns=(),
            fields=None,
        )
    assert info.value.argument == "account"


def test_summary_is_token_free_and_complete():
    summary = _analytics(facets={"accounts": [1, 2], "campaigns": [3]}).summary()
    assert summary.resource == "adAnalytics"
    assert summary.finder == "analytics"
    assert summary.pivots == ("CAMPAIGN",)
    assert summary.date_range == "2025-01-01..2025-01-31"
    assert dict(summary.facet_counts) == {"accounts": 2, "campaigns": 1}


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        pytest.param({"elements": [{"clicks": 1}], "paging": {}}, [{"clicks": 1}], id="rows"),
        pytest.param({"elements": []}, [], id="empty"),
    ],
)
def test_elements_of(response, expected):
    assert elements_of(response, resource="adAnalytics") == expected


@pytest.mark.parametrize(
    "response", [pytest.param({}, id="missing"), pytest.param({"elements": {"a": 1}}, id="not-a-list")]
)
def test_elements_of_refuses_a_body_without_elements(response):
    with pytest.raises(LinkedInAdsError, match="elements"):
        elements_of(response, resource="adAnalytics")


def test_open_date_range_is_sent_without_end_and_summarised_as_open():
    request = _analytics(date_range=OpenDateRange(dt.date(2025, 1, 1)))

    assert ("dateRange", {"start": {"year": 2025, "month": 1, "day": 1}}) in request.params
    assert "dateRange=(start:(year:2025,month:1,day:1))&" in build_query(request.params)
    assert request.summary().date_range == "2025-01-01.."
