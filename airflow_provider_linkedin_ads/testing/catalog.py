"""The world's entity store: entities by id, their relations, and facet selection.

Facet semantics (``adAnalytics``): every facet given restricts the rows (AND between facets, OR
between the URNs of one facet). ``accounts``/``account`` match the account, ``companies`` the
account's advertiser organization, ``campaignGroups``/``campaigns``/``creatives``/``shares`` the
entity itself; ``campaignType`` the campaign type. URNs naming nothing in the world match nothing.
The caller's visible accounts restrict further (no access gives no rows, not an error).

.. code-block:: python

    catalog = Catalog(entities)
    catalog.select(query)  # the creatives whose facts the query aggregates
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.models import urn_id
from airflow_provider_linkedin_ads.testing.entities import (
    Account,
    Campaign,
    CampaignGroup,
    Creative,
    account_api_json,
    campaign_api_json,
    campaign_group_api_json,
    creative_api_json,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from airflow_provider_linkedin_ads.testing.generator import Entities
    from airflow_provider_linkedin_ads.testing.query import ReportQuery

__all__ = ["Catalog"]


def _by_id(items: Iterable[Any], kind: str) -> dict[int, Any]:
    table: dict[int, Any] = {}
    for item in items:
        if item.id in table:
            raise ConfigurationError(f"{kind}: duplicate id {item.id}", argument=kind)
        table[item.id] = item
    return table


def _facet_ids(urns: Iterable[str]) -> set[int]:
    ids = set()
    for urn in urns:
        tail = urn_id(str(urn))
        if tail.isdigit():
            ids.add(int(tail))
    return ids


class Catalog:
    """Entities by id with parent/child indices; the base of :class:`~.world.World`.

    .. code-block:: python

        catalog = Catalog(generate(WorldParameters()))
        catalog.campaign_json(next(iter(catalog.campaigns)))["runSchedule"]

    :param entities: the entities; every reference must resolve.
    :raises ConfigurationError: a duplicate id or a dangling reference, named in the message.
    """

    def __init__(self, entities: Entities) -> None:
        self.accounts: Mapping[int, Account] = MappingProxyType(_by_id(entities.accounts, "accounts"))
        self.campaign_groups: Mapping[int, CampaignGroup] = MappingProxyType(
            _by_id(entities.campaign_groups, "campaign_groups")
        )
        self.campaigns: Mapping[int, Campaign] = MappingProxyType(_by_id(entities.campaigns, "campaigns"))
        self.creatives: Mapping[int, Creative] = MappingProxyType(_by_id(entities.creatives, "creatives"))
        self._campaigns_of_account: dict[int, list[Campaign]] = {account: [] for account in self.accounts}
        self._campaigns_of_group: dict[int, list[Campaign]] = {group: [] for group in self.campaign_groups}
        self._creatives_of_campaign: dict[int, list[Creative]] = {campaign: [] for campaign in self.campaigns}
        self._link()

    def _link(self) -> None:
        for group in self.campaign_groups.values():
            self._require(group.account_id in self.accounts, "campaign_groups", group.id, "account_id")
        for campaign in self.campaigns.values():
            parent = self.campaign_groups.get(campaign.group_id)
            self._require(campaign.account_id in self.accounts, "campaigns", campaign.id, "account_id")
            same_account = parent is not None and parent.account_id == campaign.account_id
            self._require(same_account, "campaigns", campaign.id, "group_id")
            self._campaigns_of_account[campaign.account_id].append(campaign)
            self._campaigns_of_group[campaign.group_id].append(campaign)
        for creative in self.creatives.values():
            owner = self.campaigns.get(creative.campaign_id)
            ok = owner is not None and owner.account_id == creative.account_id
            self._require(ok, "creatives", creative.id, "campaign_id")
            self._creatives_of_campaign[creative.campaign_id].append(creative)

    @staticmethod
    def _require(condition: bool, kind: str, entity_id: int, field: str) -> None:
        if not condition:
            raise ConfigurationError(
                f"{kind}: {field} of {entity_id} does not name a matching entity", argument=f"{kind}.{field}"
            )

    def campaigns_of(self, account_id: int) -> list[Campaign]:
        """Return the campaigns of an account, in dataset order."""
        return list(self._campaigns_of_account.get(account_id, ()))

    def creatives_of(self, campaign_id: int) -> list[Creative]:
        """Return the creatives of a campaign, in dataset order."""
        return list(self._creatives_of_campaign.get(campaign_id, ()))

    def select_campaigns(self, query: ReportQuery) -> list[Campaign]:
        """Return the campaigns passing the account-, company-, group-, campaign- and type-level filters."""
        facets = {name: _facet_ids(urns) for name, urns in query.facets.items()}
        accounts = set(self.accounts)
        if query.visible_accounts is not None:
            accounts &= set(query.visible_accounts)
        for name in ("accounts", "account"):
            if name in facets:
                accounts &= facets[name]
        if "companies" in facets:
            accounts = {
                item for item in accounts if self.accounts[item].organization_id in facets["companies"]
            }
        campaigns = [
            campaign for account in sorted(accounts) for campaign in self._campaigns_of_account[account]
        ]
        groups, chosen = facets.get("campaignGroups"), facets.get("campaigns")
        return [
            campaign
            for campaign in campaigns
            if (groups is None or campaign.group_id in groups)
            and (chosen is None or campaign.id in chosen)
            and (query.campaign_type is None or campaign.campaign_type == query.campaign_type)
        ]

    def select(self, query: ReportQuery) -> list[Creative]:
        """Return the creatives whose facts ``query`` aggregates (every facet applied, see the module docstring)."""
        facets = {name: _facet_ids(urns) for name, urns in query.facets.items()}
        creatives, shares = facets.get("creatives"), facets.get("shares")
        return [
            creative
            for campaign in self.select_campaigns(query)
            for creative in self._creatives_of_campaign[campaign.id]
            if (creatives is None or creative.id in creatives)
            and (shares is None or creative.share_id in shares)
        ]

    def account_json(self, account_id: int) -> dict[str, Any]:
        """``/rest/adAccounts/{id}`` body. :raises KeyError: unknown id (answer 404)."""
        return account_api_json(self.accounts[account_id])

    def campaign_group_json(self, group_id: int) -> dict[str, Any]:
        """``adCampaignGroups`` element. :raises KeyError: unknown id (answer 404)."""
        group = self.campaign_groups[group_id]
        currency = self.accounts[group.account_id].currency
        return campaign_group_api_json(group, self._campaigns_of_group[group_id], currency)

    def campaign_json(self, campaign_id: int) -> dict[str, Any]:
        """``adCampaigns`` element. :raises KeyError: unknown id (answer 404)."""
        campaign = self.campaigns[campaign_id]
        return campaign_api_json(campaign, self.accounts[campaign.account_id].currency)

    def creative_json(self, creative_id: int) -> dict[str, Any]:
        """``creatives`` element (``id`` is the creative URN). :raises KeyError: unknown id (answer 404)."""
        creative = self.creatives[creative_id]
        return creative_api_json(creative, self.campaigns[creative.campaign_id])
