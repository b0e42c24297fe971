"""The ordered Rest.li parameters of one ``adAnalytics`` finder call, built for ``LinkedInAdsHook``.

Pure (no Airflow, no I/O): it checks argument types, turns facet ids into URNs and lays the
parameters out in one fixed order -- ``q``, ``pivot``/``pivots``, ``timeGranularity``,
``dateRange``, the facets, ``fields`` last -- so that the same call always yields the same URL.
``dateRange`` is a :class:`~airflow_provider_linkedin_ads.models.DateRange` or, to let LinkedIn end
it today, an :class:`~airflow_provider_linkedin_ads.models.OpenDateRange` (no ``end`` sent).
LinkedIn's own rules (pivot limits, metric names, date windows) are left to the validation layer and
to the API; this module only refuses what cannot be sent at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.client.responses import elements_of
from airflow_provider_linkedin_ads.enums import Finder
from airflow_provider_linkedin_ads.errors import ConfigurationError, RequestSummary
from airflow_provider_linkedin_ads.models import (
    ANALYTICS_FACETS,
    FACET_URN_TYPES,
    DateRange,
    OpenDateRange,
    normalize_urn,
)

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.restli import Value

__all__ = ["FACET_ARGUMENTS", "FinderRequest", "elements_of"]

#: Wire name of each facet parameter -> the Python argument name used in error messages.
FACET_ARGUMENTS: Mapping[str, str] = {
    "account": "account",
    **{wire_name: argument for argument, wire_name in ANALYTICS_FACETS.items()},
}


@dataclass(frozen=True)
class FinderRequest:
    """One finder call on ``adAnalytics``: the ordered parameters and what a summary needs.

    .. code-block:: python

        request = FinderRequest.analytics(
            pivot="CAMPAIGN",
            time_granularity="DAILY",
            date_range=DateRange(dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
            facets={"accounts": [508000000]},
            fields=["impressions"],
        )
        request.params[0]  # ("q", "analytics")
    """

    finder: Finder
    pivots: tuple[str, ...]
    date_range: DateRange | OpenDateRange
    params: tuple[tuple[str, Value], ...]
    facet_counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def analytics(
        cls,
        *,
        pivot: object,
        time_granularity: object,
        date_range: object,
        facets: Mapping[str, object],
        fields: Sequence[str] | None,
    ) -> FinderRequest:
        """``q=analytics``: exactly one ``pivot``, sent bare (``pivot=CAMPAIGN``)."""
        name = _enum_text(pivot, "pivot")
        return _build(
            Finder.ANALYTICS, ("pivot", name), (name,), time_granularity, date_range, facets, fields
        )

    @classmethod
    def statistics(
        cls,
        *,
        pivots: object,
        time_granularity: object,
        date_range: object,
        facets: Mapping[str, object],
        fields: Sequence[str] | None,
    ) -> FinderRequest:
        """``q=statistics``: ``pivots=List(...)``, in the caller's order."""
        names = _pivot_list(pivots)
        return _build(
            Finder.STATISTICS, ("pivots", list(names)), names, time_granularity, date_range, facets, fields
        )

    @classmethod
    def attributed_revenue(
        cls,
        *,
        pivots: object,
        date_range: object,
        account: object,
        campaign_groups: object,
        campaigns: object,
        fields: Sequence[str] | None,
    ) -> FinderRequest:
        """``q=attributedRevenueMetrics``: no ``timeGranularity``; ``account=List(<one URN>)``."""
        if account is None or isinstance(account, list | tuple | set | frozenset):
            raise ConfigurationError(
                "account takes exactly one sponsored account id or URN, not a collection", argument="account"
            )
        names = _pivot_list(pivots)
        facets = {"account": account, "campaignGroups": campaign_groups, "campaigns": campaigns}
        return _build(
            Finder.ATTRIBUTED_REVENUE, ("pivots", list(names)), names, None, date_range, facets, fields
        )

    def summary(self) -> RequestSummary:
        """Describe this call without secrets; the client attaches it to any error it raises."""
        return RequestSummary(
            method="GET",
            resource="adAnalytics",
            finder=self.finder.value,
            pivots=self.pivots,
            date_range=str(self.date_range),
            facet_counts=dict(self.facet_counts),
        )


def _build(
    finder: Finder,
    pivot_param: tuple[str, Value],
    pivots: tuple[str, ...],
    time_granularity: object,
    date_range: object,
    facets: Mapping[str, object],
    fields: Sequence[str] | None,
) -> FinderRequest:
    # An OpenDateRange is sent without ``end``: LinkedIn then ends the range today (UTC).
    if not isinstance(date_range, DateRange | OpenDateRange):
        raise ConfigurationError(
            f"date_range must be a DateRange or an OpenDateRange, got {type(date_range).__name__}",
            argument="date_range",
        )
    params: list[tuple[str, Value]] = [("q", finder.value), pivot_param]
    if time_granularity is not None:
        params.append(("timeGranularity", _enum_text(time_granularity, "time_granularity")))
    params.append(("dateRange", date_range.to_restli()))
    counts: dict[str, int] = {}
    for wire_name, values in facets.items():
        urns = _facet_urns(wire_name, values)
        if urns:
            params.append((wire_name, urns))
            counts[wire_name] = len(urns)
    if fields is not None:
        params.append(("fields", _field_list(fields)))
    return FinderRequest(
        finder=finder, pivots=pivots, date_range=date_range, params=tuple(params), facet_counts=counts
    )


def _enum_text(value: object, argument: str) -> str:
    # StrEnum members are str instances whose str() is the bare value (Pivot.CAMPAIGN -> "CAMPAIGN").
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"{argument} must be a non-empty string, got {value!r:.80}", argument=argument
        )
    return str(value).strip()


def _pivot_list(pivots: object) -> tuple[str, ...]:
    if isinstance(pivots, str):
        pivots = [pivots]
    if not isinstance(pivots, Sequence) or not pivots:
        raise ConfigurationError("pivots must name at least one pivot", argument="pivots")
    return tuple(_enum_text(item, "pivots") for item in pivots)


def _facet_urns(wire_name: str, values: object) -> list[str]:
    argument = FACET_ARGUMENTS[wire_name]
    # A single id or URN is accepted as a one-element facet, so "accounts=508000000" works as meant
    # instead of iterating over the characters of a string.
    items = [values] if isinstance(values, int | str) else values
    if items is None:
        return []
    if isinstance(items, set | frozenset):
        items = sorted(items, key=str)  # a set has no order; the URL must be reproducible
    if not isinstance(items, Sequence):
        raise ConfigurationError(
            f"{argument} takes ids or URNs, got {type(values).__name__}", argument=argument
        )
    urn_type = FACET_URN_TYPES[wire_name]
    return [normalize_urn(item, urn_type=urn_type, argument=argument) for item in items]


def _field_list(fields: Sequence[str]) -> list[str]:
    if isinstance(fields, str) or not isinstance(fields, Sequence):
        raise ConfigurationError(
            "fields takes a sequence of field names such as ['dateRange', 'impressions'], not a string",
            argument="fields",
        )
    if not fields:
        raise ConfigurationError("fields must name at least one field, or be None", argument="fields")
    return list(fields)
