"""The advertiser entities of the synthetic world and their two JSON forms.

* ``to_dict``/``*_from_dict``: the emulator's own dataset format (``--data`` file, ``World.to_dict``);
* ``*_api_json``: the shape LinkedIn's entity endpoints answer with (``/rest/adAccounts``,
  ``adCampaignGroups``, ``adCampaigns``, ``creatives``).

.. code-block:: python

    account = Account(id=508000001, name="Northwind Analytics", currency="USD", organization_id=10000001)
    account_api_json(account)["reference"]  # 'urn:li:organization:10000001'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "Account",
    "Campaign",
    "CampaignGroup",
    "Creative",
    "CreativeKind",
    "account_api_json",
    "account_from_dict",
    "campaign_api_json",
    "campaign_from_dict",
    "campaign_group_api_json",
    "campaign_group_from_dict",
    "creative_api_json",
    "creative_from_dict",
    "to_dict",
]


class CreativeKind(enum.StrEnum):
    """Ad format of a creative; decides which metric families it reports.

    .. code-block:: python

        CreativeKind("VIDEO") is CreativeKind.VIDEO  # True
    """

    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    CAROUSEL = "CAROUSEL"
    TEXT = "TEXT"
    DOCUMENT = "DOCUMENT"
    EVENT = "EVENT"
    MESSAGE = "MESSAGE"


@dataclasses.dataclass(frozen=True, slots=True)
class Account:
    """An ad account (``urn:li:sponsoredAccount:{id}``).

    .. code-block:: python

        Account(id=508000001, name="Contoso", currency="EUR", organization_id=10000001, crm_connected=True)

    :param id: numeric account id.
    :param name: display name.
    :param currency: ISO currency of ``costInLocalCurrency``.
    :param status: ``ACTIVE``, ``CANCELED``, ``DRAFT``, ...
    :param type: ``BUSINESS`` or ``ENTERPRISE``.
    :param organization_id: the advertiser organization (``COMPANY`` pivot, ``companies`` facet).
    :param crm_connected: whether attributedRevenueMetrics returns rows for it.
    """

    id: int
    name: str
    currency: str
    status: str = "ACTIVE"
    type: str = "BUSINESS"
    organization_id: int = 0
    crm_connected: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class CampaignGroup:
    """A campaign group (``urn:li:sponsoredCampaignGroup:{id}``; "Campaign" in today's UI).

    .. code-block:: python

        CampaignGroup(id=600000001, account_id=508000001, name="FY26 Brand")
    """

    id: int
    account_id: int
    name: str
    status: str = "ACTIVE"


@dataclasses.dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign (``urn:li:sponsoredCampaign:{id}``; "Ad set" in today's UI).

    Delivery happens on every day from ``start`` to ``end`` (inclusive; ``None`` = still running);
    ``status`` is descriptive only.

    .. code-block:: python

        Campaign(
            id=300000001, account_id=508000001, group_id=600000001, name="Launch", status="ACTIVE",
            start=dt.date(2026, 1, 1), end=None, objective_type="WEBSITE_VISIT",
            campaign_type="SPONSORED_UPDATES",
        )

    :param conversion_ids: conversion rules (``urn:lla:llaPartnerConversion:{id}``) the campaign
        tracks; without any, conversion metrics are absent from its rows.
    """

    id: int
    account_id: int
    group_id: int
    name: str
    status: str
    start: dt.date
    end: dt.date | None
    objective_type: str
    campaign_type: str
    conversion_ids: tuple[int, ...] = ()

    def active_on(self, day: dt.date) -> bool:
        """Whether the campaign delivers on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclasses.dataclass(frozen=True, slots=True)
class Creative:
    """A creative (``urn:li:sponsoredCreative:{id}``) and the share it sponsors.

    .. code-block:: python

        Creative(id=100000001, account_id=508000001, campaign_id=300000001,
                 kind=CreativeKind.VIDEO, share_id=7100000000000000001)
    """

    id: int
    account_id: int
    campaign_id: int
    kind: CreativeKind
    share_id: int


Entity = Account | CampaignGroup | Campaign | Creative


def to_dict(entity: Entity) -> dict[str, Any]:
    """Return the dataset form of an entity (dates as ISO strings, tuples as lists).

    :param entity: any world entity.
    """
    data: dict[str, Any] = {}
    for item in dataclasses.fields(entity):
        value = getattr(entity, item.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        data[item.name] = value
    return data


def _get(data: Mapping[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
    if key not in data:
        if default is ...:
            raise ConfigurationError(f"{where}.{key} is missing", argument=f"{where}.{key}")
        return default
    value = data[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigurationError(
            f"{where}.{key} must be an integer, got {value!r}", argument=f"{where}.{key}"
        )
    if not isinstance(value, kind):
        raise ConfigurationError(
            f"{where}.{key} must be {kind.__name__}, got {type(value).__name__}", argument=f"{where}.{key}"
        )
    return value


def _date(data: Mapping[str, Any], key: str, where: str) -> dt.date:
    text = _get(data, key, str, where)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise ConfigurationError(
            f"{where}.{key} is not an ISO date: {text!r}", argument=f"{where}.{key}"
        ) from err


def _optional_date(data: Mapping[str, Any], key: str, where: str) -> dt.date | None:
    return None if data.get(key) is None else _date(data, key, where)


def account_from_dict(data: Mapping[str, Any], where: str = "accounts") -> Account:
    """Build an :class:`Account` from its dataset form.

    :param data: the mapping (see :func:`to_dict`).
    :param where: position in the dataset, used in error messages.
    :raises ConfigurationError: a missing or mistyped field, named in the message.
    """
    return Account(
        id=_get(data, "id", int, where),
        name=_get(data, "name", str, where),
        currency=_get(data, "currency", str, where),
        status=_get(data, "status", str, where, "ACTIVE"),
        type=_get(data, "type", str, where, "BUSINESS"),
        organization_id=_get(data, "organization_id", int, where, 0),
        crm_connected=_get(data, "crm_connected", bool, where, False),
    )


def campaign_group_from_dict(data: Mapping[str, Any], where: str = "campaign_groups") -> CampaignGroup:
    """Build a :class:`CampaignGroup` from its dataset form (see :func:`account_from_dict`)."""
    return CampaignGroup(
        id=_get(data, "id", int, where),
        account_id=_get(data, "account_id", int, where),
        name=_get(data, "name", str, where),
        status=_get(data, "status", str, where, "ACTIVE"),
    )


def campaign_from_dict(data: Mapping[str, Any], where: str = "campaigns") -> Campaign:
    """Build a :class:`Campaign` from its dataset form (see :func:`account_from_dict`)."""
    conversions = _get(data, "conversion_ids", list, where, [])
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in conversions):
        raise ConfigurationError(
            f"{where}.conversion_ids must hold integers", argument=f"{where}.conversion_ids"
        )
    return Campaign(
        id=_get(data, "id", int, where),
        account_id=_get(data, "account_id", int, where),
        group_id=_get(data, "group_id", int, where),
        name=_get(data, "name", str, where),
        status=_get(data, "status", str, where, "ACTIVE"),
        start=_date(data, "start", where),
        end=_optional_date(data, "end", where),
        objective_type=_get(data, "objective_type", str, where, "WEBSITE_VISIT"),
        campaign_type=_get(data, "campaign_type", str, where, "SPONSORED_UPDATES"),
        conversion_ids=tuple(conversions),
    )


def creative_from_dict(data: Mapping[str, Any], where: str = "creatives") -> Creative:
    """Build a :class:`Creative` from its dataset form (see :func:`account_from_dict`)."""
    kind_text = _get(data, "kind", str, where, "IMAGE")
    try:
        kind = CreativeKind(kind_text)
    except ValueError as err:
        allowed = ", ".join(item.value for item in CreativeKind)
        raise ConfigurationError(
            f"{where}.kind must be one of {allowed}, got {kind_text!r}", argument=f"{where}.kind"
        ) from err
    return Creative(
        id=_get(data, "id", int, where),
        account_id=_get(data, "account_id", int, where),
        campaign_id=_get(data, "campaign_id", int, where),
        kind=kind,
        share_id=_get(data, "share_id", int, where),
    )


def _epoch_ms(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * 86_400_000


_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000
#: Accounts were opened before any campaign of the default worlds (history up to ~3 years).
_ACCOUNTS_OPENED = dt.date(2023, 1, 2)


def _audit(created: int, modified: int) -> dict[str, Any]:
    # LinkedIn's changeAuditStamps: epoch-millisecond instants; derived from ids so every world
    # built from the same entities answers the same stamps (and last-modified times spread out).
    return {"created": {"time": created}, "lastModified": {"time": max(created, modified)}}


def _money(amount: int, currency: str) -> dict[str, str]:
    return {"amount": f"{amount}.00", "currencyCode": currency}


def account_api_json(account: Account) -> dict[str, Any]:
    """Return the ``/rest/adAccounts`` representation of ``account``.

    :param account: the account.
    """
    return {
        "id": account.id,
        "name": account.name,
        "currency": account.currency,
        "status": account.status,
        "type": account.type,
        "reference": f"urn:li:organization:{account.organization_id}",
        "test": False,
        "notifiedOnCampaignOptimization": False,
        "servingStatuses": ["RUNNABLE"] if account.status == "ACTIVE" else ["ACCOUNT_SERVING_HOLD"],
        "version": {"versionTag": "1"},
        "changeAuditStamps": _audit(
            _epoch_ms(_ACCOUNTS_OPENED) - (account.id % 97) * _DAY_MS,
            _epoch_ms(_ACCOUNTS_OPENED) + (account.id % 29) * _DAY_MS + 9 * _HOUR_MS,
        ),
    }


def _run_schedule(start: dt.date, end: dt.date | None) -> dict[str, int]:
    # LinkedIn's runSchedule is a pair of epoch-millisecond instants; ``end`` is exclusive here
    # (midnight UTC after the last delivery day), so the inclusive last day is end - 1 ms.
    schedule = {"start": _epoch_ms(start)}
    if end is not None:
        schedule["end"] = _epoch_ms(end + dt.timedelta(days=1))
    return schedule


def campaign_group_api_json(
    group: CampaignGroup, campaigns: list[Campaign], currency: str = "USD"
) -> dict[str, Any]:
    """Return the ``adCampaignGroups`` representation of ``group``.

    Every group has a ``totalBudget``; every other one a ``dailyBudget`` too (so both a present and an
    absent optional budget occur). Created 45 days before its first campaign starts.

    :param group: the campaign group.
    :param campaigns: its campaigns (the run schedule spans theirs).
    :param currency: its account's currency (for the budgets).
    """
    data: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "account": f"urn:li:sponsoredAccount:{group.account_id}",
        "status": group.status,
        "test": False,
        "servingStatuses": ["RUNNABLE"] if group.status == "ACTIVE" else ["CAMPAIGN_GROUP_STATUS_HOLD"],
        "totalBudget": _money((group.id % 50 + 1) * 1_000, currency),
    }
    if group.id % 2:
        data["dailyBudget"] = _money(group.id % 40 + 10, currency)
    first = min((campaign.start for campaign in campaigns), default=_ACCOUNTS_OPENED)
    created = _epoch_ms(first) - 45 * _DAY_MS
    data["changeAuditStamps"] = _audit(created, created + (group.id % 31) * _DAY_MS)
    if campaigns:
        ends = [campaign.end for campaign in campaigns]
        end = None if any(item is None for item in ends) else max(item for item in ends if item is not None)
        data["runSchedule"] = _run_schedule(min(campaign.start for campaign in campaigns), end)
    return data


def campaign_api_json(campaign: Campaign, currency: str) -> dict[str, Any]:
    """Return the ``adCampaigns`` representation of ``campaign``.

    Budgets and bid in the account's currency; ``totalBudget`` only on campaigns with an even id.
    Created 30 days before it starts, last modified up to 19 days (and some hours) before it starts.

    :param campaign: the campaign.
    :param currency: its account's currency (for ``unitCost`` and the budgets).
    """
    created = _epoch_ms(campaign.start) - 30 * _DAY_MS
    modified = _epoch_ms(campaign.start) - (campaign.id % 20) * _DAY_MS - (campaign.id % 7) * _HOUR_MS
    data: dict[str, Any] = {
        "id": campaign.id,
        "name": campaign.name,
        "account": f"urn:li:sponsoredAccount:{campaign.account_id}",
        "campaignGroup": f"urn:li:sponsoredCampaignGroup:{campaign.group_id}",
        "status": campaign.status,
        "type": campaign.campaign_type,
        "objectiveType": campaign.objective_type,
        "costType": "CPM",
        "unitCost": {"amount": "12.00", "currencyCode": currency},
        "dailyBudget": _money(campaign.id % 90 + 10, currency),
        "locale": {"country": "US", "language": "en"},
        "runSchedule": _run_schedule(campaign.start, campaign.end),
        "test": False,
        "version": {"versionTag": "1"},
        "changeAuditStamps": _audit(created, modified),
    }
    if campaign.id % 2 == 0:
        data["totalBudget"] = _money((campaign.id % 30 + 1) * 500, currency)
    return data


def creative_api_json(creative: Creative, campaign: Campaign) -> dict[str, Any]:
    """Return the versioned ``creatives`` representation of ``creative`` (its id is a URN).

    :param creative: the creative.
    :param campaign: its campaign (drives the serving status).
    """
    content: dict[str, Any] = {"reference": f"urn:li:share:{creative.share_id}"}
    if creative.kind is CreativeKind.TEXT:
        content = {"textAd": {"headline": f"Text ad {creative.id}", "description": "Synthetic text ad"}}
    serving = campaign.status == "ACTIVE"
    return {
        "id": f"urn:li:sponsoredCreative:{creative.id}",
        "account": f"urn:li:sponsoredAccount:{creative.account_id}",
        "campaign": f"urn:li:sponsoredCampaign:{creative.campaign_id}",
        "intendedStatus": "ACTIVE" if serving else "PAUSED",
        "isServing": serving,
        "isTest": False,
        "content": content,
        "review": {"status": "APPROVED"},
        "createdAt": _epoch_ms(campaign.start),
        "lastModifiedAt": _epoch_ms(campaign.start) + (creative.id % 11) * _HOUR_MS,
    }
