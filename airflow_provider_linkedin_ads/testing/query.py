"""The emulator's parsed form of one ``adAnalytics`` request (after HTTP, Rest.li and validation).

Shared by the HTTP layer (``emulator.py``, which builds it) and the synthetic world (``world.py``,
which answers it). Standard library and the package's pure core only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity

__all__ = ["ReportQuery"]


@dataclass(frozen=True)
class ReportQuery:
    """A validated ``adAnalytics`` request.

    :param finder: which finder (``q``).
    :param pivots: pivots in request order (one for analytics).
    :param granularity: ``None`` for attributedRevenueMetrics.
    :param start: first day, inclusive (UTC).
    :param end: last day, inclusive; the emulator fills "today" for open-ended requests.
    :param facets: facet parameter name (``accounts``, ``campaigns``, ``account``, ...) -> URNs.
    :param fields: requested fields in request order, structural ones included; ``None`` when the
        request had no ``fields`` (then only impressions and clicks come back).
    :param revenue_fields: sub-projection of ``revenueAttributionMetrics``; ``None`` means all.
    :param visible_accounts: account ids the caller's token may read; ``None`` means all.
    :param campaign_type: optional ``campaignType`` filter.
    """

    finder: Finder
    pivots: tuple[Pivot, ...]
    granularity: TimeGranularity | None
    start: dt.date
    end: dt.date
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fields: tuple[str, ...] | None = None
    revenue_fields: tuple[str, ...] | None = None
    visible_accounts: frozenset[int] | None = None
    campaign_type: str | None = None
