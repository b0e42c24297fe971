"""The "LinkedIn Campaign Manager" extra link of the report tasks: the account (or campaign) reported on.

Campaign Manager's pages are addressed by the sponsored account id, and a campaign's page by the
account and campaign ids (LinkedIn Marketing Solutions Help: "your ad account ID is in the
Campaign Manager URL"):

* one account: ``https://www.linkedin.com/campaignmanager/accounts/<account id>/campaigns``
* one account and one campaign: ``https://www.linkedin.com/campaignmanager/accounts/<account id>/campaigns/<campaign id>``
* several accounts (or none known): ``https://www.linkedin.com/campaignmanager/accounts``

The task computes its URL once it knows the facets it reported on (after listing the accounts when
none were given) and stores it in XCom under the link's ``xcom_key``, as the official providers do:
Airflow 3 pushes ``get_link()``'s answer from the worker when the task finishes, Airflow 2.11's
webserver reads the XCom.

.. code-block:: python

    campaign_manager_url({"accounts": ("urn:li:sponsoredAccount:500000001",)})
    # 'https://www.linkedin.com/campaignmanager/accounts/500000001/campaigns'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseOperatorLink, XCom

from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from airflow.providers.common.compat.sdk import TaskInstanceKey

__all__ = ["CAMPAIGN_MANAGER_URL", "XCOM_KEY", "LinkedInCampaignManagerLink", "campaign_manager_url"]

CAMPAIGN_MANAGER_URL = "https://www.linkedin.com/campaignmanager/accounts"
#: Airflow 3's default key for this class (``_link_<class name>``), spelled out for Airflow 2.11.
XCOM_KEY = "_link_LinkedInCampaignManagerLink"


def campaign_manager_url(facets: Mapping[str, Sequence[str]]) -> str:
    """Return the Campaign Manager page of a report's facets (URNs, as in ``ReportRequest.facets``).

    The account comes from ``accounts`` (``account`` for revenue); a single campaign in
    ``campaigns`` narrows it to that campaign's page.
    """
    accounts = [*facets.get("accounts", ()), *facets.get("account", ())]
    if len(accounts) != 1:
        return CAMPAIGN_MANAGER_URL
    url = f"{CAMPAIGN_MANAGER_URL}/{_id_of(accounts[0])}/campaigns"
    campaigns = list(facets.get("campaigns", ()))
    return f"{url}/{_id_of(campaigns[0])}" if len(campaigns) == 1 else url


def _id_of(urn: object) -> str:
    return str(urn).rsplit(":", 1)[-1]


class LinkedInCampaignManagerLink(BaseOperatorLink):
    """Operator link to the LinkedIn Campaign Manager page of the account (or campaign) a task reported on.

    Registered under ``extra-links`` in the provider info and declared by every report operator:

    .. code-block:: python

        class MyReportOperator(LinkedInAdsReportBaseOperator):
            operator_extra_links = (LinkedInCampaignManagerLink(),)
    """

    name = "LinkedIn Campaign Manager"

    @property
    def xcom_key(self) -> str:
        """The XCom key the link's URL is stored under."""
        return XCOM_KEY

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        """Return the URL the task recorded; empty (no link) before it knew its facets."""
        url = getattr(operator, "campaign_manager_url", None)  # Airflow 3: the task that just ran
        if url is None and not AIRFLOW_V_3_0_PLUS:  # Airflow 2.11: the webserver's serialized task
            url = XCom.get_value(key=self.xcom_key, ti_key=ti_key)
        return url if isinstance(url, str) else ""
