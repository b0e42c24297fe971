"""Daily facts per creative: the ground truth every report is aggregated from.

A creative's facts for a day are a pure function of the world seed, the creative (its id, format,
campaign and account currency) and the day, computed on demand from one 64-bit hash per
creative-day: nothing is stored, so a world of any size costs nothing until it is queried. Only the
columns a query needs (the requested metrics and the columns they are derived from) are computed.

Sparse by construction: a creative delivers only between its campaign's start and end, and about
one day in ten it does not deliver at all; such days produce no facts.

The emulator's clock (``now``) hides what LinkedIn would not have reported yet (:class:`Maturity`):
nothing for days after today, the elapsed fraction of today, lower ``videoWatchTime`` until 48 h
after a day ends, and (used by the demographic splitter) no demographic values until 12 h after a
day ends, lower values until 24 h.

.. code-block:: python

    plan = column_plan(frozenset({"impressions", "costInUsd"}))
    program = FactProgram.build(seed=7, creative=creative, campaign=campaign, currency="EUR", plan=plan)
    for ordinal, _hash, values in program.days(first, last, Maturity.at(now)):
        values[plan.index["costInUsd"]]  # micro-dollars, an int
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from types import MappingProxyType
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.testing.hashing import (
    GOLDEN,
    MASK64,
    hash_ints,
    hash_text,
    mix64,
    unit,
    unit_range,
)
from airflow_provider_linkedin_ads.testing.recipes import (
    COLUMN_INDEX,
    COLUMNS,
    DERIVED,
    KIND_FAMILIES,
    Family,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from airflow_provider_linkedin_ads.testing.entities import Campaign, Creative

__all__ = ["FX_TO_USD", "ColumnPlan", "FactProgram", "Maturity", "column_plan"]

#: USD value of one unit of each account currency (``costInUsd`` = local cost x rate, per day).
FX_TO_USD: Mapping[str, float] = MappingProxyType(
    {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73, "AUD": 0.66, "CHF": 1.13, "SGD": 0.74, "INR": 0.012}
)

_DAY_SECONDS = 86_400
_FULL = (1, 1)
_RATE, _SUM, _TAIL = 0, 1, 2
#: Fixed-point precision of per-creative rates (16 fractional bits; jitter supplies the rounding).
_SHIFT = 16
#: A creative skips about 10 % of the days its campaign runs (h & 0xFF below this).
_IDLE_THRESHOLD = 26
#: Weekday weights x256, Monday first: weekends deliver about half.
_WEEKDAY = (256, 270, 275, 265, 240, 140, 120)
_COLUMN_SALTS: Mapping[str, int] = MappingProxyType(
    {column.name: hash_text(column.name) for column in COLUMNS}
)


@dataclasses.dataclass(frozen=True)
class ColumnPlan:
    """The ordered columns one query needs; ``impressions`` and ``clicks`` always come first.

    :param names: column names in computation order.
    :param index: column name -> position in every fact vector.
    :param delayed: ``(position, hours)`` of columns that mature late (``videoWatchTime``).
    """

    names: tuple[str, ...]
    index: Mapping[str, int]
    delayed: tuple[tuple[int, int], ...]


@functools.lru_cache(maxsize=512)
def column_plan(metrics: frozenset[str]) -> ColumnPlan:
    """Return the plan computing ``metrics`` (unknown names are ignored) and everything they need.

    :param metrics: metric names, additive or derived.
    """
    needed: set[str] = {"impressions", "clicks"}
    stack = [name for name in metrics if name in COLUMN_INDEX or name in DERIVED]
    while stack:
        name = stack.pop()
        derived = DERIVED.get(name)
        if derived is not None:
            deps: tuple[str, ...] = derived.deps
        else:
            needed.add(name)
            column = COLUMN_INDEX[name]
            deps = column.parts or ((column.driver,) if column.driver else ())
        stack.extend(dep for dep in deps if dep not in needed)
    names = tuple(column.name for column in COLUMNS if column.name in needed)
    names = ("impressions", "clicks", *(name for name in names if name not in {"impressions", "clicks"}))
    index = {name: position for position, name in enumerate(names)}
    delayed = tuple(
        (index[name], COLUMN_INDEX[name].delay_hours) for name in names if COLUMN_INDEX[name].delay_hours
    )
    return ColumnPlan(names, MappingProxyType(index), delayed)


@dataclasses.dataclass(frozen=True)
class Maturity:
    """What the emulator's clock lets a report see.

    :param today: ordinal of the current UTC day.
    :param seconds: seconds elapsed in it.
    """

    today: int
    seconds: int

    @classmethod
    def at(cls, now: dt.datetime) -> Maturity:
        """Build from the emulator clock (a naive ``now`` is taken as UTC)."""
        utc = now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)
        return cls(utc.date().toordinal(), utc.hour * 3600 + utc.minute * 60 + utc.second)

    def since_end(self, ordinal: int) -> int:
        """Seconds since day ``ordinal`` ended (negative while it is today or in the future)."""
        return (self.today - ordinal - 1) * _DAY_SECONDS + self.seconds

    def performance(self, ordinal: int) -> tuple[int, int] | None:
        """Visible fraction of a day's performance facts, ``None`` when nothing is visible."""
        if ordinal < self.today:
            return _FULL
        if ordinal == self.today and self.seconds > 0:
            return self.seconds, _DAY_SECONDS
        return None

    def delayed(self, ordinal: int, hours: int) -> tuple[int, int]:
        """Visible fraction of a late-maturing metric: from 1/2 at the day's end to 1 after ``hours``."""
        window = hours * 3600
        elapsed = self.since_end(ordinal)
        if elapsed >= window:
            return _FULL
        return window + max(elapsed, 0), 2 * window

    def demographic(self, ordinal: int) -> tuple[int, int] | None:
        """Visible fraction of demographic values: none before 12 h, partial until 24 h."""
        elapsed = self.since_end(ordinal)
        if elapsed < _DAY_SECONDS // 2:
            return None
        return _FULL if elapsed >= _DAY_SECONDS else (elapsed, _DAY_SECONDS)


