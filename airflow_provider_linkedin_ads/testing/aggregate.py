"""Time buckets and the accumulation of creative-day facts into report rows.

Granularity rules (the response ``dateRange`` of each row):

* ``DAILY``: one bucket per day, ``start == end``;
* ``MONTHLY`` / ``YEARLY``: one bucket per calendar month / year, **clipped to the requested
  range** (a request for 15 Jan-10 Mar gives 15-31 Jan, 1-28 Feb, 1-10 Mar);
* ``ALL``: one bucket, the requested range, except that when its start or end lies outside the
  6-month daily-retention window (relative to the emulator's "today"), the range is rounded to
  month boundaries, as the Reporting page describes: start to the first of its month, end to the
  last of its month but not beyond today (and never before the requested end). The rounded range is
  what the rows cover and what their ``dateRange`` shows.

.. code-block:: python

    buckets = Buckets.make(TimeGranularity.MONTHLY, dt.date(2026, 1, 15), dt.date(2026, 3, 10))
    [str(item) for item in buckets.ranges]  # ['2026-01-15..2026-01-31', '2026-02-01..2026-02-28', ...]
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import operator
from typing import TYPE_CHECKING, Any, Protocol, cast

from airflow_provider_linkedin_ads.enums import TimeGranularity
from airflow_provider_linkedin_ads.models import DateRange

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from airflow_provider_linkedin_ads.testing.facts import FactProgram, Maturity

__all__ = ["DAILY_RETENTION_MONTHS", "Accumulated", "Buckets", "Splitter", "accumulate", "effective_range"]

#: Daily data older than this many months is only kept per month (``ALL`` rounds to months).
DAILY_RETENTION_MONTHS = 6

#: ``(bucket, pivot values)`` -> summed facts; and -> ``[family mask, largest audience]``.
Key = tuple[int, tuple[str, ...]]


class Splitter(Protocol):
    """A non-constant pivot: delivery split or demographic distribution."""

    def accepts(self, program: FactProgram) -> bool: ...

    def split(
        self, program: FactProgram, ordinal: int, h: int, facts: list[int]
    ) -> list[tuple[str, list[int]]]: ...


#: Per pivot, in pivot order: a constant value, or a splitter producing several.
Template = tuple[str | Splitter, ...]


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def effective_range(
    granularity: TimeGranularity | None, start: dt.date, end: dt.date, today: dt.date
) -> DateRange:
    """Return the range a query really covers (``ALL`` month rounding, see the module docstring).

    :param granularity: the query's time granularity.
    :param start: requested first day.
    :param end: requested last day.
    :param today: the emulator's current UTC day.
    """
    if granularity is not TimeGranularity.ALL:
        return DateRange(start, end)
    cutoff = _months_before(today, DAILY_RETENTION_MONTHS)
    if start >= cutoff and end >= cutoff:
        return DateRange(start, end)
    return DateRange(start.replace(day=1), max(end, min(_month_end(end), today)))


@dataclasses.dataclass(frozen=True)
class Buckets:
    """The time buckets of a query: a bucket number per day, and each bucket's range.

    :param first: ordinal of the first day.
    :param last: ordinal of the last day.
    :param index: bucket number of day ``first + offset``.
    :param ranges: each bucket's ``dateRange``.
    """

    first: int
    last: int
    index: Sequence[int]
    ranges: Sequence[DateRange]

    @classmethod
    def make(cls, granularity: TimeGranularity | None, start: dt.date, end: dt.date) -> Buckets:
        """Cut ``start..end`` into buckets (``None`` granularity: one bucket, like ``ALL``)."""
        first, last = start.toordinal(), end.toordinal()
        if granularity is TimeGranularity.DAILY:
            days = [dt.date.fromordinal(ordinal) for ordinal in range(first, last + 1)]
            return cls(first, last, range(len(days)), [DateRange(day, day) for day in days])
        if granularity in {TimeGranularity.MONTHLY, TimeGranularity.YEARLY}:
            return cls._calendar(granularity is TimeGranularity.MONTHLY, start, end)
        return cls(first, last, [0] * (last - first + 1), [DateRange(start, end)])

    @classmethod
    def _calendar(cls, monthly: bool, start: dt.date, end: dt.date) -> Buckets:
        index: list[int] = []
        ranges: list[DateRange] = []
        bucket_start = start
        while bucket_start <= end:
            natural_end = _month_end(bucket_start) if monthly else dt.date(bucket_start.year, 12, 31)
            bucket_end = min(natural_end, end)
            index.extend([len(ranges)] * ((bucket_end - bucket_start).days + 1))
            ranges.append(DateRange(bucket_start, bucket_end))
            bucket_start = bucket_end + dt.timedelta(days=1)
        return cls(start.toordinal(), end.toordinal(), index, ranges)


#: One accumulated row: ``[summed facts, family mask, largest campaign audience]``.
Entry = list[Any]


@dataclasses.dataclass
class Accumulated:
    """Summed facts per ``(bucket, pivot values)``, with what presence rules and ratios need."""

    rows: dict[Key, Entry] = dataclasses.field(default_factory=dict)

    def add(self, key: Key, facts: list[int], mask: int, audience: int) -> None:
        """Add one creative's facts to a row."""
        entry = self.rows.get(key)
        if entry is None:
            self.rows[key] = [facts, mask, audience]
            return
        entry[0] = list(map(operator.add, entry[0], facts))
        entry[1] |= mask
        if audience > entry[2]:
            entry[2] = audience


