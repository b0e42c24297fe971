"""Render accumulated facts as LinkedIn ``elements``: field selection, presence rules, wire types.

* Without ``fields`` the default metrics ``impressions`` and ``clicks`` come back together with
  ``dateRange`` and ``pivotValues``: the Reporting page's text names only the two metrics, but its
  sample responses to the very same requests carry both structural fields (without them rows could
  not be told apart), and the samples are what LinkedIn sends. With ``fields`` exactly those
  (``dateRange`` and ``pivotValues`` only when listed), in the order requested.
* A metric is left out of a row when LinkedIn would not return it: its family is absent from the
  row (no video creative, no carousel, no conversion tracked), it is non-demographic and the pivot
  is ``MEMBER_*``, it is excluded with ``IMPRESSION_DEVICE_TYPE``, the (effective) range exceeds its
  ``max_range_days``, or it needs an ACCOUNT/CAMPAIGN_GROUP/CAMPAIGN pivot that is missing.
* A row is left out when every requested metric is 0 (LinkedIn omits rows whose requested metrics
  are all zero, so two field chunks of one report can return different rows). A metric the row does
  not carry (its family is absent) is not 0: a row with such a metric is kept, without it. Queries
  without any metric (``dateRange,pivotValues`` only) return every row with activity.
* Wire types follow the catalogue: long -> JSON int, double -> JSON number, BigDecimal -> string
  (``"19.91833"``, sign kept, at least one decimal).
* Non-additive metrics are computed from the row's sums (see :func:`derived_value`).

.. code-block:: python

    render_scaled(19918330, 6)  # '19.91833'
    render_scaled(-5, 1)  # '-0.5'
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.metrics import METRICS, MetricKind
from airflow_provider_linkedin_ads.testing.recipes import COLUMN_INDEX, DERIVED

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping

    from airflow_provider_linkedin_ads.testing.aggregate import Accumulated, Buckets, Key
    from airflow_provider_linkedin_ads.testing.facts import ColumnPlan

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_METRICS",
    "RowSpec",
    "derived_value",
    "render_rows",
    "render_scaled",
    "value_sort_key",
]

#: The metrics LinkedIn returns when a request has no ``fields`` (they count for the data throttle).
DEFAULT_METRICS: tuple[str, ...] = ("impressions", "clicks")
#: What comes back when a request has no ``fields``: the default metrics plus the structural fields
#: that the Reporting page's sample responses carry.
DEFAULT_FIELDS: tuple[str, ...] = ("dateRange", "pivotValues", *DEFAULT_METRICS)
_ENTITY_PIVOTS = frozenset({Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN})
_MICRO = 10**6


def render_scaled(value: int, scale: int) -> str:
    """Render an integer counted in ``10**-scale`` units as a LinkedIn BigDecimal string.

    :param value: the integer (may be negative).
    :param scale: decimal places, at least 1.
    """
    sign = "-" if value < 0 else ""
    digits = str(abs(value)).rjust(scale + 1, "0")
    fraction = digits[-scale:].rstrip("0") or "0"
    return f"{sign}{digits[:-scale]}.{fraction}"


def value_sort_key(value: str) -> tuple[str, int, str]:
    """Sort key of a pivot value: URNs with numeric ids sort by number within their type."""
    head, _, tail = value.rpartition(":")
    if tail.isdigit() and head:
        return head, int(tail), ""
    return value, -1, value


def _reach(impressions: int, days: int) -> int:
    # Frequency grows with the row's span, so reach grows more slowly than impressions.
    return max(1, impressions * 1000 // (1150 + 250 * math.isqrt(days))) if impressions > 0 else 0


def _ratio(numerator: int, denominator: int, digits: int = 3) -> float:
    return round(numerator / denominator, digits) if denominator else 0.0


def derived_value(name: str, get: Callable[[str], int], days: int, audience: int) -> Any:
    """Compute a non-additive metric from a row's summed columns.

    :param name: a metric in :data:`~airflow_provider_linkedin_ads.testing.recipes.DERIVED`.
    :param get: the row's summed value of a column.
    :param days: the number of days the row covers.
    :param audience: the largest campaign audience among the row's creatives.
    """
    if name == "approximateMemberReach":
        return _reach(get("impressions"), days)
    if name == "audiencePenetration":
        return round(min(1.0, _reach(get("impressions"), days) / audience), 6) if audience else 0.0
    if name == "averageDwellTime":
        return _ratio(get("_dwellMillis"), get("impressions") * 1000)
    if name == "costPerQualifiedLead":
        leads = get("qualifiedLeads")
        return render_scaled((2 * get("costInLocalCurrency") + leads) // (2 * leads), 6) if leads else "0.0"
    if name.startswith("costPerEventView"):
        event_views = get(DERIVED[name].deps[1])
        return round(get("costInLocalCurrency") / _MICRO / event_views, 6) if event_views else 0.0
    watch_column, views_column = DERIVED[name].deps
    return _ratio(get(watch_column), get(views_column))


@dataclasses.dataclass(frozen=True)
class RowSpec:
    """How a query's rows are rendered.

    :param fields: requested fields in order (``None`` -> :data:`DEFAULT_FIELDS`).
    :param pivots: the query's pivots.
    :param range_days: days of the effective request range (for ``max_range_days``).
    :param plan: the column plan the facts were computed with.
    """

    fields: tuple[str, ...] | None
    pivots: tuple[Pivot, ...]
    range_days: int
    plan: ColumnPlan

    def allowed(self, name: str) -> bool:
        """Query-level presence rules for metric ``name`` (row families are checked per row)."""
        metric = METRICS.get(name)
        if metric is None:
            return False
        if metric.non_demographic and any(pivot.is_demographic for pivot in self.pivots):
            return False
        if metric.excluded_with_device and Pivot.IMPRESSION_DEVICE_TYPE in self.pivots:
            return False
        if metric.max_range_days is not None and self.range_days > metric.max_range_days:
            return False
        return not (metric.needs_entity_pivot and not _ENTITY_PIVOTS.intersection(self.pivots))

    def metrics(self) -> list[str]:
        """Return the requested metrics that survive the query-level rules, in request order."""
        fields = DEFAULT_FIELDS if self.fields is None else self.fields
        return [name for name in fields if self.allowed(name)]


def _family(name: str) -> int:
    derived = DERIVED.get(name)
    return int(derived.family if derived is not None else COLUMN_INDEX[name].family)


def _metric_renderer(name: str, index: Mapping[str, int]) -> Callable[[list[int], int, int], Any]:
    if name in DERIVED:

        def derived(sums: list[int], days: int, audience: int) -> Any:
            return derived_value(name, lambda column: sums[index[column]], days, audience)

        return derived
    position = index[name]
    if METRICS[name].kind is MetricKind.DECIMAL:
        scale = COLUMN_INDEX[name].scale
        return lambda sums, _days, _audience: render_scaled(sums[position], scale)
    return lambda sums, _days, _audience: sums[position]


_DATE_RANGE, _PIVOT_VALUES = -1, -2


def _ymd(day: dt.date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _handlers(spec: RowSpec) -> list[tuple[str, int, Callable[[list[int], int, int], Any] | None]]:
    # One handler per requested field, in request order: (name, family or structural marker, renderer).
    allowed = set(spec.metrics())
    handlers: list[tuple[str, int, Callable[[list[int], int, int], Any] | None]] = []
    for name in DEFAULT_FIELDS if spec.fields is None else spec.fields:
        if name == "dateRange":
            handlers.append((name, _DATE_RANGE, None))
        elif name == "pivotValues":
            handlers.append((name, _PIVOT_VALUES, None))
        elif name in allowed:
            handlers.append((name, _family(name), _metric_renderer(name, spec.plan.index)))
    return handlers


def render_rows(accumulated: Accumulated, buckets: Buckets, spec: RowSpec) -> list[dict[str, Any]]:
    """Turn accumulated sums into JSON-ready elements, sorted by ``dateRange`` start then ``pivotValues``.

    :param accumulated: the summed facts.
    :param buckets: the query's time buckets.
    :param spec: field selection and presence rules.
    """
    handlers = _handlers(spec)
    keys: dict[str, tuple[str, int, str]] = {}

    def sort_key(key: Key) -> tuple[int, tuple[tuple[str, int, str], ...]]:
        return key[0], tuple(
            keys.get(value) or keys.setdefault(value, value_sort_key(value)) for value in key[1]
        )

    dates = [(_ymd(item.start), _ymd(item.end), item.days) for item in buckets.ranges]
    metrics = sum(1 for _, family, _ in handlers if family not in (_DATE_RANGE, _PIVOT_VALUES))
    elements = []
    rows = accumulated.rows
    for key in sorted(rows, key=sort_key):
        bucket, values = key
        sums, mask, audience = rows[key]
        start, end, days = dates[bucket]
        row: dict[str, Any] = {}
        zeros = 0
        for name, family, render in handlers:
            if family == _DATE_RANGE:
                row[name] = {"start": dict(start), "end": dict(end)}
            elif family == _PIVOT_VALUES:
                row[name] = list(values)
            elif render is not None and (not family or mask & family):
                value = row[name] = render(sums, days, audience)
                zeros += _is_zero(value)
        if metrics and zeros == metrics:
            continue  # every requested metric is 0: LinkedIn leaves the row out
        elements.append(row)
    return elements


def _is_zero(value: Any) -> bool:
    if isinstance(value, str):  # a BigDecimal: "0.0"
        return not value.strip("-0.")
    return bool(value == 0)
