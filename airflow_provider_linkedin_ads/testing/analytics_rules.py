"""``adAnalytics`` parameters -> a validated :class:`ReportQuery`, with LinkedIn's error codes.

The rules are the Reporting page's and ``linkedin-api.md`` sections 2-5: per-finder pivots
(analytics one, statistics 1-3 without ``MEMBER_*`` -> ``FIELD_INVALID``, attributedRevenueMetrics
1-3 of ACCOUNT/CAMPAIGN_GROUP/CAMPAIGN), required ``timeGranularity``/``dateRange``/facet,
``START_DATE_AFTER_END_DATE``, ``DATE_TOO_EARLY`` (10 years performance, 2 years demographics, 1 year
revenue), revenue windows of 30-366 days, at most 20 ``fields`` counting ``dateRange`` and
``pivotValues``, unknown pivots and metrics with a "did you mean". Every rejection names its parameter.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads import restli
from airflow_provider_linkedin_ads.enums import (
    REVENUE_PIVOTS,
    CampaignType,
    Finder,
    Pivot,
    SortField,
    SortOrder,
    TimeGranularity,
)
from airflow_provider_linkedin_ads.errors import RestliError
from airflow_provider_linkedin_ads.metrics import (
    LEGACY_NAMES,
    METRICS,
    MISNOMERS,
    REVENUE_METRICS,
    STRUCTURAL_FIELDS,
)
from airflow_provider_linkedin_ads.models import FACET_URN_TYPES
from airflow_provider_linkedin_ads.testing.params import INVALID, MISSING, NOT_ALLOWED, date_value, reject
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.versions import is_at_least

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.params import Params

__all__ = ["MAX_FIELDS", "AnalyticsRequest", "build_report_query"]

#: LinkedIn's cap on ``fields``, ``dateRange`` and ``pivotValues`` included.
MAX_FIELDS = 20
FACETS: tuple[str, ...] = ("accounts", "campaignGroups", "campaigns", "creatives", "shares", "companies")
_REVENUE_FACETS = ("account", "campaignGroups", "campaigns")
_COMMON = frozenset({"q", "dateRange", "fields", "projection", "start", "count"})
_ALLOWED: dict[Finder, frozenset[str]] = {
    Finder.ANALYTICS: _COMMON | {"pivot", "timeGranularity", "campaignType", "sortBy", *FACETS},
    Finder.STATISTICS: _COMMON | {"pivots", "timeGranularity", "campaignType", "sortBy", *FACETS},
    Finder.ATTRIBUTED_REVENUE: _COMMON | {"pivots", *_REVENUE_FACETS},
}
_REMOVED_PIVOTS = {"MEMBER_COUNTRY": "MEMBER_COUNTRY_V2", "MEMBER_REGION": "MEMBER_REGION_V2"}
_VERSION_GATED_PIVOTS = {Pivot.MEMBER_DESIGNATED_MARKET_AREA: "202609"}
_REVENUE_OBJECT = "revenueAttributionMetrics"
_SORT_METRICS = {
    SortField.COST_IN_LOCAL_CURRENCY: "costInLocalCurrency",
    SortField.IMPRESSIONS: "impressions",
    SortField.CLICKS: "clicks",
    SortField.ONE_CLICK_LEADS: "oneClickLeads",
    SortField.OPENS: "opens",
    SortField.SENDS: "sends",
    SortField.EXTERNAL_WEBSITE_CONVERSIONS: "externalWebsiteConversions",
}


@dataclass(frozen=True)
class AnalyticsRequest:
    """A validated request: the world's query plus what only the HTTP layer applies.

    :param query: what the world answers.
    :param sort_metric: metric to sort rows by (from ``sortBy``), or ``None``.
    :param descending: sort order.
    """

    query: ReportQuery
    sort_metric: str | None = None
    descending: bool = False


def build_report_query(params: Params, *, today: dt.date, version: str) -> AnalyticsRequest:
    """Validate ``params`` and build the query.

    :param params: the decoded query string.
    :param today: the emulator's UTC day (retention, open-ended ranges, revenue window).
    :param version: the request's ``LinkedIn-Version`` (version-gated pivots and metrics).
    :raises Rejection: with the first rule the request breaks.
    """
    finder = _finder(params)
    _check_allowed(params, finder)
    pivots = _pivots(params, finder, version)
    granularity = _granularity(params, finder)
    start, end = _date_range(params, finder, pivots, today)
    facets = _facets(params, finder)
    fields, revenue_fields = _fields(params, finder, version)
    sort_metric, descending = _sort(params)
    query = ReportQuery(
        finder=finder,
        pivots=pivots,
        granularity=granularity,
        start=start,
        end=end,
        facets=facets,
        fields=fields,
        revenue_fields=revenue_fields,
        campaign_type=_campaign_type(params),
    )
    return AnalyticsRequest(query, sort_metric, descending)


def _finder(params: Params) -> Finder:
    value = params.require("q", "one of analytics, statistics, attributedRevenueMetrics")
    try:
        return Finder(value if isinstance(value, str) else "")
    except ValueError:
        raise reject(
            INVALID,
            "q",
            f"q={value!r} is not a finder; use analytics, statistics or attributedRevenueMetrics",
        ) from None


def _check_allowed(params: Params, finder: Finder) -> None:
    for name in sorted(params.names() - _ALLOWED[finder]):
        raise reject(NOT_ALLOWED, name, _not_allowed_hint(name, finder))


def _not_allowed_hint(name: str, finder: Finder) -> str:
    if name == "pivots" and finder is Finder.ANALYTICS:
        return "q=analytics takes one pivot=X; use q=statistics for pivots=List(...)"
    if name == "pivot":
        return f"q={finder} takes pivots=List(...), not pivot"
    if name == "timeGranularity":
        return "timeGranularity is not a parameter of q=attributedRevenueMetrics; leave it out"
    if name == "account":
        return "the singular account facet belongs to q=attributedRevenueMetrics; use accounts=List(...)"
    return f"{name!r} is not a parameter of q={finder}"


def _pivots(params: Params, finder: Finder, version: str) -> tuple[Pivot, ...]:
    if finder is Finder.ANALYTICS:
        params.require("pivot", "the pivot to group by, e.g. pivot=CAMPAIGN")
        return (_pivot(params.enum("pivot"), "pivot", version),)
    params.require("pivots", "1 to 3 pivots, e.g. pivots=List(CAMPAIGN_GROUP,CAMPAIGN)")
    pivots = tuple(_pivot(name, "pivots", version) for name in params.enum_list("pivots"))
    if not 1 <= len(pivots) <= finder.max_pivots or len(set(pivots)) != len(pivots):
        raise reject(INVALID, "pivots", f"pivots takes 1 to 3 distinct pivots, got {len(pivots)}")
    if finder is Finder.STATISTICS:
        for pivot in pivots:
            if pivot.is_demographic:
                message = f"{pivot} is a professional-demographic pivot; q=statistics does not support MEMBER_* pivots (use q=analytics)"
                raise reject("FIELD_INVALID", "pivots", message)
    elif not set(pivots) <= REVENUE_PIVOTS:
        bad = next(pivot for pivot in pivots if pivot not in REVENUE_PIVOTS)
        raise reject(
            INVALID,
            "pivots",
            f"{bad}: q=attributedRevenueMetrics supports only ACCOUNT, CAMPAIGN_GROUP, CAMPAIGN pivots",
        )
    return pivots


def _pivot(name: str, param: str, version: str) -> Pivot:
    try:
        pivot = Pivot(name)
    except ValueError:
        raise reject(INVALID, param, _unknown(name, "pivot", list(Pivot), _REMOVED_PIVOTS)) from None
    gate = _VERSION_GATED_PIVOTS.get(pivot)
    if gate is not None and not is_at_least(version, gate):
        raise reject(
            INVALID, param, f"{pivot} needs LinkedIn-Version {gate} or later (request used {version})"
        )
    return pivot


def _unknown(name: str, what: str, known: list[str], replacements: dict[str, str]) -> str:
    if name in replacements:
        return f"{what} {name!r} does not exist any more; use {replacements[name]}"
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown {what} {name!r}{hint}"


def _granularity(params: Params, finder: Finder) -> TimeGranularity | None:
    if finder is Finder.ATTRIBUTED_REVENUE:
        return None
    params.require("timeGranularity", "one of ALL, DAILY, MONTHLY, YEARLY")
    value = params.enum("timeGranularity")
    try:
        return TimeGranularity(value)
    except ValueError:
        raise reject(
            INVALID, "timeGranularity", f"timeGranularity={value!r}: use ALL, DAILY, MONTHLY or YEARLY"
        ) from None


def _date_range(
    params: Params, finder: Finder, pivots: tuple[Pivot, ...], today: dt.date
) -> tuple[dt.date, dt.date]:
    value = params.require("dateRange", "e.g. dateRange=(start:(year:2025,month:1,day:1))")
    if not isinstance(value, dict) or not set(value) <= {"start", "end"}:
        raise reject(
            INVALID, "dateRange", "dateRange must be a record (start:(year:Y,month:M,day:D),end:(...))"
        )
    start = date_value(value.get("start"), "dateRange.start")
    end = date_value(value["end"], "dateRange.end") if "end" in value else today
    if end < start:
        message = f"dateRange.start {start.isoformat()} is after dateRange.end {end.isoformat()}"
        raise reject("START_DATE_AFTER_END_DATE", "dateRange", message)
    if finder is Finder.ATTRIBUTED_REVENUE:
        _revenue_window(start, end, today)
    else:
        _retention(start, pivots, today)
    return start, end


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _retention(start: dt.date, pivots: tuple[Pivot, ...], today: dt.date) -> None:
    demographic = any(pivot.is_demographic for pivot in pivots)
    years = 2 if demographic else 10
    earliest = _years_before(today, years)
    if start < earliest:
        kind = "professional-demographic" if demographic else "performance"
        message = (
            f"dateRange.start {start.isoformat()} is before {earliest.isoformat()}: {kind} data is retained "
            f"for {years} years"
        )
        raise reject("DATE_TOO_EARLY", "dateRange.start", message)


def _revenue_window(start: dt.date, end: dt.date, today: dt.date) -> None:
    days = (end - start).days + 1
    if not 30 <= days <= 366:
        message = f"dateRange covers {days} days; q=attributedRevenueMetrics needs 30 to 366 days (inclusive)"
        raise reject(INVALID, "dateRange", message)
    earliest = today - dt.timedelta(days=366)
    if start < earliest:
        message = f"dateRange.start {start.isoformat()} is not within the last year (earliest {earliest.isoformat()})"
        raise reject("DATE_TOO_EARLY", "dateRange.start", message)


def _facets(params: Params, finder: Finder) -> dict[str, tuple[str, ...]]:
    names = _REVENUE_FACETS if finder is Finder.ATTRIBUTED_REVENUE else FACETS
    facets = {
        name: params.urn_list(name, FACET_URN_TYPES[name], allow_bare=name == "account")
        for name in names
        if name in params
    }
    if finder is Finder.ATTRIBUTED_REVENUE:
        if "account" not in facets:
            raise reject(
                MISSING,
                "account",
                "q=attributedRevenueMetrics requires account=List(urn%3Ali%3AsponsoredAccount%3A<id>)",
            )
        if len(facets["account"]) != 1:
            raise reject(INVALID, "account", "account takes exactly one sponsoredAccount URN")
    elif not facets:
        raise reject(MISSING, "accounts", f"q={finder} requires at least one facet: {', '.join(FACETS)}")
    return facets


def _fields(
    params: Params, finder: Finder, version: str
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    raw = params.fields_text()
    if raw is None:
        return None, None
    spec = _parse_fields(raw)
    if len(spec) > MAX_FIELDS:
        message = f"fields lists {len(spec)} fields; at most {MAX_FIELDS} are allowed, dateRange and pivotValues included"
        raise reject(INVALID, "fields", message)
    if finder is Finder.ATTRIBUTED_REVENUE:
        return tuple(spec), _revenue_fields(spec)
    for name, sub in spec.items():
        _check_metric(name, sub, version)
    return tuple(spec), None


def _parse_fields(raw: str) -> dict[str, tuple[str, ...] | None]:
    if raw.startswith("List("):
        raise reject(INVALID, "fields", "fields is a plain comma list (fields=a,b,c), not List(...)")
    if "%" in raw:
        message = "fields arrived percent-encoded (e.g. %2C); send it as a raw comma list: fields=dateRange,pivotValues,clicks"
        raise reject(INVALID, "fields", message)
    try:
        return restli.parse_fields(raw, merge_duplicates=True)  # LinkedIn tolerates a repeated name
    except RestliError as err:
        raise reject(INVALID, "fields", f"fields is malformed: {err}") from None


def _check_metric(name: str, sub: tuple[str, ...] | None, version: str) -> None:
    if name == _REVENUE_OBJECT:
        raise reject(INVALID, "fields", "revenueAttributionMetrics belongs to q=attributedRevenueMetrics")
    if sub is not None:
        raise reject(
            INVALID, "fields", f"{name}:(...) sub-projections exist only for revenueAttributionMetrics"
        )
    if name in STRUCTURAL_FIELDS:
        return
    metric = METRICS.get(name)
    if metric is None:
        hints = {**LEGACY_NAMES, **MISNOMERS}
        raise reject(INVALID, "fields", _unknown(name, "metric", [*METRICS, *STRUCTURAL_FIELDS], hints))
    if metric.min_version is not None and not is_at_least(version, metric.min_version):
        raise reject(
            INVALID,
            "fields",
            f"{name} needs LinkedIn-Version {metric.min_version} or later (request used {version})",
        )


def _revenue_fields(spec: dict[str, tuple[str, ...] | None]) -> tuple[str, ...] | None:
    for name in spec:
        if name not in (*STRUCTURAL_FIELDS, _REVENUE_OBJECT):
            message = f"q=attributedRevenueMetrics returns dateRange, pivotValues and revenueAttributionMetrics, not {name!r}"
            raise reject(INVALID, "fields", message)
    sub = spec.get(_REVENUE_OBJECT)
    for name in sub or ():
        if name not in REVENUE_METRICS:
            raise reject(
                INVALID,
                "fields",
                _unknown(name, "revenueAttributionMetrics field", list(REVENUE_METRICS), {}),
            )
    return sub


def _sort(params: Params) -> tuple[str | None, bool]:
    value = params.get("sortBy")
    if value is None:
        return None, False
    if not isinstance(value, dict) or set(value) != {"field", "order"}:
        raise reject(INVALID, "sortBy", "sortBy must be (field:<SortField>,order:ASCENDING|DESCENDING)")
    try:
        field, order = (
            SortField(params.enum("sortBy", value["field"])),
            SortOrder(params.enum("sortBy", value["order"])),
        )
    except ValueError:
        raise reject(
            INVALID,
            "sortBy",
            f"sortBy: field must be one of {', '.join(SortField)}; order ASCENDING or DESCENDING",
        ) from None
    return _SORT_METRICS[field], order is SortOrder.DESCENDING


def _campaign_type(params: Params) -> str | None:
    if "campaignType" not in params:
        return None
    value = params.enum("campaignType")
    if value not in set(CampaignType):
        raise reject(INVALID, "campaignType", f"campaignType={value!r}: use one of {', '.join(CampaignType)}")
    return value
