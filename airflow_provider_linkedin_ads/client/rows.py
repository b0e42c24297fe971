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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from airflow_provider_linkedin_ads.enums import Finder, TimeGranularity
from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.results import ColumnKind, ReportRow, RowValue, report_columns

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.client.planning import FieldChunk
    from airflow_provider_linkedin_ads.models import DateRange, ReportRequest

__all__ = ["ChunkJoin", "ParsedAnswer", "RowKey", "parse_element", "parse_metric", "row_sort_key"]

#: Join key of a row: start day, end day (``None`` only if LinkedIn omitted them), pivot values.
RowKey: TypeAlias = tuple[dt.date | None, dt.date | None, tuple[str, ...]]
_REVENUE_FIELD = "revenueAttributionMetrics"
#: LinkedIn's ``long`` is a signed 64-bit integer; anything outside is not a count it sent.
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
#: Chunk metrics named in an error message before "...".
_NAMED_METRICS = 4
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

    A report answer holds thousands of elements of the same shape, so it is read in one tight loop
    and checked in bulk: what depends only on the chunk (which metrics are longs, decimals, doubles)
    is decided once, dates repeat (one ``dt.date`` per distinct ``dateRange`` record, cached), each
    element's values are read in one ``map``, and the checks run once per answer in C (the types of
    every long, every pivot value; the 64-bit range; finiteness) instead of once per cell. The common
    wire types are accepted: ``int`` (or ``null``) for a long, a decimal string or JSON number for a
    BigDecimal, a JSON number for a double. When anything in the answer is irregular (a missing or
    odd ``dateRange``, a malformed ``pivotValues``, a value of another type, a failed check), the
    answer is read again element by element: each element through this loop alone, and one that is
    still irregular whole through :func:`parse_element`, which accepts or refuses it exactly as
    before, with the same first error.
    """

    def __init__(
        self,
        chunk: FieldChunk,
        kinds: Mapping[str, ColumnKind],
        pivot_count: int,
        *,
        revenue: bool,
        pivots: dict[tuple[str, ...], tuple[str, ...]] | None = None,
    ) -> None:
        # Pivot values already seen, to share one tuple (and its strings) among the rows of every day.
        self._pivots = {} if pivots is None else pivots
        self._metrics = [(name, kinds[name]) for name in chunk.metrics]
        self._names = chunk.metrics
        by_kind: dict[ColumnKind, list[int]] = {}
        for index, (_, kind) in enumerate(self._metrics):
            by_kind.setdefault(kind, []).append(index)
        self._longs = _picker(by_kind.pop(ColumnKind.LONG, []))
        self._decimals = by_kind.pop(ColumnKind.DECIMAL, [])
        self._doubles = by_kind.pop(ColumnKind.DOUBLE, [])
        self._fast = not by_kind  # a RAW (unknown) metric: every element through parse_element
        self._pivot_count = pivot_count
        self._revenue = revenue
        self._spans: dict[tuple[object, ...], tuple[dt.date, dt.date]] = {}

    def parse(self, elements: Iterable[Mapping[str, Any]]) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        items = elements if isinstance(elements, list) else list(elements)
        parsed = self._answer(items) if self._fast else None
        if parsed is not None:
            return parsed
        return [self._element(element) for element in items]

    def _element(self, element: Mapping[str, Any]) -> tuple[RowKey, tuple[RowValue, ...]]:
        parsed = self._answer([element]) if self._fast else None
        if parsed is not None:
            return parsed[0]
        return parse_element(element, self._metrics, pivot_count=self._pivot_count, revenue=self._revenue)

    def _answer(self, elements: list[Mapping[str, Any]]) -> list[tuple[RowKey, tuple[RowValue, ...]]] | None:
        """Parse regular ``elements``; ``None`` when one of them is not (the caller goes element by element)."""
        names, spans, pivot_count, longs_of = self._names, self._spans, self._pivot_count, self._longs
        revenue, canonical = self._revenue, self._pivots
        if len(canonical) > _PIVOT_CACHE:  # bounded: a report with more distinct values starts over
            canonical.clear()
        parsed: list[tuple[RowKey, tuple[RowValue, ...]]] = []
        longs: list[object] = []
        pivots: list[list[object]] = []
        # Per converted column: its index, its type, the values as sent and as converted (checked below).
        conversions: list[tuple[int, Callable[[Any], Any], list[object], list[Any]]]
        conversions = [(index, Decimal, [], []) for index in self._decimals]
        conversions += [(index, float, [], []) for index in self._doubles]
        try:
            for element in elements:
                source = element[_REVENUE_FIELD] if revenue else element
                span = element["dateRange"]
                first, last = span["start"], span["end"]
                record = (
                    first["year"],
                    first["month"],
                    first["day"],
                    last["year"],
                    last["month"],
                    last["day"],
                )
                dates = spans.get(record)
                if dates is None:  # equal (hashable) records give equal dates, so the cache is exact
                    dates = spans[record] = (_checked_day(first), _checked_day(last))
                values = element["pivotValues"]
                if type(source) is not dict or type(values) is not list or len(values) != pivot_count:
                    return None
                pivots.append(values)
                row = list(map(source.get, names))
                longs.extend(longs_of(row))
                for index, convert, sent, converted in conversions:
                    value = row[index]
                    if value is not None:
                        sent.append(value)
                        row[index] = number = convert(value)
                        converted.append(number)
                key = tuple(values)
                parsed.append(((*dates, canonical.setdefault(key, key)), tuple(row)))
        except (LookupError, TypeError, ValueError, ArithmeticError, RestliError):
            return None  # KeyError, unhashable or odd records, invalid dates and numbers: decided slowly
        regular = (
            _fit_longs(longs)
            and set(map(type, chain.from_iterable(pivots))) <= _STRING
            and all(_converted(*conversion) for conversion in conversions)
        )
        return parsed if regular else None


def _converted(index: int, convert: Callable[[Any], Any], sent: list[object], converted: list[Any]) -> bool:
    """Tell whether a column's values had a wire type of its kind and converted to finite numbers."""
    if convert is Decimal:  # a decimal string, an integer, or a JSON fraction (decode_json's Decimal)
        return set(map(type, sent)) <= _DECIMAL_WIRE and all(map(Decimal.is_finite, converted))
    return set(map(type, sent)) <= _DOUBLE_WIRE and all(map(math.isfinite, converted))


