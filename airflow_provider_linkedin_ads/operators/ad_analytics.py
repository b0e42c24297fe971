"""Operators that land one LinkedIn Ads ``adAnalytics`` report per task run.

* :class:`LinkedInAdsAnalyticsOperator`: ``q=analytics``, one ``pivot`` (demographic ``MEMBER_*``
  pivots included);
* :class:`LinkedInAdsStatisticsOperator`: ``q=statistics``, one to three ``pivots``;
* :class:`LinkedInAdsAttributedRevenueOperator`: ``q=attributedRevenueMetrics`` for one ``account``.

Which days a run reports (LinkedIn's ``dateRange`` is inclusive, in UTC):

====  ======================================================  =========================================
 #    situation                                               days reported
====  ======================================================  =========================================
 1    ``date_range_start``/``date_range_end`` set             exactly those (end alone: that day;
                                                              start alone: start .. yesterday, but
                                                              start .. today for attributed revenue)
 2    the run has a non-empty data interval ``[start, end)``  start's day .. the day before end
 3    zero-width interval (``CronTriggerTimetable``, the      the UTC day before the logical date
      Airflow 3 default for cron and timedelta schedules)
 4    no logical date (manual Airflow 3 run)                  the UTC day before ``run_after``
====  ======================================================  =========================================

``lookback_days`` then moves the start back (default 0; LinkedIn revises clicks and conversions for
days, so e.g. ``lookback_days=7`` re-fetches the last week on every run). Computed ranges never
include the current, incomplete UTC day; an explicit range may end today, and the attributed-revenue
operator's ``date_range_start`` without ``date_range_end`` runs to today (UTC), the only ranges for
which LinkedIn returns ``openOpportunities`` and ``opportunityAmountInUsd``.

Arguments marked *templated* accept Jinja and ``XComArg`` values (and ``.expand()``); the others
are checked when the DAG is parsed, as are pivots and metrics given literally.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.providers.common.compat.sdk import conf

from airflow_provider_linkedin_ads.client.config import DEFAULT_MAX_CONCURRENCY
from airflow_provider_linkedin_ads.enums import Finder
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import ANALYTICS_FACETS
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators._arguments import (
    check_time_granularity,
    required_pivots,
)
from airflow_provider_linkedin_ads.operators._base import LinkedInAdsReportBaseOperator
from airflow_provider_linkedin_ads.utils.run_window import parse_day, resolve_date_range

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_linkedin_ads.client.config import RetryPolicy
    from airflow_provider_linkedin_ads.models import DateRange

__all__ = [
    "LinkedInAdsAnalyticsOperator",
    "LinkedInAdsAttributedRevenueOperator",
    "LinkedInAdsReportBaseOperator",
    "LinkedInAdsStatisticsOperator",
]

Ids = Sequence[int | str] | int | str
_DEFAULT_CONN = LinkedInAdsHook.default_conn_name

_ANALYTICS_FACETS: dict[str, str] = dict(ANALYTICS_FACETS)
_COMMON_TEMPLATE_FIELDS = ("linkedin_ads_conn_id", "date_range_start", "date_range_end")
_OUTPUT_TEMPLATE_FIELDS = ("output_path", "output_conn_id")
# Lists render as Python literals in the UI's "Rendered Template" view.
_RENDERERS = {"metrics": "py", **dict.fromkeys(_ANALYTICS_FACETS, "py")}


class _FacetedReportOperator(LinkedInAdsReportBaseOperator):
    """analytics and statistics: a time granularity and the six facets; empty facets = all accounts."""

    facet_arguments: ClassVar[dict[str, str]] = _ANALYTICS_FACETS

    def __init__(
        self,
        *,
        linkedin_ads_conn_id: str = _DEFAULT_CONN,
        metrics: Sequence[str] | str,
        time_granularity: str = "DAILY",
        date_range_start: str | dt.date | None = None,
        date_range_end: str | dt.date | None = None,
        lookback_days: int = 0,
        accounts: Ids = (),
        campaign_groups: Ids = (),
        campaigns: Ids = (),
        creatives: Ids = (),
        shares: Ids = (),
        companies: Ids = (),
        output_path: str | None = None,
        output_format: str = "jsonl",
        output_conn_id: str | None = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        on_truncation: str = "fail",
        api_version: str | None = None,
        resolve_names: bool = False,
        allow_unknown_names: bool = False,
        api_retry_policy: RetryPolicy | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            linkedin_ads_conn_id=linkedin_ads_conn_id,
            time_granularity=check_time_granularity(time_granularity),
            date_range_start=date_range_start,
            date_range_end=date_range_end,
            lookback_days=lookback_days,
            metrics=metrics,
            output_path=output_path,
            output_format=output_format,
            output_conn_id=output_conn_id,
            max_concurrency=max_concurrency,
            on_truncation=on_truncation,
            api_version=api_version,
            resolve_names=resolve_names,
            allow_unknown_names=allow_unknown_names,
            api_retry_policy=api_retry_policy,
            deferrable=deferrable,
            **kwargs,
        )
        self.accounts = accounts
        self.campaign_groups = campaign_groups
        self.campaigns = campaigns
        self.creatives = creatives
        self.shares = shares
        self.companies = companies


class LinkedInAdsAnalyticsOperator(_FacetedReportOperator):
    """Land one ``q=analytics`` report (one pivot) per run: a file in ``output_path``, or XCom rows.

    .. code-block:: python

        LinkedInAdsAnalyticsOperator(
            task_id="campaign_performance",
            pivot="CAMPAIGN",
            metrics=["impressions", "clicks", "costInLocalCurrency", "externalWebsiteConversions"],
            accounts=[508000000],
            lookback_days=7,
            output_path="file:///data/linkedin/campaigns/{{ ds }}.jsonl",
        )

    Returns (XCom) the run's summary: ``date_range``, ``output_path``, ``rows_written``,
    ``calls_made``, ``date_range_covered``, ``truncation_events``, ... and, without
    ``output_path``, the ``rows`` themselves (at most 5,000).

    :param pivot: one pivot, e.g. ``CAMPAIGN`` or ``MEMBER_JOB_TITLE`` (templated).
    :param metrics: metric names, any number (templated).
    :param time_granularity: ``DAILY`` (default), ``MONTHLY``, ``YEARLY`` or ``ALL``.
    :param date_range_start: first day, ISO date (templated); see the module's date-range table.
    :param date_range_end: last day, ISO date (templated).
    :param lookback_days: days before the start to re-fetch as well (default 0).
    :param accounts: ad account ids or URNs (templated; XCom lists and ``.expand()`` work). When
        every facet is empty, the report covers every ACTIVE account the token can see.
    :param campaign_groups: campaign group ids or URNs (templated); likewise ``campaigns``,
        ``creatives``, ``shares`` and ``companies``.
    :param output_path: file URI (``file://``, ``s3://``, ``gs://`` ...), written atomically (templated).
    :param output_format: ``jsonl`` (default), ``csv`` or ``parquet`` (needs the ``[parquet]`` extra).
    :param output_conn_id: connection of the output filesystem (templated).
    :param linkedin_ads_conn_id: the LinkedIn Ads connection (templated).
    :param max_concurrency: API calls in flight at once (default 4).
    :param on_truncation: ``fail`` (default) or ``warn``.
    :param api_version: ``LinkedIn-Version`` override.
    :param resolve_names: add ``<pivot>_name`` columns (extra lookups; failures leave them null).
    :param allow_unknown_names: pass pivot/metric names newer than this release through.
    :param api_retry_policy: the API client's retry policy (not Airflow's task ``retry_policy``).
    :param deferrable: on a spent daily quota, wait in the triggerer until shortly after 00:00
        UTC (default ``[operators] default_deferrable``); otherwise fail saying when it resets.
        Deferrable tasks also wait out LinkedIn's data throttle (any wait over ``[linkedin_ads]
        defer_waits_longer_than``, default 60 s) in the triggerer and resume the same report,
        replaying the answers already received; non-deferrable ones wait in the worker.
    :param csv_escape_formulas: CSV only: prefix formula-like text cells (``= + - @``, tab, CR)
        with ``'`` (default ``True``; numbers never change).
    :param reconcile: compare the landed totals with LinkedIn's ``timeGranularity=ALL`` totals
        before the file is moved into place (default ``False``).
    :param reconcile_mode: ``fail`` (default) or ``warn`` on a reconcile mismatch.
    """

    finder = Finder.ANALYTICS
    pivot_argument: ClassVar[str] = "pivot"
    template_fields: Sequence[str] = (
        *_COMMON_TEMPLATE_FIELDS,
        "pivot",
        "metrics",
        *_ANALYTICS_FACETS,
        *_OUTPUT_TEMPLATE_FIELDS,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = _RENDERERS

    def __init__(self, *, pivot: str | None = None, metrics: Sequence[str] | str, **kwargs: Any) -> None:
        # ``pivot`` defaults to None only so that a missing or misnamed one gets this clear error.
        pivot = required_pivots(pivot, kwargs, operator=type(self).__name__, expected="pivot")
        super().__init__(metrics=metrics, **kwargs)
        self.pivot = pivot
        self._check_parse_time()

    def _raw_pivots(self) -> Any:
        return self.pivot


class LinkedInAdsStatisticsOperator(_FacetedReportOperator):
    """Land one ``q=statistics`` report (one to three pivots) per run.

    Rows carry one column per pivot, in the order given. ``MEMBER_*`` pivots are not allowed here
    (use :class:`LinkedInAdsAnalyticsOperator`).

    .. code-block:: python

        LinkedInAdsStatisticsOperator(
            task_id="campaign_by_device",
            pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
            metrics=["impressions", "clicks", "costInLocalCurrency"],
            accounts=[508000000],
            output_path="s3://bucket/linkedin/campaign_device/{{ ds }}.parquet",
            output_format="parquet",
            output_conn_id="aws_default",
        )

    :param pivots: one to three pivots (templated).
    :param kwargs: every other argument as for :class:`LinkedInAdsAnalyticsOperator`.
    """

    finder = Finder.STATISTICS
    template_fields: Sequence[str] = (
        *_COMMON_TEMPLATE_FIELDS,
        "pivots",
        "metrics",
        *_ANALYTICS_FACETS,
        *_OUTPUT_TEMPLATE_FIELDS,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {**_RENDERERS, "pivots": "py"}

    def __init__(
        self, *, pivots: Sequence[str] | str | None = None, metrics: Sequence[str] | str, **kwargs: Any
    ) -> None:
        pivots = required_pivots(pivots, kwargs, operator=type(self).__name__, expected="pivots")
        super().__init__(metrics=metrics, **kwargs)
        self.pivots = pivots
        self._check_parse_time()

    def _raw_pivots(self) -> Any:
        return self.pivots


class LinkedInAdsAttributedRevenueOperator(LinkedInAdsReportBaseOperator):
    """Land one ``q=attributedRevenueMetrics`` report (CRM-attributed revenue) for one account.

    LinkedIn answers it for ranges of 30 to 366 days that start within the last year, so unless
    ``date_range_start``/``date_range_end`` are set, each run reports the 30 days ending with the
    run's day (``lookback_days`` defaults to 29 for ranges taken from the run, 0 for explicit ones).

    ``date_range_start`` with ``date_range_end=None`` (the default) means "to today": the range ends
    on the current UTC day, as LinkedIn defines today. Only such ranges carry ``openOpportunities``
    and ``opportunityAmountInUsd`` (LinkedIn leaves them out of any range ending earlier); a
    run-derived range never includes today, so it never has them.

    .. code-block:: python

        LinkedInAdsAttributedRevenueOperator(
            task_id="attributed_revenue",
            account=508000000,
            pivots=["CAMPAIGN"],
            output_path="file:///data/linkedin/revenue/{{ ds }}.jsonl",
        )
        # the last 90 days up to today (UTC), open opportunities included
        LinkedInAdsAttributedRevenueOperator(
            task_id="pipeline_to_today",
            account=508000000,
            pivots=["CAMPAIGN"],
            date_range_start="{{ macros.ds_add(ds, -89) }}",
        )

    :param account: the one ad account id or URN (templated).
    :param pivots: among ``ACCOUNT``, ``CAMPAIGN_GROUP`` and ``CAMPAIGN`` (templated).
    :param metrics: ``revenueAttributionMetrics`` sub-fields; empty (default) = all of them (templated).
    :param campaign_groups: optional campaign group ids or URNs (templated); likewise ``campaigns``.
    :param lookback_days: days before the start to add; ``None`` (default): 29 for a range taken
        from the run, 0 for an explicit one.
    :param kwargs: ``date_range_*``, ``output_*``, ``linkedin_ads_conn_id``, ``max_concurrency``,
        ``on_truncation``, ``api_version``, ``resolve_names``, ``allow_unknown_names``,
        ``api_retry_policy``, ``deferrable``, ``csv_escape_formulas``, ``reconcile`` (always
        skipped here: attributed revenue has no ``ALL`` view), ``reconcile_mode`` as for
        :class:`LinkedInAdsAnalyticsOperator`.
    """

    finder = Finder.ATTRIBUTED_REVENUE
    facet_arguments: ClassVar[dict[str, str]] = {
        "account": "account",
        "campaign_groups": "campaignGroups",
        "campaigns": "campaigns",
    }
    default_lookback_days: ClassVar[int] = 29
    template_fields: Sequence[str] = (
        *_COMMON_TEMPLATE_FIELDS,
        "pivots",
        "metrics",
        "account",
        "campaign_groups",
        "campaigns",
        *_OUTPUT_TEMPLATE_FIELDS,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {
        "metrics": "py",
        "pivots": "py",
        "campaign_groups": "py",
        "campaigns": "py",
    }

    def __init__(
        self,
        *,
        account: int | str,
        pivots: Sequence[str] | str | None = None,
        metrics: Sequence[str] | str = (),
        linkedin_ads_conn_id: str = _DEFAULT_CONN,
        date_range_start: str | dt.date | None = None,
        date_range_end: str | dt.date | None = None,
        lookback_days: int | None = None,
        campaign_groups: Ids = (),
        campaigns: Ids = (),
        output_path: str | None = None,
        output_format: str = "jsonl",
        output_conn_id: str | None = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        on_truncation: str = "fail",
        api_version: str | None = None,
        resolve_names: bool = False,
        allow_unknown_names: bool = False,
        api_retry_policy: RetryPolicy | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        pivots = required_pivots(pivots, kwargs, operator=type(self).__name__, expected="pivots")
        super().__init__(
            linkedin_ads_conn_id=linkedin_ads_conn_id,
            time_granularity=None,
            date_range_start=date_range_start,
            date_range_end=date_range_end,
            lookback_days=lookback_days,
            metrics=metrics,
            output_path=output_path,
            output_format=output_format,
            output_conn_id=output_conn_id,
            max_concurrency=max_concurrency,
            on_truncation=on_truncation,
            api_version=api_version,
            resolve_names=resolve_names,
            allow_unknown_names=allow_unknown_names,
            api_retry_policy=api_retry_policy,
            deferrable=deferrable,
            **kwargs,
        )
        self.account = account
        self.pivots = pivots
        self.campaign_groups = campaign_groups
        self.campaigns = campaigns
        self._check_parse_time()

    def _raw_pivots(self) -> Any:
        return self.pivots

    def resolve_date_range(self, context: Context) -> DateRange:
        """Return the inclusive UTC days of this run; ``date_range_start`` alone runs to today.

        ``openOpportunities`` and ``opportunityAmountInUsd`` exist only for a range that ends on the
        current UTC day (LinkedIn's definition of "today"), so for this finder a start without an end
        means "up to and including today", not "up to yesterday" as for the other operators. The
        end is fixed to today's date here, before the engine plans its call: sent as
        ``end`` = today, LinkedIn answers exactly as for an open range.
        """
        start = parse_day(self.date_range_start, argument="date_range_start")
        end = parse_day(self.date_range_end, argument="date_range_end")
        if start is None or end is not None:
            return super().resolve_date_range(context)
        now = _base.utcnow()
        return resolve_date_range(
            context,
            date_range_start=start,
            date_range_end=now.astimezone(dt.UTC).date(),
            lookback_days=self.lookback_days or 0,
            now=now,
        )
