"""Check a landed report against LinkedIn's own totals: the ``reconcile=True`` option of the operators.

While the rows stream to the writer, :class:`LandedTotals` adds up every *additive* metric (never by
re-reading the file). After the report, :class:`Reconciler` asks LinkedIn for the same facets and
days with ``timeGranularity=ALL`` and the coarsest entity pivot (``ACCOUNT``): one row per account
holding that account's totals, usually a single call. The sums must agree, metric by metric.

What LinkedIn documents is accounted for, so a correct report never fails the check:

* only metrics the catalogue marks additive (``metrics.py``) and that are counts (``long``) or
  amounts (BigDecimal) are compared; reach, penetration, averages, ratios, unknown (RAW) metrics
  are listed as not compared;
* BigDecimal amounts agree within :data:`DECIMAL_TOLERANCE` (LinkedIn's amounts carry float noise
  such as ``107.5300000000000335346``); counts must be equal;
* ``ALL`` rounds to month boundaries when the range reaches outside the 6-month daily-retention
  window: the check is *skipped* when the days LinkedIn covers (predicted, and then read from the
  answer's ``dateRange``) differ from the days the report covers;
* demographic (``MEMBER_*``) reports are skipped: LinkedIn keeps only the top 100 values per creative
  and day and drops values with fewer than 3 events, and adds privacy noise, so their sums never
  equal the totals;
* attributed revenue is skipped: that finder has no ``ALL`` view, and one deal can be attributed to
  several campaigns, so sums over campaigns need not equal the account's;
* pivots that do not partition the totals are skipped (``CONVERSION``, ``CARD_INDEX``,
  ``CONVERSATION_NODE*``, ``EVENT_STAGE``, ``SHARE``: only some creatives have values);
* LinkedIn's numbers for recent days still move (near real-time delivery, conversion revisions):
  on a mismatch the totals are fetched once more, and if they changed in between the result is
  *inconclusive* (logged, never a failure).

Pure client layer: no Airflow. The operators only wire it.

.. code-block:: python

    reconciler = Reconciler(engine, request, mode="fail")
    rows = reconciler.totals.observe(engine.run(request))
    write_rows(rows, handle, columns)
    result = reconciler.check(covered=run.summary.date_range_covered)
    result.to_dict()  # {"status": "passed", "metrics": {...}, ...}
"""

from __future__ import annotations

import dataclasses
import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from airflow_provider_linkedin_ads.advisories import effective_date_range
from airflow_provider_linkedin_ads.client.writers import exact_decimal
from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import (
    ConfigurationError,
    ReconciliationError,
    ReportValidationError,
)
from airflow_provider_linkedin_ads.metrics import METRICS, MetricKind
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Generator, Iterable, Mapping

    from airflow_provider_linkedin_ads.client.reporting import ReportEngine
    from airflow_provider_linkedin_ads.results import ReportRow

__all__ = [
    "DECIMAL_TOLERANCE",
    "RECONCILABLE_PIVOTS",
    "RECONCILE_MODES",
    "LandedTotals",
    "MetricCheck",
    "ReconcileResult",
    "Reconciler",
    "check_request",
]

#: Accepted values of ``reconcile_mode``: fail the task on a mismatch, or log a warning.
RECONCILE_MODES = ("fail", "warn")
#: Largest difference between two BigDecimal totals that still counts as equal (one cent).
DECIMAL_TOLERANCE = Decimal("0.01")
#: Pivots whose values split every event of the facets' creatives into exactly one row.
RECONCILABLE_PIVOTS = frozenset(
    {
        Pivot.ACCOUNT,
        Pivot.CAMPAIGN_GROUP,
        Pivot.CAMPAIGN,
        Pivot.CREATIVE,
        Pivot.COMPANY,
        Pivot.OBJECTIVE_TYPE,
        Pivot.IMPRESSION_DEVICE_TYPE,
        Pivot.SERVING_LOCATION,
        Pivot.PLACEMENT_NAME,
    }
)
_COMPARED_KINDS = (MetricKind.LONG, MetricKind.DECIMAL)

