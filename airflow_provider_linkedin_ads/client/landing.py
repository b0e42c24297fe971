"""One path for every file the provider lands: rows in, a complete file (or nothing) out, and a summary.

Both kinds of file, reports and dimension tables, take the same road, so atomicity, output formats,
the stop check and the "nothing partial" rule are written once:

* :func:`land_rows` -- the shared tail: fetch the first rows, open the destination's temporary
  target, stream every row through the writer of the chosen format, run a last check, commit.
  Any failure (a stop included) discards the temporary target; the previous file stays as it was.
* :func:`land_report` -- a report: the engine (validated before any call), the optional name
  columns, the stop check and the optional reconcile totals, then :func:`land_rows`.
  :func:`collect_report` is the same pipeline with the rows handed to a callable instead of a file
  (the operators' XCom mode, whose row limit belongs to Airflow and stays there).
* :func:`land_entities` -- a dimension table: one entity type's typed rows for the given accounts
  (:func:`~airflow_provider_linkedin_ads.client.entity_rows.entity_rows`, every page or nothing),
  then :func:`land_rows`.
* :func:`with_active_accounts` (from :mod:`~airflow_provider_linkedin_ads.client.accounts`) -- a
  request without facets becomes one over every ACTIVE account the token sees, after everything
  else about it was validated.

A :class:`~airflow_provider_linkedin_ads.client.destination.Destination` is where a file goes
(:mod:`~airflow_provider_linkedin_ads.client.destination`, with the standard-library ``LocalFile``).
Airflow-only concerns (asset events, OpenLineage, XCom, quota deferral) stay in
the operators.

.. code-block:: python

    from airflow_provider_linkedin_ads.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.client.destination import LocalFile
    from airflow_provider_linkedin_ads.client.landing import FileOptions, ReportOptions, land_report

    with LinkedInAdsClient(config) as client:
        report = land_report(
            client,
            request,
            LocalFile("/data/linkedin/campaigns.csv"),
            options=ReportOptions(resolve_names=True),
            file=FileOptions(output_format="csv"),
        )
    report.output.rows, report.summary.calls_made
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_linkedin_ads.client.accounts import with_active_accounts
from airflow_provider_linkedin_ads.client.config import DEFAULT_MAX_CONCURRENCY, ON_TRUNCATION
from airflow_provider_linkedin_ads.client.entities import DEFAULT_PAGE_SIZE
from airflow_provider_linkedin_ads.client.entity_rows import entity_rows
from airflow_provider_linkedin_ads.client.reconcile import RECONCILE_MODES, Reconciler
from airflow_provider_linkedin_ads.client.resolver import NameResolver
from airflow_provider_linkedin_ads.client.writers import write_rows
from airflow_provider_linkedin_ads.entity_tables import entity_type as parse_entity_type
from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Generator, Iterable, Iterator

    from airflow_provider_linkedin_ads.client.checkpoint import AnswerCheckpoint
    from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient
    from airflow_provider_linkedin_ads.client.destination import Destination
    from airflow_provider_linkedin_ads.client.reporting import ReportRun
    from airflow_provider_linkedin_ads.entity_tables import EntityType
    from airflow_provider_linkedin_ads.models import ReportRequest
    from airflow_provider_linkedin_ads.results import Column, ReportRow, ReportSummary

__all__ = [
    "FileOptions",
    "LandedFile",
    "LandedReport",
    "LandedTable",
    "ReportOptions",
    "collect_report",
    "land_entities",
    "land_report",
    "land_rows",
    "named_rows",
    "until_stopped",
    "with_active_accounts",
]

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class FileOptions:
    """How rows become bytes: the format, and the CSV formula neutralisation.

    :param output_format: ``jsonl`` (default), ``csv`` or ``parquet``.
    :param csv_escape_formulas: CSV only: prefix formula-like text cells with ``'`` (default ``True``).

    .. code-block:: python

        FileOptions(output_format="parquet")
    """

    output_format: str = "jsonl"
    csv_escape_formulas: bool = True


@dataclasses.dataclass(frozen=True)
class ReportOptions:
    """How a report runs, beyond the request itself; checked when built.

    :param max_concurrency: API calls in flight at once (default 4).
    :param on_truncation: ``fail`` (default) or ``warn`` when one day of one entity still hits the cap.
    :param resolve_names: add a ``<pivot>_name`` column next to each nameable pivot column.
    :param reconcile: ``None`` (default): no totals check; ``fail`` or ``warn``: compare the rows'
        totals with LinkedIn's ``ALL`` totals before the file is committed
        (:mod:`~airflow_provider_linkedin_ads.client.reconcile`).
    :raises ConfigurationError: naming the field, for a value out of its range.

    .. code-block:: python

        ReportOptions(max_concurrency=8, on_truncation="warn", reconcile="fail")
    """

    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    on_truncation: str = "fail"
    resolve_names: bool = False
    reconcile: str | None = None

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_concurrency, bool)
            or not isinstance(self.max_concurrency, int)
            or self.max_concurrency < 1
        ):
            raise ConfigurationError(
                f"max_concurrency must be a positive integer, got {self.max_concurrency!r}",
                argument="max_concurrency",
            )
        if self.on_truncation not in ON_TRUNCATION:
            raise ConfigurationError(
                f"on_truncation must be one of {', '.join(ON_TRUNCATION)}, got {self.on_truncation!r}",
                argument="on_truncation",
            )
        if self.reconcile is not None and self.reconcile not in RECONCILE_MODES:
            raise ConfigurationError(
                f"reconcile must be None or one of {', '.join(RECONCILE_MODES)}, got {self.reconcile!r}",
                argument="reconcile",
            )


@dataclasses.dataclass(frozen=True)
class LandedFile:
    """A file that was committed: where, in which format, how many rows and bytes.

    .. code-block:: python

        LandedFile("file:///data/campaigns.jsonl", "jsonl", rows=120, size=40960)
    """

    uri: str
    output_format: str
    rows: int
    size: int | None


@dataclasses.dataclass(frozen=True)
class LandedReport:
    """What one report run produced: the request as run, its columns, the engine's summary, the output.

    :param request: the request as it ran (facets filled in by :func:`with_active_accounts`).
    :param columns: the output columns (name columns included).
    :param summary: the engine's :class:`~airflow_provider_linkedin_ads.results.ReportSummary`.
    :param output: the landed file; ``None`` for :func:`collect_report`.
    :param reconcile: the totals check as JSON (``ReconcileResult.to_dict()``), ``None`` when not asked.
    :param rows: what :func:`collect_report`'s ``collect`` returned; ``None`` for a file.

    .. code-block:: python

        report = land_report(client, request, LocalFile("/tmp/r.jsonl"))
        report.summary.rows_written == report.output.rows
    """

    request: ReportRequest
    columns: tuple[Column, ...]
    summary: ReportSummary
    output: LandedFile | None
    reconcile: dict[str, Any] | None = None
    rows: Any = None


@dataclasses.dataclass(frozen=True)
class LandedTable:
    """One dimension table that was landed: its entity type, columns, file and the calls it took.

    .. code-block:: python

        table = land_entities(client, "campaigns", LocalFile("/tmp/campaigns.jsonl"))
        table.output.rows, table.calls_made
    """

    entity_type: str
    columns: tuple[Column, ...]
    output: LandedFile
    calls_made: int
    calls_retried: int


def land_rows(
    rows: Iterator[ReportRow],
    columns: tuple[Column, ...],
    destination: Destination,
    *,
    file: FileOptions,
    before_commit: Callable[[], _T] | None = None,
) -> tuple[LandedFile, _T | None]:
    """Write ``rows`` to ``destination`` atomically; return the landed file and ``before_commit()``.

    The destination is prepared first (an unreachable one fails before ``rows`` is started, i.e.
    before any call); the first row is fetched before the temporary target is opened, so a request
    LinkedIn refuses leaves no temporary file. ``rows`` is closed on any failure, which stops its
    calls at once. ``before_commit`` runs after the last row and before the commit: a check that
    raises there lands nothing.

    :param rows: the rows, every one with ``columns``' keys; closed when done.
    :param columns: the file's columns, in order.
    :param destination: where the file goes.
    :param file: format and CSV options.
    :param before_commit: a last check; its result is returned (``None`` when not given).
    """
    destination.prepare()
    head = list(itertools.islice(rows, 1))
    with destination.open() as handle, contextlib.closing(_generator(rows)) as rest:
        written = write_rows(
            itertools.chain(head, rest),
            handle,
            columns,
            output_format=file.output_format,
            csv_escape_formulas=file.csv_escape_formulas,
        )
        checked = None if before_commit is None else before_commit()
    landed = LandedFile(destination.public_uri, file.output_format, rows=written, size=destination.size())
    return landed, checked


def land_report(
    client: LinkedInAdsClient,
    request: ReportRequest,
    destination: Destination,
    *,
    options: ReportOptions = ReportOptions(),
    file: FileOptions = FileOptions(),
    should_stop: Callable[[], bool] | None = None,
    today: Callable[[], dt.date] | None = None,
    logger: logging.Logger | None = None,
    checkpoint: AnswerCheckpoint | None = None,
) -> LandedReport:
    """Run ``request`` and land its rows in ``destination``: a complete file, or none at all.

    :param client: the API client.
    :param request: the report; validated before any call.
    :param destination: where the file goes (:class:`Destination`).
    :param options: concurrency, truncation, name columns, reconcile.
    :param file: format and CSV options.
    :param should_stop: polled before every row; once true the run fails and nothing is landed.
    :param today: the current UTC date (validation and retention rules); injectable for tests.
    :param logger: where progress and warnings go.
    :param checkpoint: answers already received (:mod:`~airflow_provider_linkedin_ads.client.checkpoint`):
        replayed instead of asked again, filled with every new answer (a resumed report).
    :raises ReportValidationError: before any call, for a request LinkedIn would refuse.
    :raises ReconciliationError: with ``reconcile="fail"`` when the totals disagree (nothing landed).
    """
    pipeline = _ReportPipeline.start(client, request, options, should_stop, today, logger, checkpoint)
    output, reconcile = land_rows(
        pipeline.rows, pipeline.columns, destination, file=file, before_commit=pipeline.reconciled
    )
    return pipeline.result(output, reconcile)


def collect_report(
    client: LinkedInAdsClient,
    request: ReportRequest,
    collect: Callable[[Iterable[ReportRow]], _T],
    *,
    options: ReportOptions = ReportOptions(),
    should_stop: Callable[[], bool] | None = None,
    today: Callable[[], dt.date] | None = None,
    logger: logging.Logger | None = None,
    checkpoint: AnswerCheckpoint | None = None,
) -> LandedReport:
    """Run ``request`` like :func:`land_report`, handing the rows to ``collect`` instead of a file.

    ``collect`` decides what to keep and may raise to stop early (the operators' XCom row limit);
    its result is the report's :attr:`LandedReport.rows`.
    """
    pipeline = _ReportPipeline.start(client, request, options, should_stop, today, logger, checkpoint)
    rows = collect(pipeline.rows)
    result = pipeline.result(None, pipeline.reconciled())
    return dataclasses.replace(result, rows=rows)


def land_entities(
    client: LinkedInAdsClient,
    entity_type: EntityType | str,
    destination: Destination,
    *,
    accounts: Iterable[int | str] | int | str | None = None,
    modified_since: dt.datetime | dt.date | str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    file: FileOptions = FileOptions(),
    should_stop: Callable[[], bool] | None = None,
    now: dt.datetime | None = None,
) -> LandedTable:
    """Land one snapshot of one entity type's table in ``destination``: every page, or no file at all.

    The destination is reached first (before any listing call); the listing is complete and typed
    before the temporary file is opened, so a broken page lands nothing.

    :param client: the API client.
    :param entity_type: ``ad_accounts``, ``campaign_groups``, ``campaigns`` or ``creatives``.
    :param destination: where the file goes.
    :param accounts: ad account ids or URNs; empty or ``None``: every ACTIVE account the token sees.
    :param modified_since: keep only entities changed at or after this instant (see
        :func:`~airflow_provider_linkedin_ads.client.entity_rows.entity_rows`).
    :param page_size: entities per listing call.
    :param file: format and CSV options.
    :param should_stop: polled before every row; once true the run fails and nothing is landed.
    :param now: the present, for the "``modified_since`` not in the future" check.
    :raises ConfigurationError: a bad argument, naming it, before any call.
    :raises EntityPageError: a page broke the paging contract (nothing landed).
    """
    table = parse_entity_type(entity_type)
    before = client.stats
    destination.prepare()
    columns, rows = entity_rows(
        client, table, accounts, modified_since=modified_since, page_size=page_size, now=now
    )
    stopped = until_stopped(rows, should_stop or _never, what=f"{table.value} table")
    output, _ = land_rows(stopped, columns, destination, file=file)
    after = client.stats
    return LandedTable(
        table.value, columns, output, after.calls - before.calls, after.retries - before.retries
    )


@dataclasses.dataclass
class _ReportPipeline:
    """A started report: the run, its (named, stop-checked, totalled) rows and the optional reconciler."""

    request: ReportRequest
    run: ReportRun
    columns: tuple[Column, ...]
    rows: Iterator[ReportRow]
    reconciler: Reconciler | None

    @classmethod
    def start(
        cls,
        client: LinkedInAdsClient,
        request: ReportRequest,
        options: ReportOptions,
        should_stop: Callable[[], bool] | None,
        today: Callable[[], dt.date] | None,
        logger: logging.Logger | None,
        checkpoint: AnswerCheckpoint | None = None,
    ) -> _ReportPipeline:
        # Imported when a report runs, not when a DAG file imports this module (requests comes with it).
        from airflow_provider_linkedin_ads.client.reporting import ReportEngine

        engine = ReportEngine(
            client,
            max_concurrency=options.max_concurrency,
            on_truncation=options.on_truncation,
            today=today or _utc_today,
            logger=logger,
            checkpoint=checkpoint,
        )
        run = engine.run(request)  # validates before any report call
        reconciler = (
            None
            if options.reconcile is None
            else Reconciler(engine, request, mode=options.reconcile, logger=logger)
        )
        columns, named = named_rows(client, run, request, resolve_names=options.resolve_names, logger=logger)
        rows: Iterator[ReportRow] = until_stopped(named, should_stop or _never)
        if reconciler is not None:
            rows = reconciler.totals.observe(rows)  # summed on the way to the writer, never re-read
        return cls(request, run, columns, rows, reconciler)

    def reconciled(self) -> dict[str, Any] | None:
        """Run the totals check (after the last row), as JSON; ``None`` without a reconciler."""
        if self.reconciler is None:
            return None
        return self.reconciler.check(covered=self.run.summary.date_range_covered).to_dict()

    def result(self, output: LandedFile | None, reconcile: dict[str, Any] | None) -> LandedReport:
        return LandedReport(self.request, self.columns, self.run.summary, output, reconcile)


def named_rows(
    client: LinkedInAdsClient,
    run: ReportRun,
    request: ReportRequest,
    *,
    resolve_names: bool,
    logger: logging.Logger | None = None,
) -> tuple[tuple[Column, ...], Iterator[ReportRow]]:
    """Return the run's columns and rows, with ``<pivot>_name`` columns when ``resolve_names``."""
    if not resolve_names:
        return run.columns, iter(run)
    accounts = request.facets.get("accounts", ()) or request.facets.get("account", ())
    resolver = NameResolver(client, accounts=accounts, logger=logger)
    return resolver.name_columns(run.columns, request.pivots), resolver.enrich(run, request.pivots)


def until_stopped(
    rows: Iterator[ReportRow], should_stop: Callable[[], bool], *, what: str = "report"
) -> Generator[ReportRow, None, None]:
    """Yield ``rows`` until ``should_stop()`` is true, then fail; closing stops the calls behind them.

    Airflow 3 only calls ``on_kill`` on SIGTERM (its supervisor kills the process later), so a run
    must stop itself instead of fetching to the end.

    :param what: what is being landed, for the message (``report``, ``campaigns table``).
    :raises LinkedInAdsError: at the first row after the stop was asked for.
    """
    try:
        for row in rows:
            if should_stop():
                raise LinkedInAdsError(
                    f"the task was stopped (SIGTERM) before the {what} was complete; nothing was landed"
                )
            yield row
    finally:
        getattr(rows, "close", lambda: None)()  # stop the calls now, not at garbage collection


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _never() -> bool:
    return False


def _generator(rows: Iterator[ReportRow]) -> Generator[ReportRow, None, None]:
    yield from rows
