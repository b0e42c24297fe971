"""The report engine: one logical report in, exact typed rows out, in the fewest calls it can.

:class:`ReportEngine` validates a :class:`~.models.ReportRequest` (before any HTTP call), plans the
calls (field chunks of at most 18 metrics, date windows sized by a cheap probe so no response should
reach LinkedIn's 15,000-row cap, facet batches), runs them on a thread pool within a client-side
metric-value budget, re-splits any response that still reaches the cap, outer-joins the chunks on
(date range, pivot values) and streams the rows sorted, so the output is the same whatever the
concurrency. A :class:`~.results.ReportSummary` tells what it took.

.. code-block:: python

    from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
    from airflow_provider_linkedin_ads.client.reporting import ReportEngine
    from airflow_provider_linkedin_ads.models import ReportRequest

    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-01-01", "2026-06-30"),
        facets={"accounts": [508000000]},
        metrics=["impressions", "clicks", "costInLocalCurrency"],
    )
    with LinkedInAdsClient(config) as client, open("report.jsonl", "wb") as target:
        summary = ReportEngine(client).write(request, target)
    print(summary.to_dict())
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import IO, TYPE_CHECKING

from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
from airflow_provider_linkedin_ads.client.config import DEFAULT_MAX_CONCURRENCY, ON_TRUNCATION
from airflow_provider_linkedin_ads.client.execution import PlanRunner
from airflow_provider_linkedin_ads.client.fetching import Fetcher, FinderClient
from airflow_provider_linkedin_ads.client.planning import DEFAULT_FACET_BATCH, ROW_CAP
from airflow_provider_linkedin_ads.client.writers import open_writer
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.results import ReportSummary, TruncationEvent, report_columns
from airflow_provider_linkedin_ads.validation import effective_date_range, validate_request

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from airflow_provider_linkedin_ads.client.checkpoint import AnswerCheckpoint
    from airflow_provider_linkedin_ads.client.stats import ClientStats
    from airflow_provider_linkedin_ads.models import ReportRequest
    from airflow_provider_linkedin_ads.results import Column, ReportRow
    from airflow_provider_linkedin_ads.validation import ValidationWarning

__all__ = ["DEFAULT_MAX_CONCURRENCY", "ON_TRUNCATION", "ReportEngine", "ReportRun"]


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class ReportEngine:
    """Turns report requests into exact rows through one shared, thread-safe client.

    :param client: a :class:`~.client.LinkedInAdsClient` (or anything with ``finder``, ``stats``, ``config``).
    :param max_concurrency: calls in flight at once (default 4).
    :param budget: the metric-value budget; share one between engines that use the same LinkedIn app.
        Default: a new budget of 44,000,000 values per rolling 5 minutes (deferring waits longer than
        the client's ``defer_waits_longer_than``).
    :param on_truncation: ``"fail"`` (default) raises :class:`~.errors.TruncatedReportError` when one day
        of one entity still returns the row cap; ``"warn"`` keeps those rows and records the event.
    :param row_cap: LinkedIn's response maximum (15,000); lowered only to test against small worlds.
    :param facet_batch_size: facet values per call when a facet may be split.
    :param today: the current UTC date (retention and rounding rules); injectable for tests.
    :param clock: monotonic time for the wall time and the progress log.
    :param logger: where progress and warnings go.
    :param progress_interval: seconds between progress lines (one per completed call at most).
    :param checkpoint: answers already received (see :mod:`~.checkpoint`): replayed instead of asked
        again, filled with every new answer; a resumed report then sends only the calls not made yet.

    .. code-block:: python

        engine = ReportEngine(client, max_concurrency=8, on_truncation="warn")
        run = engine.run(request)
        for row in run:
            ...
        run.summary.to_dict()
    """

    def __init__(
        self,
        client: FinderClient,
        *,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        budget: MetricValueBudget | None = None,
        on_truncation: str = "fail",
        row_cap: int = ROW_CAP,
        facet_batch_size: int = DEFAULT_FACET_BATCH,
        today: Callable[[], dt.date] = _utc_today,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
        progress_interval: float = 5.0,
        checkpoint: AnswerCheckpoint | None = None,
    ) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise ConfigurationError(
                f"max_concurrency must be a positive integer, got {max_concurrency!r}",
                argument="max_concurrency",
            )
        if on_truncation not in ON_TRUNCATION:
            raise ConfigurationError(
                f"on_truncation must be 'fail' or 'warn', got {on_truncation!r}", argument="on_truncation"
            )
        if row_cap < 2 or facet_batch_size < 1:
            raise ConfigurationError(
                "row_cap must be at least 2 and facet_batch_size at least 1", argument="row_cap"
            )
        self.client = client
        self.max_concurrency = max_concurrency
        self.budget = (
            budget
            if budget is not None
            else MetricValueBudget(defer_longer_than=client.config.defer_waits_longer_than)
        )
        self.on_truncation = on_truncation
        self.row_cap = row_cap
        self.facet_batch_size = facet_batch_size
        self.today = today
        self.clock = clock
        self.log = logger or logging.getLogger(__name__)
        self.progress_interval = progress_interval
        self.checkpoint = checkpoint

    def run(self, request: ReportRequest) -> ReportRun:
        """Validate ``request`` now and return the run; calls start when it is iterated.

        :raises ReportValidationError: before any HTTP call, naming the parameter and the rule.
        """
        today = self.today()
        warnings = validate_request(
            request, api_version=self.client.config.api_version, today=today, logger=self.log
        )
        return ReportRun(self, request, warnings, today)

    def write(
        self, request: ReportRequest, target: IO[bytes], *, output_format: str = "jsonl"
    ) -> ReportSummary:
        """Run ``request`` and stream its rows to ``target`` (left open); return the summary.

        :param output_format: ``jsonl`` (default), ``csv`` or ``parquet``.
        """
        run = self.run(request)
        writer = open_writer(output_format, target, run.columns)
        try:
            for row in run:
                writer.write(row)
        finally:
            writer.close()
        return run.summary


class ReportRun:
    """One execution of a report: iterate it (once) for the rows, then read :attr:`summary`.

    :param engine: the engine that validated the request.
    :param request: the validated request.
    :param warnings: validation warnings (also in the summary).
    :param today: the UTC date the run validated against.

    .. code-block:: python

        run = engine.run(request)
        rows = list(run)
        run.summary.to_dict()["calls_made"]
    """

    def __init__(
        self, engine: ReportEngine, request: ReportRequest, warnings: list[ValidationWarning], today: dt.date
    ) -> None:
        self.engine = engine
        self.request = request
        self.warnings = tuple(warnings)
        self.columns: tuple[Column, ...] = report_columns(request)
        self._today = today
        self._summary: ReportSummary | None = None
        self._started = False

    @property
    def summary(self) -> ReportSummary:
        """The summary; complete once the rows are exhausted (partial while iterating)."""
        if self._summary is None:
            return ReportSummary(warnings=tuple(str(warning) for warning in self.warnings))
        return self._summary

    def __iter__(self) -> Iterator[ReportRow]:
        if self._started:
            raise ConfigurationError(
                "a ReportRun can be iterated once; call engine.run() again", argument="run"
            )
        self._started = True
        return self._rows()

    def _rows(self) -> Iterator[ReportRow]:
        engine = self.engine
        started, before = engine.clock(), engine.client.stats
        fetcher = Fetcher(
            engine.client,
            engine.budget,
            finder=self.request.finder,
            row_cap=engine.row_cap,
            checkpoint=engine.checkpoint,
        )
        progress = _Progress(fetcher, before, engine)
        runner = PlanRunner(
            self.request,
            fetcher,
            max_concurrency=engine.max_concurrency,
            on_truncation=engine.on_truncation,
            facet_batch_size=engine.facet_batch_size,
            on_progress=progress.tick,
            progress_interval=engine.progress_interval,
        )
        progress.runner = runner
        engine.log.info("LinkedIn Ads report %s: planning", self.request.describe())
        state = "stopped"
        try:
            yield from runner.rows()
            state = "finished"
        finally:
            self._summary = self._summarise(runner, fetcher, before, engine.clock() - started)
            for event in self._summary.truncation_events:
                engine.log.warning(
                    "LinkedIn Ads report: response for %s and %s kept although truncated at %d rows",
                    event.window,
                    event.entity,
                    event.rows,
                )
            progress.emit(state)

    def _summarise(
        self, runner: PlanRunner, fetcher: Fetcher, before: ClientStats, seconds: float
    ) -> ReportSummary:
        after = self.engine.client.stats  # deltas: the client may serve other reports too
        return ReportSummary(
            rows_written=runner.rows_out,
            calls_planned=runner.calls_planned + fetcher.probe_calls,
            calls_made=after.calls - before.calls,
            calls_retried=after.retries - before.retries,
            tunnelled_calls=after.tunnelled - before.tunnelled,
            probe_calls=fetcher.probe_calls,
            calls_replayed=fetcher.replayed,
            windows_split=runner.windows_split,
            truncation_events=tuple(sorted(runner.truncations, key=_event_order)),
            metric_values=fetcher.metric_values,
            budget_waits=fetcher.budget_waits,
            budget_wait_seconds=fetcher.budget_wait_seconds,
            date_range_covered=self._covered(runner),
            wall_time_seconds=seconds,
            warnings=(*(str(warning) for warning in self.warnings), *runner.answer_warnings()),
        )

    def _covered(self, runner: PlanRunner) -> DateRange:
        span = effective_date_range(self.request, self._today)
        start = min(span.start, runner.first_day) if runner.first_day else span.start
        end = max(span.end, runner.last_day) if runner.last_day else span.end
        return DateRange(start, end)


def _event_order(event: TruncationEvent) -> tuple[object, ...]:
    return (event.window.start, event.window.end, event.entity, event.metrics)


class _Progress:
    """Progress lines for the task log: at most one per ``progress_interval``, and a final one."""

    def __init__(self, fetcher: Fetcher, before: ClientStats, engine: ReportEngine) -> None:
        self._fetcher = fetcher
        self._before = before
        self._engine = engine
        self._last = engine.clock()
        self.runner: PlanRunner | None = None

    def tick(self) -> None:
        now = self._engine.clock()
        if now - self._last >= self._engine.progress_interval:
            self._last = now
            self.emit("running")

    def emit(self, state: str) -> None:
        """Log one progress line (``state``: running, finished or stopped)."""
        runner = self.runner
        if runner is None:
            return
        retries = self._engine.client.stats.retries - self._before.retries
        self._engine.log.info(
            "LinkedIn Ads report %s: %d/%d calls done, %d rows so far, %d retries, %d budget waits, %d metric values",
            state,
            runner.calls_done + self._fetcher.probe_calls,
            runner.calls_planned + self._fetcher.probe_calls,
            runner.rows_out,
            retries,
            self._fetcher.budget_waits,
            self._fetcher.metric_values,
        )
