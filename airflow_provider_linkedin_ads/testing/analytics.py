"""``GET /rest/adAnalytics`` (plain or tunnelled): validate, check entities, ask the world, cut, count.

The answer is ``{"elements": [...], "paging": {"start": 0, "count": 10, "links": []}}`` exactly as
LinkedIn sends it: ``paging`` present and meaningless, ``elements`` silently cut at 15,000 rows (no
error, no next page; ``EmulatorConfig.max_elements`` lowers that cap so small worlds reach it).
Entities the token's member cannot see simply contribute no rows (an empty 200, as documented); an
entity URN that does not exist at all is a 404 ``NOT_FOUND``.
"""

from __future__ import annotations

import dataclasses
import decimal
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.testing.analytics_rules import build_report_query
from airflow_provider_linkedin_ads.testing.params import Params
from airflow_provider_linkedin_ads.testing.responses import (
    DATA_THROTTLE_MESSAGE,
    Rejection,
    Response,
    api_error,
    encode_json,
)
from airflow_provider_linkedin_ads.testing.rows import DEFAULT_METRICS

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.analytics_rules import AnalyticsRequest
    from airflow_provider_linkedin_ads.testing.oauth import Token
    from airflow_provider_linkedin_ads.testing.query import ReportQuery
    from airflow_provider_linkedin_ads.testing.request import Request
    from airflow_provider_linkedin_ads.testing.state import ApiState

__all__ = ["PAGING", "analytics_endpoint", "metric_value_count"]

#: The constant, meaningless ``paging`` object of every ``adAnalytics`` answer.
PAGING: dict[str, Any] = {"start": 0, "count": 10, "links": []}
_FACET_ENTITY = {
    "accounts": "accounts",
    "account": "accounts",
    "campaignGroups": "campaign_groups",
    "campaigns": "campaigns",
    "creatives": "creatives",
}


def metric_value_count(query: ReportQuery, rows: int) -> int:
    """Metric values of an answer as the data throttle counts them: fields requested x rows returned.

    Without ``fields`` the two default metrics count (the structural fields that come with them are
    not "specified in the fields parameter").
    """
    return len(query.fields or DEFAULT_METRICS) * rows


def analytics_endpoint(state: ApiState, request: Request, token: Token, version: str) -> Response:
    """Answer one ``adAnalytics`` finder call.

    :param state: the emulator state (world, clock, limits, tokens).
    :param request: the request (query already untunnelled).
    :param token: the caller's access token.
    :param version: the request's ``LinkedIn-Version``.
    """
    if "r_ads_reporting" not in token.scope.split(","):
        message = "Not enough permissions to access adAnalytics: the token lacks the r_ads_reporting scope"
        return api_error(403, "USER_NOT_AUTHORIZED", message, service_error_code=100)
    if state.budget.exhausted() or state.budget.tripped():
        return _data_throttled(state)
    built = build_report_query(Params.of(request), today=state.clock.today(), version=version)
    _check_entities(state, built.query)
    query = dataclasses.replace(built.query, visible_accounts=state.world.accounts_for_member(token.member))
    with state.world_lock:
        rows = state.world.answer(query, now=state.clock.now())
    rows = _sorted(rows, built)[: state.config.max_elements]
    values = metric_value_count(query, len(rows))
    state.budget.record(values)
    body = encode_json({"elements": rows, "paging": PAGING})
    return Response(200, body, metric_values=values)


def _data_throttled(state: ApiState) -> Response:
    wait = state.config.retry_after
    headers = (("Retry-After", str(wait)),) if wait is not None else ()
    response = api_error(429, "TOO_MANY_REQUESTS", DATA_THROTTLE_MESSAGE, headers=headers)
    return dataclasses.replace(response, throttle="data")


def _check_entities(state: ApiState, query: ReportQuery) -> None:
    world = state.world
    tables = {
        "accounts": world.accounts,
        "campaign_groups": world.campaign_groups,
        "campaigns": world.campaigns,
        "creatives": world.creatives,
    }
    for facet, urns in query.facets.items():
        table = tables.get(_FACET_ENTITY.get(facet, ""))
        if table is None:
            continue
        for urn in urns:
            if int(urn.rsplit(":", 1)[1]) not in table:
                message = f"{urn} (in {facet}) does not exist; check the URN"
                raise Rejection(api_error(404, "NOT_FOUND", message))


def _sorted(rows: list[dict[str, Any]], built: AnalyticsRequest) -> list[dict[str, Any]]:
    metric = built.sort_metric
    if metric is None:
        return rows

    def key(row: dict[str, Any]) -> decimal.Decimal:
        value = row.get(metric, 0)
        return decimal.Decimal(str(value)) if value is not None else decimal.Decimal(0)

    return sorted(rows, key=key, reverse=built.descending)
