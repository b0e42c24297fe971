"""Response rules and limits: fields, the 15,000 cut, tunnelling, throttles (429), 5xx, metric delays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing import EmulatorServer, ReportQuery
from airflow_provider_linkedin_ads.testing.responses import DATA_THROTTLE_MESSAGE

RANGE = "dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:7))"
FACET = "accounts=List(urn%3Ali%3AsponsoredAccount%3A{account})"
BASE = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{RANGE}&{FACET}"
PAGING = {"start": 0, "count": 10, "links": []}


def day_range(day: dt.date) -> str:
    return f"dateRange=(start:(year:{day.year},month:{day.month},day:{day.day}),end:(year:{day.year},month:{day.month},day:{day.day}))"


# -- fields -----------------------------------------------------------------------------------------


def test_without_fields_default_metrics_with_range_and_pivot_values(
    api: Any, accounts: dict[str, int]
) -> None:
    elements = api.analytics(BASE.format(account=accounts["visible"])).json["elements"]

    assert elements
    assert {key for element in elements for key in element} == {
        "dateRange",
        "pivotValues",
        "impressions",
        "clicks",
    }


def test_with_fields_exactly_those_and_wire_types(api: Any, accounts: dict[str, int]) -> None:
    query = BASE.format(account=accounts["visible"]) + "&fields=pivotValues,dateRange,impressions,costInUsd"

    elements = api.analytics(query).json["elements"]

    assert elements
    assert all(
        set(element) == {"pivotValues", "dateRange", "impressions", "costInUsd"} for element in elements
    )
    assert all(isinstance(element["impressions"], int) for element in elements)
    assert all(isinstance(element["costInUsd"], str) for element in elements)


def test_answer_equals_the_worlds_ground_truth(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    account = accounts["visible"]
    query = ReportQuery(
        finder=Finder.STATISTICS,
        pivots=(Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN),
        granularity=TimeGranularity.MONTHLY,
        start=dt.date(2026, 8, 15),
        end=dt.date(2026, 11, 27),
        facets={"accounts": (f"urn:li:sponsoredAccount:{account}",)},
        fields=("dateRange", "pivotValues", "impressions", "costInLocalCurrency"),
        visible_accounts=server.world.accounts_for_member("urn:li:person:emulator"),
    )
    wire = (
        "q=statistics&pivots=List(CAMPAIGN_GROUP,CAMPAIGN)&timeGranularity=MONTHLY"
        "&dateRange=(start:(year:2026,month:8,day:15),end:(year:2026,month:11,day:27))"
        f"&{FACET.format(account=account)}&fields=dateRange,pivotValues,impressions,costInLocalCurrency"
    )

    reply = api.analytics(wire)

    assert reply.json == {"elements": server.world.answer(query, now=server.clock.now()), "paging": PAGING}


def test_sort_by_orders_rows(api: Any, accounts: dict[str, int]) -> None:
    query = (
        BASE.format(account=accounts["visible"])
        + "&fields=impressions&sortBy=(field:IMPRESSIONS,order:DESCENDING)"
    )

    impressions = [element["impressions"] for element in api.analytics(query).json["elements"]]

    assert impressions == sorted(impressions, reverse=True)


# -- the 15,000-element cut ---------------------------------------------------------------------------


def test_more_than_15000_rows_are_cut_silently(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    account = accounts["visible"]
    query = ReportQuery(
        finder=Finder.ANALYTICS,
        pivots=(Pivot.MEMBER_JOB_TITLE,),
        granularity=TimeGranularity.DAILY,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 11, 27),
        facets={"accounts": (f"urn:li:sponsoredAccount:{account}",)},
        fields=("dateRange", "pivotValues", "impressions"),
        visible_accounts=server.world.accounts_for_member("urn:li:person:emulator"),
    )
    truth = server.world.answer(query, now=server.clock.now())
    assert len(truth) > 15_000
    wire = (
        "q=analytics&pivot=MEMBER_JOB_TITLE&timeGranularity=DAILY"
        "&dateRange=(start:(year:2026,month:10,day:1),end:(year:2026,month:11,day:27))"
        f"&{FACET.format(account=account)}&fields=dateRange,pivotValues,impressions"
    )

    reply = api.analytics(wire)

    assert reply.status == 200
    assert reply.json == {"elements": truth[:15_000], "paging": PAGING}
    assert server.counters.metric_values == 3 * 15_000


# -- tunnelling ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(BASE + "&fields=dateRange,pivotValues,impressions,costInUsd", id="report"),
        pytest.param(BASE.replace("pivot=CAMPAIGN", "pivot=(value:CAMPAIGN)"), id="record-enum"),
        pytest.param(BASE.replace("pivot=CAMPAIGN", "pivot=NOPE"), id="validation-error"),
        pytest.param(BASE.replace(FACET, "campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1)"), id="not-found"),
    ],
)
def test_tunnelled_and_plain_bodies_are_identical(
    server: EmulatorServer, api: Any, accounts: dict[str, int], query: str
) -> None:
    query = query.format(account=accounts["visible"])

    plain, tunnelled = api.analytics(query), api.tunnel("/rest/adAnalytics", query)

    assert (plain.status, plain.body) == (tunnelled.status, tunnelled.body)
    first, second = server.requests[-2:]
    assert (first.tunnelled, second.tunnelled) == (False, True)
    assert first.query == second.query == query


@pytest.mark.parametrize(
    ("overrides", "with_query", "fragment"),
    [
        pytest.param(
            {"Content_Type": "application/json"},
            False,
            "Content-Type: application/x-www-form-urlencoded",
            id="content-type",
        ),
        pytest.param({"X_HTTP_Method_Override": "DELETE"}, False, "X-HTTP-Method-Override", id="override"),
        pytest.param({}, True, "query in the body only", id="query-in-url-too"),
    ],
)
def test_malformed_tunnels_are_400(
    api: Any, accounts: dict[str, int], overrides: dict[str, str], with_query: bool, fragment: str
) -> None:
    query = BASE.format(account=accounts["visible"])
    path = "/rest/adAnalytics" + ("?q=analytics" if with_query else "")

    reply = api.tunnel(path, query, **overrides)

    assert reply.status == 400
    assert fragment in reply.json["message"]


def test_post_without_override_is_405(api: Any) -> None:
    reply = api.post("/rest/adAnalytics", b"q=analytics", Content_Type="application/x-www-form-urlencoded")

    assert reply.error[:2] == (405, "METHOD_NOT_ALLOWED")


# -- throttles -----------------------------------------------------------------------------------------


def test_data_throttle_after_the_metric_value_budget(
    make_server: Any, make_api: Any, accounts: dict[str, int]
) -> None:
    server = make_server(metric_value_budget=50)
    api = make_api(server)
    query = BASE.format(account=accounts["visible"]) + "&fields=pivotValues,impressions"
    first = api.analytics(query)
    served = 2 * len(first.json["elements"])
    assert served > 50

    throttled = api.analytics(query)
    server.clock.advance(dt.timedelta(minutes=5))
    after_window = api.analytics(query)

    assert throttled.error == (429, "TOO_MANY_REQUESTS", DATA_THROTTLE_MESSAGE)
    assert "45 million metric values" in throttled.json["message"]
    assert "Retry-After" not in throttled.headers
    assert after_window.status == 200
    counters = server.counters
    assert (counters.throttled["data"], counters.metric_values) == (1, 2 * served)


def test_data_throttle_sends_retry_after_when_configured(
    make_server: Any, make_api: Any, accounts: dict[str, int]
) -> None:
    server = make_server(metric_value_budget=1, retry_after=7)
    api = make_api(server)
    api.analytics(BASE.format(account=accounts["visible"]))

    reply = api.analytics(BASE.format(account=accounts["visible"]))

    assert reply.status == 429
    assert reply.headers["Retry-After"] == "7"


def test_daily_quota_names_the_day_window_and_resets_at_midnight(
    make_server: Any, make_api: Any, accounts: dict[str, int]
) -> None:
    server = make_server(daily_quota=2)
    api = make_api(server)
    query = BASE.format(account=accounts["visible"])
    statuses = [api.analytics(query).status for _ in range(2)]

    over = api.analytics(query)
    other_resource = api.get("/rest/adAccounts", "q=search")
    server.clock.set(dt.datetime(2026, 11, 29, 0, 0, 1, tzinfo=dt.UTC))
    next_day = api.analytics(query)

    assert statuses == [200, 200]
    assert over.error == (
        429,
        "TOO_MANY_REQUESTS",
        "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.",
    )
    assert over.json["serviceErrorCode"] == 101
    assert (other_resource.status, next_day.status) == (200, 200)
    assert server.counters.throttled["day"] == 1


@pytest.mark.parametrize(
    ("kind", "retry_after", "expected_header"),
    [
        pytest.param("429", None, None, id="short-window"),
        pytest.param("429", 3, "3", id="short-window-configured"),
        pytest.param("429-retry-after", None, "1", id="short-window-with-retry-after"),
    ],
)
def test_short_window_throttle_with_and_without_retry_after(
    make_server: Any,
    make_api: Any,
    accounts: dict[str, int],
    kind: str,
    retry_after: int | None,
    expected_header: str | None,
) -> None:
    server = make_server(retry_after=retry_after)
    server.faults.script(kind)
    api = make_api(server)

    reply = api.analytics(BASE.format(account=accounts["visible"]))

    status, code, message = reply.error
    assert (status, code, reply.json["serviceErrorCode"]) == (429, "TOO_MANY_REQUESTS", 101)
    assert "DAY" not in message
    assert "metric values" not in message
    assert reply.headers.get("Retry-After") == expected_header
    assert server.counters.throttled["short"] == 1


@pytest.mark.parametrize(
    ("kind", "status", "code", "fragment"),
    [
        pytest.param("500", 500, "INTERNAL_ERROR", "Retry the request", id="internal-error"),
        pytest.param("503", 503, "UNDER_MAINTENANCE", "temporarily unavailable", id="under-maintenance"),
        pytest.param("429-data", 429, "TOO_MANY_REQUESTS", "45 million metric values", id="data-throttle"),
    ],
)
def test_server_errors_from_the_error_table(
    server: EmulatorServer,
    api: Any,
    accounts: dict[str, int],
    kind: str,
    status: int,
    code: str,
    fragment: str,
) -> None:
    server.faults.script(kind)

    reply = api.analytics(BASE.format(account=accounts["visible"]))

    assert reply.error[:2] == (status, code)
    assert fragment in reply.error[2]
    assert server.counters.faults[kind] == 1


# -- delays: the emulator clock decides what has matured -----------------------------------------------


def total(reply: Any, metric: str) -> int:
    assert reply.status == 200, reply.body
    return sum(int(element.get(metric, 0)) for element in reply.json["elements"])


def test_demographic_values_appear_12_to_24_hours_after_the_day(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    day = dt.date(2026, 11, 26)
    demographic = f"q=analytics&pivot=MEMBER_JOB_FUNCTION&timeGranularity=DAILY&{day_range(day)}&{FACET}&fields=pivotValues,impressions"
    performance = f"q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&{day_range(day)}&{FACET}&fields=pivotValues,impressions"
    seen: dict[int, tuple[int, int]] = {}
    for hours_after in (6, 18, 30):
        server.clock.set(dt.datetime(2026, 11, 27, tzinfo=dt.UTC) + dt.timedelta(hours=hours_after))
        seen[hours_after] = (
            total(api.analytics(demographic.format(account=accounts["visible"])), "impressions"),
            total(api.analytics(performance.format(account=accounts["visible"])), "impressions"),
        )

    assert seen[6][0] == 0 < seen[18][0] < seen[30][0]
    assert seen[6][1] == seen[18][1] == seen[30][1] > 0


def test_video_watch_time_keeps_growing_until_48_hours_after_the_day(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    day = dt.date(2026, 11, 24)
    query = f"q=analytics&pivot=ACCOUNT&timeGranularity=DAILY&{day_range(day)}&{FACET}&fields=videoWatchTime,videoViews"
    totals = []
    for hours_after in (2, 30, 49, 72):
        server.clock.set(dt.datetime(2026, 11, 25, tzinfo=dt.UTC) + dt.timedelta(hours=hours_after))
        reply = api.analytics(query.format(account=accounts["visible"]))
        totals.append((total(reply, "videoWatchTime"), total(reply, "videoViews")))

    watch = [item[0] for item in totals]
    assert 0 < watch[0] < watch[1] < watch[2] == watch[3]
    assert len({item[1] for item in totals}) == 1
