"""List the ad entities a token can see: accounts, campaign groups, campaigns, creatives.

Every function pages to the end and returns the entities as LinkedIn sent them, as plain dicts, in
the order LinkedIn listed them. Two paging styles (:class:`PagingStyle`), chosen by ``paging`` or,
when it is ``None``, by the client's API version:

* ``cursor`` (API 202401 and later): ``pageSize`` and ``pageToken``, the next token read from
  ``metadata.nextPageToken``; no token (or an empty one) ends the listing.
* ``offset`` (older versions): ``start`` and ``count``; the listing ends at ``paging.total`` or, without
  a total, at a short page.

Every call goes through the client (retries, budget, deadlines). A listing is all or nothing: it fails
with :class:`~airflow_provider_linkedin_ads.errors.EntityPageError` (``.reason``) when a page has no
``elements`` list (``no_elements``), an element has no ``id`` (``missing_id``), an id comes twice
(``duplicate_id``), the token is not text (``bad_token``) or repeats (``repeated_token``), the page
does not start where asked (``not_advancing``), ``paging.total`` is not a count (``bad_paging``) or
disagrees with what came (``total_mismatch``), or after ``MAX_PAGES`` pages (``too_many_pages``).

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

import enum
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.responses import elements_of
from airflow_provider_linkedin_ads.errors import ConfigurationError, EntityPageError, RestliError
from airflow_provider_linkedin_ads.models import normalize_urn, urn_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.restli import Value

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGES",
    "MAX_PAGE_SIZE",
    "PagingStyle",
    "account_id",
    "check_page_size",
    "list_ad_accounts",
    "list_campaign_groups",
    "list_campaigns",
    "list_creatives",
    "paging_style",
]

#: Entities per page; LinkedIn's documented default for the ad-entity search finders.
DEFAULT_PAGE_SIZE = 100
#: Upper bound on pages per listing: a server that keeps answering with a next token must not
#: loop forever (15,000 creatives per account at 100 per page is 150 pages).
MAX_PAGES = 10_000
#: LinkedIn's largest ``pageSize`` for the ad-entity finders.
MAX_PAGE_SIZE = 1_000
#: The first API version whose entity finders page by cursor.
_CURSOR_SINCE = "202401"


class PagingStyle(enum.StrEnum):
    """How a finder pages: by cursor (``pageSize``/``pageToken``, API 202401+) or by index (``start``/``count``).

    .. code-block:: python

        list_campaigns(client, 508000001, paging=PagingStyle.OFFSET)  # an API version before 202401
    """

    CURSOR = "cursor"
    OFFSET = "offset"


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
    paging: PagingStyle | str | None = None,
) -> list[dict[str, Any]]:
    """List the ad accounts the token's member can see (``adAccounts?q=search``), every page.

    :param client: the API client.
    :param statuses: keep accounts in these statuses (``ACTIVE``, ``CANCELED``, ``DRAFT``,
        ``PENDING_DELETION``, ``REMOVED``); ``None`` lists every status.
    :param page_size: entities per call (1 to 1,000).
    :param paging: ``cursor``, ``offset`` or ``None`` (by the client's API version, see :func:`paging_style`).
    :raises ConfigurationError: for an empty or malformed ``statuses`` or a bad ``page_size``.
    :raises EntityPageError: a page breaks the paging contract (see the module docstring).
    """
    params = _search_params(statuses)
    return _pages(client, "adAccounts", [("q", "search"), *params], page_size, paging)


def list_campaign_groups(
    client: LinkedInAdsClient,
    account: int | str,
    *,
    statuses: Sequence[str] | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    paging: PagingStyle | str | None = None,
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
    return _pages(client, resource, [("q", "search"), *_search_params(statuses)], page_size, paging)


def list_campaigns(
    client: LinkedInAdsClient,
    account: int | str,
    *,
    statuses: Sequence[str] | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    paging: PagingStyle | str | None = None,
) -> list[dict[str, Any]]:
    """List the campaigns of one ad account (``adAccounts/{id}/adCampaigns?q=search``).

    Arguments as for :func:`list_campaign_groups`.
    """
    resource = f"adAccounts/{account_id(account)}/adCampaigns"
    return _pages(client, resource, [("q", "search"), *_search_params(statuses)], page_size, paging)


def list_creatives(
    client: LinkedInAdsClient,
    account: int | str,
    *,
    statuses: Sequence[str] | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    paging: PagingStyle | str | None = None,
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
    return _pages(client, resource, params, page_size, paging)


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


def paging_style(value: PagingStyle | str | None, api_version: str | None = None) -> PagingStyle:
    """Return the paging style to use: ``value``, or by API version when ``None``.

    LinkedIn moved the four ad-entity finders from index paging (``start``/``count``) to cursor
    paging (``pageSize``/``pageToken``) in version 202401; older versions page by index.

    :raises ConfigurationError: an unknown style, naming ``paging``.
    """
    if value is None:
        return (
            PagingStyle.OFFSET
            if api_version is not None and api_version < _CURSOR_SINCE
            else PagingStyle.CURSOR
        )
    try:
        return PagingStyle(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        raise ConfigurationError(
            f"paging must be 'cursor' or 'offset', got {value!r:.40}", argument="paging"
        ) from None


def check_page_size(page_size: int) -> None:
    """Refuse a ``page_size`` LinkedIn would not honour (before any call).

    :raises ConfigurationError: not an integer from 1 to :data:`MAX_PAGE_SIZE`, naming ``page_size``.
    """
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ConfigurationError(
            f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got {page_size!r}", argument="page_size"
        )


class _Listing:
    """The entities of one listing, page by page, with the checks every page must pass."""

    def __init__(self, resource: str) -> None:
        self.resource = resource
        self.entities: list[dict[str, Any]] = []
        self.pages = 0
        self._ids: set[str] = set()

    def fail(self, reason: str, message: str) -> EntityPageError:
        return EntityPageError(
            f"{self.resource}: page {self.pages}: {message}; nothing of this listing is kept",
            resource=self.resource,
            page=self.pages,
            reason=reason,
        )

    def next_page(self) -> None:
        """Count the page about to be checked."""
        self.pages += 1
        if self.pages > MAX_PAGES:
            raise self.fail("too_many_pages", f"more than {MAX_PAGES} pages")

    def add(self, answer: dict[str, Any]) -> int:
        """Check the current page and keep its entities; return how many it held."""
        try:
            elements = elements_of(answer, resource=self.resource)  # the finders' one check
        except RestliError as err:
            raise self.fail("no_elements", str(err)) from err
        for element in elements:
            raw = element.get("id")
            if raw is None or isinstance(raw, bool | dict | list):
                raise self.fail("missing_id", f"an element has no usable 'id': {sorted(element)!r:.120}")
            key = str(raw)
            if key in self._ids:  # an entity twice would land twice (or hide a paging bug)
                raise self.fail("duplicate_id", f"id {key} came twice")
            self._ids.add(key)
        self.entities.extend(elements)
        return len(elements)


def _pages(
    client: LinkedInAdsClient,
    resource: str,
    params: list[tuple[str, Value | None]],
    page_size: int,
    paging: PagingStyle | str | None = PagingStyle.CURSOR,
) -> list[dict[str, Any]]:
    """Page a finder to the end (every call through the client's retries, budget and deadlines)."""
    check_page_size(page_size)
    style = paging_style(paging, client.config.api_version)
    listing = _Listing(resource)
    if style is PagingStyle.OFFSET:
        return _offset_pages(client, listing, params, page_size)
    token: str | None = None
    seen: set[str] = set()
    while True:
        answer = client.get(resource, [*params, ("pageSize", page_size), ("pageToken", token)])
        listing.next_page()
        token = _next_token(listing, answer)
        if token is not None and token in seen:  # a repeated cursor would page forever over the same entities
            raise listing.fail("repeated_token", "LinkedIn repeated a page token")
        listing.add(answer)
        if token is None:
            return listing.entities
        seen.add(token)


def _offset_pages(
    client: LinkedInAdsClient, listing: _Listing, params: list[tuple[str, Value | None]], count: int
) -> list[dict[str, Any]]:
    # Index paging: ask from ``start``; the page echoes ``paging.start`` and may give ``total``. The
    # listing ends at ``total`` or at a short page; a page that does not move forward is an error.
    start = 0
    while True:
        answer = client.get(listing.resource, [*params, ("start", start), ("count", count)])
        listing.next_page()
        received = listing.add(answer)
        paging = answer.get("paging")
        echoed = paging.get("start") if isinstance(paging, dict) else None
        total = paging.get("total") if isinstance(paging, dict) else None
        if echoed is not None and echoed != start:
            raise listing.fail("not_advancing", f"asked for start={start}, the page starts at {echoed!r}")
        if total is not None and (isinstance(total, bool) or not isinstance(total, int) or total < 0):
            raise listing.fail("bad_paging", f"paging.total must be a count, got {total!r:.40}")
        start += received
        if total is None:
            if received < count:
                return listing.entities
            continue
        if start >= total or received == 0:
            if start != total:
                raise listing.fail("total_mismatch", f"paging.total is {total} but {start} entities came")
            return listing.entities


def _next_token(listing: _Listing, answer: dict[str, Any]) -> str | None:
    metadata = answer.get("metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise listing.fail("bad_token", f"metadata must be an object, got {type(metadata).__name__}")
    token = metadata.get("nextPageToken")
    if token is None or token == "":
        return None
    if not isinstance(token, str):
        raise listing.fail("bad_token", f"metadata.nextPageToken must be text, got {type(token).__name__}")
    return token
