"""Response elements -> typed report rows, and the outer join of field chunks.

Each metric is parsed by its catalogue type, accepting both wire representations LinkedIn is seen
to send (``linkedin-api.md`` 5.1): BigDecimal as a JSON string *or* number -> :class:`~decimal.Decimal`
with sign and every digit kept; long as an integer (or an integral number/string) -> ``int``; double
-> ``float``. A metric LinkedIn left out of a row stays ``None``: absent is not zero.

Chunks are joined on the row key ``(start_date, end_date, pivot values)``, never by position, because
each chunk's response omits the rows whose requested metrics are all zero. So a row that one chunk's
answer holds and another chunk's answer left out has 0 for each metric of the second chunk (``0``,
``0.0`` or ``Decimal("0.0")`` by type): validation already rejected every metric that cannot apply
to the query, so a left-out row means zeros, not absent values. Metrics of unknown type stay absent,
and so do the chunk's metrics in a window whose answer was kept although truncated
(``on_truncation="warn"``): a row missing there is unknown, not zero.

An answer that would land a wrong file is refused with a :class:`RestliError` naming the window, the
chunk and the problem (:meth:`ChunkJoin.parse`):

.. code-block:: text

    element without dateRange (when requested)  -> error: two such rows would collapse into one
    pivotValues entry that is not a string      -> error: LinkedIn sends URNs as strings; a number,
                                                   object or list is no URN
    double metric NaN / Infinity                -> error (all formats): a wrong number is worse than none
    long metric beyond 64 bits (1e400)          -> error
    two rows, same key, different values        -> error; identical duplicates are dropped (a warning)
    row dated outside the requested window      -> error for DAILY; for MONTHLY / YEARLY buckets and
                                                   ALL (or no granularity) LinkedIn may widen the range
                                                   to its month or year boundaries (linkedin-api.md 1, 6):
                                                   kept, and counted in the summary's warnings

.. code-block:: python

    join = ChunkJoin(request)
    join.add(chunk, [element, ...])
    rows = join.rows()  # sorted by (start_date, end_date, pivot values)
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import operator
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeAlias

from airflow_provider_linkedin_ads.enums import Finder, TimeGranularity
from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.results import ColumnKind, ReportRow, RowValue, report_columns

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.client.planning import FieldChunk
    from airflow_provider_linkedin_ads.models import DateRange, ReportRequest

__all__ = ["ChunkJoin", "RowKey", "parse_element", "parse_metric", "row_sort_key"]

#: Join key of a row: start day, end day (``None`` only if LinkedIn omitted them), pivot values.
RowKey: TypeAlias = tuple[dt.date | None, dt.date | None, tuple[str, ...]]
_REVENUE_FIELD = "revenueAttributionMetrics"
#: LinkedIn's ``long`` is a signed 64-bit integer; anything outside is not a count it sent.
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
#: Chunk metrics named in an error message before "...".
_NAMED_METRICS = 4
#: Placeholder of a metric whose chunk has not answered for the row (see :meth:`ChunkJoin.rows`).
_LEFT_OUT: Any = object()
#: What a metric is when its chunk's answer left the row out (all requested metrics zero).
_ZEROS: Mapping[ColumnKind, RowValue] = {
    ColumnKind.LONG: 0,
    ColumnKind.DOUBLE: 0.0,
    ColumnKind.DECIMAL: Decimal("0.0"),
}


def parse_metric(value: object, kind: ColumnKind, name: str) -> RowValue:
    """Parse one metric value by its catalogue type; ``None`` stays ``None``.

    :param value: the JSON value (str, int, float, or Decimal when the JSON was parsed that way).
    :param kind: the column type; ``RAW`` (unknown metrics) passes numbers and strings through.
    :param name: the metric, for the error message.
    :raises RestliError: for a value that does not fit the type (e.g. a fraction for a long).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise RestliError(f"metric {name!r}: expected a number, got the boolean {value!r}")
    parser = _PARSERS.get(kind, _raw)
    try:
        return parser(value)
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        raise RestliError(f"metric {name!r}: {_preview(value)} is not a valid {kind} value") from None


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest repr is the JSON text for up to 17 digits
    elif isinstance(value, str):
        number = Decimal(value.strip())
    else:
        raise TypeError(type(value).__name__)
    if not number.is_finite():
        raise ValueError("not finite")
    return number


