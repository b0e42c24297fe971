"""How every metric of the catalogue is made: additive fact columns and derived (ratio) metrics.

Each additive metric is a *column*: an integer fact per creative per day, computed from a driver
column (``clicks`` from ``impressions``, ``videoViews`` from ``videoStarts``, ...) times a rate fixed
per creative, or as the sum of other columns. Decimal metrics are integers too, counted in units of
``10**-scale`` (``costInLocalCurrency`` in millionths), so every sum is exact; they are rendered as
decimal strings only at the end. Columns whose name starts with ``_`` are hidden helpers
(dwell time, event watch time above a threshold) that ratio metrics need.

A column belongs to a *family*: it exists only for creatives of that format (video metrics for
video creatives, card metrics for carousels, ...) or, for conversions, only for campaigns that track
a conversion. Rows built only from creatives outside a family leave its metrics out.

Non-additive metrics (reach, penetration, averages, cost-per) are *derived* from a row's summed
columns, never summed themselves.

.. code-block:: python

    COLUMN_INDEX["costInUsd"].driver  # 'costInLocalCurrency'
    DERIVED["averageVideoWatchTime"].deps  # ('videoWatchTime', 'videoViews')
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
from types import MappingProxyType
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.testing.entities import CreativeKind

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["COLUMNS", "COLUMN_INDEX", "DERIVED", "KIND_FAMILIES", "Column", "Derived", "Family"]


class Family(enum.IntFlag):
    """Which creatives report a metric: always, or only a format / conversion-tracking campaigns."""

    ALWAYS = 0
    VIDEO = 1
    DOCUMENT = 2
    CAROUSEL = 4
    MESSAGE = 8
    EVENT = 16
    CONVERSION = 32


#: Families a creative format reports (conversion tracking is added per campaign).
KIND_FAMILIES: Mapping[CreativeKind, Family] = MappingProxyType(
    {
        CreativeKind.IMAGE: Family.ALWAYS,
        CreativeKind.TEXT: Family.ALWAYS,
        CreativeKind.VIDEO: Family.VIDEO,
        CreativeKind.DOCUMENT: Family.DOCUMENT,
        CreativeKind.CAROUSEL: Family.CAROUSEL,
        CreativeKind.MESSAGE: Family.MESSAGE,
        CreativeKind.EVENT: Family.EVENT,
    }
)


@dataclasses.dataclass(frozen=True)
class Column:
    """One additive fact column.

    :param name: metric name (or ``_hidden`` helper).
    :param family: creatives that report it.
    :param driver: the column it is proportional to (``None`` only for ``impressions``).
    :param low: lowest per-creative rate, in real units of this column per real unit of the driver.
    :param high: highest per-creative rate.
    :param scale: decimal places of the stored integer (0 for counts, 6 for money, ...).
    :param quantum: the stored integer moves in steps of this many units (0.5 steps for job counts).
    :param parts: when given, the column is the exact sum of these columns instead.
    :param fx: the rate is the account currency's USD exchange rate instead of ``low``/``high``.
    :param long_tail: occasionally many significant digits and, rarely, a negative credit.
    """

    name: str
    family: Family = Family.ALWAYS
    driver: str | None = "impressions"
    low: float = 0.0
    high: float = 0.0
    scale: int = 0
    quantum: int = 1
    parts: tuple[str, ...] = ()
    fx: bool = False
    long_tail: bool = False

    @property
    def delay_hours(self) -> int:
        """Extra maturity delay of the metric (``videoWatchTime``: 48 h), 0 for hidden columns."""
        metric = METRICS.get(self.name)
        return metric.delay_hours if metric is not None else 0


@dataclasses.dataclass(frozen=True)
class Derived:
    """A non-additive metric computed from a row's summed columns.

    :param name: metric name.
    :param deps: columns it reads; the presence of the last one's family decides its presence.
    :param family: creatives that report it.
    """

    name: str
    deps: tuple[str, ...]
    family: Family = Family.ALWAYS


_A, _V, _DOC, _CAR = Family.ALWAYS, Family.VIDEO, Family.DOCUMENT, Family.CAROUSEL
_MSG, _EVT, _CONV = Family.MESSAGE, Family.EVENT, Family.CONVERSION


def _c(
    name: str,
    driver: str,
    low: float,
    high: float,
    family: Family = _A,
    *,
    scale: int = 0,
    quantum: int = 1,
    long_tail: bool = False,
) -> Column:
    return Column(name, family, driver, low, high, scale=scale, quantum=quantum, long_tail=long_tail)


def _sum(
    name: str, parts: tuple[str, ...], family: Family = _A, *, scale: int = 0, quantum: int = 1
) -> Column:
    return Column(name, family, None, parts=parts, scale=scale, quantum=quantum)


def _chain(
    prefix: str, family: Family, first_driver: str, first: tuple[float, float], names: tuple[str, ...]
) -> list[Column]:
    # Quartile chains: each completion stage is a fraction of the previous one.
    columns = [_c(prefix + names[0], first_driver, *first, family)]
    for previous, name in itertools.pairwise(names):
        columns.append(_c(prefix + name, prefix + previous, 0.55, 0.85, family))
    return columns


def _lower_first(name: str) -> str:
    return name[0].lower() + name[1:]


def _half(name: str, driver: str, high: float, low: float = 0.0) -> Column:
    # Job and registration counts are attributed in halves: one decimal place, steps of 0.5.
    return _c(name, driver, low, high, scale=1, quantum=5)


def _job_columns(viral: bool) -> list[Column]:
    def name(stem: str) -> str:
        return f"viral{stem}" if viral else _lower_first(stem)

    clicks, imps = ("viralClicks", "viralImpressions") if viral else ("clicks", "impressions")
    columns = [
        _half(name("PostClickJobApplyClicks"), clicks, 0.05),
        _half(name("PostViewJobApplyClicks"), imps, 0.0005),
        _half(name("PostClickRegistrations"), clicks, 0.03),
        _half(name("PostViewRegistrations"), imps, 0.0003),
        _half(name("PostClickJobApplications"), name("PostClickJobApplyClicks"), 0.5, 0.1),
        _half(name("PostViewJobApplications"), name("PostViewJobApplyClicks"), 0.5, 0.1),
    ]
    for total in ("JobApplyClicks", "Registrations", "JobApplications"):
        parts = (name(f"PostClick{total}"), name(f"PostView{total}"))
        columns.append(_sum(name(total), parts, scale=1, quantum=5))
    return columns


def _engagement(prefix: str, imps: str, clicks: str) -> list[Column]:
    def p(name: str) -> str:
        return prefix + name[0].upper() + name[1:] if prefix else name

    return [
        _c(p("landingPageClicks"), clicks, 0.45, 0.9),
        _c(p("companyPageClicks"), clicks, 0.01, 0.08),
        _c(p("likes"), imps, 0.0005, 0.006),
        _c(p("comments"), p("likes"), 0.02, 0.15),
        _c(p("commentLikes"), p("comments"), 0.1, 0.5),
        _c(p("shares"), p("likes"), 0.01, 0.1),
        _c(p("reactions"), p("likes"), 1.0, 1.3),
        _c(p("follows"), imps, 0.0001, 0.0008),
        _c(p("otherEngagements"), clicks, 0.05, 0.3),
        _sum(
            p("totalEngagements"),
            (clicks, p("likes"), p("comments"), p("shares"), p("follows"), p("otherEngagements")),
        ),
        _c(p("subscriptionClicks"), imps, 0.0, 0.0002),
        _c(p("downloadClicks"), clicks, 0.01, 0.06, _DOC),
        _c(p("fullScreenPlays"), imps, 0.002, 0.02, _V),
        _c(p("cardImpressions"), imps, 1.5, 4.0, _CAR),
        _c(p("cardClicks"), clicks, 0.6, 1.0, _CAR),
        _c(p("oneClickLeadFormOpens"), clicks, 0.0, 0.25),
        _c(p("oneClickLeads"), p("oneClickLeadFormOpens"), 0.1, 0.5),
        _c(p("externalWebsitePostClickConversions"), clicks, 0.01, 0.08, _CONV),
        _c(p("externalWebsitePostViewConversions"), imps, 0.0002, 0.001, _CONV),
        _sum(
            p("externalWebsiteConversions"),
            (p("externalWebsitePostClickConversions"), p("externalWebsitePostViewConversions")),
            _CONV,
        ),
        *_chain(prefix or "", _V, imps, (0.2, 0.6), _video_names(prefix)),
        _c(p("videoViews"), p("videoStarts"), 0.4, 0.8, _V),
        *_chain(prefix or "", _DOC, imps, (0.02, 0.08), _document_names(prefix)),
    ]


def _video_names(prefix: str) -> tuple[str, ...]:
    names = ("videoStarts", "videoFirstQuartileCompletions", "videoMidpointCompletions",
             "videoThirdQuartileCompletions", "videoCompletions")  # fmt: skip
    return tuple(name[0].upper() + name[1:] for name in names) if prefix else names


def _document_names(prefix: str) -> tuple[str, ...]:
    names = ("documentFirstQuartileCompletions", "documentMidpointCompletions",
             "documentThirdQuartileCompletions", "documentCompletions")  # fmt: skip
    return tuple(name[0].upper() + name[1:] for name in names) if prefix else names


_BASE: list[Column] = [
    Column("impressions", driver=None),
    _c("clicks", "impressions", 0.003, 0.02),
    _c("_dwellMillis", "impressions", 1200.0, 7000.0),
    _c("costInLocalCurrency", "impressions", 0.004, 0.06, scale=6),
    Column("costInUsd", driver="costInLocalCurrency", scale=6, fx=True),
]

_FORMAT_SPECIFIC: list[Column] = [
    _c("videoWatchTime", "videoStarts", 3.0, 20.0, _V),
    _c("headlineImpressions", "impressions", 0.6, 1.0, _MSG),
    _c("headlineClicks", "headlineImpressions", 0.01, 0.05, _MSG),
    _c("sends", "impressions", 1.0, 1.0, _MSG),
    _c("opens", "sends", 0.3, 0.6, _MSG),
    _c("actionClicks", "opens", 0.05, 0.2, _MSG),
    _c("adUnitClicks", "opens", 0.01, 0.05, _MSG),
    _c("textUrlClicks", "opens", 0.01, 0.06, _MSG),
    _c("leadGenerationMailContactInfoShares", "opens", 0.005, 0.03, _MSG),
    _c("leadGenerationMailInterestedClicks", "opens", 0.01, 0.05, _MSG),
    _c("eventViews", "impressions", 0.05, 0.2, _EVT),
    _c("eventViewsOver15Seconds", "eventViews", 0.5, 0.8, _EVT),
    _c("eventViewsOver30Seconds", "eventViewsOver15Seconds", 0.6, 0.85, _EVT),
    _c("eventViewsOver2Minutes", "eventViewsOver30Seconds", 0.3, 0.6, _EVT),
    _c("eventWatchTime", "eventViews", 20.0, 200.0, _EVT),
    _c("_eventWatchTimeOver15Seconds", "eventViewsOver15Seconds", 40.0, 250.0, _EVT),
    _c("_eventWatchTimeOver30Seconds", "eventViewsOver30Seconds", 60.0, 300.0, _EVT),
    _c("_eventWatchTimeOver2Minutes", "eventViewsOver2Minutes", 150.0, 600.0, _EVT),
    _c(
        "conversionValueInLocalCurrency",
        "externalWebsiteConversions",
        5.0,
        250.0,
        _CONV,
        scale=19,
        quantum=10**17,
        long_tail=True,
    ),
    _c("qualifiedLeads", "oneClickLeads", 0.2, 0.6),
    _c("validWorkEmailLeads", "oneClickLeads", 0.3, 0.8),
    _c("talentLeads", "impressions", 0.0, 0.0001),
    _c("appointmentsScheduled", "qualifiedLeads", 0.0, 0.3),
]

_VIRAL_BASE: list[Column] = [
    _c("viralImpressions", "impressions", 0.01, 0.08),
    _c("viralClicks", "viralImpressions", 0.003, 0.02),
]


def _ordered(columns: list[Column]) -> tuple[Column, ...]:
    # Topological order: every driver and part precedes the columns computed from it.
    done: dict[str, Column] = {}
    pending = list(columns)
    while pending:
        remaining = []
        for column in pending:
            needs = column.parts or ((column.driver,) if column.driver else ())
            if all(name in done for name in needs):
                done[column.name] = column
            else:
                remaining.append(column)
        if len(remaining) == len(pending):
            raise RuntimeError(f"unresolvable recipe drivers: {[column.name for column in remaining]}")
        pending = remaining
    return tuple(done.values())


#: Every additive column (metrics and hidden helpers), drivers before the columns they drive.
COLUMNS: tuple[Column, ...] = _ordered(
    _BASE
    + _engagement("", "impressions", "clicks")
    + _FORMAT_SPECIFIC
    + _job_columns(viral=False)
    + _VIRAL_BASE
    + _engagement("viral", "viralImpressions", "viralClicks")
    + _job_columns(viral=True)
)
#: Columns by name.
COLUMN_INDEX: Mapping[str, Column] = MappingProxyType({column.name: column for column in COLUMNS})

_COST_PER_EVENT = {
    "costPerEventView": "eventViews",
    "costPerEventViewOver15Seconds": "eventViewsOver15Seconds",
    "costPerEventViewOver30Seconds": "eventViewsOver30Seconds",
    "costPerEventViewOver2Minutes": "eventViewsOver2Minutes",
}
_EVENT_AVERAGES = {
    "averageEventWatchTime": ("eventWatchTime", "eventViews"),
    "averageEventWatchTimeOver15Seconds": ("_eventWatchTimeOver15Seconds", "eventViewsOver15Seconds"),
    "averageEventWatchTimeOver30Seconds": ("_eventWatchTimeOver30Seconds", "eventViewsOver30Seconds"),
    "averageEventWatchTimeOver2Minutes": ("_eventWatchTimeOver2Minutes", "eventViewsOver2Minutes"),
}

#: Every non-additive metric, with the columns it is computed from.
DERIVED: Mapping[str, Derived] = MappingProxyType(
    {
        item.name: item
        for item in (
            Derived("approximateMemberReach", ("impressions",)),
            Derived("audiencePenetration", ("impressions",)),
            Derived("averageDwellTime", ("_dwellMillis", "impressions")),
            Derived("costPerQualifiedLead", ("costInLocalCurrency", "qualifiedLeads")),
            Derived("averageVideoWatchTime", ("videoWatchTime", "videoViews"), _V),
            *(Derived(name, deps, _EVT) for name, deps in _EVENT_AVERAGES.items()),
            *(Derived(name, ("costInLocalCurrency", views), _EVT) for name, views in _COST_PER_EVENT.items()),
        )
    }
)
