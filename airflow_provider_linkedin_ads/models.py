"""Small frozen value objects shared by every layer: date ranges, URNs and report requests.

Pure standard library; the emulator reuses these, so client and emulator agree on the wire forms.
:class:`ReportRequest` turns loose user input (strings, bare ids, ISO dates) into one typed value;
:mod:`.validation` then checks it against LinkedIn's rules before any request is sent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReportValidationError
from airflow_provider_linkedin_ads.metrics import REVENUE_METRICS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "ANALYTICS_FACETS",
    "FACET_URN_TYPES",
    "DateRange",
    "FacetInput",
    "OpenDateRange",
    "ReportRequest",
    "add_months",
    "month_end",
    "normalize_urn",
    "urn_id",
]

#: The facets of the analytics and statistics finders: Python argument name -> query parameter name.
#: Operators, the sensor, the hook and validation all read this one table.
ANALYTICS_FACETS: Mapping[str, str] = MappingProxyType(
    {
        "accounts": "accounts",
        "campaign_groups": "campaignGroups",
        "campaigns": "campaigns",
        "creatives": "creatives",
        "shares": "shares",
        "companies": "companies",
    }
)

#: Facet parameter -> the URN type its values must have (bare ids are normalised to it).
FACET_URN_TYPES: Mapping[str, str] = {
    "accounts": "sponsoredAccount",
    "account": "sponsoredAccount",
    "campaignGroups": "sponsoredCampaignGroup",
    "campaigns": "sponsoredCampaign",
    "creatives": "sponsoredCreative",
    "companies": "organization",
    "shares": "share",
}

_URN_RE = re.compile(r"^urn:(li|lla):([A-Za-z]+):([0-9]{1,19})$")
_ID_RE = re.compile(r"^[0-9]{1,19}$")


def normalize_urn(value: object, *, urn_type: str, argument: str) -> str:
    """Return ``value`` as ``urn:li:<urn_type>:<id>``, accepting a bare numeric id or that URN.

    :param value: ``508000000``, ``"508000000"`` or ``"urn:li:sponsoredAccount:508000000"``.
    :param urn_type: the expected type, e.g. ``"sponsoredAccount"``.
    :param argument: the argument name, used in the error message.
    :raises ConfigurationError: anything else (wrong URN type, text, grammar characters, an id < 1,
        ...).

    .. code-block:: python

        normalize_urn(42, urn_type="sponsoredCampaign", argument="campaigns")
        # 'urn:li:sponsoredCampaign:42'
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigurationError(
            f"{argument}: expected a numeric id or a urn:li:{urn_type}:<id> URN, got {type(value).__name__}",
            argument=argument,
        )
    text = str(value).strip()
    if _ID_RE.match(text):
        return f"urn:li:{urn_type}:{_entity_id(int(text), urn_type, argument)}"
    match = _URN_RE.match(text)
    if match and match.group(2) == urn_type:
        return f"urn:{match.group(1)}:{urn_type}:{_entity_id(int(match.group(3)), urn_type, argument)}"
    raise ConfigurationError(
        f"{argument}: {_preview(text)!r} is not a numeric id or a urn:li:{urn_type}:<id> URN",
        argument=argument,
    )


def _entity_id(number: int, urn_type: str, argument: str) -> int:
    # LinkedIn's entity ids start at 1: id 0 names no account, campaign or creative, and LinkedIn
    # answers it with an empty report (indistinguishable from "no activity"), so refuse it here.
    if number < 1:
        raise ConfigurationError(
            f"{argument}: {urn_type} id {number} is not a valid id (LinkedIn ids are whole numbers >= 1)",
            argument=argument,
        )
    return number


def urn_id(urn: str) -> str:
    """Return the trailing id of a URN (``urn:li:sponsoredCampaign:42`` -> ``"42"``)."""
    return urn.rsplit(":", 1)[-1]