def _long(value: object) -> int:
    if isinstance(value, int):
        number: int | Decimal = value
    else:
        number = _decimal(value)
        if number != number.to_integral_value():
            raise ValueError("not an integer")
    if not _LONG_MIN <= number <= _LONG_MAX:  # 1e400 must not become a 401-digit count
        raise ValueError("outside the 64-bit range")
    return int(number)


def _double(value: object) -> float:
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        number = float(value.strip())
    else:
        raise TypeError(type(value).__name__)
    if not math.isfinite(number):  # NaN / Infinity (Python's json accepts them) or an overflow
        raise ValueError("not finite")
    return number


def _raw(value: object) -> RowValue:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not finite")
    if isinstance(value, str | int | float | Decimal):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


_PARSERS: Mapping[ColumnKind, Callable[[object], RowValue]] = {
    ColumnKind.DECIMAL: _decimal,
    ColumnKind.LONG: _long,
    ColumnKind.DOUBLE: _double,
}


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def parse_key(element: Mapping[str, Any], pivot_count: int) -> RowKey:
    """Read the join key of one element: its ``dateRange`` and ``pivotValues``.

    :raises RestliError: when ``pivotValues`` does not hold one string per pivot (LinkedIn sends URNs
        as strings; a number, object or list would be written as Python text, so it is refused).
    """
    span = element.get("dateRange")
    start = _day(span.get("start")) if isinstance(span, Mapping) else None
    end = _day(span.get("end")) if isinstance(span, Mapping) else None
    values = element.get("pivotValues")
    if not isinstance(values, list) or len(values) != pivot_count:
        raise RestliError(f"row has pivotValues {_preview(values)}; expected {pivot_count} value(s)")
    for value in values:
        if not isinstance(value, str):
            raise RestliError(f"row has a pivotValues entry {_preview(value)} that is not a string (URN)")
    return start, end, tuple(values)


def _day(record: object) -> dt.date | None:
    if not isinstance(record, Mapping):
        return None
    try:
        return dt.date(int(record["year"]), int(record["month"]), int(record["day"]))
    except (KeyError, TypeError, ValueError):
        raise RestliError(f"dateRange holds an invalid date {_preview(record)}") from None


def parse_element(
    element: Mapping[str, Any], metrics: Iterable[tuple[str, ColumnKind]], *, pivot_count: int, revenue: bool
) -> tuple[RowKey, tuple[RowValue, ...]]:
    """Parse one response element into its key and the chunk's metric values (request order).

    :param metrics: ``(name, kind)`` of the chunk's metrics.
    :param revenue: read the metrics from the nested ``revenueAttributionMetrics`` record.
    """
    source: Any = element.get(_REVENUE_FIELD) if revenue else element
    if not isinstance(source, Mapping):
        source = {}
    values = tuple(parse_metric(source.get(name), kind, name) for name, kind in metrics)
    return parse_key(element, pivot_count), values


def row_sort_key(key: RowKey) -> tuple[Any, ...]:
    """Deterministic order of rows: dates, then pivot values with numeric ids compared as numbers."""
    start, end, pivots = key
    return (start or dt.date.min, end or dt.date.min, tuple(_natural(value) for value in pivots))


def _natural(value: str) -> tuple[str, int, int, str]:
    head, _, tail = value.rpartition(":")
    if tail.isascii() and tail.isdigit():
        return head, 0, int(tail), ""
    return head, 1, 0, tail