Total = int | Decimal


@dataclasses.dataclass(frozen=True)
class MetricCheck:
    """One compared metric.

    :param name: the metric.
    :param expected: LinkedIn's ``ALL`` total.
    :param landed: the sum of the landed rows.
    :param match: equal (counts) or within :data:`DECIMAL_TOLERANCE` (amounts).

    .. code-block:: python

        MetricCheck("clicks", 120, 120, True).to_dict()  # {"expected": 120, "landed": 120, "match": True}
    """

    name: str
    expected: Total
    landed: Total
    match: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: counts as numbers, amounts as exact decimal strings."""
        return {"expected": _json(self.expected), "landed": _json(self.landed), "match": self.match}


@dataclasses.dataclass(frozen=True)
class ReconcileResult:
    """What the check found; :meth:`to_dict` is the ``reconcile`` entry of the task's summary.

    :param status: ``passed``, ``failed`` (a mismatch; raised in ``fail`` mode), ``skipped`` (see
        ``reason``) or ``inconclusive`` (LinkedIn's totals moved while checking).
    :param reason: why the check was skipped or inconclusive.
    :param metrics: the compared metrics.
    :param not_compared: metric -> why it was not compared.
    :param date_range: the days compared (LinkedIn's ``ALL`` range).
    :param calls_made: HTTP requests the check sent.

    .. code-block:: python

        if result.status == "failed":
            print([check.name for check in result.mismatches])
    """

    status: str
    reason: str | None = None
    metrics: tuple[MetricCheck, ...] = ()
    not_compared: Mapping[str, str] = dataclasses.field(default_factory=dict)
    date_range: DateRange | None = None
    calls_made: int = 0

    @property
    def mismatches(self) -> tuple[MetricCheck, ...]:
        """The compared metrics whose totals differ."""
        return tuple(check for check in self.metrics if not check.match)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        covered = self.date_range
        return {
            "status": self.status,
            "reason": self.reason,
            "metrics": {check.name: check.to_dict() for check in self.metrics},
            "not_compared": dict(self.not_compared),
            "date_range": None
            if covered is None
            else {"start": covered.start.isoformat(), "end": covered.end.isoformat()},
            "calls_made": self.calls_made,
        }


class LandedTotals:
    """Sum metrics over the rows as they stream past (to the writer); nothing is kept but the sums.

    :param metrics: the metrics to sum (absent values count as nothing).

    .. code-block:: python

        totals = LandedTotals(["impressions", "costInUsd"])
        write_rows(totals.observe(rows), handle, columns)
        totals.sums["impressions"]
    """

    def __init__(self, metrics: Iterable[str]) -> None:
        self.sums: dict[str, Total] = dict.fromkeys(metrics, 0)
        self.rows = 0

    def add(self, row: Mapping[str, Any]) -> None:
        """Add one row's values."""
        self.rows += 1
        for name in self.sums:
            value = row.get(name)
            if value is not None:
                self.sums[name] += _number(value)

    def observe(self, rows: Iterable[ReportRow]) -> Generator[ReportRow, None, None]:
        """Yield ``rows`` unchanged, adding each to the sums first; closing it closes ``rows``."""
        try:
            for row in rows:
                self.add(row)
                yield row
        finally:
            getattr(rows, "close", lambda: None)()  # stop the engine's calls with the writer


def check_request(request: ReportRequest) -> tuple[ReportRequest | None, str | None, dict[str, str]]:
    """Return LinkedIn's totals request for ``request``, or why there is none, and what is not compared.

    :returns: ``(totals request or None, reason it is None, metric -> why not compared)``.

    .. code-block:: python

        totals, reason, not_compared = check_request(request)
    """
    if request.finder is Finder.ATTRIBUTED_REVENUE:
        return (
            None,
            (
                "attributed revenue is not reconciled: attributedRevenueMetrics has no timeGranularity=ALL "
                "view, and one deal can be attributed to several campaigns"
            ),
            {},
        )
    if request.is_demographic:
        return (
            None,
            (
                "demographic (MEMBER_*) reports are not reconciled: LinkedIn keeps only the top 100 values per "
                "creative and day, drops values with fewer than 3 events and adds noise, so their sums never "
                "equal the totals"
            ),
            {},
        )
    odd = [pivot for pivot in request.pivots if pivot not in RECONCILABLE_PIVOTS]
    if odd:
        return (
            None,
            (
                f"pivot {', '.join(odd)} does not split the totals (only some creatives have values); "
                f"reconcile works with {', '.join(sorted(RECONCILABLE_PIVOTS))}"
            ),
            {},
        )
    compared, not_compared = _split_metrics(request.metrics)
    if not compared:
        return None, "no additive count or amount metric to compare", not_compared
    totals = dataclasses.replace(
        request,
        finder=Finder.ANALYTICS,
        pivots=(Pivot.ACCOUNT,),
        time_granularity=TimeGranularity.ALL,
        metrics=tuple(compared),
    )
    return totals, None, not_compared


def _split_metrics(names: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    compared: list[str] = []
    not_compared: dict[str, str] = {}
    for name in names:
        metric = METRICS.get(name)
        if metric is None:
            not_compared[name] = "not in the metric catalogue (RAW)"
        elif not metric.additive:
            not_compared[name] = "not additive (reach, penetration, averages and ratios do not sum)"
        elif metric.kind not in _COMPARED_KINDS:
            not_compared[name] = "a floating-point metric"
        else:
            compared.append(name)
    return compared, not_compared


class Reconciler:
    """Compare the landed rows of one report with LinkedIn's ``ALL`` totals.

    :param engine: the report's engine (same client, budget and retry policy).
    :param request: the report that is landed.
    :param mode: ``fail`` (default) raises :class:`~.errors.ReconciliationError` on a mismatch;
        ``warn`` logs it and reports ``status="failed"``.
    :param logger: where notes and warnings go.
    :raises ConfigurationError: naming ``reconcile_mode`` for another mode.

    .. code-block:: python

        reconciler = Reconciler(engine, request)
        write_rows(reconciler.totals.observe(run), handle, columns)
        reconciler.check(covered=run.summary.date_range_covered)
    """

    def __init__(
        self,
        engine: ReportEngine,
        request: ReportRequest,
        *,
        mode: str = "fail",
        logger: logging.Logger | None = None,
    ) -> None:
        if mode not in RECONCILE_MODES:
            raise ConfigurationError(
                f"reconcile_mode must be one of {', '.join(RECONCILE_MODES)}, got {mode!r}",
                argument="reconcile_mode",
            )
        self.engine = engine
        self.request = request
        self.mode = mode
        self.log = logger or logging.getLogger(__name__)
        self.totals_request, self.skip_reason, self.not_compared = check_request(request)
        compared = () if self.totals_request is None else self.totals_request.metrics
        self.totals = LandedTotals(compared)

    def check(self, *, covered: DateRange | None = None) -> ReconcileResult:
        """Ask LinkedIn for the totals and compare; call after the rows were written.

        :param covered: the days the landed report covers (the engine's ``date_range_covered``);
            defaults to the request's range.
        :raises ReconciliationError: in ``fail`` mode, naming the first differing metric with its
            expected and landed totals (every difference is in the message and ``.mismatches``).
        """
        covered = covered or self.request.date_range
        request = self.totals_request
        if request is None:
            return self._skipped(self.skip_reason or "nothing to compare")
        predicted = effective_date_range(request, self.engine.today())
        if predicted != covered:
            return self._skipped(_rounding_reason(predicted, covered))
        try:
            expected, answered, calls = self._fetch(request)
        except ReportValidationError as err:  # e.g. a facet LinkedIn does not allow with ACCOUNT
            return self._skipped(f"LinkedIn cannot answer the totals query: {err}")
        if any(days != covered for days in answered):
            shown = ", ".join(str(days) for days in sorted(answered))
            return self._skipped(
                _rounding_reason(DateRange(*_span(answered)), covered), shown=shown, calls=calls
            )
        checks = self._compare(expected)
        if all(check.match for check in checks):
            result = ReconcileResult("passed", None, checks, self.not_compared, covered, calls)
            self.log.info(
                "LinkedIn Ads reconcile: the landed totals match LinkedIn's (%s)", _describe(checks)
            )
            return result
        again, _, more = self._fetch(request)
        calls += more
        if again != expected:
            return self._inconclusive(checks, covered, calls)
        result = ReconcileResult("failed", None, checks, self.not_compared, covered, calls)
        self._report_mismatch(result)
        return result

    def _fetch(self, request: ReportRequest) -> tuple[dict[str, Total], set[DateRange], int]:
        run = self.engine.run(request)
        totals = LandedTotals(request.metrics)
        answered: set[DateRange] = set()
        for row in run:
            totals.add(row)
            start, end = row.get("start_date"), row.get("end_date")
            if start is not None and end is not None:
                answered.add(DateRange(cast("dt.date", start), cast("dt.date", end)))
        return totals.sums, answered, run.summary.calls_made

    def _compare(self, expected: Mapping[str, Total]) -> tuple[MetricCheck, ...]:
        checks = []
        for name, landed in self.totals.sums.items():
            wanted = expected.get(name, 0)
            if isinstance(wanted, Decimal) or isinstance(landed, Decimal):
                match = abs(Decimal(wanted) - Decimal(landed)) <= DECIMAL_TOLERANCE
            else:
                match = wanted == landed
            checks.append(MetricCheck(name, wanted, landed, match))
        return tuple(checks)

    def _skipped(self, reason: str, *, shown: str | None = None, calls: int = 0) -> ReconcileResult:
        note = reason if shown is None else f"{reason} (LinkedIn answered {shown})"
        self.log.info("LinkedIn Ads reconcile skipped: %s", note)
        return ReconcileResult("skipped", note, (), self.not_compared, None, calls)

    def _inconclusive(
        self, checks: tuple[MetricCheck, ...], covered: DateRange, calls: int
    ) -> ReconcileResult:
        reason = (
            "LinkedIn's totals changed while they were checked (recent days still move); "
            f"not compared this time: {_describe(tuple(check for check in checks if not check.match))}"
        )
        self.log.warning("LinkedIn Ads reconcile inconclusive: %s", reason)
        return ReconcileResult("inconclusive", reason, checks, self.not_compared, covered, calls)

    def _report_mismatch(self, result: ReconcileResult) -> None:
        first, *_ = result.mismatches
        message = (
            f"the landed report does not add up to LinkedIn's totals for {result.date_range}: "
            f"{_describe(result.mismatches)}; the rows written are not the whole report"
        )
        if self.mode == "warn":
            self.log.warning("LinkedIn Ads reconcile failed (reconcile_mode='warn'): %s", message)
            return
        raise ReconciliationError(
            message,
            metric=first.name,
            expected=str(_json(first.expected)),
            landed=str(_json(first.landed)),
            mismatches={
                check.name: (str(_json(check.expected)), str(_json(check.landed)))
                for check in result.mismatches
            },
        )


def _number(value: Any) -> Total:
    # Rows are typed by the engine: counts are ints, amounts Decimals; anything else is read exactly.
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    return Decimal(repr(value) if isinstance(value, float) else str(value))


def _json(value: Total) -> int | str:
    return exact_decimal(value) if isinstance(value, Decimal) else value


def _describe(checks: Iterable[MetricCheck]) -> str:
    return "; ".join(
        f"{check.name}: expected {_json(check.expected)}, landed {_json(check.landed)}" for check in checks
    )


def _span(ranges: set[DateRange]) -> tuple[Any, Any]:
    return min(item.start for item in ranges), max(item.end for item in ranges)


def _rounding_reason(linkedin: DateRange, covered: DateRange) -> str:
    return (
        f"LinkedIn's timeGranularity=ALL totals cover {linkedin}, the report covers {covered} (ALL rounds to "
        "month boundaries outside the 6-month daily-retention window); totals over different days are "
        "not compared"
    )
