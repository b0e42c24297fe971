"""LinkedIn's reporting rules applied to a :class:`~.models.ReportRequest` before any request is sent.

The checklist is ``linkedin-api.md`` section 15: finder/pivot shape, unknown names (with a "did you
mean"), facets, date ranges and retention, metric/pivot compatibility and version gates. A broken
rule raises :class:`~.errors.ReportValidationError` whose ``argument`` names the parameter and whose
``rule`` is a stable identifier for code to branch on. Things that are allowed but probably not what
the user wants come back as :class:`~.advisories.ValidationWarning` values (and are logged).

.. code-block:: python

    from airflow_provider_linkedin_ads.validation import validate_request

    warnings = validate_request(request, api_version="202609", today=dt.date(2026, 11, 28))
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.advisories import (
    DAILY_RETENTION_MONTHS,
    ValidationWarning,
    advise,
    effective_date_range,
    known_metrics,
)
from airflow_provider_linkedin_ads.enums import REVENUE_PIVOTS, CampaignType, Finder, Pivot
from airflow_provider_linkedin_ads.errors import ReportValidationError
from airflow_provider_linkedin_ads.metrics import LEGACY_NAMES, METRICS, MISNOMERS, REVENUE_METRICS
from airflow_provider_linkedin_ads.models import ANALYTICS_FACETS, FACET_URN_TYPES, ReportRequest, add_months
from airflow_provider_linkedin_ads.versions import is_at_least

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "DAILY_RETENTION_MONTHS",
    "DEMOGRAPHIC_RETENTION_YEARS",
    "PERFORMANCE_RETENTION_YEARS",
    "REVENUE_MAX_DAYS",
    "REVENUE_MIN_DAYS",
    "ValidationWarning",
    "effective_date_range",
    "validate_request",
]

log = logging.getLogger(__name__)

#: Performance data (account, campaign, creative ...) is kept ten years.
PERFORMANCE_RETENTION_YEARS = 10
#: Professional-demographic (``MEMBER_*``) data is kept two years.
DEMOGRAPHIC_RETENTION_YEARS = 2
#: attributedRevenueMetrics windows: 30 to 366 days inclusive, starting within the last 366 days.
REVENUE_MIN_DAYS = 30
REVENUE_MAX_DAYS = 366

_ANALYTICS_FACETS = tuple(ANALYTICS_FACETS.values())
_REVENUE_FACETS = ("account", "campaignGroups", "campaigns")
_ENTITY_LEVEL_PIVOTS = frozenset({Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN})
#: What a name passed through with ``allow_unknown_names`` must look like to be sent at all.
_PIVOT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_METRIC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: Pivots LinkedIn added in a later version than the first (the emulator gates them the same way).
_PIVOT_GATES: dict[str, str] = {Pivot.MEMBER_DESIGNATED_MARKET_AREA: "202609"}


@dataclass(frozen=True)
class _Context:
    request: ReportRequest
    api_version: str
    today: dt.date


def validate_request(
    request: ReportRequest,
    *,
    api_version: str,
    today: dt.date,
    logger: logging.Logger | None = None,
) -> list[ValidationWarning]:
    """Check ``request`` against every client-side rule; return (and log) the warnings.

    :param request: the report request.
    :param api_version: the configured ``LinkedIn-Version`` (for version-gated metrics).
    :param today: the current UTC date (injected so validation stays pure).
    :param logger: where warnings are logged (this module's logger by default).
    :raises ReportValidationError: on the first broken rule, naming the parameter and the rule.
    """
    context = _Context(request, api_version, today)
    for check in _CHECKS:
        check(context)
    warnings = advise(request, today=today)
    for warning in warnings:
        (logger or log).warning("%s", warning.message)
    return warnings


# ── rules ───────────────────────────────────────────────────────────────────────────────────────


def _fail(argument: str, rule: str, message: str) -> ReportValidationError:
    return ReportValidationError(f"{argument}: {message}", argument=argument, rule=rule)


def _suggest(name: str, candidates: Iterable[str]) -> str:
    options = list(candidates)
    by_lower = {option.lower(): option for option in options}
    if name.lower() in by_lower:
        return f"; did you mean {by_lower[name.lower()]!r}?"
    matches = difflib.get_close_matches(name, options, n=3, cutoff=0.6)
    if not matches:
        matches = difflib.get_close_matches(name.upper(), options, n=3, cutoff=0.6)
    return "; did you mean " + " or ".join(repr(match) for match in matches) + "?" if matches else ""


def _check_pivot_names(context: _Context) -> None:
    request = context.request
    for pivot in request.pivots:
        if isinstance(pivot, Pivot):
            continue
        if request.allow_unknown_names:
            # Passed through unvalidated, but it must still be something LinkedIn could call a pivot.
            if _PIVOT_NAME.fullmatch(pivot) is None:
                raise _fail(
                    "pivots",
                    "invalid_name",
                    f"{pivot!r:.80} cannot be a pivot name (upper-case letters, digits and _)",
                )
            continue
        hint = _suggest(pivot, Pivot.__members__)
        raise _fail(
            "pivots",
            "unknown_pivot",
            f"unknown pivot {pivot!r:.80}{hint} (pass allow_unknown_names=True to send a pivot LinkedIn "
            "added after this release)",
        )


def _check_pivot_shape(context: _Context) -> None:
    request = context.request
    count, finder = len(request.pivots), request.finder
    if count == 0 or count > finder.max_pivots:
        expected = (
            "exactly one pivot (use statistics for up to three)"
            if finder is Finder.ANALYTICS
            else "1 to 3 pivots"
        )
        raise _fail("pivots", "pivot_count", f"q={finder} takes {expected}, got {count}")
    if len(set(request.pivots)) != count:
        raise _fail(
            "pivots", "duplicate_pivot", f"each pivot may appear once, got {', '.join(request.pivots)}"
        )
    if finder is Finder.STATISTICS and request.is_demographic:
        raise _fail(
            "pivots",
            "demographic_pivot_on_statistics",
            "q=statistics rejects MEMBER_* pivots (FIELD_INVALID); use q=analytics with the one MEMBER_* pivot",
        )
    if finder is Finder.ATTRIBUTED_REVENUE:
        wrong = [p for p in request.pivots if isinstance(p, Pivot) and p not in REVENUE_PIVOTS]
        if wrong:
            raise _fail(
                "pivots",
                "revenue_pivot",
                f"q=attributedRevenueMetrics only accepts ACCOUNT, CAMPAIGN_GROUP and CAMPAIGN, got {', '.join(wrong)}",
            )


def _check_pivot_versions(context: _Context) -> None:
    for pivot in context.request.pivots:
        gate = _PIVOT_GATES.get(pivot)
        if gate is not None and not is_at_least(context.api_version, gate):
            raise _fail(
                "pivots",
                "pivot_needs_newer_version",
                f"{pivot} needs api_version {gate} or later, configured {context.api_version}",
            )


def _check_granularity(context: _Context) -> None:
    request = context.request
    if request.finder.has_time_granularity and request.time_granularity is None:
        raise _fail(
            "time_granularity",
            "missing_granularity",
            f"q={request.finder} needs ALL, DAILY, MONTHLY or YEARLY",
        )
    if not request.finder.has_time_granularity and request.time_granularity is not None:
        raise _fail(
            "time_granularity",
            "granularity_not_allowed",
            "q=attributedRevenueMetrics has no timeGranularity parameter; leave it unset",
        )


def _check_facet_names(context: _Context) -> None:
    request = context.request
    allowed = _REVENUE_FACETS if request.finder is Finder.ATTRIBUTED_REVENUE else _ANALYTICS_FACETS
    for name, values in request.facets.items():
        if name not in FACET_URN_TYPES:
            hint = _suggest(name.replace("_", ""), FACET_URN_TYPES)
            raise _fail(name, "unknown_facet", f"unknown facet {name!r}{hint}")
        if name not in allowed:
            raise _fail(
                name,
                "facet_not_allowed",
                f"q={request.finder} does not take the {name!r} facet; it takes {', '.join(allowed)}",
            )
        if not values:
            raise _fail(name, "empty_facet", "an empty facet list selects nothing; omit it or give URNs")


def _check_facet_presence(context: _Context) -> None:
    request = context.request
    if request.finder is Finder.ATTRIBUTED_REVENUE:
        accounts = request.facets.get("account", ())
        if len(accounts) != 1:
            raise _fail(
                "account",
                "revenue_account",
                f"q=attributedRevenueMetrics needs exactly one account URN, got {len(accounts)}",
            )
    elif not request.facets:
        raise _fail(
            "facets",
            "missing_facet",
            f"q={request.finder} needs at least one of {', '.join(_ANALYTICS_FACETS)} (accounts is cheapest)",
        )


def _check_filters(context: _Context) -> None:
    request = context.request
    if request.finder is Finder.ATTRIBUTED_REVENUE and request.campaign_type is not None:
        raise _fail(
            "campaign_type", "filter_not_allowed", "q=attributedRevenueMetrics has no campaignType filter"
        )
    if request.finder is not Finder.ANALYTICS and request.objective_type is not None:
        raise _fail(
            "objective_type",
            "filter_not_allowed",
            f"objectiveType is only documented for q=analytics, not q={request.finder}",
        )
    value = request.campaign_type
    if value is not None and value not in CampaignType.__members__ and not request.allow_unknown_names:
        hint = _suggest(value, CampaignType.__members__)
        raise _fail("campaign_type", "unknown_campaign_type", f"unknown campaignType {value!r}{hint}")


def _check_metric_names(context: _Context) -> None:
    request = context.request
    if not request.metrics:
        raise _fail(
            "metrics", "no_metrics", "name at least one metric (LinkedIn would return only two defaults)"
        )
    if len(set(request.metrics)) != len(request.metrics):
        duplicates = sorted({name for name in request.metrics if request.metrics.count(name) > 1})
        raise _fail("metrics", "duplicate_metric", f"each metric may appear once: {', '.join(duplicates)}")
    for name in request.metrics:
        _check_metric_name(name, request)


def _check_metric_name(name: str, request: ReportRequest) -> None:
    revenue = request.finder is Finder.ATTRIBUTED_REVENUE
    catalogue = REVENUE_METRICS if revenue else METRICS
    if name in catalogue:
        return
    if name in LEGACY_NAMES:
        raise _fail("metrics", "legacy_name", f"{name!r} was removed by LinkedIn; use {LEGACY_NAMES[name]!r}")
    if request.allow_unknown_names:
        # Sent unvalidated in the raw ``fields`` list, so it must be a plain field name.
        if _METRIC_NAME.fullmatch(name) is None:
            raise _fail(
                "metrics", "invalid_name", f"{name!r:.80} cannot be a metric name (letters and digits)"
            )
        return
    if name in MISNOMERS:
        raise _fail("metrics", "misnomer", f"{name!r} is not a LinkedIn metric; use {MISNOMERS[name]}")
    if revenue and name in METRICS:
        raise _fail(
            "metrics", "not_a_revenue_metric", f"{name!r} is not a revenueAttributionMetrics sub-field"
        )
    if not revenue and name in REVENUE_METRICS:
        raise _fail("metrics", "revenue_metric", f"{name!r} needs finder='attributedRevenueMetrics'")
    raise _fail(
        "metrics",
        "unknown_metric",
        f"unknown metric {name!r:.80}{_suggest(name, catalogue)} (pass allow_unknown_names=True for a "
        "metric LinkedIn added after this release)",
    )


def _check_metric_pivots(context: _Context) -> None:
    request = context.request
    pivots = set(request.pivots)
    for metric in known_metrics(request):
        if metric.non_demographic and request.is_demographic:
            raise _fail(
                "metrics",
                "non_demographic_metric",
                f"{metric.name!r} is not available with MEMBER_* pivots ({', '.join(request.pivots)})",
            )
        if metric.needs_entity_pivot and not pivots & _ENTITY_LEVEL_PIVOTS:
            raise _fail(
                "metrics",
                "needs_entity_pivot",
                f"{metric.name!r} needs an ACCOUNT, CAMPAIGN_GROUP or CAMPAIGN pivot",
            )
        if metric.excluded_with_device and Pivot.IMPRESSION_DEVICE_TYPE in pivots:
            raise _fail(
                "metrics",
                "device_pivot_metric",
                f"{metric.name!r} (reach or conversion metric) is not available with the IMPRESSION_DEVICE_TYPE pivot",
            )


def _check_metric_range_and_version(context: _Context) -> None:
    request = context.request
    for metric in known_metrics(request):
        covered = effective_date_range(request, context.today)  # ALL may round the range up to months
        if metric.max_range_days is not None and covered.days > metric.max_range_days:
            raise _fail(
                "date_range",
                "range_too_long_for_metric",
                f"{metric.name!r} is only returned for ranges of at most {metric.max_range_days} days; "
                f"{covered} has {covered.days}",
            )
        if metric.min_version is not None and not is_at_least(context.api_version, metric.min_version):
            raise _fail(
                "metrics",
                "metric_needs_newer_version",
                f"{metric.name!r} needs api_version {metric.min_version} or later, configured {context.api_version}",
            )


def _check_retention(context: _Context) -> None:
    request, today = context.request, context.today
    years = DEMOGRAPHIC_RETENTION_YEARS if request.is_demographic else PERFORMANCE_RETENTION_YEARS
    earliest = add_months(today, -12 * years)
    if request.date_range.start < earliest:
        kind = "professional-demographic" if request.is_demographic else "performance"
        raise _fail(
            "date_range",
            "date_too_early",
            f"{kind} data is kept {years} years: start {request.date_range.start.isoformat()} is before "
            f"{earliest.isoformat()} (LinkedIn answers DATE_TOO_EARLY)",
        )


def _check_revenue_range(context: _Context) -> None:
    request, today = context.request, context.today
    if request.finder is not Finder.ATTRIBUTED_REVENUE:
        return
    days = request.date_range.days
    if not REVENUE_MIN_DAYS <= days <= REVENUE_MAX_DAYS:
        raise _fail(
            "date_range",
            "revenue_range_length",
            f"q=attributedRevenueMetrics needs {REVENUE_MIN_DAYS} to {REVENUE_MAX_DAYS} days, got {days}",
        )
    earliest = today - dt.timedelta(days=REVENUE_MAX_DAYS)
    if request.date_range.start < earliest:
        raise _fail(
            "date_range",
            "revenue_range_start",
            f"q=attributedRevenueMetrics needs a start within the last year (on or after {earliest.isoformat()})",
        )


_CHECKS: tuple[Callable[[_Context], None], ...] = (
    _check_pivot_names,
    _check_pivot_shape,
    _check_pivot_versions,
    _check_granularity,
    _check_facet_names,
    _check_facet_presence,
    _check_filters,
    _check_metric_names,
    _check_metric_pivots,
    _check_metric_range_and_version,
    _check_retention,
    _check_revenue_range,
)