class _ElementParser:
    """The fast path of :func:`parse_element` for one answer: the same values, errors and checks.

    A report answer holds thousands of elements of the same shape, so what depends only on the chunk
    (which metrics are longs, which need a conversion) is decided once, dates repeat (one ``dt.date``
    per distinct ``dateRange`` record, cached), and the common wire types are checked inline: ``int``
    (or ``null``) for a long, a decimal string for a BigDecimal, a JSON fraction for a double. An
    element with anything else (a missing or odd ``dateRange``, a malformed ``pivotValues``, a value
    of another type) goes whole through :func:`parse_element`, which accepts or refuses it exactly as
    before, with the same first error.
    """

    def __init__(
        self, chunk: FieldChunk, kinds: Mapping[str, ColumnKind], pivot_count: int, *, revenue: bool
    ) -> None:
        self._metrics = [(name, kinds[name]) for name in chunk.metrics]
        self._names = chunk.metrics
        self._longs = _picker(
            [index for index, (_, kind) in enumerate(self._metrics) if kind is ColumnKind.LONG]
        )
        self._converted = [
            (index, _FAST_PARSERS.get(kind, _not_fast))
            for index, (_, kind) in enumerate(self._metrics)
            if kind is not ColumnKind.LONG
        ]
        self._pivot_count = pivot_count
        self._revenue = revenue
        self._spans: dict[tuple[object, ...], tuple[dt.date | None, dt.date | None]] = {}

    def parse(self, elements: Iterable[Mapping[str, Any]]) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        return [self._element(element) for element in elements]

    def _element(self, element: Mapping[str, Any]) -> tuple[RowKey, tuple[RowValue, ...]]:
        source: Any = element.get(_REVENUE_FIELD) if self._revenue else element
        key = self._key(element) if type(source) is dict else None
        if key is None:
            return self._slow(element)
        values = list(map(source.get, self._names))
        for value in self._longs(values):  # inline: most metrics are counts, a call each would dominate
            if type(value) is not int:
                if value is not None:
                    return self._slow(element)
            elif not _LONG_MIN <= value <= _LONG_MAX:
                return self._slow(element)
        try:
            for index, parser in self._converted:
                value = values[index]
                if value is not None:
                    values[index] = parser(value)
        except _NotFast:
            return self._slow(element)
        return key, tuple(values)

    def _key(self, element: Mapping[str, Any]) -> RowKey | None:
        """Return the row key of a regular element (``None``: let :func:`parse_key` decide)."""
        span = element.get("dateRange")
        values = element.get("pivotValues")
        if type(span) is not dict or type(values) is not list or len(values) != self._pivot_count:
            return None
        for value in values:
            if type(value) is not str:
                return None
        first, last = span.get("start"), span.get("end")
        if type(first) is not dict or type(last) is not dict:
            return None
        try:
            record = (first["year"], first["month"], first["day"], last["year"], last["month"], last["day"])
            dates = self._spans.get(record)
        except (KeyError, TypeError):  # a field missing or unhashable: the slow path names it
            return None
        if dates is None:
            try:
                dates = _day(first), _day(last)
            except RestliError:  # the slow path raises it, after the metrics' errors as before
                return None
            # Equal (hashable) values give equal dates, so the cache is exact.
            self._spans[record] = dates
        return dates[0], dates[1], tuple(values)

    def _slow(self, element: Mapping[str, Any]) -> tuple[RowKey, tuple[RowValue, ...]]:
        return parse_element(element, self._metrics, pivot_count=self._pivot_count, revenue=self._revenue)


