"""The ground truth of the dimension tables: what landing each entity type must produce.

The emulator's entity endpoints answer from the same world; these functions compute, without any
HTTP, the entities a listing must return and the typed rows a landed table must hold, with the same
account choice, order and ``modified_since`` rule as
:func:`~airflow_provider_linkedin_ads.client.entity_rows.entity_rows`.

.. code-block:: python

    from airflow_provider_linkedin_ads.testing.entity_truth import expected_entity_rows

    expected = expected_entity_rows(world, "campaigns")  # every ACTIVE visible account, by account then id
    assert landed_rows == expected
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.entity_tables import EntityType, entity_row, entity_type, last_modified
from airflow_provider_linkedin_ads.testing.state import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.world import World

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Mapping

    from airflow_provider_linkedin_ads.results import ReportRow

__all__ = [
    "SMALL_PAGE_SIZE",
    "expected_accounts",
    "expected_entities",
    "expected_entity_rows",
    "paging_world",
]

#: Elements per entity page in paging tests: ``EmulatorServer(paging_world(), page_size=SMALL_PAGE_SIZE)``.
SMALL_PAGE_SIZE = 2


def paging_world() -> World:
    """Return a small world whose every entity table spans at least 3 pages of :data:`SMALL_PAGE_SIZE`.

    7 accounts; the default member sees 6, 5 of them ACTIVE, each with 3 campaign groups, 11
    campaigns and 11 creatives: ad accounts 3 pages, campaign groups 2 pages per account (10 in all),
    campaigns and creatives 6 pages per account.

    .. code-block:: python

        with EmulatorServer(paging_world(), page_size=SMALL_PAGE_SIZE) as server:
            ...
    """
    return World(accounts=7, campaigns_per_account=11, creatives_per_campaign=1)


def expected_accounts(
    world: World, accounts: Iterable[int] | None = None, *, member: str = DEFAULT_MEMBER
) -> list[int]:
    """Return the account ids a listing covers: ``accounts`` sorted, or every ACTIVE one ``member`` sees.

    :param world: the emulator's world.
    :param accounts: explicit account ids; empty or ``None`` for the default choice.
    :param member: the member behind the token.
    """
    chosen = sorted(set(accounts or ()))
    if chosen:
        return chosen
    visible = world.accounts_for_member(member)
    return sorted(item for item in visible if world.accounts[item].status == "ACTIVE")


def expected_entities(
    world: World,
    kind: EntityType | str,
    accounts: Iterable[int] | None = None,
    *,
    member: str = DEFAULT_MEMBER,
) -> list[dict[str, Any]]:
    """Return the entities (API JSON) of one type, by account then id, as the endpoints serve them.

    :param world: the emulator's world.
    :param kind: ``ad_accounts``, ``campaign_groups``, ``campaigns`` or ``creatives``.
    :param accounts: explicit account ids; empty or ``None``: every ACTIVE account ``member`` sees.
    :param member: the member behind the token.
    """
    table = entity_type(kind)
    chosen = expected_accounts(world, accounts, member=member)
    if table is EntityType.AD_ACCOUNTS:
        return [world.account_json(account) for account in chosen]
    children: Mapping[int, Any]
    render: Callable[[int], dict[str, Any]]
    if table is EntityType.CAMPAIGN_GROUPS:
        children, render = world.campaign_groups, world.campaign_group_json
    elif table is EntityType.CAMPAIGNS:
        children, render = world.campaigns, world.campaign_json
    else:
        children, render = world.creatives, world.creative_json
    return [
        render(child_id)
        for account in chosen
        for child_id in sorted(key for key, child in children.items() if child.account_id == account)
    ]


def expected_entity_rows(
    world: World,
    kind: EntityType | str,
    accounts: Iterable[int] | None = None,
    *,
    member: str = DEFAULT_MEMBER,
    modified_since: dt.datetime | None = None,
) -> list[ReportRow]:
    """Return the typed rows a landed table of one type must hold (see :func:`expected_entities`).

    :param modified_since: keep rows changed at or after this aware instant (rows without a
        last-modified time are kept).
    """
    table = entity_type(kind)
    return [
        entity_row(table, entity)
        for entity in expected_entities(world, table, accounts, member=member)
        if modified_since is None or (last_modified(table, entity) or modified_since) >= modified_since
    ]
