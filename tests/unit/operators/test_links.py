"""The "LinkedIn Campaign Manager" extra link: which page each report's facets point at, and its wiring."""

from __future__ import annotations

import pytest

from airflow_provider_linkedin_ads.get_provider_info import get_provider_info
from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsAttributedRevenueOperator,
    LinkedInAdsStatisticsOperator,
)
from airflow_provider_linkedin_ads.operators.links import LinkedInCampaignManagerLink, campaign_manager_url

ACCOUNT = "urn:li:sponsoredAccount:500000001"
CM = "https://www.linkedin.com/campaignmanager/accounts"


@pytest.mark.parametrize(
    ("facets", "expected"),
    [
        pytest.param({"accounts": (ACCOUNT,)}, f"{CM}/500000001/campaigns", id="one-account"),
        pytest.param({"account": (ACCOUNT,)}, f"{CM}/500000001/campaigns", id="revenue-account"),
        pytest.param(
            {"accounts": (ACCOUNT,), "campaigns": ("urn:li:sponsoredCampaign:42",)},
            f"{CM}/500000001/campaigns/42",
            id="one-campaign",
        ),
        pytest.param(
            {
                "accounts": (ACCOUNT,),
                "campaigns": ("urn:li:sponsoredCampaign:1", "urn:li:sponsoredCampaign:2"),
            },
            f"{CM}/500000001/campaigns",
            id="several-campaigns",
        ),
        pytest.param({"accounts": (ACCOUNT, "urn:li:sponsoredAccount:2")}, CM, id="several-accounts"),
        pytest.param({"campaigns": ("urn:li:sponsoredCampaign:42",)}, CM, id="campaign-without-account"),
    ],
)
def test_the_link_points_at_the_account_or_campaign_reported_on(facets, expected):
    assert campaign_manager_url(facets) == expected


@pytest.mark.parametrize(
    "operator",
    [LinkedInAdsAnalyticsOperator, LinkedInAdsStatisticsOperator, LinkedInAdsAttributedRevenueOperator],
)
def test_every_report_operator_declares_the_registered_link(operator):
    (link,) = operator.operator_extra_links
    assert isinstance(link, LinkedInCampaignManagerLink)
    assert link.name == "LinkedIn Campaign Manager"
    path = f"{type(link).__module__}.{type(link).__qualname__}"
    assert get_provider_info()["extra-links"] == [path]


def test_before_the_task_knew_its_facets_there_is_no_link():
    op = LinkedInAdsAnalyticsOperator(task_id="t", pivot="CAMPAIGN", metrics=["impressions"])
    assert op.campaign_manager_url is None
    op.campaign_manager_url = f"{CM}/1/campaigns"
    assert LinkedInCampaignManagerLink().get_link(op, ti_key=None) == f"{CM}/1/campaigns"