_STRING = {str}
#: Distinct pivot value tuples shared by the rows of one report before the cache starts over (~200 B each).
_PIVOT_CACHE = 200_000
_DECIMAL_WIRE: set[type] = {str, int, Decimal}
_DOUBLE_WIRE: set[type] = {Decimal, float, int}
_LONG_TYPES = {int, type(None)}


def _fit_longs(values: list[object]) -> bool:
    """Tell whether every value is ``None`` or an ``int`` (not a ``bool``) within 64 bits, in C."""
    if not set(map(type, values)) <= _LONG_TYPES:
        return False
    numbers: list[int] = list(filter(None, values))  # type: ignore[arg-type]
    return not numbers or (min(numbers) >= _LONG_MIN and max(numbers) <= _LONG_MAX)


def _checked_day(record: object) -> dt.date:
    day = _day(record)
    if day is None:
        raise TypeError("not a date record")
    return day


def _picker(indexes: list[int]) -> Callable[[list[RowValue]], tuple[RowValue, ...]]:
    """Return a function that picks ``indexes`` from a list as a tuple (``itemgetter``, in C)."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda values: tuple(values[index] for index in indexes)


_KEY_OF, _VALUES_OF = operator.itemgetter(0), operator.itemgetter(1)
_SPAN_OF, _PIVOTS_OF_KEY = operator.itemgetter(0, 1), operator.itemgetter(2)


class ParsedAnswer:
    """One answer as :meth:`ChunkJoin.read` parsed it: its rows, its element count, or its error.

    :param parsed: the checked rows (empty when ``error`` is set).
    :param elements: how many elements the answer held (what the row cap and the budget count).
    :param error: the answer's first malformed row, raised by :meth:`rows`.

    .. code-block:: python

        answer = join.read(chunk, batches, window=window)
        capped = answer.elements >= 15_000
        rows = answer.rows()  # raises the RestliError of a malformed answer
    """

    __slots__ = ("elements", "error", "parsed")

    def __init__(
        self,
        parsed: list[tuple[RowKey, tuple[RowValue, ...]]],
        elements: int,
        error: RestliError | None = None,
    ) -> None:
        self.parsed = parsed
        self.elements = elements
        self.error = error

    def rows(self) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        """Return the parsed rows, or raise the answer's :class:`RestliError`."""
        if self.error is not None:
            raise self.error
        return self.parsed


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
        # A row's metric values in request order: a list filled chunk by chunk, or, when one chunk
        # holds every metric, that chunk's parsed tuple as it is (no copy, ~110 bytes less a row).
        self._rows: dict[RowKey, list[RowValue] | tuple[RowValue, ...]] = {}
        self._every_metric = list(range(len(request.metrics)))
        self._tuples = False  # whether some rows are still parsed tuples
        # The keys each merge wrote, by metric offsets (references only: read only after a truncation).
        self._parts: list[tuple[tuple[int, ...], list[RowKey]]] = []
        self._truncated: set[tuple[int, ...]] = set()
        self._notes: Counter[str] = Counter()
        self._notes_lock = threading.Lock()
        self._zeros: list[RowValue] = [_ZEROS.get(self._kinds[name]) for name in request.metrics]
        # Pivot value tuples of the rows parsed so far, shared by equal keys (a creative on every day):
        # the rows waiting to be written hold one tuple per distinct value, not one per row.
        self._pivots: dict[tuple[str, ...], tuple[str, ...]] = {}

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
        batch = elements if isinstance(elements, list) else list(elements)
        return self._read(chunk, [batch], window).rows()  # one batch: the same parse and checks as read()

    def read(
        self,
        chunk: FieldChunk,
        batches: Iterable[Sequence[Mapping[str, Any]]],
        *,
        window: DateRange | None = None,
    ) -> ParsedAnswer:
        """Parse one answer's elements batch by batch (see :func:`~.responses.read_elements`).

        The same rows, checks and first error as :meth:`parse` of all the elements, but each batch
        of decoded elements can be dropped once parsed. A :class:`RestliError` is kept in the result
        (raised by :meth:`ParsedAnswer.rows`), not raised here: every batch is still consumed, so a
        body cut after a bad row is told as cut, as when the whole body was decoded first.
        """
        return self._read(chunk, batches, window)

    def _read(
        self, chunk: FieldChunk, batches: Iterable[Sequence[Mapping[str, Any]]], window: DateRange | None
    ) -> ParsedAnswer:
        parser = _ElementParser(
            chunk, self._kinds, self._pivot_count, revenue=self._revenue, pivots=self._pivots
        )
        parsed: list[tuple[RowKey, tuple[RowValue, ...]]] = []
        count = 0
        error: RestliError | None = None
        for batch in batches:
            count += len(batch)
            if error is None:
                try:
                    parsed += parser.parse(batch)
                except RestliError as err:
                    error = RestliError(f"{_where(chunk, window)}: {err}", position=err.position)
        if error is None:
            try:
                parsed = self._checked(parsed, dated="dateRange" in chunk.fields, window=window)
            except RestliError as err:
                error = RestliError(f"{_where(chunk, window)}: {err}", position=err.position)
        return ParsedAnswer([] if error is not None else parsed, count, error)

    def _checked(
        self, parsed: list[tuple[RowKey, tuple[RowValue, ...]]], *, dated: bool, window: DateRange | None
    ) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        """Refuse keyless, conflicting and out-of-window rows; drop identical duplicates (counted).

        A regular answer (no duplicate, every row dated inside the window) is recognised in C and
        returned as it is; any other goes row by row (:meth:`_checked_rows`), first error first.
        """
        first, last = (window.start, window.end) if window is not None else (dt.date.min, dt.date.max)
        if _regular(parsed, first, last):
            return parsed
        return self._checked_rows(parsed, dated=dated, window=window)

    def _checked_rows(
        self, parsed: list[tuple[RowKey, tuple[RowValue, ...]]], *, dated: bool, window: DateRange | None
    ) -> list[tuple[RowKey, tuple[RowValue, ...]]]:
        """Check row by row for :meth:`_checked`: one dict operation per row, a copy only if one is dropped."""
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
        parsed = parsed if isinstance(parsed, list) else list(parsed)
        if set(map(len, map(_VALUES_OF, parsed))) - {len(offsets)}:  # as zip(strict=True): never shift
            raise ValueError(f"values for a chunk of {len(offsets)} metrics come in another number")
        if not complete:
            for offset in offsets:
                self._zeros[offset] = None
            self._truncated.add(tuple(offsets))
        self._parts.append((tuple(offsets), list(map(_KEY_OF, parsed))))
        if offsets == self._every_metric:  # the values are the whole row, in order
            self._rows.update(parsed)
            self._tuples = True
            return
        self._merge_part(offsets, parsed)

    def _merge_part(self, offsets: list[int], parsed: list[tuple[RowKey, tuple[RowValue, ...]]]) -> None:
        """Merge the values of some metrics into per-row lists (zeros where other chunks left a row out)."""
        if self._tuples:  # whole rows merged before (not what the engine does): lists from here on
            self._rows = {key: list(slots) for key, slots in self._rows.items()}
            self._tuples = False
        rows = cast("dict[RowKey, list[RowValue]]", self._rows)
        zeros = self._zeros
        first = offsets[0] if offsets else 0
        contiguous = offsets == list(range(first, first + len(offsets)))  # a slice, as chunk_metrics cuts
        if contiguous:
            span = slice(first, first + len(offsets))
            for key, values in parsed:
                slots = rows.get(key)
                if slots is None:
                    slots = rows[key] = zeros.copy()  # left out by the other chunks until they answer
                slots[span] = values  # one copy in C instead of a Python loop over the metrics
            return
        for key, values in parsed:
            slots = rows.get(key)
            if slots is None:
                slots = rows[key] = zeros.copy()
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
        names, absent = self._names, self._absent()
        for key, slots in sorted(self._rows.items(), key=self._sort_key()):
            if absent and key in absent:  # left out by a truncated answer: unknown, not zero
                slots = list(slots)
                for offset in absent[key]:
                    slots[offset] = None
            start, end, pivots = key
            yield dict(zip(names, (start, end, *pivots, *slots), strict=True))

    def _absent(self) -> dict[RowKey, list[int]]:
        """Return, per row, the metric offsets a truncated answer kept anyway did not answer for.

        A row starts with every metric at its zero (a chunk's answer leaves out the rows whose
        metrics are all zero), so only the metrics of a truncated chunk need a look: a row it lacks
        is unknown there, ``None``.
        """
        absent: dict[RowKey, list[int]] = {}
        for offsets in self._truncated:
            answered = {key for part, keys in self._parts if part == offsets for key in keys}
            for key in self._rows.keys() - answered:
                absent.setdefault(key, []).extend(offsets)
        return absent

    def _sort_key(self) -> Callable[[tuple[RowKey, Sequence[RowValue]]], tuple[Any, ...]]:
        """Return the sort key of :func:`row_sort_key`, each pivot value's natural key computed once.

        Pivot values repeat across days, so each distinct value gets the rank of its natural key
        (equal keys share a rank, so ties keep their order exactly as before) and rows compare
        dates and small integers instead of building tuples of tuples per row.
        """
        naturals = {
            value: _natural(value) for value in set(chain.from_iterable(map(_PIVOTS_OF_KEY, self._rows)))
        }
        ranks = {natural: rank for rank, natural in enumerate(sorted(set(naturals.values())))}
        rank = {value: ranks[natural] for value, natural in naturals.items()}
        least = dt.date.min

        def key(item: tuple[RowKey, Sequence[RowValue]]) -> tuple[Any, ...]:
            start, end, pivots = item[0]
            return (start or least, end or least, *[rank[value] for value in pivots])

        def single(item: tuple[RowKey, Sequence[RowValue]]) -> tuple[Any, ...]:  # one pivot: no list per row
            start, end, (value,) = item[0]
            return (start or least, end or least, rank[value])

        return single if self._pivot_count == 1 else key


def _regular(parsed: list[tuple[RowKey, tuple[RowValue, ...]]], first: dt.date, last: dt.date) -> bool:
    """Tell whether ``parsed`` holds no duplicate key and only dated rows within ``first..last``.

    Checked in C (a dict of the keys, a set of the distinct spans), so a regular answer costs no
    Python code per row; anything else is for :meth:`ChunkJoin._checked`'s row-by-row pass.
    """
    if len(dict(parsed)) != len(parsed):
        return False
    spans = set(map(_SPAN_OF, map(_KEY_OF, parsed)))
    return all(
        start is not None and end is not None and first <= start and end <= last for start, end in spans
    )


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