def _preview(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True, order=True)
class DateRange:
    """An inclusive range of UTC calendar days, as LinkedIn's ``dateRange`` means it.

    .. code-block:: python

        DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31)).days  # 31
    """

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ConfigurationError(
                f"date range end {self.end.isoformat()} is before start {self.start.isoformat()}",
                argument="date_range_end",
            )

    @property
    def days(self) -> int:
        """Number of days covered, both ends included."""
        return (self.end - self.start).days + 1

    def to_restli(self) -> dict[str, dict[str, int]]:
        """Return the ``dateRange`` record for the Rest.li encoder (start before end)."""
        return {"start": _date_record(self.start), "end": _date_record(self.end)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DateRange:
        """Parse a response row's ``dateRange`` object."""
        return cls(_date_from_record(data["start"]), _date_from_record(data["end"]))

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class OpenDateRange:
    """A ``dateRange`` without ``end``: from ``start`` up to today, as LinkedIn reads it.

    LinkedIn accepts a range without ``end`` and ends it on the current UTC day (the Reporting
    page's first sample; ``attributedRevenueMetrics`` documents ``end`` as optional, and returns
    ``openOpportunities``/``opportunityAmountInUsd`` only for a range that ends today). Only the
    hook's single finder calls send it: the report engine plans windows and needs a concrete end, so
    it takes a :class:`DateRange`, which :meth:`resolve` gives for a known day.

    .. code-block:: python

        OpenDateRange(dt.date(2025, 1, 1)).to_restli()  # {'start': {'year': 2025, 'month': 1, 'day': 1}}
        OpenDateRange(dt.date(2025, 1, 1)).resolve(dt.date(2025, 1, 31)).days  # 31
    """

    start: dt.date

    def __post_init__(self) -> None:
        if not isinstance(self.start, dt.date) or isinstance(self.start, dt.datetime):
            raise ConfigurationError(
                f"date range start must be a date, got {type(self.start).__name__}",
                argument="date_range_start",
            )

    @property
    def end(self) -> None:
        """Always ``None``: the range is open (LinkedIn ends it today, UTC)."""
        return None

    def to_restli(self) -> dict[str, dict[str, int]]:
        """Return the ``dateRange`` record without ``end``."""
        return {"start": _date_record(self.start)}

    def resolve(self, today: dt.date) -> DateRange:
        """Return the closed range LinkedIn answers for on ``today`` (the current UTC day).

        :raises ConfigurationError: when ``start`` is after ``today``.
        """
        return DateRange(self.start, today)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}.."


