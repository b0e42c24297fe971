"""Run a report plan on a thread pool: re-split capped calls, join chunks, stream rows in order.

The output comes out *segment* by segment, one segment per bucket of the request (a day, month or
year; the whole range for ``ALL``), each segment's rows sorted, so the output is sorted as a whole
while memory holds only the few segments in flight (never the report). Every facet scope has windows
of its own (a busy account and a quiet one do not share windows), and a call's rows go to the
segments of their buckets. Windows are released a few per scope at a time: the very first from the
probe's bound, the rest re-planned after every answer from the rows the answers really hold
(:class:`~.planning.Calibration`), so later windows are fuller without ever being trusted blindly.
Calls are submitted in date order, at most ``max_concurrency`` at a time, and their answers are
parsed one at a time, each only once the previous one has been merged (:mod:`~.answer_gate`);
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
import functools
import heapq
import itertools
import math
import pickle
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.answer_gate import AnswerGate, Turn
from airflow_provider_linkedin_ads.client.planning import (
    CALIBRATED_FILL,
    DATA_FIRST_MAX_DAYS,
    DEFAULT_FACET_BATCH,
    PLANNING_FILL,
    Calibration,
    Discovery,
    FieldChunk,
    Scope,
    SharedTail,
    bucket_start,
    buckets,
    call_params,
    chunk_metrics,
    discovery_for,
    discovery_params,
    initial_scopes,
    merge_scopes,
    per_account_scopes,
    plan_windows,
    probe_granularity,
    probe_params,
    share_tails,
    split_scope,
    split_window,
    static_bound,
)
from airflow_provider_linkedin_ads.client.rows import ChunkJoin, RowKey, parse_key, row_sort_key
from airflow_provider_linkedin_ads.enums import Finder, TimeGranularity
from airflow_provider_linkedin_ads.errors import TruncatedReportError
from airflow_provider_linkedin_ads.metrics import STRUCTURAL_FIELDS
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.results import TruncationEvent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager

    from airflow_provider_linkedin_ads.client.fetching import Fetcher
    from airflow_provider_linkedin_ads.client.rows import ParsedAnswer
    from airflow_provider_linkedin_ads.models import ReportRequest
    from airflow_provider_linkedin_ads.results import ReportRow, RowValue

__all__ = ["PlanRunner", "Task"]

_Parsed = list[tuple[RowKey, tuple["RowValue", ...]]]


@dataclass(frozen=True)
class Task:
    """One report call: a field chunk over a window for a facet scope.

    :param segment: index of the first output segment (bucket of the request) the window covers.
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
    """One output segment: its chunk join, its calls not answered yet, and the parts waiting to merge.

    A segment is written out only when every scope has passed its days, so the rows of a busy
    account wait for the slowest one (W3: up to ~85,000 rows). As parsed tuples a row costs about
    500 bytes (two ``Decimal`` objects alone 208); a waiting part is therefore kept as one ``bytes``
    pickled with protocol 5 (dates and pivot tuples shared within the part are written once), about
    a fifth of that, and merged into the join, in the order the parts came, when the segment is
    written out. The bytes are the engine's own, made in this process: nothing outside is unpickled.

    .. code-block:: python

        segment = _Segment(ChunkJoin(request))
        segment.add(chunk, parsed, complete=True, now=False)  # waits, compact
        rows = list(segment.rows())
    """

    join: ChunkJoin
    pending: int = 0
    waiting: list[tuple[FieldChunk, bytes, bool]] = dataclasses.field(default_factory=list)

    def add(self, chunk: FieldChunk, parsed: _Parsed, *, complete: bool, now: bool) -> None:
        """Merge a part now (the segment is about to be written), or keep it compact until then."""
        if now:
            self._settle()
            self.join.merge(chunk, parsed, complete=complete)
        else:
            self.waiting.append((chunk, pickle.dumps(parsed, protocol=5), complete))

    def rows(self) -> Iterator[ReportRow]:
        """Yield the joined rows (the waiting parts merged first, in their order)."""
        self._settle()
        return self.join.rows()

    def _settle(self) -> None:
        waiting, self.waiting = self.waiting, []
        waiting.reverse()
        while waiting:  # each part's bytes go as soon as it is merged
            chunk, blob, complete = waiting.pop()
            self.join.merge(chunk, pickle.loads(blob), complete=complete)  # our own bytes (above)


