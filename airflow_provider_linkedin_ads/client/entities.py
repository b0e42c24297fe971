"""List the ad entities a token can see: accounts, campaign groups, campaigns, creatives.

Every function pages to the end with LinkedIn's cursor paging (``pageSize`` and ``pageToken``, the
next token read from ``metadata.nextPageToken``; versioned API 202401 and later) and returns the
entities as LinkedIn sent them, as plain dicts, in the order LinkedIn listed them.

=====================  ===============================================================  ==========
function               request                                                          status key
=====================  ===============================================================  ==========
``list_ad_accounts``   ``GET adAccounts?q=search&search=(status:(values:List(..)))``    ``status``
``list_campaign_...``  ``GET adAccounts/{id}/adCampaignGroups?q=search&search=(..)``    ``status``
``list_campaigns``     ``GET adAccounts/{id}/adCampaigns?q=search&search=(..)``         ``status``
``list_creatives``     ``GET adAccounts/{id}/creatives?q=criteria&intendedStatuses=..`` ``intendedStatus``
=====================  ===============================================================  ==========

.. code-block:: python

    from airflow_provider_linkedin_ads.client.entities import list_ad_accounts, list_campaigns

    for account in list_ad_accounts(client):  # ACTIVE accounts only, by default
        campaigns = list_campaigns(client, account["id"], statuses=["ACTIVE", "PAUSED"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.responses import elements_of
from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError
from airflow_provider_linkedin_ads.models import normalize_urn, urn_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.restli import Value

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGES",
    "account_id",
    "list_ad_accounts",
    "list_campaign_groups",
    "list_campaigns",
    "list_creatives",
]

#: Entities per page; LinkedIn's documented default for the ad-entity search finders.
DEFAULT_PAGE_SIZE = 100
#: Upper bound on pages per listing: a server that keeps answering with a next token must not
#: loop forever (15,000 creatives per account at 100 per page is 150 pages).
MAX_PAGES = 10_000


def account_id(account: int | str, *, argument: str = "account") -> str:
    """Return the numeric id of an ad account given as an id or a ``urn:li:sponsoredAccount:`` URN.

    :param account: ``508000000``, ``"508000000"`` or ``"urn:li:sponsoredAccount:508000000"``.
    :param argument: the argument name used in the error message.
    :raises ConfigurationError: anything else.
    """
    return urn_id(normalize_urn(account, urn_type="sponsoredAccount", argument=argument))


def list_ad_accounts(
    client: LinkedInAdsClient,
    *,
    statuses: Sequence[str] | str | None = ("ACTIVE",),
    page_size: int = DEFAULT_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """List the ad accounts the token's member can see (``adAccounts?q=search``), every page.

    :param client: the API client.
    :param statuses: keep accounts in these statuses (``ACTIVE``, ``CANCELED``, ``DRAFT``,
        ``PENDING_DELETION``, ``REMOVED``); ``None`` lists every status.
    :param page_size: entities per call.
    :raises ConfigurationError: for an empty or malformed ``statuses`` or a bad ``page_size``.
    """
    params = _search_params(statuses)
    return _pages(client, "adAccounts", [("q", "search"), *params], page_size)


def list_campaign_groups(
    client: LinkedInAdsClient,
    account: int | str,
    *,
    statuses: Sequence[str] | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """List the campaign groups of one ad account (``adAccounts/{id}/adCampaignGroups?q=search``).

    :param client: the API client.
    :param account: the ad account id or URN.
    :param statuses: keep groups in these statuses (``ACTIVE``, ``ARCHIVED``, ``CANCELED``,
        ``DRAFT``, ``PAUSED``, ...); ``None`` lists every status.
    :param page_size: entities per call.
    :raises ConfigurationError: for a malformed ``account`` or ``statuses``.
    """
    resource = f"adAccounts/{account_id(account)}/adCampaignGroups"
    return _pages(client, resource, [("q", "search"), *_search_params(statuses)], page_size)


def list_campaigns(
    client: LinkedInAdsClient,
    account: int | str,
    *,
    statuses: Sequence[str] | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """List the campaigns of one ad account (``adAccounts/{id}/adCampaigns?q=search``).

    Arguments as for :func:`list_campaign_groups`.
    """
    resource = f"adAccounts/{account_id(account)}/adCampaigns"
    return _pages(client, resource, [("q", "search"), *_search_params(statuses)], page_size)


def list_creatives(
    client: LinkedInAdsClient,
    account: int | str,
    *,
    statuses: Sequence[str] | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """List the creatives of one ad account (``adAccounts/{id}/creatives?q=criteria``).

    Creatives carry their id as a URN (``"urn:li:sponsoredCreative:789"``) and their status in
    ``intendedStatus``.

    :param client: the API client.
    :param account: the ad account id or URN.
    :param statuses: keep creatives with these ``intendedStatus`` values (``ACTIVE``, ``PAUSED``,
        ``DRAFT``, ``ARCHIVED``, ...); ``None`` lists every status.
    :param page_size: entities per call.
    """
    resource = f"adAccounts/{account_id(account)}/creatives"
    wanted = _status_list(statuses)
    params: list[tuple[str, Value | None]] = [("q", "criteria")]
    if wanted is not None:
        params.append(("intendedStatuses", wanted))
    return _pages(client, resource, params, page_size)


def _status_list(statuses: Sequence[str] | str | None) -> list[str] | None:
    if statuses is None:
        return None
    values = [statuses] if isinstance(statuses, str) else list(statuses)
    if not values:
        raise ConfigurationError(
            "statuses must name at least one status; pass None to list every status", argument="statuses"
        )
    if not all(isinstance(value, str) and value.strip().isidentifier() for value in values):
        raise ConfigurationError(
            f"statuses must be status names such as 'ACTIVE', got {values!r:.80}", argument="statuses"
        )
    return [value.strip().upper() for value in values]


def _search_params(statuses: Sequence[str] | str | None) -> list[tuple[str, Value | None]]:
    wanted = _status_list(statuses)
    if wanted is None:
        return []
    return [("search", {"status": {"values": wanted}})]


def _pages(
    client: LinkedInAdsClient, resource: str, params: list[tuple[str, Value | None]], page_size: int
) -> list[dict[str, Any]]:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ConfigurationError(
            f"page_size must be a positive integer, got {page_size!r}", argument="page_size"
        )
    entities: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        answer = client.get(resource, [*params, ("pageSize", page_size), ("pageToken", token)])
        entities.extend(elements_of(answer, resource=resource))  # the finders' one check
        token = _next_token(answer)
        if token is None:
            return entities
        if token in seen:  # a repeated cursor would page forever over the same entities
            raise LinkedInAdsError(
                f"{resource}: LinkedIn repeated the page token; stopped after {len(seen) + 1} pages"
            )
        seen.add(token)
    raise LinkedInAdsError(f"{resource}: more than {MAX_PAGES} pages; stopped listing")


def _next_token(answer: dict[str, Any]) -> str | None:
    metadata = answer.get("metadata")
    token = metadata.get("nextPageToken") if isinstance(metadata, dict) else None
    return token if isinstance(token, str) and token else None
