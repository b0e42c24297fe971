"""Professional-demographic (``MEMBER_*``) values of a creative-day, with LinkedIn's privacy rules.

For each creative and day the impressions are spread over a Zipf-like ranking of the pivot's values
(each creative has its own ranking, so titles differ between creatives), then LinkedIn's documented
rules are applied:

* the number of values reached grows with the day's impressions (``2 + impressions / 16``), with
  a steep Zipf decay (exponent 1.5), so a busy creative reaches hundreds of titles but most of
  them with one or two impressions; creatives share one of 16 rankings per pivot (audiences
  overlap, as real targeting does);
* each value's impressions get a small deterministic noise in ``[-3, 3]``, so demographic rows
  do **not** sum exactly to the entity totals (other metrics are floored shares, also below them);
* values with fewer than 3 impressions are dropped, and only the top 100 values per creative per
  day are kept;
* maturity: nothing until 12 h after the day ends, proportionally lower values until 24 h.

.. code-block:: python

    splitter = DemographicSplitter(Pivot.MEMBER_JOB_TITLE, Maturity.at(now))
    rows = splitter.split(program, ordinal, h, facts)  # [('urn:li:title:42', [57, 1, ...]), ...]
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.testing.hashing import hash_ints, hash_text, mix64
from airflow_provider_linkedin_ads.testing.lookups import DEMOGRAPHIC_VALUES

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.enums import Pivot
    from airflow_provider_linkedin_ads.testing.facts import FactProgram, Maturity

__all__ = ["MIN_EVENTS", "TOP_VALUES", "DemographicSplitter", "candidate_count"]

#: Values with fewer impressions than this are dropped.
MIN_EVENTS = 3
#: At most this many values per creative per day.
TOP_VALUES = 100
_NOISE_SIZE = 4096
#: Deterministic privacy noise in [-3, 3].
_NOISE = tuple(int(mix64(index ^ 0x5EED) % 7) - 3 for index in range(_NOISE_SIZE))
_NOISE_TWICE = _NOISE + _NOISE  # any window of up to _NOISE_SIZE values, without wrapping
_MAX_RANK = 2048  # must not exceed _NOISE_SIZE
_EXPONENT = 1.5
#: Zipf weights (24-bit fixed point), their prefix sums, and negated (ascending, for bisect).
_WEIGHTS = tuple(max(1, round((1 << 24) / (rank + 1) ** _EXPONENT)) for rank in range(_MAX_RANK))
_PREFIX = (0, *itertools.accumulate(_WEIGHTS))
_NEGATED = tuple(-weight for weight in _WEIGHTS)
_LAYOUTS = 16
_STRIDES = (7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103)


def candidate_count(impressions: int, size: int) -> int:
    """How many values of a ``size``-value pivot a creative-day with ``impressions`` reaches.

    :param impressions: the creative-day's (visible) impressions.
    :param size: the number of values the pivot has.
    """
    return min(size, _MAX_RANK, 2 + impressions // 16)


class DemographicSplitter:
    """Spreads creative-day facts over a ``MEMBER_*`` pivot's values (see the module docstring).

    .. code-block:: python

        DemographicSplitter(Pivot.MEMBER_COUNTRY_V2, Maturity.at(now)).accepts(program)  # True

    :param pivot: a professional-demographic pivot.
    :param maturity: the emulator clock's view.
    """

    def __init__(self, pivot: Pivot, maturity: Maturity) -> None:
        self.pivot = pivot
        self._values = DEMOGRAPHIC_VALUES[pivot]
        self._maturity = maturity
        self._salt = hash_text(pivot.value)
        self._layouts: dict[int, tuple[int, int]] = {}

    def accepts(self, program: FactProgram) -> bool:
        """Every creative has demographic values."""
        return True

    def _layout(self, program: FactProgram) -> tuple[int, int]:
        # The creative's ranking: value index = (offset + rank * stride) mod size, stride coprime.
        number = program.key % _LAYOUTS
        layout = self._layouts.get(number)
        if layout is None:
            size = len(self._values)
            mixed = hash_ints(number, self._salt)
            strides = [stride for stride in _STRIDES if math.gcd(stride, size) == 1]
            layout = (mixed % size, strides[(mixed >> 32) % len(strides)])
            self._layouts[number] = layout
        return layout

    def split(
        self, program: FactProgram, ordinal: int, h: int, facts: list[int]
    ) -> list[tuple[str, list[int]]]:
        """Return the kept demographic values of one creative-day and their (approximate) facts."""
        visible = self._maturity.demographic(ordinal)
        if visible is None:
            return []
        if visible != (1, 1):
            facts = [fact * visible[0] // visible[1] for fact in facts]
        impressions = facts[0]
        if impressions < MIN_EVENTS:
            return []
        values = self._values
        size = len(values)
        count = candidate_count(impressions, size)
        total = _PREFIX[count]
        # Ranks whose share is at least one impression (weights decrease; the rest round to 0).
        count = min(count, bisect.bisect_right(_NEGATED, -(-total // impressions)))
        mixed = mix64(h ^ self._salt)
        start = mixed % _NOISE_SIZE
        shares = [
            impressions * weight // total + noise
            for weight, noise in zip(_WEIGHTS[:count], _NOISE_TWICE[start : start + count], strict=True)
        ]
        kept = [(share, rank) for rank, share in enumerate(shares) if share >= MIN_EVENTS]
        if len(kept) > TOP_VALUES:
            kept = heapq.nlargest(TOP_VALUES, kept, key=lambda item: (item[0], -item[1]))
        offset, stride = self._layout(program)
        shift = (mixed >> 52) & 3  # the ranking drifts a little from day to day
        rest = facts[1:]
        result = []
        for share, rank in kept:
            weight = _WEIGHTS[rank]
            piece = [share]
            piece += [fact * weight // total for fact in rest]
            result.append((values[(offset + (rank + shift) * stride) % size], piece))
        return result