@dataclass(frozen=True)
class _Outcome:
    parsed: _Parsed
    capped: bool
    turn: Turn  # the answer's turn at the gate, given back once the coordinator has handled it


@dataclass
class _Prior:
    """What the probe of one initial scope told: rows per probe bucket, and the rows it already fetched.

    :param counts: rows per bucket (by its first day) as the probe saw them; ``None``: no probe
        (a static bound, or the cap when nothing is known).
    :param bound: rows per bucket when ``counts`` is ``None``.
    :param data: parsed rows of the first field chunk (MONTHLY/YEARLY probes and short DAILY
        reports, see :data:`~.planning.DATA_FIRST_MAX_DAYS`), by bucket start.
    :param unit: granularity of the buckets ``counts`` are keyed by; ``None``: the report's probe
        granularity (months for a DAILY report, whose counts then bound each of the month's days).
    """

    counts: dict[dt.date, int] | None
    bound: int
    data: dict[dt.date, _Parsed] = dataclasses.field(default_factory=dict)
    capped: bool = False
    unit: TimeGranularity | None = None

    def counted(self) -> dict[dt.date, int]:
        """Return the counts a probe fills in: probes write here, nowhere else.

        :meth:`PlanRunner._prior` makes every prior it probes with counts; a static one is never probed.
        """
        if self.counts is None:  # pragma: no cover -- an invariant, not a state to repair
            raise RuntimeError("a prior without counts was probed")
        return self.counts

    def rows(self, unit: DateRange, granularity: TimeGranularity) -> int:
        if self.counts is None:
            return self.bound
        probe = self.unit or probe_granularity(granularity) or granularity
        return self.counts.get(bucket_start(unit.start, probe), 0)


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
        self._lookahead = 2  # windows per scope released and not yet written out; set by _plan
        self._fail_on_truncation = on_truncation == "fail"
        self._batch = facet_batch_size
        self._on_progress = on_progress or (lambda: None)
        self._parser = ChunkJoin(request)
        # One parsed answer waits for this thread at a time; the other workers' bodies wait unparsed.
        self._gate = AnswerGate(limit=1)
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
        # Output segments, one per bucket of the request (created when a call covers them).
        self._units: list[DateRange] = []
        self._unit_at: dict[dt.date, int] = {}  # bucket (by its first day) -> segment index
        self._segments: dict[int, _Segment] = {}
        self._flushed = 0  # segments written out so far
        self._discovering: set[_DiscoveryKey] = set()
        self._in_flight: dict[Future[Any], Task | _DiscoveryKey] = {}
        self._pool: ThreadPoolExecutor
        self._tick = progress_interval
        self._chunks: tuple[FieldChunk, ...] = ()
        self._scopes: list[Scope] = []
        self._scope_index: dict[Scope, int] = {}
        self._priors: list[_Prior] = []
        self._calibration = Calibration(0)
        # Per scope: planned windows not released yet (re-planned freely), the first segment not
        # released yet, and the last segment of each released window not written out yet.
        self._future: list[list[DateRange]] = []
        self._released: list[int] = []
        self._open: list[list[int]] = []
        # Shared tails (see :func:`~.planning.share_tails`): the planned ones not released yet, and
        # whether the scopes may share them at all.
        self._tails: list[SharedTail] = []
        self._tail_sharing = False

    # ── planning ────────────────────────────────────────────────────────────────────────────────

    def _plan(self, pool: ThreadPoolExecutor) -> None:
        request = self.request
        self._chunks = chunks = chunk_metrics(request)
        scopes = initial_scopes(request, self._batch)
        priors = list(pool.map(self._prior, scopes))
        if len(scopes) == 1 and priors[0].capped:
            # The accounts together have more pivot values than one answer holds, so their busy days
            # would fill calls in coarse steps: probe (and fetch) account by account instead.
            singles = per_account_scopes(request, scopes[0])
            if singles is not None:
                scopes, priors = singles, list(pool.map(self._prior, singles))
        self._scopes, self._priors = scopes, priors
        self._scope_index = {scope: index for index, scope in enumerate(scopes)}
        self._calibration = Calibration(len(scopes), minimum_rows=max(1, self._cap // 100))
        for index, prior in enumerate(priors):
            if prior.data and prior.counts is not None:  # the first chunk's own rows: exact counts
                rows = sum(prior.counts.values())
                self._calibration.observe(index, chunk=0, rows=rows, bound=rows)
        # Enough windows ahead to keep every worker busy, and no more: memory holds only these.
        self._lookahead = 1 + math.ceil(self._workers / (len(scopes) * len(chunks)))
        self._units = self._segment_units(request.date_range)
        self._unit_at = {self._bucket(unit.start): index for index, unit in enumerate(self._units)}
        self._future = [self._windows(index, request.date_range) for index in range(len(scopes))]
        self._released = [0] * len(scopes)
        self._open = [[] for _ in scopes]
        # Scopes split from one facet list can fetch their last days together (one merged call). Not
        # when a probe already holds the first chunk's rows per scope (MONTHLY/YEARLY data probes).
        self._tail_sharing = (
            len(scopes) > 1
            and probe_granularity(self._granularity) is not None
            and not any(prior.data for prior in priors)
            and merge_scopes(scopes) is not None
        )

    def _segment_units(self, span: DateRange) -> list[DateRange]:
        """Return the output segments: the request's buckets (the whole range when windows cannot split)."""
        if self._granularity is None or probe_granularity(self._granularity) is None:
            return [span]
        return buckets(span, self._granularity)

    def _bucket(self, day: dt.date) -> dt.date:
        granularity = self._granularity
        if granularity is None or probe_granularity(granularity) is None:
            return self.request.date_range.start
        return bucket_start(day, granularity)

    def _covers(self, window: DateRange) -> range:
        """Return the segments a window covers (windows start and end on bucket boundaries)."""
        return range(self._unit_at[self._bucket(window.start)], self._unit_at[self._bucket(window.end)] + 1)

    def _prior(self, scope: Scope) -> _Prior:
        """Rows per bucket for ``scope``: a static bound, a probe's counts, or the cap when unknown.

        A short DAILY report (:data:`~.planning.DATA_FIRST_MAX_DAYS`) first asks for its first field
        chunk over the whole range: under the cap, that answer is the chunk's data and counts every
        day exactly; at the cap it is discarded and the report is probed by month.
        """
        bound = static_bound(self.request, scope)
        if bound is not None:
            return _Prior(None, bound)
        probe = probe_granularity(self._granularity)
        span = self.request.date_range
        if probe is None or self._granularity is None or len(buckets(span, self._granularity)) < 2:
            return _Prior(None, self._cap)
        if self._granularity is TimeGranularity.DAILY and span.days <= DATA_FIRST_MAX_DAYS:
            exact = _Prior({}, self._cap, unit=TimeGranularity.DAILY)
            if self._probe_data(scope, span, TimeGranularity.DAILY, exact):
                return exact
        prior = _Prior({}, self._cap)
        self._probe(scope, span, probe, prior, top=True)
        return prior

    def _probe(
        self, scope: Scope, span: DateRange, probe: TimeGranularity, prior: _Prior, *, top: bool
    ) -> None:
        """Count rows per month (or year); MONTHLY/YEARLY probes fetch the first chunk's rows as data.

        DAILY reports are probed by month with the structural fields only: distinct pivot values per
        month bound the rows of any of its days. A report at the probe's own granularity is probed
        with its first field chunk, so the answer is the data of that chunk (and counts exactly).
        """
        as_data = probe is self._granularity
        if as_data:
            answered = self._probe_data(scope, span, probe, prior)
        else:
            answered = self._probe_counts(scope, span, probe, prior.counted())
        if answered:
            return
        if top and not as_data and per_account_scopes(self.request, scope) is not None:
            prior.capped = True  # the caller probes account by account instead of halving
            return
        halves = split_window(span, probe)
        if halves is None:  # one month already has more values than the cap: one call per day
            prior.counted()[bucket_start(span.start, probe)] = self._cap
            return
        self._probe(scope, halves[0], probe, prior, top=False)
        self._probe(scope, halves[1], probe, prior, top=False)

    def _probe_data(self, scope: Scope, span: DateRange, probe: TimeGranularity, prior: _Prior) -> bool:
        """Fetch the first field chunk over ``span`` as data into ``prior``; tell whether it came under the cap.

        It is read like any data call (in batches, never decoded whole): it can be 15,000 rows.
        """
        answer = self._read(self._chunks[0], span, scope, estimate_rows=self._cap, probe=True)
        if answer.elements >= self._cap:
            return False
        counts = prior.counted()
        for key, values in answer.rows():
            bucket = bucket_start(key[0] or span.start, probe)
            prior.data.setdefault(bucket, []).append((key, values))
            counts[bucket] = counts.get(bucket, 0) + 1
        for unit in buckets(span, probe):  # a bucket without rows is known too
            prior.data.setdefault(bucket_start(unit.start, probe), [])
        return True

    def _probe_counts(
        self, scope: Scope, span: DateRange, probe: TimeGranularity, counts: dict[dt.date, int]
    ) -> bool:
        """Count the distinct pivot values per bucket over ``span``; tell whether the answer came under the cap."""
        params = probe_params(self.request, span, scope)
        elements = self._fetcher.fetch(
            params, fields=len(STRUCTURAL_FIELDS), estimate_rows=self._cap, probe=True
        )
        if len(elements) >= self._cap:
            return False
        pivots = len(self.request.pivots)
        counts.update(
            Counter(bucket_start(parse_key(item, pivots)[0] or span.start, probe) for item in elements)
        )
        return True

    def _expected(self, scope: int, unit: DateRange) -> int:
        """Rows expected in one bucket of ``scope``: the probe's bound, calibrated once answers arrived."""
        prior = self._priors[scope]
        return self._calibration.scale(scope, prior.rows(unit, self._granularity or TimeGranularity.ALL))

    def _windows(self, scope: int, span: DateRange) -> list[DateRange]:
        """Plan ``span`` into the windows of one scope (calibrated once answers arrived).

        Uncalibrated, the expected rows are the probe's bound, which no answer can exceed (a day
        has at most the pivot values of its month), so the first window is packed up to one row
        below the cap (:data:`~.planning.PLANNING_FILL`): as much of the report as can safely be
        asked for, and the answer that calibrates the rest. Calibrated, the estimate is close but
        not a bound: windows aim at :data:`~.planning.CALIBRATED_FILL` of the cap, balanced.
        """
        calibrated = self._calibration.calibrated
        target = (
            int(self._cap * CALIBRATED_FILL)
            if calibrated
            else min(self._cap - 1, int(self._cap * PLANNING_FILL))
        )

        def weight(unit: DateRange) -> int:
            return self._expected(scope, unit)

        return plan_windows(span, self._granularity, weight, target=target, balanced=calibrated)

    def _estimate(self, window: DateRange, scope: int) -> int:
        if self._granularity is None or probe_granularity(self._granularity) is None:
            return min(self._cap, self._expected(scope, window))
        units = buckets(window, self._granularity)
        return min(self._cap, sum(self._expected(scope, unit) for unit in units))

    def _bound(self, window: DateRange, scope: int) -> int:
        """Return the probe's (uncalibrated) rows for ``window``: what calibration compares answers with."""
        prior = self._priors[scope]
        if self._granularity is None or probe_granularity(self._granularity) is None:
            return prior.rows(window, self._granularity or TimeGranularity.ALL)
        return sum(prior.rows(unit, self._granularity) for unit in buckets(window, self._granularity))

    def _release(self) -> None:
        """Turn planned windows into calls, at most ``lookahead`` unwritten windows per scope.

        Until an answer has calibrated the plan only one window goes out (the first scope's first,
        all its field chunks), so the rest of the report, every scope's first window included, is
        planned from real rows rather than from the probe's bound. An answer too small to calibrate
        (a rare metric: LinkedIn leaves out rows whose metrics are all zero) ends that wait once no
        call is left to answer: the next windows go out as planned from the bound, which is safe,
        only larger in calls. Among the scopes, the window that starts first goes out first, so
        segments complete in order.
        """
        for scope_open in self._open:
            while scope_open and scope_open[0] < self._flushed:
                scope_open.pop(0)
        while True:
            # Waiting on the calls still out, never on an answer already in: with one scope per
            # account that answer's days cannot be written before the other accounts are fetched.
            waiting = not self._calibration.calibrated and bool(self._heap or self._in_flight)
            candidates = [
                (future[0].start, index)
                for index, future in enumerate(self._future)
                if future and len(self._open[index]) < self._lookahead
            ]
            tail = self._ready_tail()
            if waiting or not (candidates or tail):
                return
            if tail and (not candidates or tail[0] < min(candidates)[0]):
                self._release_tail(tail[1])
                continue
            _, scope_index = min(candidates)
            window = self._future[scope_index].pop(0)
            covered = self._covers(window)
            self._released[scope_index] = covered[-1] + 1
            self._open[scope_index].append(covered[-1])
            scope = self._scopes[scope_index]
            estimate = self._estimate(window, scope_index)
            for chunk in self._chunks:
                if chunk.index == 0 and self._from_probe(window, scope_index):
                    continue
                self._push(Task(covered[0], chunk, window, scope, estimate))

    def _from_probe(self, window: DateRange, scope: int) -> bool:
        """Merge the first chunk's rows the probe already fetched for ``window``; ``False`` if it has none."""
        data, granularity = self._priors[scope].data, self._granularity
        if not data or granularity is None or probe_granularity(granularity) is None:
            return False
        units = [bucket_start(unit.start, granularity) for unit in buckets(window, granularity)]
        parts = [data.pop(unit, None) for unit in units]
        if any(part is None for part in parts):
            return False  # a bucket the probe could not answer whole: the chunk is fetched as usual
        for index, part in zip(self._covers(window), parts, strict=True):
            self._add(index, self._chunks[0], part or [])
        return True

    def _calibrate(self, task: Task, outcome: _Outcome) -> None:
        """Learn from an uncapped answer of an initial scope, then re-plan the windows not released yet."""
        scope = self._scope_index.get(task.scope)
        if scope is None:
            return  # a re-split part of a scope: its bound is not comparable
        self._calibration.observe(
            scope, chunk=task.chunk.index, rows=len(outcome.parsed), bound=self._bound(task.window, scope)
        )
        self._replan()

    def _replan(self) -> None:
        """Re-plan the buckets not released yet: the shared tails first, then each scope's own windows.

        A scope's own windows run from its first unreleased bucket up to its tail (planned or
        released), or to the end of the report when it has none.
        """
        self._tails = self._share_tails()
        stops = [len(self._units)] * len(self._scopes)  # a scope whose tail went out has released all
        for tail in self._tails:
            for member in tail.members:
                stops[member] = tail.start
        for index, stop in enumerate(stops):
            first = self._released[index]
            if first >= stop:
                self._future[index] = []
                continue
            span = DateRange(self._units[first].start, self._units[stop - 1].end)
            self._future[index] = self._windows(index, span)

    def _share_tails(self) -> list[SharedTail]:
        """Plan the shared tails of the scopes that have not released one, from the calibrated estimate."""
        if not self._tail_sharing or not self._calibration.calibrated:
            return []
        starts = self._released  # a scope whose tail went out has released every bucket: not free
        loads = [
            [
                self._expected(index, unit) if position >= start else 0
                for position, unit in enumerate(self._units)
            ]
            for index, start in enumerate(starts)
        ]
        return share_tails(loads, starts, target=int(self._cap * CALIBRATED_FILL))

    def _ready_tail(self) -> tuple[dt.date, SharedTail] | None:
        """Return the earliest planned tail whose scopes have sent all their own windows and may send one more."""
        ready = [
            (self._units[tail.start].start, tail)
            for tail in self._tails
            if all(not self._future[m] and len(self._open[m]) < self._lookahead for m in tail.members)
        ]
        return min(ready, key=lambda item: (item[0], item[1].members), default=None)

    def _release_tail(self, tail: SharedTail) -> None:
        """Send one shared tail: the members' last buckets in one window, their facets merged, every chunk."""
        self._tails.remove(tail)
        window = DateRange(self._units[tail.start].start, self._units[-1].end)
        scope = merge_scopes([self._scopes[member] for member in tail.members])
        if scope is None:  # pragma: no cover -- tail sharing is only on for scopes that merge
            raise RuntimeError("shared tail of scopes that do not merge")
        estimate = min(self._cap, sum(self._estimate(window, member) for member in tail.members))
        covered = self._covers(window)
        for member in tail.members:
            self._released[member] = covered[-1] + 1  # the last bucket: the scope is done
        for chunk in self._chunks:
            self._push(Task(covered[0], chunk, window, scope, estimate))

    # ── running ─────────────────────────────────────────────────────────────────────────────────

    def rows(self) -> Iterator[ReportRow]:
        """Plan, run and yield every row, sorted by (start date, end date, pivot values)."""
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="linkedin-ads-report")
        try:
            self._plan(self._pool)
            yield from self._run()
        finally:
            self._gate.open()  # workers waiting their turn finish (and checkpoint), so the pool can shut down
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> Iterator[ReportRow]:
        self._release()
        while self._flushed < len(self._units):
            self._submit()
            if not self._in_flight and not self._ready(self._flushed):
                # Nothing running and nothing to write: no answer can ever complete the segment, so
                # fail loudly rather than loop on the CPU for ever.
                raise RuntimeError(
                    f"report planner stalled before {self._units[self._flushed].start}: no call left "
                    "to make (a bug in the provider; please report it)"
                )
            self._finished(wait(self._in_flight, timeout=self._tick, return_when=FIRST_COMPLETED)[0])
            self._on_progress()
            while self._flushed < len(self._units) and self._ready(self._flushed):
                yield from self._flush(self._flushed)
                self._flushed += 1
            self._release()

    def _finished(self, done: set[Future[Any]]) -> None:
        """Handle the finished calls and discoveries.

        A future keeps its result: handled here, the futures (and the parsed rows they hold, which
        are pickled or merged by now) are gone when this returns, not kept alive by the loop until
        the next call finishes (that was one more answer's rows held all along).
        """
        for future in done:
            job = self._in_flight.pop(future)
            if isinstance(job, Task):
                outcome = future.result()
                try:
                    self._handle(job, outcome)
                finally:
                    outcome.turn.release()
            else:
                self._discovery_done(job, future.result())

    def answer_warnings(self) -> tuple[str, ...]:
        """Irregular rows LinkedIn is documented to send, kept or dropped, counted (summary warnings)."""
        return self._parser.warnings()

    def _segment(self, index: int) -> _Segment:
        if index < self._flushed:  # pragma: no cover -- a flushed segment never gets work
            raise RuntimeError(f"segment {index} was already written out")
        segment = self._segments.get(index)
        if segment is None:
            segment = self._segments[index] = _Segment(ChunkJoin(self.request))
        return segment

    def _ready(self, index: int) -> bool:
        """Tell whether a segment is complete: every scope released calls past it, none pending."""
        segment = self._segments.get(index)
        return min(self._released) > index and (segment is None or segment.pending == 0)

    def _pending(self, task: Task, change: int) -> None:
        for index in self._covers(task.window):
            self._segment(index).pending += change

    def _push(self, task: Task) -> None:
        self._pending(task, +1)
        self.calls_planned += 1
        heapq.heappush(self._heap, (task.segment, next(self._sequence), task))

    def _submit(self) -> None:
        while self._heap and len(self._in_flight) < self._workers:
            _, _, task = heapq.heappop(self._heap)
            self._in_flight[self._pool.submit(self._call, task)] = task

    def _call(self, task: Task) -> _Outcome:
        """Worker: fetch one call and parse its rows (parsing touches no shared state).

        The answer is parsed on its turn at the gate (:mod:`~.answer_gate`); the coordinating thread
        gives the turn back once it has handled the rows, the worker itself if the call failed.
        """
        turn = self._gate.turn()
        try:
            answer = self._read(
                task.chunk, task.window, task.scope, estimate_rows=task.estimate_rows, admit=turn.parsing
            )
            return _Outcome(answer.rows(), capped=answer.elements >= self._cap, turn=turn)
        except BaseException:
            turn.release()
            raise

    def _read(
        self,
        chunk: FieldChunk,
        window: DateRange,
        scope: Scope,
        *,
        estimate_rows: int,
        probe: bool = False,
        admit: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> ParsedAnswer:
        """Fetch one field chunk of ``scope`` over ``window`` and parse its rows (:meth:`Fetcher.read`)."""
        return self._fetcher.read(
            call_params(self.request, chunk.fields, window, scope),
            functools.partial(self._parser.read, chunk, window=window),
            fields=len(chunk.fields),
            estimate_rows=estimate_rows,
            probe=probe,
            admit=admit,
        )

    def _handle(self, task: Task, outcome: _Outcome) -> None:
        self.calls_done += 1
        self._pending(task, -1)
        if not outcome.capped:
            self._merge(task, outcome.parsed)
            self._calibrate(task, outcome)
            return
        self._resplit(task, outcome)

    def _merge(self, task: Task, parsed: _Parsed, *, complete: bool = True) -> None:
        """Merge a call's rows into the segments of their buckets (each covered one learns the chunk)."""
        covered = self._covers(task.window)
        if len(covered) == 1:
            self._add(covered[0], task.chunk, parsed, complete=complete)
            return
        parts: dict[int, _Parsed] = {index: [] for index in covered}
        first, last, unit_at, bucket = covered[0], covered[-1], self._unit_at, self._bucket
        for item in parsed:
            day = item[0][0]
            # A row LinkedIn dated beyond its bucket (month/year rounding) stays at the window's edge.
            index = unit_at.get(bucket(day), first) if day is not None else first
            parts[min(max(index, first), last)].append(item)
        for index, part in parts.items():
            self._add(index, task.chunk, part, complete=complete)

    def _add(self, index: int, chunk: FieldChunk, parsed: _Parsed, *, complete: bool = True) -> None:
        """Give a segment a part: merged at once if the segment is written out next, else kept compact."""
        now = index == self._flushed and self._ready(index)
        self._segment(index).add(chunk, parsed, complete=complete, now=now)

    def _resplit(self, task: Task, outcome: _Outcome) -> None:
        """Replace a capped call: split its window, else its facet list, else discover; else truncated."""
        windows = split_window(task.window, self._granularity)
        if windows is not None:
            self._replace(
                task,
                [
                    dataclasses.replace(task, segment=self._covers(w)[0], window=w, estimate_rows=self._cap)
                    for w in windows
                ],
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
        self._pending(task, +1)  # the task waits for the discovery
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
        self._pending(task, -1)
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
        self._merge(task, outcome.parsed, complete=False)

    def _flush(self, index: int) -> Iterator[ReportRow]:
        segment = self._segments.pop(index, None)  # free the segment while its rows stream out
        if segment is None:
            return
        for row in segment.rows():
            self._note_day(row)
            self.rows_out += 1
            yield row

    def _note_day(self, row: ReportRow) -> None:
        start, end = row["start_date"], row["end_date"]
        if isinstance(start, dt.date) and (self.first_day is None or start < self.first_day):
            self.first_day = start
        if isinstance(end, dt.date) and (self.last_day is None or end > self.last_day):
            self.last_day = end
