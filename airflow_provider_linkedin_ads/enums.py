"""Enumerations of the ``adAnalytics`` API: finders, pivots, granularities, sort options.

Values are plain strings (``StrEnum``) so that public APIs can accept ``Pivot | str``. The pivot
table follows the Reporting page and the schema page (``linkedin-api.md`` section 4).
"""

from __future__ import annotations

import enum

__all__ = ["CampaignType", "Finder", "Pivot", "SortField", "SortOrder", "TimeGranularity"]


class Finder(enum.StrEnum):
    """The three finders of ``/rest/adAnalytics`` (the ``q`` parameter).

    .. code-block:: python

        Finder("statistics").max_pivots  # 3
    """

    ANALYTICS = "analytics"
    STATISTICS = "statistics"
    ATTRIBUTED_REVENUE = "attributedRevenueMetrics"

    @property
    def max_pivots(self) -> int:
        """How many pivots the finder accepts (analytics: exactly one)."""
        return 1 if self is Finder.ANALYTICS else 3

    @property
    def has_time_granularity(self) -> bool:
        """``timeGranularity`` is a parameter of analytics and statistics only."""
        return self is not Finder.ATTRIBUTED_REVENUE


class Pivot(enum.StrEnum):
    """Pivot values; every ``MEMBER_*`` pivot is a professional-demographic pivot.

    .. code-block:: python

        Pivot.MEMBER_JOB_TITLE.is_demographic  # True
        Pivot.CAMPAIGN.column  # "campaign"
    """

    COMPANY = "COMPANY"
    ACCOUNT = "ACCOUNT"
    SHARE = "SHARE"
    CAMPAIGN = "CAMPAIGN"
    CAMPAIGN_GROUP = "CAMPAIGN_GROUP"
    CREATIVE = "CREATIVE"
    CONVERSION = "CONVERSION"
    CONVERSATION_NODE = "CONVERSATION_NODE"
    CONVERSATION_NODE_OPTION_INDEX = "CONVERSATION_NODE_OPTION_INDEX"
    SERVING_LOCATION = "SERVING_LOCATION"
    CARD_INDEX = "CARD_INDEX"
    PLACEMENT_NAME = "PLACEMENT_NAME"
    IMPRESSION_DEVICE_TYPE = "IMPRESSION_DEVICE_TYPE"
    EVENT_STAGE = "EVENT_STAGE"
    OBJECTIVE_TYPE = "OBJECTIVE_TYPE"
    MEMBER_COMPANY_SIZE = "MEMBER_COMPANY_SIZE"
    MEMBER_INDUSTRY = "MEMBER_INDUSTRY"
    MEMBER_SENIORITY = "MEMBER_SENIORITY"
    MEMBER_JOB_TITLE = "MEMBER_JOB_TITLE"
    MEMBER_JOB_FUNCTION = "MEMBER_JOB_FUNCTION"
    MEMBER_COUNTRY_V2 = "MEMBER_COUNTRY_V2"
    MEMBER_REGION_V2 = "MEMBER_REGION_V2"
    MEMBER_COUNTY = "MEMBER_COUNTY"
    MEMBER_COMPANY = "MEMBER_COMPANY"
    MEMBER_DESIGNATED_MARKET_AREA = "MEMBER_DESIGNATED_MARKET_AREA"

    @property
    def is_demographic(self) -> bool:
        """True for the professional-demographic (``MEMBER_*``) pivots."""
        return self.value.startswith("MEMBER_")

    @property
    def column(self) -> str:
        """The output column holding this pivot's value: the name in lower case."""
        return self.value.lower()


#: Pivots the attributedRevenueMetrics finder accepts.
REVENUE_PIVOTS: frozenset[Pivot] = frozenset({Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN})

#: Pivots that identify an ad entity by a sponsored URN (used for facet splitting and name lookups).
ENTITY_PIVOTS: frozenset[Pivot] = frozenset(
    {Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN, Pivot.CREATIVE, Pivot.COMPANY, Pivot.SHARE}
)


class TimeGranularity(enum.StrEnum):
    """``timeGranularity`` values: one row per day, month, year, or for the whole range."""

    ALL = "ALL"
    DAILY = "DAILY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class SortField(enum.StrEnum):
    """``sortBy.field`` values."""

    COST_IN_LOCAL_CURRENCY = "COST_IN_LOCAL_CURRENCY"
    IMPRESSIONS = "IMPRESSIONS"
    CLICKS = "CLICKS"
    ONE_CLICK_LEADS = "ONE_CLICK_LEADS"
    OPENS = "OPENS"
    SENDS = "SENDS"
    EXTERNAL_WEBSITE_CONVERSIONS = "EXTERNAL_WEBSITE_CONVERSIONS"


class SortOrder(enum.StrEnum):
    """``sortBy.order`` values."""

    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"


class CampaignType(enum.StrEnum):
    """``campaignType`` facet values (the 2.0 wire form is uncertain; sent bare)."""

    TEXT_AD = "TEXT_AD"
    SPONSORED_UPDATES = "SPONSORED_UPDATES"
    SPONSORED_INMAILS = "SPONSORED_INMAILS"
    DYNAMIC = "DYNAMIC"
