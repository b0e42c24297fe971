"""The ``adAnalytics`` metric catalogue: names, wire types, restrictions and maturity delays.

Source: LinkedIn's "Metrics Available" schema table (view li-lms-2026-06), cross-checked against
third-party transcriptions; see ``linkedin-api.md`` section 5. This module is *data*: the request
validation, the report engine, the maturity sensor and the bundled emulator all read it, so they
cannot drift apart.

.. code-block:: python

    from airflow_provider_linkedin_ads.metrics import METRICS

    METRICS["costInUsd"].kind  # MetricKind.DECIMAL
    METRICS["videoWatchTime"].delay_hours  # 48
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "DEMOGRAPHIC_DELAY_HOURS",
    "LEGACY_NAMES",
    "METRICS",
    "MISNOMERS",
    "REVENUE_METRICS",
    "STRUCTURAL_FIELDS",
    "Metric",
    "MetricKind",
]


class MetricKind(enum.StrEnum):
    """Wire type of a metric: JSON integer, JSON number, or decimal string."""

    LONG = "long"
    DOUBLE = "double"
    DECIMAL = "decimal"


@dataclass(frozen=True)
class Metric:
    """One metric field of ``adAnalytics``.

    :param name: the field name sent in ``fields`` and returned in rows.
    :param kind: the wire type.
    :param non_demographic: absent or rejected with ``MEMBER_*`` pivots ("ND").
    :param max_range_days: only returned for date ranges of at most this many days.
    :param min_version: first ``LinkedIn-Version`` (``YYYYMM``) that returns it.
    :param excluded_with_device: not available with the ``IMPRESSION_DEVICE_TYPE`` pivot.
    :param additive: sums over days or entities are meaningful (reach and penetration are not).
    :param delay_hours: how long after a day ends its value may still change (beyond the pivot delay).
    :param needs_entity_pivot: needs ACCOUNT, CAMPAIGN_GROUP or CAMPAIGN among the pivots.
    """

    name: str
    kind: MetricKind
    non_demographic: bool = False
    max_range_days: int | None = None
    min_version: str | None = None
    excluded_with_device: bool = False
    additive: bool = True
    delay_hours: int = 0
    needs_entity_pivot: bool = False


#: Hours by which professional-demographic (``MEMBER_*``) values lag (the documented 12-24 h, upper bound).
DEMOGRAPHIC_DELAY_HOURS = 24
#: Fields that are not metrics but structure every row.
STRUCTURAL_FIELDS: tuple[str, ...] = ("dateRange", "pivotValues")

_L, _D, _M = MetricKind.LONG, MetricKind.DOUBLE, MetricKind.DECIMAL


def _plain(kind: MetricKind, names: Iterable[str]) -> list[Metric]:
    return [Metric(name, kind) for name in names]


_CORE: list[Metric] = [
    Metric("impressions", _L),
    Metric("clicks", _L),
    Metric(
        "approximateMemberReach",
        _L,
        non_demographic=True,
        max_range_days=92,
        excluded_with_device=True,
        additive=False,
    ),
    Metric(
        "audiencePenetration",
        _D,
        non_demographic=True,
        max_range_days=92,
        min_version="202411",
        excluded_with_device=True,
        additive=False,
        needs_entity_pivot=True,
    ),
    Metric("averageDwellTime", _D, min_version="202411", additive=False),
    Metric("costInLocalCurrency", _M),
    Metric("costInUsd", _M),
    Metric("costPerQualifiedLead", _M, additive=False),
    Metric("conversionValueInLocalCurrency", _M, non_demographic=True, excluded_with_device=True),
    Metric("cardClicks", _L, non_demographic=True),
    Metric("cardImpressions", _L, non_demographic=True),
    Metric("externalWebsiteConversions", _L, excluded_with_device=True),
    Metric("externalWebsitePostClickConversions", _L, excluded_with_device=True),
    Metric("externalWebsitePostViewConversions", _L, excluded_with_device=True),
    Metric("videoWatchTime", _L, delay_hours=48),
    Metric("averageVideoWatchTime", _D, delay_hours=48, additive=False),
]

_ENGAGEMENT = _plain(
    _L,
    [
        "landingPageClicks", "companyPageClicks", "totalEngagements", "otherEngagements", "likes",
        "comments", "commentLikes", "shares", "reactions", "follows", "downloadClicks",
        "subscriptionClicks", "headlineClicks", "headlineImpressions", "actionClicks", "adUnitClicks",
        "textUrlClicks", "opens", "sends", "fullScreenPlays",
    ],
)  # fmt: skip

_VIDEO_AND_EVENTS = _plain(
    _L,
    [
        "videoStarts", "videoViews", "videoCompletions", "videoFirstQuartileCompletions",
        "videoMidpointCompletions", "videoThirdQuartileCompletions", "documentCompletions",
        "documentFirstQuartileCompletions", "documentMidpointCompletions",
        "documentThirdQuartileCompletions", "eventViews", "eventViewsOver15Seconds",
        "eventViewsOver30Seconds", "eventViewsOver2Minutes", "eventWatchTime",
    ],
) + [
    Metric(name, _D, additive=False)
    for name in (
        "averageEventWatchTime", "averageEventWatchTimeOver15Seconds",
        "averageEventWatchTimeOver30Seconds", "averageEventWatchTimeOver2Minutes", "costPerEventView",
        "costPerEventViewOver15Seconds", "costPerEventViewOver30Seconds", "costPerEventViewOver2Minutes",
    )
]  # fmt: skip

_LEADS = _plain(
    _L,
    [
        "oneClickLeads", "oneClickLeadFormOpens", "leadGenerationMailContactInfoShares",
        "leadGenerationMailInterestedClicks", "qualifiedLeads", "validWorkEmailLeads", "talentLeads",
        "appointmentsScheduled",
    ],
) + _plain(
    _M,
    [
        "jobApplications", "jobApplyClicks", "postClickJobApplications", "postClickJobApplyClicks",
        "postViewJobApplications", "postViewJobApplyClicks", "registrations", "postClickRegistrations",
        "postViewRegistrations",
    ],
)  # fmt: skip

_VIRAL = (
    _plain(
        _L,
        [
            "viralImpressions", "viralClicks", "viralLikes", "viralComments", "viralCommentLikes",
            "viralShares", "viralFollows", "viralReactions", "viralTotalEngagements",
            "viralOtherEngagements", "viralLandingPageClicks", "viralCompanyPageClicks",
            "viralDownloadClicks", "viralSubscriptionClicks", "viralFullScreenPlays", "viralOneClickLeads",
            "viralOneClickLeadFormOpens", "viralVideoStarts", "viralVideoViews", "viralVideoCompletions",
            "viralVideoFirstQuartileCompletions", "viralVideoMidpointCompletions",
            "viralVideoThirdQuartileCompletions", "viralDocumentCompletions",
            "viralDocumentFirstQuartileCompletions", "viralDocumentMidpointCompletions",
            "viralDocumentThirdQuartileCompletions",
        ],
    )
    + [Metric("viralCardClicks", _L, non_demographic=True), Metric("viralCardImpressions", _L, non_demographic=True)]
    + [
        Metric(name, _L, excluded_with_device=True)
        for name in (
            "viralExternalWebsiteConversions", "viralExternalWebsitePostClickConversions",
            "viralExternalWebsitePostViewConversions",
        )
    ]
    + _plain(
        _M,
        [
            "viralJobApplications", "viralJobApplyClicks", "viralPostClickJobApplications",
            "viralPostClickJobApplyClicks", "viralPostViewJobApplications", "viralPostViewJobApplyClicks",
            "viralRegistrations", "viralPostClickRegistrations", "viralPostViewRegistrations",
        ],
    )
)  # fmt: skip

#: Every known metric by name, in catalogue order.
METRICS: Mapping[str, Metric] = MappingProxyType(
    {metric.name: metric for metric in [*_CORE, *_ENGAGEMENT, *_VIDEO_AND_EVENTS, *_LEADS, *_VIRAL]}
)

#: Sub-fields of ``revenueAttributionMetrics`` (attributedRevenueMetrics finder), flattened into columns.
REVENUE_METRICS: Mapping[str, Metric] = MappingProxyType(
    {
        metric.name: metric
        for metric in (
            Metric("revenueWonInUsd", _M),
            Metric("returnOnAdSpend", _D, additive=False),
            Metric("closedWonOpportunities", _L),
            Metric("openOpportunities", _L),
            Metric("opportunityAmountInUsd", _M),
            Metric("opportunityWinRate", _D, additive=False),
            Metric("averageDealSizeInUsd", _M, additive=False),
            Metric("averageDaysToClose", _D, additive=False),
        )
    }
)

#: Removed names and their replacements (rejected with the replacement named).
LEGACY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "approximateUniqueImpressions": "approximateMemberReach",
        "pivot": "pivotValues",
        "pivotValue": "pivotValues",
    }
)

#: Names that look like metrics but do not exist, with what to use instead.
MISNOMERS: Mapping[str, str] = MappingProxyType(
    {
        "conversions": "externalWebsiteConversions or oneClickLeads",
        "reach": "approximateMemberReach",
        "averageDailyReach": "approximateMemberReach",
        "videoStarted": "videoStarts",
        "clickThroughRate": "clicks / impressions (no CTR field exists)",
        "costPerConversion": "costInLocalCurrency / externalWebsiteConversions (no such field exists)",
        "frequency": "impressions / approximateMemberReach (no such field exists)",
    }
)