@dataclasses.dataclass(frozen=True)
class FactProgram:
    """Everything needed to produce one creative's daily facts for one column plan.

    :param creative: the creative.
    :param campaign: its campaign (delivery window, conversions).
    :param key: the creative's hash key (seed x creative id).
    :param base: typical daily impressions.
    :param mask: the families the creative reports.
    :param audience: the campaign's audience size (for ``audiencePenetration``).
    :param ops: compiled column recipes ``(position, op, source, rate, salt, quantum)``; for a
        sum, ``source`` indexes ``parts``.
    :param parts: the positions each sum column adds up.
    :param delayed: copied from the plan.
    """

    creative: Creative
    campaign: Campaign
    key: int
    base: int
    mask: int
    audience: int
    ops: tuple[tuple[int, int, int, int, int, int], ...]
    parts: tuple[tuple[int, ...], ...]
    delayed: tuple[tuple[int, int], ...]
    width: int

    @classmethod
    def build(
        cls, *, seed: int, creative: Creative, campaign: Campaign, currency: str, plan: ColumnPlan
    ) -> FactProgram:
        """Compile the recipes of ``plan`` for one creative."""
        key = hash_ints(seed, creative.id)
        mask = int(KIND_FAMILIES[creative.kind]) | (int(Family.CONVERSION) if campaign.conversion_ids else 0)
        base = round(math.exp(unit_range(mix64(key ^ 1), math.log(10.0), math.log(10_000.0))))
        audience = 40_000 + hash_ints(seed, campaign.id, 17) % 1_960_000
        ops: list[tuple[int, int, int, int, int, int]] = []
        parts: list[tuple[int, ...]] = []
        for position, name in enumerate(plan.names[1:], start=1):
            column = COLUMN_INDEX[name]
            if column.family and not mask & column.family:
                continue  # stays 0; presence is decided by the row's family mask
            if column.parts:
                ops.append((position, _SUM, len(parts), 0, 0, 1))
                parts.append(tuple(plan.index[part] for part in column.parts))
                continue
            driver = column.driver or "impressions"
            salt = _COLUMN_SALTS[name] | 1
            if column.fx:
                rate = FX_TO_USD.get(currency, 1.0)
            else:
                rate = column.low + (column.high - column.low) * unit(hash_ints(key, salt))
            steps = rate * 10**column.scale / 10 ** COLUMN_INDEX[driver].scale / column.quantum
            op = _TAIL if column.long_tail else _RATE
            ops.append((position, op, plan.index[driver], round(steps * (1 << _SHIFT)), salt, column.quantum))
        return cls(
            creative,
            campaign,
            key,
            base,
            mask,
            audience,
            tuple(ops),
            tuple(parts),
            plan.delayed,
            len(plan.names),
        )

    def window(self, first: int, last: int, today: int) -> tuple[int, int]:
        """Clip the day ordinals ``first..last`` to the campaign's run and to today."""
        start = max(first, self.campaign.start.toordinal())
        end = min(last, today)
        if self.campaign.end is not None:
            end = min(end, self.campaign.end.toordinal())
        return start, end

    def full_day(self, ordinal: int, h: int) -> list[int] | None:
        """Return the final facts of one day (``None`` when the creative did not deliver)."""
        if h & 0xFF < _IDLE_THRESHOLD:
            return None
        impressions = (self.base * _WEEKDAY[(ordinal - 1) % 7] * (128 + ((h >> 8) & 0xFF))) >> _SHIFT
        values = [0] * self.width
        values[0] = impressions or 1
        for position, op, source, rate, salt, quantum in self.ops:
            if op == _SUM:
                values[position] = sum([values[part] for part in self.parts[source]])
                continue
            # 16 bits of jitter per column (salt is odd, so h * salt differs per column): the
            # stochastic rounding that makes columns more than a fixed ratio of their driver.
            value = ((values[source] * rate + (((h * salt) & MASK64) >> 48)) >> _SHIFT) * quantum
            if op == _TAIL and value:
                value = _long_tail(value, mix64(h ^ salt))
            values[position] = value
        return values

    def days(self, first: int, last: int, maturity: Maturity) -> Iterator[tuple[int, int, list[int]]]:
        """Yield ``(ordinal, hash, facts)`` for every delivering day in ``first..last``, as visible now."""
        start, end = self.window(first, last, maturity.today)
        key = self.key
        settled = maturity.today - 3  # days whose every delay (48 h at most) is over
        for ordinal in range(start, end + 1):
            # mix64(key ^ spread(ordinal)), inlined: this loop runs millions of times.
            z = ((key ^ (ordinal * GOLDEN & MASK64)) + GOLDEN) & MASK64
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            h = z ^ (z >> 31)
            values = self.full_day(ordinal, h)
            if values is None:
                continue
            if ordinal > settled:
                values = self._mature(values, ordinal, maturity)
                if values is None:
                    continue
            yield ordinal, h, values

    def _mature(self, values: list[int], ordinal: int, maturity: Maturity) -> list[int] | None:
        visible = maturity.performance(ordinal)
        if visible is None:
            return None
        if visible != _FULL:
            values = [value * visible[0] // visible[1] for value in values]
        for position, hours in self.delayed:
            numerator, denominator = maturity.delayed(ordinal, hours)
            values[position] = values[position] * numerator // denominator
        return values if values[0] > 0 else None


def _long_tail(value: int, t: int) -> int:
    # Advertiser-defined conversion values: mostly whole cents, sometimes trailing digits far
    # beyond them (LinkedIn returns strings like "107.5300000000000335346"), rarely a credit.
    if t & 15 == 0:
        value += (t >> 8) % 1_000_000_000
    if (t >> 4) & 63 == 0:
        value = -value
    return value
