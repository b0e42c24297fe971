"""Run a report plan on a thread pool: re-split capped calls, join chunks, stream rows in order.

The plan's windows are *segments* of the output: rows come out segment by segment, each segment's
rows sorted, so the output is sorted as a whole while memory holds only the few segments in flight
(never the report). Calls are submitted in segment order, at most ``max_concurrency`` at a time;
a call whose answer reaches the row cap is discarded and replaced by smaller calls of the same
segment (date window first, then the facet list, then the entities discovered under a single
facet value), which go to the front of the queue.

Calls of one chunk cover disjoint windows or disjoint facet values, so merging their rows as they
arrive gives the same join whatever the completion order; each segment is sorted before it is
written, so the output is byte-identical whatever the concurrency.

.. code-block:: python

    runner = PlanRunner(request, fetcher, max_concurrency=4, on_truncation="fail")
    for row in runner.rows():
        ...
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import math
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.planning import (
    DEFAULT_FACET_BATCH,
    PLANNING_FILL,
    Discovery,
    FieldChunk,
    Scope,
    bucket_start,
    buckets,
    call_params,
    chunk_metrics,
    discovery_for,
    discovery_params,
    initial_scopes,
    plan_windows,
    probe_granularity,
    probe_params,
    split_scope,
    split_window,
    static_bound,
)
from airflow_provider_linkedin_ads.client.rows import ChunkJoin, RowKey, parse_key, row_sort_key
from airflow_provider_linkedin_ads.enums import Finder, TimeGranularity
from airflow_provider_linkedin_ads.errors import TruncatedReportError
from airflow_provider_linkedin_ads.metrics import STRUCTURAL_FIELDS
from airflow_provider_linkedin_ads.results import TruncationEvent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from airflow_provider_linkedin_ads.client.fetching import Fetcher
    from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
    from airflow_provider_linkedin_ads.results import ReportRow, RowValue

__all__ = ["PlanRunner", "Task"]

_Parsed = list[tuple[RowKey, tuple["RowValue", ...]]]


@dataclass(frozen=True)
class Task:
    """One report call: a field chunk over a window for a facet scope, within an output segment.

    :param segment: index of the planning window (output segment) the call belongs to.
    :param chunk: the field chunk.
    :param window: the call's date range (inside the segment).
    :param scope: the call's facets.
    :param estimate_rows: upper bound of the rows expected, for the budget.

    .. code-block:: python

        Task(0, chunk, DateRange(start, end), scope, estimate_rows=9_000)
    """

    segment: int
    chunk: FieldChunk
    window: DateRange
    scope: Scope
    estimate_rows: int


@dataclass
class _Segment:
    join: ChunkJoin
    pending: int = 0


@dataclass(frozen=True)
class _Outcome:
    parsed: _Parsed
    capped: bool


@dataclass(frozen=True)
class _DiscoveryKey:
    window: DateRange
    scope: Scope
    discovery: Discovery


class PlanRunner:
    """Plans and runs one report; iterate :meth:`rows` once.

    :param request: the validated report request.
    :param fetcher: budgeted calls through the shared client.
    :param max_concurrency: worker threads (calls in flight).
    :param on_truncation: ``"fail"`` (raise) or ``"warn"`` (keep the rows, record the event).
    :param facet_batch_size: facet values per call when a facet may be split.
    :param on_progress: called on the coordinating thread after each completed call, and at least
        every ``progress_interval`` seconds while calls are running.
    :param progress_interval: the longest silence, in seconds.

    .. code-block:: python

        runner = PlanRunner(request, fetcher, max_concurrency=4, on_truncation="fail")
        rows = list(runner.rows())
    """

    def __init__(
        self,
        request: ReportRequest,
        fetcher: Fetcher,
        *,
        max_concurrency: int,
        on_truncation: str,
        facet_batch_size: int = DEFAULT_FACET_BATCH,
        on_progress: Callable[[], None] | None = None,
        progress_interval: float = 5.0,
    ) -> None:
        self.request = request
        self._fetcher = fetcher
        self._cap = fetcher.row_cap
        self._workers = max(1, max_concurrency)
        self._lookahead = 2  # segments buffered beyond the oldest unwritten one; set by _plan
        self._fail_on_truncation = on_truncation == "fail"
        self._batch = facet_batch_size
        self._on_progress = on_progress or (lambda: None)
        self._parser = ChunkJoin(request)
        self._granularity = request.time_granularity
        self.calls_planned = 0
        self.calls_done = 0
        self.rows_out = 0
        self.windows_split = 0
        self.truncations: list[TruncationEvent] = []
        self.first_day: dt.date | None = None
        self.last_day: dt.date | None = None
        self._discovered: dict[_DiscoveryKey, tuple[str, ...] | None] = {}
        self._waiting: dict[_DiscoveryKey, list[tuple[Task, _Outcome]]] = {}
        self._heap: list[tuple[int, int, Task]] = []
        self._sequence = itertools.count()
        self._segments: list[_Segment | None] = []
        self._discovering: set[_DiscoveryKey] = set()
        self._in_flight: dict[Future[Any], Task | _DiscoveryKey] = {}
        self._pool: ThreadPoolExecutor
        self._tick = progress_interval

    # ── planning ────────────────────────────────────────────────────────────────────────────────

    def _plan(self, pool: ThreadPoolExecutor) -> None:
        request = self.request
        chunks = chunk_metrics(request)
        scopes = initial_scopes(request, self._batch)
        weights = list(pool.map(self._scope_weight, scopes))

        def weight(unit: DateRange) -> int:
            return max(scope_weight(unit) for scope_weight in weights)

        windows = plan_windows(
            request.date_range, self._granularity, weight, target=int(self._cap * PLANNING_FILL)
        )
        self._segments = [_Segment(ChunkJoin(request)) for _ in windows]
        # Enough segments ahead to keep every worker busy, and no more: memory holds only these.
        self._lookahead = 1 + math.ceil(self._workers / (len(scopes) * len(chunks)))
        for index, window in enumerate(windows):
            for scope, scope_weight in zip(scopes, weights, strict=True):
                estimate = self._estimate(window, scope_weight)
                for chunk in chunks:
                    self._push(Task(index, chunk, window, scope, estimate))

    def _scope_weight(self, scope: Scope) -> Callable[[DateRange], int]:
        """Rows per bucket for ``scope``: a static bound, a probe's counts, or the cap when unknown."""
        bound = static_bound(self.request, scope)
        if bound is not None:
            return lambda unit: bound
        probe = probe_granularity(self._granularity)
        span = self.request.date_range
        if probe is None or self._granularity is None or len(buckets(span, self._granularity)) < 2:
            return lambda unit: self._cap
        counts = self._probe(scope, span, probe)
        return lambda unit: counts.get(bucket_start(unit.start, probe), 0)

    def _probe(self, scope: Scope, span: DateRange, probe: TimeGranularity) -> dict[dt.date, int]:
        """Count distinct pivot values per month (or year): the most rows one day of it can yield."""
        params = probe_params(self.request, span, scope)
        elements = self._fetcher.fetch(
            params, fields=len(STRUCTURAL_FIELDS), estimate_rows=self._cap, probe=True
        )
        if len(elements) < self._cap:
            pivots = len(self.request.pivots)
            return dict(
                Counter(bucket_start(parse_key(item, pivots)[0] or span.start, probe) for item in elements)
            )
        halves = split_window(span, probe)
        if halves is None:  # one month already has more values than the cap: one call per day
            return {bucket_start(span.start, probe): self._cap}
        counts = self._probe(scope, halves[0], probe)
        counts.update(self._probe(scope, halves[1], probe))
        return counts

    def _estimate(self, window: DateRange, weight: Callable[[DateRange], int]) -> int:
        if self._granularity is None or probe_granularity(self._granularity) is None:
            return min(self._cap, weight(window))
        return min(self._cap, sum(weight(unit) for unit in buckets(window, self._granularity)))

    # ── running ─────────────────────────────────────────────────────────────────────────────────

    def rows(self) -> Iterator[ReportRow]:
        """Plan, run and yield every row, sorted by (start date, end date, pivot values)."""
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="linkedin-ads-report")
        try:
            self._plan(self._pool)
            yield from self._run()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> Iterator[ReportRow]:
        flushed = 0
        while flushed < len(self._segments):
            self._submit(flushed)
            done, _ = wait(self._in_flight, timeout=self._tick, return_when=FIRST_COMPLETED)
            for future in done:
                job = self._in_flight.pop(future)
                if isinstance(job, Task):
                    self._handle(job, future.result())
                else:
                    self._discovery_done(job, future.result())
            self._on_progress()
            while flushed < len(self._segments) and self._ready(flushed):
                yield from self._flush(flushed)
                flushed += 1

    def answer_warnings(self) -> tuple[str, ...]:
        """Irregular rows LinkedIn is documented to send, kept or dropped, counted (summary warnings)."""
        return self._parser.warnings()

    def _segment(self, index: int) -> _Segment:
        segment = self._segments[index]
        if segment is None:  # pragma: no cover -- a flushed segment never gets work
            raise RuntimeError(f"segment {index} was already written out")
        return segment

    def _ready(self, index: int) -> bool:
        segment = self._segments[index]
        return segment is not None and segment.pending == 0

    def _push(self, task: Task) -> None:
        self._segment(task.segment).pending += 1
        self.calls_planned += 1
        heapq.heappush(self._heap, (task.segment, next(self._sequence), task))

    def _submit(self, flushed: int) -> None:
        while (
            self._heap
            and len(self._in_flight) < self._workers
            and self._heap[0][0] < flushed + self._lookahead
        ):
            _, _, task = heapq.heappop(self._heap)
            self._in_flight[self._pool.submit(self._call, task)] = task

    def _call(self, task: Task) -> _Outcome:
        """Worker: fetch one call and parse its rows (parsing touches no shared state)."""
        params = call_params(self.request, task.chunk.fields, task.window, task.scope)
        elements = self._fetcher.fetch(
            params, fields=len(task.chunk.fields), estimate_rows=task.estimate_rows
        )
        parsed = self._parser.parse(task.chunk, elements, window=task.window)
        return _Outcome(parsed, capped=len(elements) >= self._cap)

    def _handle(self, task: Task, outcome: _Outcome) -> None:
        self.calls_done += 1
        segment = self._segment(task.segment)
        segment.pending -= 1
        if not outcome.capped:
            segment.join.merge(task.chunk, outcome.parsed)
            return
        self._resplit(task, outcome)

    def _resplit(self, task: Task, outcome: _Outcome) -> None:
        """Replace a capped call: split its window, else its facet list, else discover; else truncated."""
        windows = split_window(task.window, self._granularity)
        if windows is not None:
            self._replace(
                task, [dataclasses.replace(task, window=w, estimate_rows=self._cap) for w in windows]
            )
            return
        scopes = split_scope(self.request, task.scope)
        if scopes is not None:
            self._replace(task, [dataclasses.replace(task, scope=s, estimate_rows=self._cap) for s in scopes])
            return
        discovery = discovery_for(self.request, task.scope)
        if discovery is None:
            self._truncated(task, outcome)
            return
        key = _DiscoveryKey(task.window, task.scope, discovery)
        self._segment(task.segment).pending += 1  # the task waits for the discovery
        if key in self._discovered:
            self._expand(task, outcome, key)
            return
        self._waiting.setdefault(key, []).append((task, outcome))
        if key not in self._discovering:
            self._discovering.add(key)
            self._in_flight[self._pool.submit(self._discover, key)] = key

    def _replace(self, task: Task, tasks: list[Task]) -> None:
        self.windows_split += 1
        for item in tasks:
            self._push(item)

    def _discover(self, key: _DiscoveryKey) -> tuple[str, ...] | None:
        """Worker: list the entities under a single facet value with activity in the window."""
        params = discovery_params(self.request, key.discovery, key.window, key.scope)
        elements = self._fetcher.fetch(
            params,
            fields=len(STRUCTURAL_FIELDS),
            estimate_rows=self._cap,
            finder=Finder.ANALYTICS,
            probe=True,
        )
        if len(elements) >= self._cap:
            return None  # the list itself is cut: splitting on it could lose rows
        urns = {parse_key(item, 1)[2][0] for item in elements}
        return tuple(sorted(urns, key=lambda urn: row_sort_key((None, None, (urn,)))))

    def _discovery_done(self, key: _DiscoveryKey, urns: tuple[str, ...] | None) -> None:
        self._discovered[key] = urns
        self._discovering.discard(key)
        for task, outcome in self._waiting.pop(key, []):
            self._expand(task, outcome, key)

    def _expand(self, task: Task, outcome: _Outcome, key: _DiscoveryKey) -> None:
        self._segment(task.segment).pending -= 1
        urns = self._discovered[key]
        if not urns:  # nothing found, or the list itself was cut: the capped answer is all there is
            self._truncated(task, outcome)
            return
        discovery = key.discovery
        scope = task.scope.replace(discovery.child_facet, urns, drop=discovery.facet)
        halves = split_scope(self.request, scope) or (scope,)
        self._replace(task, [dataclasses.replace(task, scope=s, estimate_rows=self._cap) for s in halves])

    def _truncated(self, task: Task, outcome: _Outcome) -> None:
        day = task.window.start.isoformat() if task.window.days == 1 else str(task.window)
        entity = task.scope.describe()
        if self._fail_on_truncation:
            raise TruncatedReportError(
                f"LinkedIn returned its {self._cap:,}-row maximum for {day} and {entity} "
                f"({self.request.describe()}), which cannot be split further: rows are missing. Use fewer "
                'pivots or a coarser granularity, or on_truncation="warn" to keep the truncated rows.',
                day=day,
                entity=entity,
            )
        self.truncations.append(TruncationEvent(task.window, entity, len(outcome.parsed), task.chunk.metrics))
        self._segment(task.segment).join.merge(task.chunk, outcome.parsed)

    def _flush(self, index: int) -> Iterator[ReportRow]:
        segment = self._segment(index)
        self._segments[index] = None  # free the segment while its rows stream out
        for row in segment.join.rows():
            self._note_day(row)
            self.rows_out += 1
            yield row

    def _note_day(self, row: ReportRow) -> None:
        start, end = row["start_date"], row["end_date"]
        if isinstance(start, dt.date) and (self.first_day is None or start < self.first_day):
            self.first_day = start
        if isinstance(end, dt.date) and (self.last_day is None or end > self.last_day):
            self.last_day = end
