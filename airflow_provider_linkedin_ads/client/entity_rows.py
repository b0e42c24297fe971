"""One dimension table as typed rows: list every page of one entity type, check it, type it.

:func:`entity_rows` is the client-level call below ``LinkedInAdsEntitiesOperator``: validate the
arguments (before any call), list the entities of the given ad accounts page by page through the
client (retries, budget, deadlines), turn each into the typed row of its table
(:mod:`~airflow_provider_linkedin_ads.entity_tables`) and hand back the columns and the rows.

Choices (where LinkedIn or the issue is silent):

* **All or nothing.** Every page of every account is fetched and every row typed before the first row
  is handed out, so a failing page or a mistyped field raises before anything is written: never a
  partial table. Entity listings are small (at most 5,000 campaigns and 15,000 creatives per account).
* **Accounts.** Empty or ``None``: every ``ACTIVE`` ad account the token sees (``adAccounts?q=search``),
  exactly as the report operators pick their accounts, so the tables cover what the reports cover.
  Campaign groups, campaigns and creatives are listed in every status (a paused or archived campaign
  still appears in past reports), one listing per account. ``ad_accounts`` with explicit accounts lists
  every account the token sees, in any status, and keeps the ones asked for; one it cannot see is a
  :class:`~airflow_provider_linkedin_ads.errors.ConfigurationError` naming ``accounts``.
* **Order.** By account id, then entity id: equal inputs give byte-identical files.
* **modified_since.** None of the four finders documents a last-modified criterion (``adAccounts`` and
  ``adCampaignGroups``/``adCampaigns`` ``q=search``, ``creatives`` ``q=criteria``), so the full listing
  is fetched and filtered here on ``last_modified_at`` (``changeAuditStamps.lastModified.time``;
  ``lastModifiedAt`` for creatives): kept when changed at or after the instant. An entity without a
  last-modified time is kept (nothing shows it unchanged).

.. code-block:: python

    from airflow_provider_linkedin_ads.client.entity_rows import entity_rows

    table = entity_rows(client, "campaigns", [508000001], modified_since="2026-11-01T00:00:00Z")
    columns, rows = table  # a named pair: table.columns, table.rows
    write_rows(rows, target, columns, output_format="parquet")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_provider_linkedin_ads.client import entities
from airflow_provider_linkedin_ads.entity_tables import (
    EntityType,
    entity_columns,
    entity_id,
    entity_row,
    entity_type as parse_entity_type,
    last_modified,
)
from airflow_provider_linkedin_ads.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.client.entities import PagingStyle
    from airflow_provider_linkedin_ads.results import Column, ReportRow

__all__ = ["EntityTable", "entity_rows", "parse_modified_since"]

_Lister = Callable[..., list[dict[str, Any]]]
_CHILD_LISTERS: dict[EntityType, _Lister] = {
    EntityType.CAMPAIGN_GROUPS: entities.list_campaign_groups,
    EntityType.CAMPAIGNS: entities.list_campaigns,
    EntityType.CREATIVES: entities.list_creatives,
}


class EntityTable(NamedTuple):
    """The columns of one dimension table and its rows (every column, in order).

    .. code-block:: python

        columns, rows = entity_rows(client, "creatives", None)
    """

    columns: tuple[Column, ...]
    rows: Iterator[ReportRow]


def entity_rows(
    client: LinkedInAdsClient,
    entity_type: EntityType | str,
    accounts: Iterable[int | str] | int | str | None = None,
    *,
    modified_since: dt.datetime | dt.date | str | None = None,
    page_size: int = entities.DEFAULT_PAGE_SIZE,
    paging: PagingStyle | str | None = None,
    now: dt.datetime | None = None,
) -> EntityTable:
    """Return the columns and typed rows of one entity type for ``accounts`` (see the module docstring).

    :param client: the API client.
    :param entity_type: ``ad_accounts``, ``campaign_groups``, ``campaigns`` or ``creatives``.
    :param accounts: ad account ids or ``urn:li:sponsoredAccount:`` URNs; empty or ``None``: every
        ACTIVE account the token sees.
    :param modified_since: keep entities changed at or after this instant: an aware ``datetime`` (naive
        is UTC), a ``date`` (midnight UTC) or ISO-8601 text (``2026-11-01``, ``2026-11-01T06:00:00Z``).
    :param page_size: entities per call (1 to 1,000).
    :param paging: ``cursor``, ``offset`` or ``None`` (by the client's API version).
    :param now: the present, for the "not in the future" check (default: the system clock).
    :raises ConfigurationError: a bad argument (named), before any call.
    :raises EntityPageError: a page breaks the paging contract; no row is returned.
    :raises EntityFieldError: a field of the wrong type; no row is returned.
    """
    table = parse_entity_type(entity_type)
    wanted = _account_ids(accounts)
    since = parse_modified_since(modified_since, now=now)
    entities.check_page_size(page_size)
    entities.paging_style(paging, client.config.api_version)
    listed = _listed(client, table, wanted, page_size, paging)
    rows = [
        entity_row(table, entity)
        for entity in listed
        if since is None or _changed_since(table, entity, since)
    ]
    return EntityTable(entity_columns(table), iter(rows))


def parse_modified_since(
    value: dt.datetime | dt.date | str | None, *, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Return ``modified_since`` as an aware UTC datetime (``None`` stays ``None``).

    .. code-block:: python

        parse_modified_since("2026-11-01")  # datetime(2026, 11, 1, 0, 0, tzinfo=UTC)

    :raises ConfigurationError: not a datetime, date or ISO-8601 text, or later than ``now``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ConfigurationError(
                f"modified_since must be an ISO-8601 date or time such as 2026-11-01T00:00:00Z, got {text!r:.60}",
                argument="modified_since",
            ) from None
    if not isinstance(value, dt.date):
        raise ConfigurationError(
            f"modified_since must be a datetime, a date or ISO-8601 text, got {type(value).__name__}",
            argument="modified_since",
        )
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    instant = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    present = now if now is not None else dt.datetime.now(dt.UTC)
    if instant > (present if present.tzinfo is not None else present.replace(tzinfo=dt.UTC)):
        raise ConfigurationError(
            f"modified_since {instant.isoformat()} is in the future; nothing could have changed since then",
            argument="modified_since",
        )
    return instant


def _account_ids(accounts: Iterable[int | str] | int | str | None) -> list[int]:
    if accounts is None:
        return []
    items: Sequence[int | str] = [accounts] if isinstance(accounts, int | str) else list(accounts)
    ids = {int(entities.account_id(item, argument="accounts")) for item in items}
    return sorted(ids)


def _listed(
    client: LinkedInAdsClient,
    table: EntityType,
    wanted: list[int],
    page_size: int,
    paging: PagingStyle | str | None,
) -> list[dict[str, Any]]:
    """Every entity of the table, by account then id."""
    if table is EntityType.AD_ACCOUNTS:
        return _ad_accounts(client, wanted, page_size, paging)
    if not wanted:
        found = entities.list_ad_accounts(client, statuses=("ACTIVE",), page_size=page_size, paging=paging)
        wanted = sorted(entity_id(EntityType.AD_ACCOUNTS, account) for account in found)
    lister = _CHILD_LISTERS[table]
    listed: list[dict[str, Any]] = []
    for account in wanted:
        children = lister(client, account, statuses=None, page_size=page_size, paging=paging)
        listed.extend(sorted(children, key=lambda entity: entity_id(table, entity)))
    return listed


def _ad_accounts(
    client: LinkedInAdsClient, wanted: list[int], page_size: int, paging: PagingStyle | str | None
) -> list[dict[str, Any]]:
    statuses = None if wanted else ("ACTIVE",)
    found = entities.list_ad_accounts(client, statuses=statuses, page_size=page_size, paging=paging)
    by_id = {entity_id(EntityType.AD_ACCOUNTS, account): account for account in found}
    if not wanted:
        return [by_id[key] for key in sorted(by_id)]
    missing = [str(key) for key in wanted if key not in by_id]
    if missing:
        raise ConfigurationError(
            f"accounts: the token cannot see ad account(s) {', '.join(missing)}", argument="accounts"
        )
    return [by_id[key] for key in wanted]


def _changed_since(table: EntityType, entity: dict[str, Any], since: dt.datetime) -> bool:
    changed = last_modified(table, entity)
    return changed is None or changed >= since