def _picker(indexes: list[int]) -> Callable[[list[RowValue]], tuple[RowValue, ...]]:
    """Return a function that picks ``indexes`` from a list as a tuple (``itemgetter``, in C)."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda values: tuple(values[index] for index in indexes)


class _NotFast(Exception):
    """A value the fast parsers leave to :func:`parse_metric` (which accepts or refuses it)."""


def _not_fast(value: object) -> RowValue:
    raise _NotFast


def _fast_decimal(value: object) -> RowValue:
    if type(value) is str:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise _NotFast from None
        if number.is_finite():
            return number
    raise _NotFast


def _fast_double(value: object) -> RowValue:
    if type(value) is Decimal or type(value) is float:  # decode_json reads a fraction as Decimal
        number = float(value)
        if math.isfinite(number):
            return number
    raise _NotFast


_FAST_PARSERS: Mapping[ColumnKind, Callable[[object], RowValue]] = {
    ColumnKind.DECIMAL: _fast_decimal,
    ColumnKind.DOUBLE: _fast_double,
}


class ChunkJoin:
    """Outer join of the field chunks of one planning window, keyed by :data:`RowKey`.

    The engine's calls for one chunk cover disjoint windows or disjoint facet values, so no key is
    written twice for the same chunk and the result never depends on the order parts arrive in.

    :param request: the report request (columns, pivots, finder).

    .. code-block:: python

        join = ChunkJoin(request)
        join.add(chunk, elements)
        for row in join.rows():
            ...
    """

    def __init__(self, request: ReportRequest) -> None:
        columns = report_columns(request)
        self._names = tuple(column.name for column in columns)
        self._kinds = {column.name: column.kind for column in columns}
        self._offset = {name: index for index, name in enumerate(request.metrics)}
        self._metric_count = len(request.metrics)
        self._pivot_count = len(request.pivots)
        self._revenue = request.finder is Finder.ATTRIBUTED_REVENUE
        self._granularity = request.time_granularity
        self._rows: dict[RowKey, list[RowValue]] = {}
        self._notes: Counter[str] = Counter()
        self._notes_lock = threading.Lock()
        self._zeros: list[RowValue] = [_ZEROS.get(self._kinds[name]) for name in request.metrics]

    def __len__(self) -> int:
        return len(self._rows)

    def parse(
        self, chunk: FieldChunk, elements: Iterable[Mapping[str, Any]], *, window: DateRange | None = None
    ) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        """Parse and check one answer's elements (thread-safe: only the warning counts are shared).

        :param chunk: the field chunk the answer is for.
        :param elements: the answer's ``elements``.
        :param window: the call's date range; rows dated outside it are checked (see module docstring).
        :raises RestliError: for a malformed row, naming the window, the chunk and the problem.
        """
        try:
            parsed = _ElementParser(chunk, self._kinds, self._pivot_count, revenue=self._revenue).parse(
                elements
            )
            return self._checked(parsed, dated="dateRange" in chunk.fields, window=window)
        except RestliError as err:
            raise RestliError(f"{_where(chunk, window)}: {err}", position=err.position) from None

    def _checked(
        self, parsed: list[tuple[RowKey, tuple[RowValue, ...]]], *, dated: bool, window: DateRange | None
    ) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        """Refuse keyless, conflicting and out-of-window rows; drop identical duplicates (counted).

        One pass, one dict operation per row; the list is returned as it is unless a duplicate was
        dropped, so a regular answer costs no copy.
        """
        first, last = (window.start, window.end) if window is not None else (dt.date.min, dt.date.max)
        widened = _widened(window, self._granularity) if window is not None else None
        seen: dict[RowKey, tuple[RowValue, ...]] = {}
        dropped: set[int] = set()
        outside = 0
        for index, (key, values) in enumerate(parsed):
            start, end, pivots = key
            beyond = False
            if start is None or end is None:
                if dated:
                    raise RestliError("an element has no dateRange although dateRange was requested")
            elif start < first or end > last:
                if widened is None or start < widened[0] or end > widened[1]:
                    raise RestliError(f"a row is dated {start}..{end}, outside the requested window")
                beyond = True
            size = len(seen)
            previous = seen.setdefault(key, values)
            if len(seen) == size:  # the key was already there: a duplicate
                if previous != values:
                    raise RestliError(
                        f"two rows for {start}..{end} {', '.join(pivots)} carry different values"
                    )
                dropped.add(index)
            elif beyond:  # counted for the rows kept, not again for a dropped duplicate
                outside += 1
        self._note(outside, len(dropped))
        if not dropped:
            return parsed
        return [item for index, item in enumerate(parsed) if index not in dropped]

    def _note(self, outside: int, duplicates: int) -> None:
        if not (outside or duplicates):
            return
        with self._notes_lock:
            if outside:
                self._notes[
                    "row(s) dated beyond the requested window (LinkedIn's month/year rounding; kept)"
                ] += outside
            if duplicates:
                self._notes["identical duplicate row(s) in one answer (dropped)"] += duplicates

    def warnings(self) -> tuple[str, ...]:
        """Return the tolerated irregularities seen so far, counted, for the summary's ``warnings``."""
        with self._notes_lock:
            return tuple(f"{count} {text}" for text, count in sorted(self._notes.items()))

    def merge(
        self,
        chunk: FieldChunk,
        parsed: Iterable[tuple[RowKey, tuple[RowValue, ...]]],
        *,
        complete: bool = True,
    ) -> None:
        """Merge parsed rows of ``chunk`` into the join (a later part wins on a duplicate key).

        :param complete: ``False`` for a truncated answer kept anyway: rows it lacks stay absent.
        """
        offsets = [self._offset[name] for name in chunk.metrics]
        if not complete:
            for offset in offsets:
                self._zeros[offset] = None
        first = offsets[0] if offsets else 0
        if offsets == list(
            range(first, first + len(offsets))
        ):  # a slice of the metrics, as chunk_metrics cuts
            span = slice(first, first + len(offsets))
            for key, values in parsed:
                slots = self._rows.get(key)
                if slots is None:
                    slots = self._rows[key] = [_LEFT_OUT] * self._metric_count
                if len(values) != len(offsets):  # as zip(strict=True) below: never shift the columns
                    raise ValueError(f"{len(values)} values for a chunk of {len(offsets)} metrics")
                slots[span] = values  # one copy in C instead of a Python loop over the metrics
            return
        for key, values in parsed:
            slots = self._rows.get(key)
            if slots is None:
                slots = self._rows[key] = [_LEFT_OUT] * self._metric_count
            for offset, value in zip(offsets, values, strict=True):
                slots[offset] = value

    def add(
        self, chunk: FieldChunk, elements: Iterable[Mapping[str, Any]], *, window: DateRange | None = None
    ) -> None:
        """Parse, check and merge ``elements`` of ``chunk``."""
        self.merge(chunk, self.parse(chunk, elements, window=window))

    def rows(self) -> Iterator[ReportRow]:
        """Yield every joined row, every column present, sorted by :func:`row_sort_key`.

        Rows are built one at a time, so only the compact joined values stay in memory.
        """
        zeros = self._zeros
        for (start, end, pivots), slots in sorted(self._rows.items(), key=self._sort_key()):
            if _LEFT_OUT in slots:  # a chunk's answer left the row out: its metrics were all zero
                slots = [zeros[index] if value is _LEFT_OUT else value for index, value in enumerate(slots)]
            yield dict(zip(self._names, (start, end, *pivots, *slots), strict=True))

    def _sort_key(self) -> Callable[[tuple[RowKey, list[RowValue]]], tuple[Any, ...]]:
        """Return the sort key of :func:`row_sort_key`, each pivot value's natural key computed once.

        Pivot values repeat across days, so each distinct value gets the rank of its natural key
        (equal keys share a rank, so ties keep their order exactly as before) and rows compare
        dates and small integers instead of building tuples of tuples per row.
        """
        naturals = {value: _natural(value) for _, _, pivots in self._rows for value in pivots}
        ranks = {natural: rank for rank, natural in enumerate(sorted(set(naturals.values())))}
        rank = {value: ranks[natural] for value, natural in naturals.items()}
        least = dt.date.min

        def key(item: tuple[RowKey, list[RowValue]]) -> tuple[Any, ...]:
            start, end, pivots = item[0]
            return (start or least, end or least, *[rank[value] for value in pivots])

        return key


def _where(chunk: FieldChunk, window: DateRange | None) -> str:
    """Name an answer in an error: its window and its chunk's first metrics."""
    names = list(chunk.metrics[:_NAMED_METRICS])
    if len(chunk.metrics) > _NAMED_METRICS:
        names.append(f"... ({len(chunk.metrics)} metrics)")
    span = (
        f"{window.start.isoformat()}..{window.end.isoformat()}" if window is not None else "an unknown window"
    )
    return f"adAnalytics answer for {span}, chunk [{', '.join(names)}]"


def _widened(window: DateRange, granularity: TimeGranularity | None) -> tuple[dt.date, dt.date] | None:
    """Return the widest range LinkedIn is documented to send rows for; ``None`` for DAILY (the window)."""
    if granularity is TimeGranularity.DAILY:
        return None
    if granularity is TimeGranularity.YEARLY:
        return dt.date(window.start.year, 1, 1), dt.date(window.end.year, 12, 31)
    last = calendar.monthrange(window.end.year, window.end.month)[1]
    return window.start.replace(day=1), window.end.replace(day=last)  # MONTHLY, ALL, none