def month_end(day: dt.date) -> dt.date:
    """Return the last day of ``day``'s month."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by ``months`` calendar months, clamped to the target month's length.

    .. code-block:: python

        add_months(dt.date(2024, 2, 29), -12)  # datetime.date(2023, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    first = dt.date(year, month_index + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


def _date_record(day: dt.date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _date_from_record(data: Mapping[str, Any]) -> dt.date:
    return dt.date(int(data["year"]), int(data["month"]), int(data["day"]))


# ── report requests ──────────────────────────────────────────────────────────────────────────────

#: A facet value as users give it: a URN, a bare numeric id, or a list of those.
FacetInput: TypeAlias = "str | int | Iterable[str | int]"


@dataclass(frozen=True)
class ReportRequest:
    """One logical ``adAnalytics`` report, independent of how many API calls it will take.

    Build it from loose input with :meth:`build` (strings, bare ids, ISO dates are normalised); check
    it with :func:`airflow_provider_linkedin_ads.validation.validate_request` before sending anything.

    :param finder: ``analytics``, ``statistics`` or ``attributedRevenueMetrics``.
    :param pivots: pivots in request order; :class:`~.enums.Pivot` members, or upper-case strings
        for names the catalogue does not know yet (only with ``allow_unknown_names``).
    :param date_range: inclusive UTC days.
    :param metrics: metric names in output order (any number; the engine chunks them). For
        attributedRevenueMetrics these are ``revenueAttributionMetrics`` sub-fields.
    :param time_granularity: required by analytics/statistics, absent for attributedRevenueMetrics.
    :param facets: facet parameter (``accounts``, ``campaignGroups``, ``campaigns``, ``creatives``,
        ``shares``, ``companies``, or ``account`` for revenue) -> normalised URNs.
    :param campaign_type: optional ``campaignType`` filter.
    :param objective_type: optional ``objectiveType`` filter.
    :param allow_unknown_names: the escape hatch: pass pivot, metric and campaign-type names the
        catalogue does not know through unvalidated, so a new LinkedIn value is not blocked.

    .. code-block:: python

        request = ReportRequest.build(
            finder="analytics",
            pivots="CAMPAIGN",
            time_granularity="DAILY",
            date_range=("2026-01-01", "2026-01-31"),
            facets={"accounts": [508000000]},
            metrics=["impressions", "clicks", "costInLocalCurrency"],
        )
        request.facets["accounts"]  # ('urn:li:sponsoredAccount:508000000',)
    """

    finder: Finder
    pivots: tuple[str, ...]
    date_range: DateRange
    metrics: tuple[str, ...]
    time_granularity: TimeGranularity | None = None
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    campaign_type: str | None = None
    objective_type: str | None = None
    allow_unknown_names: bool = False

    @classmethod
    def build(
        cls,
        *,
        finder: Finder | str,
        pivots: Pivot | str | Iterable[Pivot | str],
        date_range: DateRange | tuple[dt.date | str, dt.date | str],
        metrics: Iterable[str] = (),
        time_granularity: TimeGranularity | str | None = None,
        facets: Mapping[str, FacetInput] | None = None,
        campaign_type: str | None = None,
        objective_type: str | None = None,
        allow_unknown_names: bool = False,
    ) -> ReportRequest:
        """Normalise loose input into a request (types only; LinkedIn's rules are checked later).

        :param metrics: empty for attributedRevenueMetrics means every revenue sub-field.
        :raises ReportValidationError: naming the argument, when a value has the wrong shape: an
            unknown finder or granularity, a malformed date, a URN of the wrong type.
        """
        finder_value = _parse_finder(finder)
        names = _parse_metrics(metrics)
        if not names and finder_value is Finder.ATTRIBUTED_REVENUE:
            names = tuple(REVENUE_METRICS)
        return cls(
            finder=finder_value,
            pivots=_parse_pivots(pivots),
            date_range=_parse_date_range(date_range),
            metrics=names,
            time_granularity=_parse_granularity(time_granularity),
            facets=_parse_facets(facets or {}),
            campaign_type=_parse_optional_name(campaign_type, "campaign_type"),
            objective_type=_parse_optional_name(objective_type, "objective_type"),
            allow_unknown_names=bool(allow_unknown_names),
        )

    @property
    def pivot_columns(self) -> tuple[str, ...]:
        """Output column names of the pivots (``Pivot.column``: the name in lower case)."""
        return tuple(pivot.lower() for pivot in self.pivots)

    @property
    def is_demographic(self) -> bool:
        """True when any pivot is a professional-demographic (``MEMBER_*``) pivot."""
        return any(pivot.startswith("MEMBER_") for pivot in self.pivots)

    def describe(self) -> str:
        """Describe the request briefly, token-free, for log lines and error messages."""
        facets = ", ".join(f"{name}={len(values)}" for name, values in self.facets.items())
        granularity = f" {self.time_granularity}" if self.time_granularity else ""
        return (
            f"q={self.finder} pivots={','.join(self.pivots)}{granularity} {self.date_range} "
            f"{len(self.metrics)} metric(s) [{facets}]"
        )


def _fail(argument: str, rule: str, message: str) -> ReportValidationError:
    return ReportValidationError(f"{argument}: {message}", argument=argument, rule=rule)


def _parse_finder(value: Finder | str) -> Finder:
    by_lower = {member.value.lower(): member for member in Finder}
    found = by_lower.get(str(value).strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise _fail("finder", "unknown_finder", f"{value!r} is not one of {', '.join(Finder)}")
    return found


def _parse_pivots(value: Pivot | str | Iterable[Pivot | str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    parsed: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise _fail("pivots", "invalid_type", f"pivot names must be non-empty strings, got {item!r}")
        text = item.strip()
        known = Pivot.__members__.get(text.upper())
        parsed.append(known if known is not None else text)
    return tuple(parsed)


def _parse_metrics(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    names: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail("metrics", "invalid_type", f"metric names must be non-empty strings, got {item!r}")
        names.append(item.strip())
    return tuple(names)


def _parse_granularity(value: TimeGranularity | str | None) -> TimeGranularity | None:
    if value is None:
        return None
    found = TimeGranularity.__members__.get(str(value).strip().upper()) if isinstance(value, str) else None
    if found is None:
        raise _fail(
            "time_granularity", "unknown_granularity", f"{value!r} is not one of {', '.join(TimeGranularity)}"
        )
    return found


def _parse_date_range(value: DateRange | tuple[dt.date | str, dt.date | str]) -> DateRange:
    if isinstance(value, DateRange):
        return value
    if isinstance(value, str) or not isinstance(value, tuple | list) or len(value) != 2:
        raise _fail("date_range", "invalid_type", "expected a DateRange or a (start, end) pair of dates")
    start, end = (_parse_day(item) for item in value)
    if end < start:
        raise _fail(
            "date_range", "start_after_end", f"end {end.isoformat()} is before start {start.isoformat()}"
        )
    return DateRange(start, end)


def _parse_day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(
            "date_range", "invalid_type", "expected dates, not datetimes (days are UTC calendar days)"
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail("date_range", "invalid_type", f"{value!r} is not a date or an ISO YYYY-MM-DD string")


def _parse_facets(value: Mapping[str, FacetInput]) -> Mapping[str, tuple[str, ...]]:
    parsed: dict[str, tuple[str, ...]] = {}
    for name, raw in value.items():
        urn_type = FACET_URN_TYPES.get(name)
        if urn_type is None:
            continue  # unknown facet names are reported, with a suggestion, by validation
        items = [raw] if isinstance(raw, str | int) else list(raw)
        urns = [_facet_urn(item, urn_type, name) for item in items]
        parsed[name] = tuple(dict.fromkeys(urns))  # duplicates add nothing; first-seen order kept
    unknown = sorted(set(value) - set(FACET_URN_TYPES))
    for name in unknown:
        parsed[name] = ()
    return MappingProxyType(parsed)


def _facet_urn(item: object, urn_type: str, facet: str) -> str:
    try:
        return normalize_urn(item, urn_type=urn_type, argument=facet)
    except ReportValidationError:
        raise
    except ConfigurationError as err:
        raise ReportValidationError(str(err), argument=facet, rule="invalid_urn") from err


def _parse_optional_name(value: str | None, argument: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value.strip()) is None:
        raise _fail(argument, "invalid_type", f"{value!r} is not an enum name such as SPONSORED_UPDATES")
    return value.strip().upper()
