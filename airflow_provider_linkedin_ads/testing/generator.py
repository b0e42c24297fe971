"""Generate the entities of a synthetic advertiser world from a handful of parameters.

Only entities are generated here (a few per campaign), never facts: a world of 5 accounts x
1,000 campaigns x 3 creatives builds in well under a second. Every choice is a hash of the seed and
the entity's position, so the same parameters always give the same world.

Guarantees the tests rely on:

* the first campaign of every account starts about ``history_days`` ago and is still running;
* campaign types cycle every ten campaigns (7 x ``SPONSORED_UPDATES``, ``TEXT_AD``,
  ``SPONSORED_INMAILS``, ``DYNAMIC``) and the sponsored-update creatives cycle through image, video,
  carousel, document and event formats, so a world with 10+ campaigns per account has every format;
* accounts 0, 2, 4, ... have a CRM connected; account 3 (when present) is ``CANCELED``.

.. code-block:: python

    params = WorldParameters(seed=7, accounts=2, campaigns_per_account=10)
    entities = generate(params)
    len(entities.campaigns)  # 20
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.entities import (
    Account,
    Campaign,
    CampaignGroup,
    Creative,
    CreativeKind,
)
from airflow_provider_linkedin_ads.testing.hashing import hash_ints, pick
from airflow_provider_linkedin_ads.testing.lookups import company_name

__all__ = ["Entities", "WorldParameters", "generate"]

_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SGD", "INR")
_GROUP_THEMES = ("Brand", "Demand Gen", "Recruiting", "Product Launch", "Events", "Retargeting")
_AUDIENCES = ("Decision makers", "IT leaders", "Lookalike", "Website retargeting", "Executives", "Students")
_SPONSORED_KINDS = (
    CreativeKind.IMAGE,
    CreativeKind.VIDEO,
    CreativeKind.CAROUSEL,
    CreativeKind.DOCUMENT,
    CreativeKind.EVENT,
)
_SPONSORED_OBJECTIVES = (
    "WEBSITE_VISIT",
    "BRAND_AWARENESS",
    "WEBSITE_CONVERSION",
    "ENGAGEMENT",
    "LEAD_GENERATION",
    "JOB_APPLICANT",
)
_CONVERSIONS_PER_ACCOUNT = 4
_CAMPAIGNS_PER_GROUP = 5


@dataclasses.dataclass(frozen=True)
class WorldParameters:
    """The generator's inputs (also the "parameters" form of the JSON dataset).

    .. code-block:: python

        WorldParameters(seed=42, accounts=5, campaigns_per_account=1000, history_days=730)

    :param seed: any integer; everything derives from it.
    :param accounts: number of ad accounts (1-500).
    :param campaigns_per_account: campaigns per account (1-100,000).
    :param creatives_per_campaign: creatives per campaign (1-50).
    :param history_days: how far back the earliest campaigns start.
    :param today: the world's reference day (campaign statuses are relative to it).
    """

    seed: int = 7
    accounts: int = 3
    campaigns_per_account: int = 20
    creatives_per_campaign: int = 3
    history_days: int = 800
    today: dt.date = dt.date(2026, 11, 28)

    def __post_init__(self) -> None:
        for name, low, high in (
            ("accounts", 1, 500),
            ("campaigns_per_account", 1, 100_000),
            ("creatives_per_campaign", 1, 50),
            ("history_days", 1, 3660),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigurationError(
                    f"{name} must be an integer in [{low}, {high}], got {value!r}", argument=name
                )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigurationError(f"seed must be an integer, got {self.seed!r}", argument="seed")


@dataclasses.dataclass(frozen=True)
class Entities:
    """Every entity of a world, each list in id order of generation."""

    accounts: list[Account]
    campaign_groups: list[CampaignGroup]
    campaigns: list[Campaign]
    creatives: list[Creative]


def _spread_id(base: int, stride: int, index: int, seed: int, salt: int) -> int:
    # Unique by construction (the jitter stays below the stride), realistic-looking digits.
    return base + index * stride + hash_ints(seed, salt, index) % stride


def _account(params: WorldParameters, index: int) -> Account:
    name_offset = hash_ints(params.seed, 11) % 1500
    return Account(
        id=_spread_id(500_000_000, 1_234_567, index, params.seed, 1),
        name=company_name((name_offset + index * 37) % 1500),
        currency=_CURRENCIES[index % len(_CURRENCIES)],
        status="CANCELED" if index == 3 else "ACTIVE",
        type="BUSINESS",
        organization_id=_spread_id(10_000_000, 97_003, index, params.seed, 2),
        crm_connected=index % 2 == 0,
    )


def _campaign_type(position: int) -> str:
    slot = position % 10
    if slot == 7:
        return "TEXT_AD"
    if slot == 8:
        return "SPONSORED_INMAILS"
    if slot == 9:
        return "DYNAMIC"
    return "SPONSORED_UPDATES"


def _creative_kind(campaign_type: str, position: int, offset: int) -> CreativeKind:
    if campaign_type == "TEXT_AD":
        return CreativeKind.TEXT
    if campaign_type == "SPONSORED_INMAILS":
        return CreativeKind.MESSAGE
    if campaign_type == "DYNAMIC":
        return CreativeKind.IMAGE
    return _SPONSORED_KINDS[(position + offset) % len(_SPONSORED_KINDS)]


def _objective(campaign_type: str, first_kind: CreativeKind, h: int) -> str:
    if campaign_type == "TEXT_AD":
        return "WEBSITE_VISIT"
    if campaign_type == "SPONSORED_INMAILS":
        return "LEAD_GENERATION"
    if campaign_type == "DYNAMIC":
        return "BRAND_AWARENESS"
    if first_kind is CreativeKind.VIDEO:
        return "VIDEO_VIEW"
    return _SPONSORED_OBJECTIVES[pick(h, len(_SPONSORED_OBJECTIVES))]


def _schedule(params: WorldParameters, position: int, h: int) -> tuple[dt.date, dt.date | None]:
    first_day = params.today - dt.timedelta(days=params.history_days)
    if position == 0:
        return first_day + dt.timedelta(days=h % 14), None
    start = first_day + dt.timedelta(days=pick(h, params.history_days + 14))
    duration = 14 + (h >> 40) % 230
    open_ended = (h >> 56) % 4 == 0
    return start, None if open_ended else start + dt.timedelta(days=duration)


def _status(params: WorldParameters, start: dt.date, end: dt.date | None, h: int) -> str:
    if start > params.today:
        return "DRAFT"
    if end is not None and end < params.today:
        return "ARCHIVED" if (h >> 8) % 4 == 0 else "COMPLETED"
    return "PAUSED" if (h >> 12) % 6 == 0 else "ACTIVE"


def _conversions(
    params: WorldParameters, account_index: int, objective: str, campaign_type: str, h: int
) -> tuple[int, ...]:
    if campaign_type == "SPONSORED_INMAILS" or (objective != "WEBSITE_CONVERSION" and h % 3 != 0):
        return ()
    pool = [
        _spread_id(10_000_000, 10_007, account_index * _CONVERSIONS_PER_ACCOUNT + slot, params.seed, 5)
        for slot in range(_CONVERSIONS_PER_ACCOUNT)
    ]
    count = 1 + (h >> 20) % 3
    first = (h >> 24) % _CONVERSIONS_PER_ACCOUNT
    return tuple(sorted(pool[(first + step) % len(pool)] for step in range(count)))


class _Builder:
    """Accumulates entities while walking accounts and campaigns in order."""

    def __init__(self, params: WorldParameters) -> None:
        self.params = params
        self.entities = Entities([], [], [], [])

    def account(self, index: int) -> None:
        params = self.params
        account = _account(params, index)
        self.entities.accounts.append(account)
        groups = -(-params.campaigns_per_account // _CAMPAIGNS_PER_GROUP)
        first_group = len(self.entities.campaign_groups)
        for slot in range(groups):
            theme = _GROUP_THEMES[(index + slot) % len(_GROUP_THEMES)]
            self.entities.campaign_groups.append(
                CampaignGroup(
                    id=_spread_id(600_000_000, 1_009, first_group + slot, params.seed, 3),
                    account_id=account.id,
                    name=f"{params.today.year} {theme} {slot + 1}",
                    status="ACTIVE",
                )
            )
        for position in range(params.campaigns_per_account):
            group = self.entities.campaign_groups[first_group + position // _CAMPAIGNS_PER_GROUP]
            self.campaign(account, index, group, position)

    def campaign(self, account: Account, account_index: int, group: CampaignGroup, position: int) -> None:
        params = self.params
        number = len(self.entities.campaigns)
        h = hash_ints(params.seed, 4, number)
        campaign_type = _campaign_type(position)
        offset = hash_ints(params.seed, 6, account_index) % len(_SPONSORED_KINDS)
        kinds = [
            _creative_kind(campaign_type, position + slot, offset)
            for slot in range(params.creatives_per_campaign)
        ]
        objective = _objective(campaign_type, kinds[0], h)
        start, end = _schedule(params, position, h)
        campaign = Campaign(
            id=_spread_id(300_000_000, 10_007, number, params.seed, 4),
            account_id=account.id,
            group_id=group.id,
            name=f"{objective.replace('_', ' ').title()} | {_AUDIENCES[pick(h >> 3, len(_AUDIENCES))]} | #{position + 1}",
            status=_status(params, start, end, h),
            start=start,
            end=end,
            objective_type=objective,
            campaign_type=campaign_type,
            conversion_ids=_conversions(params, account_index, objective, campaign_type, h),
        )
        self.entities.campaigns.append(campaign)
        for kind in kinds:
            serial = len(self.entities.creatives)
            self.entities.creatives.append(
                Creative(
                    id=_spread_id(100_000_000, 4_099, serial, params.seed, 7),
                    account_id=account.id,
                    campaign_id=campaign.id,
                    kind=kind,
                    share_id=_spread_id(7_100_000_000_000_000_000, 1_000_003_000, serial, params.seed, 8),
                )
            )


def generate(params: WorldParameters) -> Entities:
    """Generate every entity of the world described by ``params``.

    :param params: the generator parameters.
    """
    builder = _Builder(params)
    for index in range(params.accounts):
        builder.account(index)
    _archive_idle_groups(builder.entities)
    return builder.entities


def _archive_idle_groups(entities: Entities) -> None:
    running = {
        campaign.group_id
        for campaign in entities.campaigns
        if campaign.status in {"ACTIVE", "PAUSED", "DRAFT"}
    }
    entities.campaign_groups[:] = [
        group if group.id in running else dataclasses.replace(group, status="ARCHIVED")
        for group in entities.campaign_groups
    ]
