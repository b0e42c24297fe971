"""A report request -> the API calls that answer it exactly, in as few calls as possible (no I/O).

LinkedIn's ``adAnalytics`` has no pagination, accepts at most 20 ``fields`` (``dateRange`` and
``pivotValues`` included) and silently cuts every response at 15,000 rows. The plan therefore has
three axes:

* **field chunks**: the metrics in groups of at most 18, each call also asking for ``dateRange`` and
  ``pivotValues`` so chunk rows can be outer-joined on (date range, pivot values), never by position;
* **date windows**: first sized from a probe (DAILY reports: the same query by month with only the
  two structural fields, one row per pivot value and month; MONTHLY and YEARLY reports: the first
  field chunk's own call, whose rows are kept as data), then re-planned from the rows the answers
  actually hold (:class:`Calibration`), packed evenly (:func:`plan_windows`) so no call is expected
  to reach the row cap and none is left nearly empty. Windows only split on the request's bucket
  boundaries (days, months, years), so rows are identical to those of one big call; ``ALL`` and
  attributedRevenueMetrics windows never split;
* **facet scopes**: the facet lists, batched for readability (long queries are tunnelled by the
  client, not split) and, when a single window still reaches the cap, halved or replaced by the
  entities discovered under them. A facet is only split when the pivots partition rows by it
  (``CAMPAIGN`` rows can be fetched campaign batch by campaign batch; ``MEMBER_JOB_TITLE`` rows of
  an account cannot, they would be different aggregates).

.. code-block:: python

    chunks = chunk_metrics(request)
    scopes = initial_scopes(request)
    windows = plan_windows(request.date_range, request.time_granularity, weights, target=13_500)
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.metrics import REVENUE_METRICS, STRUCTURAL_FIELDS
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest, month_end

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from airflow_provider_linkedin_ads.restli import Value

__all__ = [
    "CALIBRATED_FILL",
    "CALIBRATION_MARGIN",
    "DEFAULT_FACET_BATCH",
    "MAX_ACCOUNT_SCOPES",
    "MAX_FIELDS",
    "MAX_SHARED_TAIL_SCOPES",
    "METRICS_PER_CHUNK",
    "PLANNING_FILL",
    "REVENUE_FIELD",
    "ROW_CAP",
    "Calibration",
    "Discovery",
    "FieldChunk",
    "Scope",
    "SharedTail",
    "bucket_start",
    "buckets",
    "call_params",
    "chunk_metrics",
    "discovery_for",
    "discovery_params",
    "initial_scopes",
    "merge_scopes",
    "per_account_scopes",
    "plan_windows",
    "probe_granularity",
    "probe_params",
    "share_tails",
    "split_scope",
    "split_window",
    "static_bound",
]

#: LinkedIn's maximum number of elements in one ``adAnalytics`` response (silently cut beyond).
ROW_CAP = 15_000
#: LinkedIn's maximum number of ``fields`` per call, ``dateRange`` and ``pivotValues`` included.
MAX_FIELDS = 20
#: Metrics per call: the 20-field maximum minus ``dateRange`` and ``pivotValues``.
METRICS_PER_CHUNK = MAX_FIELDS - len(STRUCTURAL_FIELDS)
#: Facet values per call when a facet may be split (readability; long queries are tunnelled anyway).
DEFAULT_FACET_BATCH = 200
#: Windows planned from the probe's bound aim at this share of the row cap (kept one row below it).
#: The bound is a maximum (a day has at most the pivot values of its month), so no margin is needed.
PLANNING_FILL = 1.0
#: Windows planned from observed rows (calibrated) aim at this share of the row cap: the estimate
#: is then close, and a rare capped answer is re-split anyway (never kept as complete).
CALIBRATED_FILL = 0.98
#: Calibrated estimates are raised by this factor (day-to-day variation, rows new since the probe).
#: On the benchmark worlds the unraised estimate was at most 3.1 % below the rows answered (standard
#: deviation 2 %); with :data:`CALIBRATED_FILL` a window keeps 4 % of room for that error.
CALIBRATION_MARGIN = 1.02
#: At most this many accounts get a scope (and a probe) of their own; more are batched.
MAX_ACCOUNT_SCOPES = 25
#: Shared tails (:func:`share_tails`) are searched over every group of at most this many free scopes
#: (the search is exact, so it grows as 3 ** scopes); with more scopes each keeps its own windows.
MAX_SHARED_TAIL_SCOPES = 8
#: A DAILY report of at most this many days asks for its first field chunk over the whole range
#: before any probe: a month's distinct pivot values (the probe) bound a short range's days no better
#: than one answer does, and such a report (an incremental run, a 7- or 30-day restatement) usually
#: fits in that one answer, which is then data with exact rows per day. When it reaches the cap it
#: is discarded and the report is probed as a longer one would be: one call more.
DATA_FIRST_MAX_DAYS = 31
#: The one field of attributedRevenueMetrics rows that holds the metrics.
REVENUE_FIELD = "revenueAttributionMetrics"

# Facet -> level in the account > campaign group > campaign > creative hierarchy, and the pivots
# whose values identify exactly one value of that facet (rows are then partitioned by the facet).
_FACET_LEVEL: Mapping[str, int] = {"accounts": 0, "campaignGroups": 1, "campaigns": 2, "creatives": 3}
_PIVOT_LEVEL: Mapping[str, int] = {
    Pivot.ACCOUNT: 0,
    Pivot.CAMPAIGN_GROUP: 1,
    Pivot.CAMPAIGN: 2,
    Pivot.CREATIVE: 3,
}
_LEVEL_FACET = ("accounts", "campaignGroups", "campaigns", "creatives")
_LEVEL_PIVOT = (Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN, Pivot.CREATIVE)
_SAME_ENTITY_PIVOT: Mapping[str, str] = {
    "accounts": Pivot.ACCOUNT,
    "campaignGroups": Pivot.CAMPAIGN_GROUP,
    "campaigns": Pivot.CAMPAIGN,
    "creatives": Pivot.CREATIVE,
    "companies": Pivot.COMPANY,
    "shares": Pivot.SHARE,
}


@dataclass(frozen=True)
class FieldChunk:
    """One group of at most :data:`METRICS_PER_CHUNK` metrics, fetched by the same calls.

    :param index: position of the chunk (0-based); also its merge order.
    :param metrics: the metric names (revenue sub-fields for attributedRevenueMetrics).
    :param fields: the ``fields`` projection sent: structural fields first, then the metrics.

    .. code-block:: python

        [len(chunk.metrics) for chunk in chunk_metrics(request)]  # 60 metrics: [18, 18, 18, 6]
    """

    index: int
    metrics: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True, order=True)
class Scope:
    """The facet selection of one call: ``(facet, URNs)`` pairs in request order.

    .. code-block:: python

        scope = Scope((("accounts", ("urn:li:sponsoredAccount:1",)),))
        scope.describe()  # 'accounts=urn:li:sponsoredAccount:1'
    """

    facets: tuple[tuple[str, tuple[str, ...]], ...]

    def get(self, name: str) -> tuple[str, ...]:
        """Return the URNs of facet ``name`` (empty when absent)."""
        return next((values for facet, values in self.facets if facet == name), ())

    def replace(self, name: str, values: tuple[str, ...], *, drop: str | None = None) -> Scope:
        """Return a copy with facet ``name`` set to ``values`` (added last if new), ``drop`` removed."""
        items = [(facet, current) for facet, current in self.facets if facet != drop]
        if any(facet == name for facet, _ in items):
            items = [(facet, values if facet == name else current) for facet, current in items]
        else:
            items.append((name, values))
        return Scope(tuple(items))

    def describe(self, limit: int = 3) -> str:
        """Token-free text naming the entities, e.g. for :class:`~.errors.TruncatedReportError`."""
        parts = []
        for facet, values in self.facets:
            shown = ",".join(values[:limit]) + (f",... ({len(values)} in all)" if len(values) > limit else "")
            parts.append(f"{facet}={shown}")
        return " ".join(parts)


@dataclass(frozen=True)
class Discovery:
    """How to find the entities under a single facet value that still hits the cap.

    :param facet: the single-valued facet to replace, e.g. ``"accounts"``.
    :param child_facet: the facet listing the discovered entities, e.g. ``"campaigns"``.
    :param pivot: the pivot of the discovery query, e.g. ``CAMPAIGN``.

    .. code-block:: python

        discovery_for(request, scope)  # Discovery('accounts', 'campaignGroups', Pivot.CAMPAIGN_GROUP)
    """

    facet: str
    child_facet: str
    pivot: Pivot


def chunk_metrics(request: ReportRequest, size: int = METRICS_PER_CHUNK) -> tuple[FieldChunk, ...]:
    """Split the request's metrics into field chunks (one chunk for attributedRevenueMetrics).

    :param size: metrics per chunk, at most :data:`METRICS_PER_CHUNK`.
    """
    if request.finder is Finder.ATTRIBUTED_REVENUE:
        return (FieldChunk(0, request.metrics, (*STRUCTURAL_FIELDS, _revenue_projection(request.metrics))),)
    size = max(1, min(size, METRICS_PER_CHUNK))
    groups = [request.metrics[start : start + size] for start in range(0, len(request.metrics), size)]
    return tuple(FieldChunk(index, group, (*STRUCTURAL_FIELDS, *group)) for index, group in enumerate(groups))


def _revenue_projection(metrics: tuple[str, ...]) -> str:
    known = [name for name in metrics if name in REVENUE_METRICS]
    if len(known) == len(REVENUE_METRICS) or len(known) != len(metrics):
        return REVENUE_FIELD  # everything (or names the projection grammar cannot vouch for)
    return f"{REVENUE_FIELD}:({','.join(metrics)})"


def initial_scopes(request: ReportRequest, batch_size: int = DEFAULT_FACET_BATCH) -> list[Scope]:
    """Return the facet scopes to start from: the request's facets, the splittable one batched.

    Only a facet the pivots partition rows by is batched; any other facet list is sent whole
    (the client tunnels long queries).
    """
    facets = tuple((name, tuple(values)) for name, values in request.facets.items())
    scope = Scope(facets)
    name = _batched_facet(request, scope)
    if name is None:
        return [scope]
    values = scope.get(name)
    step = max(1, batch_size)
    return [scope.replace(name, values[start : start + step]) for start in range(0, len(values), step)]


def per_account_scopes(request: ReportRequest, scope: Scope) -> list[Scope] | None:
    """Return one scope per account when the pivots split rows by account; ``None`` otherwise.

    A multi-account answer packs whole days, so a day of several busy accounts fills a call in big
    steps; one account per call packs finer (and each account is probed on its own). Only used when
    the accounts facet has between 2 and :data:`MAX_ACCOUNT_SCOPES` accounts.
    """
    accounts = scope.get("accounts")
    if not 2 <= len(accounts) <= MAX_ACCOUNT_SCOPES or not _partitions(request, "accounts"):
        return None
    return [scope.replace("accounts", (account,)) for account in accounts]


def _batched_facet(request: ReportRequest, scope: Scope) -> str | None:
    candidates = [(len(values), name) for name, values in scope.facets if _partitions(request, name)]
    return max(candidates)[1] if candidates else None


def _partitions(request: ReportRequest, facet: str) -> bool:
    """Tell whether every row belongs to exactly one value of ``facet`` (splitting it is lossless)."""
    if facet in _FACET_LEVEL:
        level = _FACET_LEVEL[facet]
        return any(_PIVOT_LEVEL.get(pivot, -1) >= level for pivot in request.pivots)
    return _SAME_ENTITY_PIVOT.get(facet) in request.pivots


def split_scope(request: ReportRequest, scope: Scope) -> tuple[Scope, Scope] | None:
    """Halve the longest facet list the pivots partition rows by; ``None`` if there is none."""
    candidates = [
        (len(values), name) for name, values in scope.facets if len(values) > 1 and _partitions(request, name)
    ]
    if not candidates:
        return None
    _, name = max(candidates)
    values = scope.get(name)
    middle = len(values) // 2
    return scope.replace(name, values[:middle]), scope.replace(name, values[middle:])


def merge_scopes(scopes: Sequence[Scope]) -> Scope | None:
    """Return one scope selecting what ``scopes`` select together; ``None`` if they differ in several facets.

    Scopes split from one (:func:`initial_scopes`, :func:`per_account_scopes`) differ only in the facet
    the pivots partition rows by, so one call with that facet's values concatenated returns exactly
    the union of their rows (a creative belongs to one account, a campaign to one group).

    .. code-block:: python

        merge_scopes([Scope((("accounts", (a1,)),)), Scope((("accounts", (a2,)),))])
        # Scope((("accounts", (a1, a2)),))
    """
    if not scopes:
        return None
    names = [name for name, _ in scopes[0].facets]
    if any([name for name, _ in scope.facets] != names for scope in scopes):
        return None
    differing = [name for name in names if len({scope.get(name) for scope in scopes}) > 1]
    if len(differing) != 1:
        return None
    values = tuple(urn for scope in scopes for urn in scope.get(differing[0]))
    return scopes[0].replace(differing[0], values)


def discovery_for(request: ReportRequest, scope: Scope) -> Discovery | None:
    """Return the discovery that would let a single-valued scope split further, if the pivots allow one.

    The entities discovered are one level below the facet (an account's campaign groups, a group's
    campaigns, a campaign's creatives), as long as the request's pivots still partition rows by that
    level: fewer entities than rows, so the discovery itself stays far below the row cap.
    """
    if request.finder is Finder.ATTRIBUTED_REVENUE:
        return None
    finest = max((_PIVOT_LEVEL[p] for p in request.pivots if p in _PIVOT_LEVEL), default=-1)
    for name, values in reversed(scope.facets):
        level = _FACET_LEVEL.get(name)
        if level is not None and len(values) == 1 and finest > level:
            return Discovery(name, _LEVEL_FACET[level + 1], _LEVEL_PIVOT[level + 1])
    return None


def static_bound(request: ReportRequest, scope: Scope) -> int | None:
    """Rows per bucket known without a probe: one pivot that is the facet's own entity.

    ``pivot=CAMPAIGN`` with ``campaigns=List(c1..c40)`` has at most 40 rows per day.
    """
    if len(request.pivots) != 1:
        return None
    pivot = request.pivots[0]
    counts = [len(values) for name, values in scope.facets if _SAME_ENTITY_PIVOT.get(name) == pivot]
    return min(counts) if counts else None


# ── windows ─────────────────────────────────────────────────────────────────────────────────────


def probe_granularity(granularity: TimeGranularity | None) -> TimeGranularity | None:
    """Granularity of the row-count probe: months for daily and monthly reports, years for yearly.

    ``None`` when no probe helps: ``ALL`` and attributedRevenueMetrics windows cannot split.
    """
    if granularity in (TimeGranularity.DAILY, TimeGranularity.MONTHLY):
        return TimeGranularity.MONTHLY
    if granularity is TimeGranularity.YEARLY:
        return TimeGranularity.YEARLY
    return None


def bucket_start(day: dt.date, granularity: TimeGranularity) -> dt.date:
    """First day of the month (MONTHLY) or year (YEARLY) holding ``day``; ``day`` itself otherwise."""
    if granularity is TimeGranularity.MONTHLY:
        return day.replace(day=1)
    if granularity is TimeGranularity.YEARLY:
        return day.replace(month=1, day=1)
    return day


def buckets(span: DateRange, granularity: TimeGranularity) -> list[DateRange]:
    """Return the request's buckets inside ``span`` (clipped to it): days, months or years."""
    units: list[DateRange] = []
    start = span.start
    while start <= span.end:
        if granularity is TimeGranularity.DAILY:
            end = start
        elif granularity is TimeGranularity.MONTHLY:
            end = month_end(start)
        else:
            end = dt.date(start.year, 12, 31)
        end = min(end, span.end)
        units.append(DateRange(start, end))
        start = end + dt.timedelta(days=1)
    return units


def plan_windows(
    span: DateRange,
    granularity: TimeGranularity | None,
    weight: Callable[[DateRange], int],
    *,
    target: int,
    balanced: bool = True,
) -> list[DateRange]:
    """Pack the request's buckets into the fewest consecutive windows of at most ``target`` expected rows.

    The windows are balanced: their count is the fewest possible, and among those packings the
    heaviest window is as light as possible, with the load spread evenly (no nearly empty tail
    window, and every window keeps the same room for estimate errors). With ``balanced=False``
    each window is filled up to ``target`` in turn (the first window is then as large as allowed:
    what a first, calibrating call wants).

    :param span: the request's date range.
    :param granularity: the request's granularity; ``ALL``/``None`` give the whole span as one window.
    :param weight: expected rows of one bucket (a day, month or year).
    :param target: rows a window should stay under; a heavier single bucket gets its own window.
    :param balanced: spread the load evenly (default) rather than filling windows in turn.
    """
    if granularity in (None, TimeGranularity.ALL):
        return [span]
    units = buckets(span, granularity)
    loads = [max(0, weight(unit)) for unit in units]
    if not balanced:
        return [DateRange(units[first].start, units[last].end) for first, last in _pack(loads, target)]
    count = len(_pack(loads, target))
    low, high = max(loads, default=0), max(target, max(loads, default=0))
    while low < high:  # the lightest "heaviest window" that still needs only ``count`` windows
        middle = (low + high) // 2
        if len(_pack(loads, middle)) <= count:
            high = middle
        else:
            low = middle + 1
    groups = _spread(loads, count, low)
    if len(groups) > count:  # pragma: no cover -- spreading never needs more, but never risk it
        groups = _pack(loads, low)
    return [DateRange(units[first].start, units[last].end) for first, last in groups]


def _pack(loads: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """Greedy packing: ``(first, last)`` bucket indexes of windows of at most ``limit`` (one heavy bucket alone)."""
    groups: list[tuple[int, int]] = []
    first, load = 0, 0
    for index, rows in enumerate(loads):
        if index > first and load + rows > limit:
            groups.append((first, index - 1))
            first, load = index, 0
        load += rows
    if loads:
        groups.append((first, len(loads) - 1))
    return groups


def _spread(loads: Sequence[int], count: int, limit: int) -> list[tuple[int, int]]:
    """Cut into ``count`` windows of at most ``limit``, each aiming at an equal share of what is left."""
    groups: list[tuple[int, int]] = []
    left = sum(loads)
    first, load = 0, 0
    for index, rows in enumerate(loads):
        if index > first:
            share = left / max(1, count - len(groups))
            must_close = load + rows > limit
            would_overshoot = load + rows / 2 > share and len(groups) < count - 1
            if must_close or would_overshoot:
                groups.append((first, index - 1))
                left -= load
                first, load = index, 0
        load += rows
    if loads:
        groups.append((first, len(loads) - 1))
    return groups


@dataclass(frozen=True)
class SharedTail:
    """The last buckets of several scopes fetched together: one window, the scopes' facets merged.

    :param members: indexes of the scopes (ascending).
    :param start: index of the tail's first bucket; it runs to the request's last bucket.

    .. code-block:: python

        share_tails([[1_000] * 12, [1_000] * 12], [0, 0], target=10_000)  # [SharedTail((0, 1), 10)]
    """

    members: tuple[int, ...]
    start: int


def share_tails(loads: Sequence[Sequence[int]], starts: Sequence[int], *, target: int) -> list[SharedTail]:
    """Choose which scopes end in a shared tail, and where, so the scopes need the fewest windows in all.

    Each scope packs its own buckets into windows of at most ``target`` expected rows; its last window
    is usually partly empty. A group of scopes can instead stop at a common bucket ``T`` and fetch
    ``[T, last]`` of all of them in one call (their facets merged, see :func:`merge_scopes`), when
    the tails' expected rows together stay within ``target``: the same room for estimate errors as
    any other window. The search is exact over every grouping of the free scopes (at most
    :data:`MAX_SHARED_TAIL_SCOPES`) and every ``T``; a tail is only chosen when it saves a window,
    and among equal plans the one with fewer tails, then the later ``T``, wins.

    :param loads: per scope, the expected rows of each bucket of the request (all the same length).
    :param starts: per scope, the first bucket not yet released; a scope at the end takes no part.
    :param target: rows a window (tails included) should stay under.
    """
    total = len(loads[0]) if loads else 0
    free = [index for index, start in enumerate(starts) if start < total]
    if not 2 <= len(free) <= MAX_SHARED_TAIL_SCOPES:
        return []
    counts = [_prefix_windows(loads[index], starts[index], target) for index in free]
    suffixes = [list(itertools.accumulate(reversed(loads[index]), initial=0))[::-1] for index in free]
    groups: dict[int, tuple[int, int]] = {}  # member mask -> (windows with the tail, tail start)
    for mask in range(1, 1 << len(free)):
        members = [bit for bit in range(len(free)) if mask >> bit & 1]
        if len(members) < 2:
            continue
        best: tuple[int, int] | None = None
        for cut in range(total - 1, max(starts[free[bit]] for bit in members) - 1, -1):
            if sum(suffixes[bit][cut] for bit in members) > target:
                break  # earlier cuts only add rows to the tail
            windows = 1 + sum(counts[bit][cut] for bit in members)
            if best is None or windows < best[0]:
                best = (windows, cut)
        if best is not None:
            groups[mask] = best
    plan = _best_grouping(len(free), [count[total] for count in counts], groups)
    return [
        SharedTail(tuple(free[bit] for bit in range(len(free)) if mask >> bit & 1), groups[mask][1])
        for mask in plan
    ]


def _prefix_windows(loads: Sequence[int], start: int, target: int) -> list[int]:
    """Windows of the greedy (= balanced, :func:`plan_windows`) packing of ``loads[start:T]``, for each ``T``."""
    counts = [0] * (len(loads) + 1)
    windows, load = 0, 0
    for index in range(start, len(loads)):
        rows = loads[index]
        if windows == 0 or load + rows > target:
            windows, load = windows + 1, 0
        load += rows
        counts[index + 1] = windows
    return counts


def _best_grouping(size: int, own: Sequence[int], groups: Mapping[int, tuple[int, int]]) -> list[int]:
    """Split ``size`` scopes into singles (``own`` windows) and tail groups: fewest windows, then fewest tails."""
    best: list[tuple[int, int, tuple[int, ...]]] = [(0, 0, ())]
    for mask in range(1, 1 << size):
        low = mask & -mask
        rest = best[mask ^ low]
        options = [(rest[0] + own[low.bit_length() - 1], rest[1], rest[2])]
        sub = mask
        while sub:
            if sub & low and sub in groups:
                other = best[mask ^ sub]
                options.append((other[0] + groups[sub][0], other[1] + 1, (*other[2], sub)))
            sub = (sub - 1) & mask
        best.append(min(options, key=lambda option: (option[0], option[1])))
    return sorted(best[-1][2])


class Calibration:
    """Rows per bucket learnt from the answers: the probe's bound scaled to what the calls returned.

    The probe bounds a day's rows by the pivot values seen in its month, which over-estimates by
    1.2-2x; once answers arrive, each scope's bound is scaled by the observed ratio (rows returned
    over bound: the larger of the running total's and the latest answer's, as activity drifts; the
    largest over the field chunks, as chunks may omit different rows), raised by
    :data:`CALIBRATION_MARGIN` and never above the bound itself.

    .. code-block:: python

        calibration = Calibration(scopes=2)
        calibration.observe(0, chunk=0, rows=9_000, bound=13_500)
        calibration.scale(0, 1_000)  # 680 (1,000 x 2/3 x 1.02)
    """

    def __init__(self, scopes: int, *, margin: float = CALIBRATION_MARGIN, minimum_rows: int = 100) -> None:
        # Per scope and chunk: [rows, bound] summed over the answers, and the latest answer's ratio.
        self._seen: list[dict[int, list[float]]] = [{} for _ in range(scopes)]
        self._margin = margin
        self._minimum = minimum_rows
        # Each scope's ratio, worked out once per answer: a re-plan asks for it for every bucket of
        # every scope, and a scope without its own looks at all the others (quadratic in scopes).
        self._ratios: list[float | None] | None = None

    def observe(self, scope: int, *, chunk: int, rows: int, bound: int) -> None:
        """Record one uncapped answer of initial scope ``scope`` whose buckets had ``bound`` rows by the probe."""
        totals = self._seen[scope].setdefault(chunk, [0, 0, 0.0])
        totals[0] += rows
        totals[1] += bound
        if bound and rows >= self._minimum:
            totals[2] = rows / bound  # activity drifts: the latest answer may say more than the average
        self._ratios = None

    def ratio(self, scope: int) -> float | None:
        """Observed rows over bound for ``scope`` (else the largest other scope's); ``None`` before enough rows."""
        return self._all_ratios()[scope]

    @property
    def calibrated(self) -> bool:
        """Whether any scope has answered enough rows to scale the bounds."""
        return any(value is not None for value in self._all_ratios())

    def scale(self, scope: int, bound: int) -> int:
        """Return the rows expected in a bucket whose probe bound is ``bound``."""
        ratio = self.ratio(scope)
        if ratio is None:
            return bound
        return min(bound, math.ceil(bound * ratio * self._margin))

    def _all_ratios(self) -> list[float | None]:
        if self._ratios is None:
            own = [self._ratio(index) for index in range(len(self._seen))]
            largest = max((value for value in own if value is not None), default=None)
            self._ratios = [largest if value is None else value for value in own]
        return self._ratios

    def _ratio(self, scope: int) -> float | None:
        ratios = [
            max(rows / bound, latest)
            for rows, bound, latest in self._seen[scope].values()
            if bound and rows >= self._minimum
        ]
        return max(ratios) if ratios else None


def split_window(
    window: DateRange, granularity: TimeGranularity | None
) -> tuple[DateRange, DateRange] | None:
    """Halve ``window`` on a bucket boundary of the granularity; ``None`` for a single bucket.

    ``ALL`` and attributedRevenueMetrics windows never split: their rows are aggregates of the whole
    window, and smaller windows would give different (non-additive) values.
    """
    if granularity in (None, TimeGranularity.ALL):
        return None
    units = buckets(window, granularity)
    if len(units) < 2:
        return None
    middle = len(units) // 2
    return DateRange(window.start, units[middle - 1].end), DateRange(units[middle].start, window.end)


# ── query parameters ────────────────────────────────────────────────────────────────────────────


def call_params(
    request: ReportRequest,
    fields: Sequence[str],
    window: DateRange,
    scope: Scope,
    *,
    granularity: TimeGranularity | None = None,
) -> list[tuple[str, Value | None]]:
    """Return the query parameters (after ``q``) of one call: pivots, granularity, range, facets, fields.

    :param fields: the ``fields`` projection.
    :param granularity: overrides the request's granularity (probes).
    """
    params: list[tuple[str, Value | None]] = []
    if request.finder is Finder.ANALYTICS:
        params.append(("pivot", request.pivots[0]))
    else:
        params.append(("pivots", list(request.pivots)))
    if request.finder.has_time_granularity:
        params.append(("timeGranularity", granularity or request.time_granularity))
    params.append(("dateRange", window.to_restli()))
    params.extend((name, list(values)) for name, values in scope.facets)
    params.append(("campaignType", request.campaign_type))
    params.append(("objectiveType", request.objective_type))
    params.append(("fields", list(fields)))
    return params


def probe_params(request: ReportRequest, window: DateRange, scope: Scope) -> list[tuple[str, Value | None]]:
    """Return a row-count probe: the request's query per month (or year) with only the structural fields."""
    return call_params(
        request, STRUCTURAL_FIELDS, window, scope, granularity=probe_granularity(request.time_granularity)
    )


def discovery_params(
    request: ReportRequest, discovery: Discovery, window: DateRange, scope: Scope
) -> list[tuple[str, Value | None]]:
    """Return an entity discovery: ``q=analytics`` by the child pivot over the window, structural fields only."""
    params: list[tuple[str, Value | None]] = [
        ("pivot", discovery.pivot),
        ("timeGranularity", TimeGranularity.ALL),
        ("dateRange", window.to_restli()),
    ]
    params.extend((name, list(values)) for name, values in scope.facets)
    params.append(("campaignType", request.campaign_type))
    params.append(("objectiveType", request.objective_type))
    params.append(("fields", list(STRUCTURAL_FIELDS)))
    return params
