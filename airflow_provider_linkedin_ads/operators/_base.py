"""The shared base of the report operators: resolve the days, validate, fetch, land or return, summarise.

One task run = one logical report: the date range is resolved from the run
(:func:`~airflow_provider_linkedin_ads.utils.run_window.resolve_date_range`), the request is
built, and one hook call runs it (:mod:`~airflow_provider_linkedin_ads.client.landing`: validation
before any call, the report engine's chunking, windowing and retries, name columns, reconcile): the
rows either land atomically in ``output_path`` or, when small, go to XCom. What is Airflow's stays
here and in :mod:`~airflow_provider_linkedin_ads.operators._output`: the date range and templates,
the XCom row cap, asset events, lineage, the extra link, and the waits: a spent daily quota defers
the task to shortly after 00:00 UTC (or fails it, saying when the quota resets); with
``deferrable=True`` any wait longer than ``[linkedin_ads] defer_waits_longer_than`` (LinkedIn's data
throttle) is waited in the triggerer too, and the resume replays the answers already received
from the task run's checkpoint (:mod:`~airflow_provider_linkedin_ads.utils.checkpoint`).

The module-level :func:`utcnow` is the time seam tests replace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, cast

from airflow_provider_linkedin_ads.client.config import ON_TRUNCATION
from airflow_provider_linkedin_ads.client.landing import ReportOptions
from airflow_provider_linkedin_ads.client.reconcile import RECONCILE_MODES
from airflow_provider_linkedin_ads.errors import DailyQuotaExceededError, WaitDeferredError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.operators._arguments import (
    argument_named,
    check_api_version,
    check_attempt_timeout,
    check_choice,
    check_flag,
    check_static_request,
    check_whole,
    text_list,
)
from airflow_provider_linkedin_ads.operators._output import LinkedInAdsFileOperator
from airflow_provider_linkedin_ads.operators._quota import defer_waits_longer_than, deferral
from airflow_provider_linkedin_ads.operators._results import (
    Lineage,
    report_summary,
    rows_for_xcom,
    with_date_range,
)
from airflow_provider_linkedin_ads.operators.links import (
    XCOM_KEY as LINK_XCOM_KEY,
    LinkedInCampaignManagerLink,
    campaign_manager_url,
)
from airflow_provider_linkedin_ads.utils.checkpoint import PathCheckpoint, checkpoint_uri
from airflow_provider_linkedin_ads.utils.landing import (
    public_uri,
)
from airflow_provider_linkedin_ads.utils.run_window import parse_day, resolve_date_range

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    import jinja2
    from airflow.providers.common.compat.sdk import Context, ObjectStoragePath

    from airflow_provider_linkedin_ads.client.config import RetryPolicy
    from airflow_provider_linkedin_ads.client.landing import LandedReport
    from airflow_provider_linkedin_ads.enums import Finder

__all__ = ["REPORT_RANGE_VARIABLES", "LinkedInAdsReportBaseOperator", "report_range_variables", "utcnow"]

#: The template variables ``output_path`` may use, besides Airflow's: the resolved report range.
REPORT_RANGE_VARIABLES = ("report_start", "report_end", "report_start_nodash", "report_end_nodash")


def utcnow() -> dt.datetime:
    """Return the current aware UTC time (the operators' clock; tests replace it)."""
    return dt.datetime.now(tz=dt.UTC)


class LinkedInAdsReportBaseOperator(LinkedInAdsFileOperator):
    """Base of the LinkedIn Ads report operators; use one of its three subclasses.

    Subclasses set :attr:`finder` and :attr:`facet_arguments`, store their pivot argument(s) and
    facets, and call :meth:`_check_parse_time` at the end of ``__init__``.

    .. code-block:: python

        class MyReportOperator(LinkedInAdsReportBaseOperator):
            finder = Finder.ANALYTICS
            facet_arguments = {"accounts": "accounts"}

    :param linkedin_ads_conn_id: the LinkedIn Ads connection (templated).
    :param time_granularity: ``DAILY``, ``MONTHLY``, ``YEARLY`` or ``ALL`` (``None`` for revenue).
    :param date_range_start: first day, an ISO date (templated); see the date-range table.
    :param date_range_end: last day, an ISO date (templated).
    :param lookback_days: days before the resolved start to re-fetch as well; ``None`` takes the
        operator's default.
    :param metrics: metric names (templated).
    :param output_path: file URI to land the rows in (templated; an ``ObjectStoragePath`` or an absolute
        ``pathlib.Path`` too); without it rows go to XCom. It may use ``{{ report_start }}`` and
        ``{{ report_end }}``, the resolved report range (ISO days), rendered after the range is known.
    :param output_format: ``jsonl`` (default), ``csv`` or ``parquet``.
    :param output_conn_id: connection of the output filesystem (templated).
    :param max_concurrency: API calls in flight at once for this task.
    :param on_truncation: ``fail`` (default) or ``warn`` when one day of one entity still hits the cap.
    :param api_version: ``LinkedIn-Version`` override (``YYYYMM``).
    :param resolve_names: add a ``<pivot>_name`` column next to each nameable pivot column.
    :param allow_unknown_names: send pivot and metric names the catalogue does not know.
    :param api_retry_policy: how the API client retries transient failures (default: the package's
        :class:`~airflow_provider_linkedin_ads.client.config.RetryPolicy`). Not Airflow 3.3's task-level
        ``retry_policy``, which decides whether a failed try is retried.
    :param attempt_timeout: seconds one API attempt may take, connect to last byte (default: the
        connection's extra ``attempt_timeout``, else 300); a slower answer is a retried transport error.
    :param deferrable: wait out a spent daily quota in the triggerer instead of failing, and any other
        wait longer than ``[linkedin_ads] defer_waits_longer_than`` seconds (default 60: LinkedIn's data
        throttle, a long ``Retry-After``) in the triggerer instead of a worker slot. The resume runs
        the same report (the same days) and replays the answers already received from a checkpoint
        beside ``output_path`` (the worker's temp dir for XCom rows), so only the calls not made yet
        go to LinkedIn; a resume that cannot read the checkpoint (another machine) asks again.
    :param csv_escape_formulas: CSV output only: prefix text cells that start with ``= + - @``, tab
        or CR with ``'`` so spreadsheets do not run them (default ``True``; numbers never change).
    :param reconcile: after the report, compare the landed rows' totals with LinkedIn's
        ``timeGranularity=ALL`` totals (one extra call per facet batch); see
        :mod:`~airflow_provider_linkedin_ads.client.reconcile` for what is compared and skipped.
    :param reconcile_mode: ``fail`` (default): a mismatch fails the task and nothing is landed;
        ``warn``: it is logged and reported in the summary's ``reconcile`` entry.
    :param kwargs: ``BaseOperator`` arguments.
    """

    finder: ClassVar[Finder]
    #: Facet argument name -> the request's facet name.
    facet_arguments: ClassVar[dict[str, str]] = {}
    #: The pivot argument's name, used in error messages (``pivot`` for the analytics operator).
    pivot_argument: ClassVar[str] = "pivots"
    #: ``lookback_days`` used when the argument is ``None`` and the range comes from the run.
    default_lookback_days: ClassVar[int] = 0
    ui_color = "#dbe9f6"
    operator_extra_links = (LinkedInCampaignManagerLink(),)

    def __init__(
        self,
        *,
        linkedin_ads_conn_id: str,
        time_granularity: str | None,
        date_range_start: str | dt.date | None,
        date_range_end: str | dt.date | None,
        lookback_days: int | None,
        metrics: Any,
        output_path: str | ObjectStoragePath | os.PathLike[str] | None,
        output_format: str,
        output_conn_id: str | None,
        max_concurrency: int,
        on_truncation: str,
        api_version: str | None,
        resolve_names: bool,
        allow_unknown_names: bool,
        api_retry_policy: RetryPolicy | None,
        deferrable: bool,
        attempt_timeout: float | None = None,
        csv_escape_formulas: bool = True,
        reconcile: bool = False,
        reconcile_mode: str = "fail",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            output_path=output_path,
            output_format=output_format,
            output_conn_id=output_conn_id,
            csv_escape_formulas=csv_escape_formulas,
            **kwargs,
        )
        # Templated: assigned verbatim, validated once rendered (in execute).
        self.linkedin_ads_conn_id = linkedin_ads_conn_id
        self.date_range_start = date_range_start
        self.date_range_end = date_range_end
        self.metrics = metrics
        # Kept unrendered: a resume renders it again for its pinned days.
        self._output_path_template = self.output_path
        # Not templated: validated now, so a broken DAG fails when it is parsed.
        self.time_granularity = time_granularity
        self.lookback_days = (
            None if lookback_days is None else check_whole(lookback_days, argument="lookback_days", minimum=0)
        )
        self.max_concurrency = check_whole(max_concurrency, argument="max_concurrency", minimum=1)
        self.on_truncation = check_choice(on_truncation, ON_TRUNCATION, argument="on_truncation").lower()
        self.api_version = check_api_version(api_version)
        self.resolve_names = check_flag(resolve_names, argument="resolve_names")
        self.allow_unknown_names = check_flag(allow_unknown_names, argument="allow_unknown_names")
        self.deferrable = check_flag(deferrable, argument="deferrable")
        self.reconcile = check_flag(reconcile, argument="reconcile")
        self.reconcile_mode = check_choice(reconcile_mode, RECONCILE_MODES, argument="reconcile_mode").lower()
        self.api_retry_policy = api_retry_policy
        self.attempt_timeout = check_attempt_timeout(attempt_timeout)
        self._report_range: DateRange | None = None
        #: The "LinkedIn Campaign Manager" extra link's target, known once the facets are.
        self.campaign_manager_url: str | None = None
        self._answers: PathCheckpoint | None = None
        self._keep_answers = False
        self._resuming = False

    def _raw_pivots(self) -> Any:
        raise NotImplementedError

    def _check_parse_time(self) -> None:
        """Check literal pivots and metrics now (parse time); templated ones wait for ``execute``."""
        with argument_named(self.pivot_argument, instead_of="pivots"):
            check_static_request(
                finder=self.finder,
                pivots=self._raw_pivots(),
                metrics=self.metrics,
                time_granularity=self.time_granularity,
                allow_unknown_names=self.allow_unknown_names,
                api_version=self.api_version,
            )

    @cached_property
    def hook(self) -> LinkedInAdsHook:
        """The LinkedIn Ads hook, built on first use (never in ``__init__``)."""
        return LinkedInAdsHook(
            self.linkedin_ads_conn_id,
            api_version=self.api_version,
            retry_policy=self.api_retry_policy,
            attempt_timeout=self.attempt_timeout,
            defer_waits_longer_than=defer_waits_longer_than(self.deferrable),
        )

    # -- the run -------------------------------------------------------------------------------

    def execute(self, context: Context) -> dict[str, Any]:
        """Resolve the days, run the report and return its summary (rows included when no file)."""
        date_range = self._report_range or self.resolve_date_range(context)
        with argument_named(self.pivot_argument, instead_of="pivots"):
            return self._run(context, date_range)

    def execute_complete(
        self,
        context: Context,
        event: Any = None,
        date_range_start: str | None = None,
        date_range_end: str | None = None,
    ) -> dict[str, Any]:
        """Resume after a deferred wait (quota reset, data throttle): the same report, same days, checkpoint replayed."""
        self.log.info("Resuming the LinkedIn Ads report after a deferred wait (trigger event %s)", event)
        self._resuming = True
        start = parse_day(date_range_start, argument="date_range_start")
        end = parse_day(date_range_end, argument="date_range_end")
        # The triggerer hands the days back; ``dag.test()`` drops them, so resolve again then.
        date_range = DateRange(start, end) if start and end else self.resolve_date_range(context)
        self._pin_output_path(context, date_range)
        with argument_named(self.pivot_argument, instead_of="pivots"):
            return self._run(context, date_range)

    def _do_render_template_fields(
        self,
        parent: Any,
        template_fields: Iterable[str],
        context: Context,
        jinja_env: jinja2.Environment,
        seen_oids: set[int],
    ) -> None:
        """Render ``output_path`` last, with the resolved report range in the context.

        Airflow renders every templated field in one pass, before ``execute``; the report's days
        depend on the rendered ``date_range_start``/``date_range_end``, so the other fields are
        rendered first, the range is resolved, ``report_start``/``report_end`` (ISO days) are added
        to the context, and only then is ``output_path`` rendered. This is the method Airflow's own
        operators override to customise rendering; mapped tasks call it on the unmapped operator.
        """
        fields = list(template_fields)
        if parent is not self or "output_path" not in fields:
            super()._do_render_template_fields(parent, fields, context, jinja_env, seen_oids)
            return
        fields.remove("output_path")
        super()._do_render_template_fields(parent, fields, context, jinja_env, seen_oids)
        self._report_range = self.resolve_date_range(context)
        context.update(report_range_variables(self._report_range))  # type: ignore[typeddict-item,unused-ignore]
        super()._do_render_template_fields(parent, ["output_path"], context, jinja_env, seen_oids)

    def resolve_date_range(self, context: Context) -> DateRange:
        """Return the inclusive UTC days of this run (explicit range, else the run's interval)."""
        explicit = any(
            parse_day(value, argument=name) is not None
            for name, value in (
                ("date_range_start", self.date_range_start),
                ("date_range_end", self.date_range_end),
            )
        )
        lookback = self.lookback_days
        if lookback is None:
            lookback = 0 if explicit else self.default_lookback_days
        return resolve_date_range(
            context,
            date_range_start=self.date_range_start,
            date_range_end=self.date_range_end,
            lookback_days=lookback,
            now=utcnow(),
        )

    def _run(self, context: Context, date_range: DateRange) -> dict[str, Any]:
        request = self.build_request(date_range)
        output_path = self._output_uri()
        checkpoint = self._answers = self._checkpoint(context, output_path)
        try:
            request = self.hook.with_active_accounts(request, today=utcnow().date(), logger=self._logger)
            self._record_link(context, request)
            target = "XCom" if output_path is None else public_uri(output_path)
            self.log.info("LinkedIn Ads report %s -> %s", request.describe(), target)
            summary = self._fetch(request, output_path)
        except (DailyQuotaExceededError, WaitDeferredError) as err:
            self._wait_for_quota(err, date_range)
        finally:
            self.hook.close()
            if not self._keep_answers and checkpoint is not None:
                checkpoint.discard()  # landed, or failed: a later try starts afresh
        summary = with_date_range(summary, date_range)
        self._record_asset_event(context, summary)
        return summary

    def build_request(self, date_range: DateRange) -> ReportRequest:
        """Build the report request from the rendered arguments (types checked, no call made).

        :raises ConfigurationError: naming the argument, for a malformed rendered value.
        """
        facets = {
            wire: values
            for argument, wire in self.facet_arguments.items()
            if (values := text_list(getattr(self, argument), argument=argument))
        }
        with contextlib.ExitStack() as renamed:
            # Errors about a facet name the operator's argument (campaign_groups), not the query's.
            for argument, wire in self.facet_arguments.items():
                renamed.enter_context(argument_named(argument, instead_of=wire))
            return ReportRequest.build(
                finder=self.finder,
                pivots=text_list(self._raw_pivots(), argument="pivots"),
                date_range=date_range,
                metrics=text_list(self.metrics, argument="metrics"),
                time_granularity=self.time_granularity,
                facets=facets,
                allow_unknown_names=self.allow_unknown_names,
            )

    def _fetch(self, request: ReportRequest, output_path: str | None) -> dict[str, Any]:
        # One hook call: the client runs the engine, the name columns, the stop check, the totals
        # and the atomic landing; the operator keeps what is Airflow's (XCom, lineage, asset events).
        run: dict[str, Any] = {
            "options": self.report_options,
            "should_stop": lambda: self._killed,
            "today": lambda: utcnow().date(),
            "logger": self._logger,
            "checkpoint": self._answers,  # a deferrable task's answers so far: a resume replays them
        }
        if output_path is None:
            report = self.hook.collect_report(request, rows_for_xcom, **run)
            return {**self._summarise(report), **_checked(report), "rows": report.rows}
        report = self.hook.land_report(request, self._destination(output_path), file=self.file_options, **run)
        return {**self._summarise(report), **_checked(report)}

    @property
    def report_options(self) -> ReportOptions:
        """The run's :class:`~airflow_provider_linkedin_ads.client.landing.ReportOptions` (checked at parse time)."""
        return ReportOptions(
            max_concurrency=self.max_concurrency,
            on_truncation=self.on_truncation,
            resolve_names=self.resolve_names,
            reconcile=self.reconcile_mode if self.reconcile else None,
        )

    def _record_link(self, context: Context, request: ReportRequest) -> None:
        # Airflow 3 pushes get_link()'s answer itself when the task ends; 2.11 reads this XCom.
        self.campaign_manager_url = campaign_manager_url(request.facets)
        ti = context.get("ti")
        if ti is not None:
            ti.xcom_push(key=LINK_XCOM_KEY, value=self.campaign_manager_url)

    def _summarise(self, report: LandedReport) -> dict[str, Any]:
        output = report.output
        summary = report_summary(
            report.request,
            report.summary,
            columns=report.columns,
            output_path=None if output is None else output.uri,
            output_format=self.output_format,
            size=None if output is None else output.size,
        )
        self.log.info("LinkedIn Ads report summary: %s", json.dumps(summary))
        self._lineage = Lineage(
            api_base_url=self.hook.client_config.api_base_url,
            finder=str(report.request.finder),
            uri=None if output is None else output.uri,
            columns=report.columns,
            rows=report.summary.rows_written,
            size=None if output is None else output.size,
        )
        return summary

    def _asset_extra(self, summary: dict[str, Any]) -> dict[str, Any]:
        # The run's days, file and row count: what a downstream DAG needs to pick the right data.
        return {
            "date_range_start": summary["date_range"]["start"],
            "date_range_end": summary["date_range"]["end"],
            "rows_written": summary["rows_written"],
            "output_path": summary["output_path"],
        }

    def _pin_output_path(self, context: Context, date_range: DateRange) -> None:
        """Render ``output_path`` for the pinned days when this try's rendering resolved other days.

        A resume renders the templates again, resolving the range from a clock that may have passed
        midnight (a range ending "yesterday"); the file must be named after the days it holds.
        """
        template = self._output_path_template
        if self._report_range in (None, date_range) or not isinstance(template, str):
            return
        variables = {**context, **report_range_variables(date_range)}
        self.output_path = self.render_template(template, cast("Context", variables))
        self._report_range = date_range

    def _checkpoint(self, context: Context, output_path: str | None) -> PathCheckpoint | None:
        """Return the task run's answer checkpoint (deferrable tasks only); a fresh try drops an old one."""
        self._keep_answers = False
        if not self.deferrable or context.get("ti") is None:
            return None
        checkpoint = PathCheckpoint(checkpoint_uri(context, output_path), conn_id=self._output_conn_id())
        if not self._resuming:
            checkpoint.discard()  # left by an earlier try: its answers may be stale
        return checkpoint

    def _wait_for_quota(
        self, err: DailyQuotaExceededError | WaitDeferredError, date_range: DateRange
    ) -> NoReturn:
        """Defer to a ``DateTimeTrigger`` for the wait (keeping the checkpoint), or fail as documented."""
        trigger, reason = deferral(err, utcnow(), deferrable=self.deferrable)
        self.log.warning("%s; deferring", reason)
        self._keep_answers = True
        days = {
            "date_range_start": date_range.start.isoformat(),
            "date_range_end": date_range.end.isoformat(),
        }
        self.defer(trigger=trigger, method_name="execute_complete", kwargs=days)
        raise AssertionError("defer() returned")  # pragma: no cover - defer always raises


def report_range_variables(date_range: DateRange) -> dict[str, str]:
    """Return the report-range template variables of ``date_range``.

    ``report_start``/``report_end`` are ISO days like ``{{ ds }}``, the ``_nodash`` forms like
    ``{{ ds_nodash }}``; both ends are inclusive, so a daily run without lookback has
    ``report_start == report_end``.

    .. code-block:: python

        report_range_variables(DateRange(dt.date(2026, 11, 9), dt.date(2026, 11, 16)))
        # {"report_start": "2026-11-09", "report_end": "2026-11-16", "report_start_nodash": ...}
    """
    start, end = date_range.start.isoformat(), date_range.end.isoformat()
    return {
        "report_start": start,
        "report_end": end,
        "report_start_nodash": start.replace("-", ""),
        "report_end_nodash": end.replace("-", ""),
    }


def _checked(report: LandedReport) -> dict[str, Any]:
    return {} if report.reconcile is None else {"reconcile": report.reconcile}