def _expand(
    template: Template, program: FactProgram, ordinal: int, h: int, facts: list[int]
) -> list[tuple[tuple[str, ...], list[int]]]:
    parts: list[tuple[tuple[str, ...], list[int]]] = [((), facts)]
    for item in template:
        if isinstance(item, str):
            parts = [((*values, item), part) for values, part in parts]
        else:
            parts = [
                ((*values, value), piece)
                for values, part in parts
                for value, piece in item.split(program, ordinal, h, part)
            ]
    return parts


def _constant(template: Template) -> tuple[str, ...] | None:
    values = tuple(item for item in template if isinstance(item, str))
    return values if len(values) == len(template) else None


def _by_bucket(program: FactProgram, buckets: Buckets, maturity: Maturity) -> dict[int, list[int]]:
    # One creative with constant pivot values: group its days per bucket locally (cheap int keys),
    # sum each group column-wise in C (zip/sum), then merge each bucket once into the shared rows.
    groups: dict[int, list[list[int]]] = {}
    first, index = buckets.first, buckets.index
    for ordinal, _h, facts in program.days(first, buckets.last, maturity):
        bucket = index[ordinal - first]
        group = groups.get(bucket)
        if group is None:
            groups[bucket] = [facts]
        else:
            group.append(facts)
    return {
        bucket: group[0] if len(group) == 1 else list(map(sum, zip(*group, strict=True)))
        for bucket, group in groups.items()
    }


def _add_pieces(
    rows: dict[Key, Entry], bucket: int, pieces: list[tuple[str, list[int]]], mask: int, audience: int
) -> None:
    # Accumulated.add inlined: demographic pivots add hundreds of thousands of pieces per query.
    add = operator.add
    for value, piece in pieces:
        key = (bucket, (value,))
        entry = rows.get(key)
        if entry is None:
            rows[key] = [piece, mask, audience]
            continue
        entry[0] = list(map(add, entry[0], piece))
        entry[1] |= mask
        if audience > entry[2]:
            entry[2] = audience


def accumulate(
    sources: Iterable[tuple[FactProgram, Template]], buckets: Buckets, maturity: Maturity
) -> Accumulated:
    """Sum every visible creative-day of ``sources`` into rows.

    :param sources: each creative's fact program and its pivot template (constant values and
        splitters, in pivot order).
    :param buckets: the query's time buckets.
    :param maturity: what the clock lets the query see.
    """
    result = Accumulated()
    add = result.add
    for program, template in sources:
        constant = _constant(template)
        mask, audience = program.mask, program.audience
        if constant is not None:
            for bucket, facts in _by_bucket(program, buckets, maturity).items():
                add((bucket, constant), facts, mask, audience)
            continue
        for ordinal, h, facts in program.days(buckets.first, buckets.last, maturity):
            bucket = buckets.index[ordinal - buckets.first]
            if len(template) == 1:  # the analytics finder's single split pivot: skip the generic expansion
                pieces = cast("Splitter", template[0]).split(program, ordinal, h, facts)
                _add_pieces(result.rows, bucket, pieces, mask, audience)
                continue
            for values, part in _expand(template, program, ordinal, h, facts):
                add((bucket, values), part, mask, audience)
    return result
