"""The report engine against the bundled emulator: rows must equal the world's ground truth exactly.

The emulator cuts every ``adAnalytics`` answer at ``max_elements`` rows; these tests lower that cap
(and the engine's ``row_cap``) to :data:`CAP` so a small world produces reports whose natural answer
is many times the cap, which the engine must split and still return completely.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import os
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient, execution
from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
from airflow_provider_linkedin_ads.client.execution import PlanRunner
from airflow_provider_linkedin_ads.client.fetching import Fetcher
from airflow_provider_linkedin_ads.client.planning import (
    DATA_FIRST_MAX_DAYS,
    Calibration,
    FieldChunk,
    chunk_metrics,
)
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.enums import REVENUE_PIVOTS, Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ReportValidationError, TruncatedReportError
from airflow_provider_linkedin_ads.metrics import METRICS, REVENUE_METRICS
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.restli import parse_query
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.query import ReportQuery

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pytest_mock import MockerFixture

    from airflow_provider_linkedin_ads.results import ReportRow

_T = TypeVar("_T")

CAP = 100
VERSION = "202609"
SEED = 11


def _world() -> World:
    shape = {
        "seed": SEED,
        "accounts": 2,
        "campaigns_per_account": 12,
        "creatives_per_campaign": 2,
        "history_days": 500,
    }
    ids = list(World(**shape).accounts)  # type: ignore[arg-type]
    # The default member sees every account (by default the emulator hides the last one).
    return World(**shape, members={DEFAULT_MEMBER: ids})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=_WORLD, max_elements=CAP) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: EmulatorServer) -> Iterator[EmulatorServer]:
    server.reset()
    yield server
    server.check()


def client_for(server: EmulatorServer, **config: Any) -> LinkedInAdsClient:
    values: dict[str, Any] = {
        "client_id": "emulator-client",
        "client_secret": "emulator-secret",
        "refresh_token": "emulator-refresh-token",
        "api_base_url": server.api_base_url,
        "token_url": server.token_url,
        "api_version": VERSION,
        **config,
    }
    return LinkedInAdsClient(
        ClientConfig(**values), sleep=lambda seconds: None, clock=lambda: server.clock.now().timestamp()
    )


def engine_for(server: EmulatorServer, client: LinkedInAdsClient, **options: Any) -> ReportEngine:
    options.setdefault("row_cap", CAP)
    return ReportEngine(client, today=server.clock.today, **options)


def accounts(server: EmulatorServer) -> list[str]:
    return [f"urn:li:sponsoredAccount:{account}" for account in server.world.accounts]


def ground_truth(server: EmulatorServer, request: ReportRequest) -> list[ReportRow]:
    """The world's untruncated, unchunked answer, normalised exactly as the engine normalises rows."""
    revenue = request.finder is Finder.ATTRIBUTED_REVENUE
    fields = (
        ("dateRange", "pivotValues", "revenueAttributionMetrics")
        if revenue
        else ("dateRange", "pivotValues", *request.metrics)
    )
    query = ReportQuery(
        finder=request.finder,
        pivots=tuple(Pivot(pivot) for pivot in request.pivots),
        granularity=request.time_granularity,
        start=request.date_range.start,
        end=request.date_range.end,
        facets={name: tuple(values) for name, values in request.facets.items()},
        fields=fields,
        visible_accounts=server.world.accounts_for_member(DEFAULT_MEMBER),
        campaign_type=request.campaign_type,
    )
    join = ChunkJoin(request)
    join.add(FieldChunk(0, request.metrics, fields), server.world.answer(query, now=server.clock.now()))
    return list(join.rows())


def run_rows(server: EmulatorServer, request: ReportRequest, **options: Any) -> tuple[list[ReportRow], Any]:
    with client_for(server) as client:
        run = engine_for(server, client, **options).run(request)
        return list(run), run.summary


def jsonl(server: EmulatorServer, request: ReportRequest, **options: Any) -> bytes:
    target = io.BytesIO()
    with client_for(server) as client:
        engine_for(server, client, **options).write(request, target)
    return target.getvalue()


# ── randomised equality with the ground truth ────────────────────────────────────────────────────

ENTITY_PIVOTS = [Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN, Pivot.CREATIVE, Pivot.COMPANY]
DELIVERY_PIVOTS = [
    Pivot.IMPRESSION_DEVICE_TYPE,
    Pivot.PLACEMENT_NAME,
    Pivot.SERVING_LOCATION,
    Pivot.CONVERSION,
]
DEMOGRAPHIC_PIVOTS = [Pivot.MEMBER_JOB_TITLE, Pivot.MEMBER_COUNTRY_V2, Pivot.MEMBER_SENIORITY]
TODAY = dt.date(2026, 11, 28)


def _allowed_metrics(pivots: tuple[Pivot, ...], days: int) -> list[str]:
    demographic = any(pivot.is_demographic for pivot in pivots)
    device = Pivot.IMPRESSION_DEVICE_TYPE in pivots
    entity = bool({Pivot.ACCOUNT, Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN} & set(pivots))
    return [
        metric.name
        for metric in METRICS.values()
        if not (metric.non_demographic and demographic)
        and not (metric.excluded_with_device and device)
        and not (metric.needs_entity_pivot and not entity)
        and not (metric.max_range_days is not None and days > metric.max_range_days)
    ]


@st.composite
def report_requests(draw: st.DrawFn) -> ReportRequest:
    finder = draw(
        st.sampled_from([Finder.ANALYTICS] * 3 + [Finder.STATISTICS] * 2 + [Finder.ATTRIBUTED_REVENUE])
    )
    if finder is Finder.ATTRIBUTED_REVENUE:
        return draw(_revenue_requests())
    if finder is Finder.ANALYTICS:
        pivots: tuple[Pivot, ...] = (
            draw(st.sampled_from(ENTITY_PIVOTS + DELIVERY_PIVOTS + DEMOGRAPHIC_PIVOTS)),
        )
    else:
        pivots = tuple(
            draw(
                st.lists(
                    st.sampled_from(ENTITY_PIVOTS + DELIVERY_PIVOTS), min_size=1, max_size=3, unique=True
                )
            )
        )
    # DAILY most often: it is where reports grow far beyond the row cap.
    granularity = draw(
        st.sampled_from(
            [TimeGranularity.DAILY] * 3
            + [TimeGranularity.MONTHLY, TimeGranularity.YEARLY, TimeGranularity.ALL]
        )
    )
    demographic = any(pivot.is_demographic for pivot in pivots)
    longest = (
        8
        if demographic and granularity is TimeGranularity.DAILY
        else 75
        if granularity is TimeGranularity.DAILY
        else 420
    )
    days = draw(st.sampled_from(range(1, longest + 1)))  # uniform: integers() favours tiny ranges
    end = TODAY - dt.timedelta(days=draw(st.integers(1 if demographic else 0, 60)))
    start = end - dt.timedelta(days=days - 1)
    covered = (
        (end - start).days + 1 if granularity is not TimeGranularity.ALL else 400
    )  # rounding may grow ALL ranges
    metrics = draw(
        st.lists(st.sampled_from(_allowed_metrics(pivots, covered)), min_size=1, max_size=60, unique=True)
    )
    return ReportRequest.build(
        finder=finder,
        pivots=pivots,
        time_granularity=granularity,
        date_range=(start, end),
        facets=draw(_facets()),
        metrics=metrics,
        campaign_type=draw(st.sampled_from([None, None, None, "SPONSORED_UPDATES"])),
    )


@st.composite
def _facets(draw: st.DrawFn) -> dict[str, list[int]]:
    world = _WORLD
    kind = draw(
        st.sampled_from(
            ["all-accounts", "all-accounts", "accounts", "campaigns", "creatives", "campaignGroups"]
        )
    )
    if kind == "all-accounts":
        return {"accounts": list(world.accounts)}
    pool = {
        "accounts": list(world.accounts),
        "campaigns": list(world.campaigns),
        "creatives": list(world.creatives),
        "campaignGroups": list(world.campaign_groups),
    }[kind]
    return {kind: draw(st.lists(st.sampled_from(pool), min_size=1, max_size=min(len(pool), 20), unique=True))}


@st.composite
def _revenue_requests(draw: st.DrawFn) -> ReportRequest:
    pivots = draw(st.lists(st.sampled_from(sorted(REVENUE_PIVOTS)), min_size=1, max_size=3, unique=True))
    days = draw(st.sampled_from(range(30, 367)))
    end = TODAY - dt.timedelta(days=draw(st.integers(0, 366 - days)))
    metrics = draw(st.lists(st.sampled_from(list(REVENUE_METRICS)), min_size=0, max_size=8, unique=True))
    return ReportRequest.build(
        finder=Finder.ATTRIBUTED_REVENUE,
        pivots=pivots,
        date_range=(end - dt.timedelta(days=days - 1), end),
        facets={"account": draw(st.sampled_from(list(_WORLD.accounts)))},
        metrics=metrics,
    )


_WORLD = _world()


def _overlaps(row: ReportRow, day: str) -> bool:
    """Whether a row's range overlaps the error's window ("YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD")."""
    first, _, last = day.partition("..")
    start, end = row["start_date"], row["end_date"]
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return False
    return start <= dt.date.fromisoformat(last or first) and end >= dt.date.fromisoformat(first)


@settings(
    # 35 random reports per run; LINKEDIN_ADS_PROPERTY_EXAMPLES=700 (about a minute) searches deeper,
    # as it did when it found a report of several accounts that never finished.
    max_examples=int(os.environ.get("LINKEDIN_ADS_PROPERTY_EXAMPLES", "35")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=report_requests())
def test_rows_equal_ground_truth(server: EmulatorServer, request: ReportRequest) -> None:
    server.reset()
    truth = ground_truth(server, request)
    truncated: TruncatedReportError | None = None
    try:
        rows, summary = run_rows(server, request, max_concurrency=4)
    except TruncatedReportError as error:
        truncated = error
    if truncated is not None:
        # Legitimate only when LinkedIn itself cannot answer that window without cutting.
        assert sum(_overlaps(row, truncated.day) for row in truth) >= CAP
        event("truncated")
        return
    assert rows == truth
    event(f"answer above the cap: {len(truth) > CAP}")
    event(f"windows split: {min(summary.windows_split, 3)}+")
    event(f"calls: {'>10' if summary.calls_made > 10 else '<=10'}")
    assert summary.rows_written == len(truth)
    assert summary.truncation_events == ()
    assert server.counters.throttled == {} or sum(server.counters.throttled.values()) == 0
    server.check()


def test_report_far_above_the_cap_is_split_and_complete(emulator: EmulatorServer) -> None:
    request = ReportRequest.build(
        finder="analytics",
        pivots="CREATIVE",
        time_granularity="DAILY",
        date_range=(TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1)),
        facets={"accounts": accounts(emulator)},
        metrics=_allowed_metrics((Pivot.CREATIVE,), 90)[:40],
    )
    truth = ground_truth(emulator, request)
    assert len(truth) > 3 * CAP
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    assert summary.probe_calls >= 1
    assert summary.calls_made == emulator.counters.calls["adAnalytics"]
    assert summary.metric_values == emulator.counters.metric_values
    assert summary.date_range_covered == request.date_range
    chunks = len(chunk_metrics(request))
    assert summary.calls_made <= summary.probe_calls + chunks * (2 * len(truth) // CAP + 2)


def test_single_day_of_one_account_is_split_by_discovered_entities() -> None:
    cap = 5
    with EmulatorServer(world=_WORLD, max_elements=cap) as emulator:
        _check_discovery_split(emulator, cap)


def _check_discovery_split(emulator: EmulatorServer, cap: int) -> None:
    account = accounts(emulator)[0]
    month = ReportRequest.build(
        finder="statistics",
        pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        time_granularity="DAILY",
        date_range=(TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=2)),
        facets={"accounts": [account]},
        metrics=["impressions", "clicks", "costInLocalCurrency"],
    )
    days = Counter(row["start_date"] for row in ground_truth(emulator, month))
    day, count = days.most_common(1)[0]
    assert count > cap
    request = dataclasses.replace(month, date_range=DateRange(day, day))  # type: ignore[arg-type]
    rows, summary = run_rows(emulator, request, row_cap=cap)
    assert rows == ground_truth(emulator, request)
    assert len(rows) == count
    assert summary.windows_split >= 1
    assert summary.probe_calls >= 1  # the discoveries (plus the month probe)
    discovered = [record.query for record in emulator.requests if "campaigns=List(" in record.query]
    assert discovered, "the account was replaced by the campaigns discovered under it"


@pytest.fixture(scope="module")
def server_capped_at_20() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=_WORLD, max_elements=20) as emulator:
        yield emulator


@pytest.mark.parametrize("on_truncation", ["fail", "warn"])
def test_unsplittable_day_fails_or_is_recorded(
    server_capped_at_20: EmulatorServer, on_truncation: str
) -> None:
    emulator = server_capped_at_20
    emulator.reset()
    account = accounts(emulator)[0]
    day = TODAY - dt.timedelta(days=3)
    request = ReportRequest.build(
        finder="analytics",
        pivots="MEMBER_JOB_TITLE",
        time_granularity="DAILY",
        date_range=(day, day),
        facets={"accounts": [account]},
        metrics=["impressions", "clicks"],
    )
    assert len(ground_truth(emulator, request)) > 20
    if on_truncation == "fail":
        with pytest.raises(TruncatedReportError) as caught:
            run_rows(emulator, request, row_cap=20)
        assert caught.value.day == day.isoformat()
        assert account in caught.value.entity
        assert day.isoformat() in str(caught.value)
        return
    rows, summary = run_rows(emulator, request, row_cap=20, on_truncation="warn")
    assert len(rows) == 20
    (event,) = summary.truncation_events
    assert event.window.start == day
    assert event.rows == 20
    assert account in event.entity


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="analytics"),
        pytest.param(
            {"finder": "statistics", "pivots": ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"]}, id="statistics"
        ),
    ],
)
def test_output_is_identical_across_concurrency_and_runs(
    emulator: EmulatorServer, overrides: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {
        "finder": "analytics",
        "pivots": "CREATIVE",
        "time_granularity": "DAILY",
        "date_range": (TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=1)),
        "facets": {"accounts": accounts(emulator)},
        "metrics": _allowed_metrics((Pivot.CAMPAIGN, Pivot.IMPRESSION_DEVICE_TYPE), 20)[:40],
        **overrides,
    }
    request = ReportRequest.build(**arguments)
    outputs = {jsonl(emulator, request, max_concurrency=workers) for workers in (1, 8, 8)}
    assert len(outputs) == 1
    (output,) = outputs
    assert output.count(b"\n") == len(ground_truth(emulator, request)) > CAP


def test_budget_waits_instead_of_provoking_the_data_throttle(caplog: pytest.LogCaptureFixture) -> None:
    limit = 20 * CAP * 2  # two worst-case calls fit in the window
    with EmulatorServer(world=_WORLD, metric_value_budget=limit, max_elements=CAP) as emulator:
        clock = emulator.clock

        def sleep(seconds: float) -> None:
            clock.advance(dt.timedelta(seconds=seconds))

        budget = MetricValueBudget(limit, clock=lambda: clock.now().timestamp(), sleep=sleep)
        request = ReportRequest.build(
            finder="analytics",
            pivots="CREATIVE",
            time_granularity="DAILY",
            date_range=(
                TODAY - dt.timedelta(days=40),
                TODAY - dt.timedelta(days=4),
            ),  # before the 48 h delay: budget waits move the clock
            facets={"accounts": accounts(emulator)},
            metrics=_allowed_metrics((Pivot.CREATIVE,), 40)[:36],
        )
        truth = ground_truth(emulator, request)
        with client_for(emulator) as client, caplog.at_level(logging.INFO):
            run = engine_for(emulator, client, budget=budget, max_concurrency=4).run(request)
            rows = list(run)
        assert rows == truth
        assert sum(emulator.counters.throttled.values()) == 0
        assert run.summary.budget_waits > 0
        assert run.summary.calls_retried == 0
        assert run.summary.metric_values == emulator.counters.metric_values > limit
        assert "calls done" in caplog.text


def test_long_facet_list_is_tunnelled_not_split(emulator: EmulatorServer) -> None:
    creatives = sorted(emulator.world.creatives)
    request = ReportRequest.build(
        finder="analytics",
        pivots="MEMBER_SENIORITY",
        time_granularity="ALL",
        date_range=(TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=2)),
        facets={"creatives": creatives},
        metrics=["impressions", "clicks"],
    )
    with client_for(emulator, tunnel_threshold=500) as client:
        run = engine_for(emulator, client).run(request)
        rows = list(run)
    assert rows == ground_truth(emulator, request)
    assert run.summary.calls_made == 1
    assert run.summary.tunnelled_calls == 1


def test_revenue_rows_flatten_the_nested_metrics(emulator: EmulatorServer) -> None:
    crm_account = accounts(emulator)[0]  # account 0 has a CRM connected
    request = ReportRequest.build(
        finder="attributedRevenueMetrics",
        pivots=["CAMPAIGN"],
        date_range=(TODAY - dt.timedelta(days=89), TODAY),
        facets={"account": crm_account},
    )
    rows, _ = run_rows(emulator, request)
    assert rows == ground_truth(emulator, request)
    assert rows
    assert set(REVENUE_METRICS) <= set(rows[0])


RULES = [
    pytest.param({"pivots": "CAMPAIGNS"}, "pivots", id="unknown-pivot"),
    pytest.param({"pivots": ["CAMPAIGN", "CREATIVE"]}, "pivots", id="pivot-count"),
    pytest.param(
        {"finder": "statistics", "pivots": ["MEMBER_JOB_TITLE"]}, "pivots", id="member-on-statistics"
    ),
    pytest.param({"metrics": ["impresions"]}, "metrics", id="unknown-metric"),
    pytest.param({"metrics": ["approximateUniqueImpressions"]}, "metrics", id="legacy-metric"),
    pytest.param({"pivots": "MEMBER_JOB_TITLE", "metrics": ["cardClicks"]}, "metrics", id="non-demographic"),
    pytest.param(
        {"metrics": ["approximateMemberReach"], "date_range": ("2026-01-01", "2026-06-30")},
        "date_range",
        id="reach-92",
    ),
    pytest.param(
        {"finder": "statistics", "pivots": ["IMPRESSION_DEVICE_TYPE"], "metrics": ["approximateMemberReach"]},
        "metrics",
        id="device",
    ),
    pytest.param({"metrics": ["averageDwellTime"]}, "metrics", id="version-gate"),
    pytest.param(
        {"pivots": "MEMBER_SENIORITY", "date_range": ("2024-01-01", "2024-01-31")},
        "date_range",
        id="demographic-retention",
    ),
    pytest.param({"date_range": ("2015-01-01", "2015-01-31")}, "date_range", id="performance-retention"),
    pytest.param(
        {
            "finder": "attributedRevenueMetrics",
            "time_granularity": None,
            "facets": {"account": [1]},
            "date_range": ("2026-11-01", "2026-11-10"),
            "metrics": [],
        },
        "date_range",
        id="revenue-length",
    ),
    pytest.param(
        {
            "finder": "attributedRevenueMetrics",
            "time_granularity": None,
            "facets": {"account": [1]},
            "date_range": ("2025-10-01", "2025-12-31"),
            "metrics": [],
        },
        "date_range",
        id="revenue-start",
    ),
    pytest.param(
        {
            "finder": "attributedRevenueMetrics",
            "time_granularity": None,
            "pivots": ["CREATIVE"],
            "facets": {"account": [1]},
            "metrics": [],
        },
        "pivots",
        id="revenue-pivot",
    ),
    pytest.param(
        {
            "finder": "attributedRevenueMetrics",
            "time_granularity": None,
            "facets": {"account": [1, 2]},
            "metrics": [],
        },
        "account",
        id="revenue-accounts",
    ),
    pytest.param({"facets": {}}, "facets", id="no-facet"),
    pytest.param({"facets": {"campaigns": []}}, "campaigns", id="empty-facet"),
    pytest.param({"time_granularity": None}, "time_granularity", id="no-granularity"),
]


@pytest.mark.parametrize(("overrides", "argument"), RULES)
def test_bad_requests_fail_before_any_http_call(
    emulator: EmulatorServer, overrides: dict[str, Any], argument: str
) -> None:
    arguments: dict[str, Any] = {
        "finder": "analytics",
        "pivots": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": ("2026-10-01", "2026-10-31"),
        "facets": {"accounts": accounts(emulator)[:1]},
        "metrics": ["impressions"],
        **overrides,
    }
    if arguments["finder"] == "attributedRevenueMetrics" and "date_range" not in overrides:
        arguments["date_range"] = ("2026-06-01", "2026-08-31")
    request = ReportRequest.build(**arguments)
    version = "202410" if overrides.get("metrics") == ["averageDwellTime"] else VERSION
    with client_for(emulator, api_version=version) as client:
        engine = engine_for(emulator, client)
        with pytest.raises(ReportValidationError) as caught:
            engine.run(request)
    assert caught.value.argument == argument
    assert emulator.requests == []


# ── zero or absent across field chunks ───────────────────────────────────────────────────────────


def _answer_keys(server: EmulatorServer, request: ReportRequest, fields: tuple[str, ...]) -> dict[Any, Any]:
    query = ReportQuery(
        finder=request.finder,
        pivots=tuple(Pivot(pivot) for pivot in request.pivots),
        granularity=request.time_granularity,
        start=request.date_range.start,
        end=request.date_range.end,
        facets={name: tuple(values) for name, values in request.facets.items()},
        fields=fields,
        visible_accounts=server.world.accounts_for_member(DEFAULT_MEMBER),
        campaign_type=request.campaign_type,
    )
    return {
        (json_key(row["dateRange"]), tuple(row["pivotValues"])): row
        for row in server.world.answer(query, now=server.clock.now())
    }


def json_key(span: dict[str, Any]) -> tuple[int, ...]:
    return tuple(span[side][part] for side in ("start", "end") for part in ("year", "month", "day"))


def test_rows_a_chunk_left_out_are_zero_not_absent(emulator: EmulatorServer) -> None:
    pivots = (Pivot.CAMPAIGN, Pivot.SERVING_LOCATION, Pivot.PLACEMENT_NAME)
    common = [name for name in _allowed_metrics(pivots, 600) if name not in ("subscriptionClicks", "follows")]
    request = ReportRequest.build(
        finder="statistics",
        pivots=list(pivots),
        time_granularity="MONTHLY",
        date_range=(dt.date(2025, 6, 1), dt.date(2026, 10, 31)),
        facets={"accounts": accounts(emulator)},
        metrics=[*common[:17], "videoViews", "subscriptionClicks", "follows"],
    )
    first, second = chunk_metrics(request)
    assert second.metrics == ("subscriptionClicks", "follows")
    # The emulator answers like LinkedIn: the second chunk leaves out the rows whose two metrics
    # are both 0, while the first chunk (impressions, costs...) still has them.
    kept = _answer_keys(emulator, request, first.fields)
    sparse = _answer_keys(emulator, request, second.fields)
    left_out = set(kept) - set(sparse)
    assert left_out, "the world should have rows without any subscription click or follow"
    assert set(sparse) <= set(kept)
    truth = ground_truth(emulator, request)
    rows, summary = run_rows(emulator, request)  # the cap is 100 rows: many windows, many calls
    assert rows == truth
    assert summary.truncation_events == ()
    by_key = {
        (row["start_date"], row["campaign"], row["serving_location"], row["placement_name"]): row
        for row in rows
    }
    zero_filled = [by_key[(dt.date(*key[0][:3]), *key[1])] for key in left_out]
    assert all(row["subscriptionClicks"] == 0 and row["follows"] == 0 for row in zero_filled)
    # A metric that does not apply to a row (no video creative under it) stays absent, not zero.
    assert any(row["videoViews"] is None for row in rows)
    assert any(row["videoViews"] == 0 for row in rows) or all(row["videoViews"] != 0 for row in rows)


# ── planning: probes that are data, calibrated windows, one scope per account ───────────────────


def _perfect_packing(rows: list[ReportRow], chunks: int, cap: int = CAP) -> int:
    """Windows a planner knowing every day's rows would need (greedy, in order, <= cap), x chunks."""
    per_day = Counter(row["start_date"] for row in rows)
    windows, load = 0, 0
    for day in sorted(per_day):
        if windows and load + per_day[day] <= cap:
            load += per_day[day]
        else:
            windows, load = windows + 1, per_day[day]
    return windows * chunks


def test_monthly_probe_is_the_first_chunks_data(emulator: EmulatorServer) -> None:
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="MONTHLY",
        date_range=(dt.date(2026, 5, 1), dt.date(2026, 10, 31)),
        facets={"accounts": accounts(emulator)[:1]},
        metrics=_allowed_metrics((Pivot.CAMPAIGN,), 400)[:25],
    )
    truth = ground_truth(emulator, request)
    assert 0 < len(truth) < CAP
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    # One call per chunk: the probe asked for the first chunk, so its answer is that chunk's data.
    assert summary.calls_made == 2 == len(chunk_metrics(request))
    assert summary.probe_calls == 1


def _report_calls(server: EmulatorServer) -> list[dict[str, Any]]:
    """The ``adAnalytics`` calls in the emulator's log, in the order they came, as parsed queries."""
    return [parse_query(record.query) for record in server.requests if record.endpoint == "adAnalytics"]


def _daily_campaigns(server: EmulatorServer, days: int, *, metrics: int = 3) -> ReportRequest:
    """DAILY campaigns of the first account over the ``days`` days up to 31 October."""
    end = dt.date(2026, 10, 31)
    return ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(end - dt.timedelta(days=days - 1), end),
        facets={"accounts": accounts(server)[:1]},
        metrics=_allowed_metrics((Pivot.CAMPAIGN,), days)[:metrics],
    )


def test_short_daily_report_is_one_call_per_chunk_without_a_probe(emulator: EmulatorServer) -> None:
    request = _daily_campaigns(emulator, days=5, metrics=25)
    truth = ground_truth(emulator, request)
    assert 0 < len(truth) < CAP
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    chunks = chunk_metrics(request)
    assert summary.calls_made == len(chunks) == 2
    first, second = _report_calls(emulator)
    # The first chunk over the whole range went first, and its answer was the chunk's data.
    assert first["timeGranularity"] == second["timeGranularity"] == "DAILY"
    assert set(cast("str", first["fields"]).split(",")) == set(chunks[0].fields)
    assert set(cast("str", second["fields"]).split(",")) == set(chunks[1].fields)


def test_short_daily_report_plans_its_other_chunks_from_the_exact_rows(
    emulator: EmulatorServer, mocker: MockerFixture
) -> None:
    # The first answer counts the rows of every day: the other chunks' calls are estimated from them
    # (what the metric-value budget reserves), not from nothing.
    read = mocker.spy(Fetcher, "read")
    request = _daily_campaigns(emulator, days=5, metrics=40)
    rows, summary = run_rows(emulator, request)
    assert rows == ground_truth(emulator, request)
    first, *others = (call.kwargs["estimate_rows"] for call in read.call_args_list)
    assert first == CAP  # asked blind: at most a full answer
    chunks = chunk_metrics(request)
    first_chunk = dataclasses.replace(request, metrics=chunks[0].metrics)
    answered = len(ground_truth(emulator, first_chunk))  # the rows the first answer held
    assert 0 < answered < CAP
    assert len(others) == len(chunks) - 1 == summary.calls_made - 1 == 2
    assert all(answered <= estimate < CAP for estimate in others), (others, answered)


def test_short_daily_report_over_the_cap_is_probed_after_its_first_answer(emulator: EmulatorServer) -> None:
    request = dataclasses.replace(
        _creatives_of_every_account(emulator),
        date_range=DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    )
    truth = ground_truth(emulator, request)
    assert len(truth) > 2 * CAP
    rows, summary = run_rows(emulator, request)
    assert rows == truth  # the capped first answer was discarded, never kept as data
    assert summary.truncation_events == ()
    calls = _report_calls(emulator)
    assert summary.calls_made == len(calls)
    first, probe = calls[:2]
    assert first["timeGranularity"] == "DAILY"
    assert first["fields"] != "dateRange,pivotValues"
    assert probe["timeGranularity"] == "MONTHLY"
    assert probe["fields"] == "dateRange,pivotValues"
    assert probe["dateRange"] == first["dateRange"]


@pytest.mark.parametrize(
    ("days", "first_is_data"), [(2, True), (DATA_FIRST_MAX_DAYS, True), (DATA_FIRST_MAX_DAYS + 1, False)]
)
def test_only_short_daily_reports_start_with_data(
    emulator: EmulatorServer, days: int, first_is_data: bool
) -> None:
    request = _daily_campaigns(emulator, days=days)
    rows, _ = run_rows(emulator, request)
    assert rows == ground_truth(emulator, request)
    first = _report_calls(emulator)[0]
    assert (first["fields"] != "dateRange,pivotValues") is first_is_data
    assert first["timeGranularity"] == ("DAILY" if first_is_data else "MONTHLY")


def _creatives_of_every_account(server: EmulatorServer) -> ReportRequest:
    """DAILY creatives of every account, April to October: the W3 shape, whose accounts together cap a probe."""
    return ReportRequest.build(
        finder="analytics",
        pivots="CREATIVE",
        time_granularity="DAILY",
        date_range=(dt.date(2026, 4, 1), dt.date(2026, 10, 31)),
        facets={"accounts": accounts(server)},
        metrics=["impressions", "clicks", "costInLocalCurrency"],
    )


def test_capped_multi_account_probe_gives_one_scope_per_account(emulator: EmulatorServer) -> None:
    request = _creatives_of_every_account(emulator)
    # By month the two accounts have 115 creatives together (over the cap of 100), 43 and 72 alone.
    truth = ground_truth(emulator, request)
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    assert summary.probe_calls == 1 + len(accounts(emulator))  # the capped one, then one per account
    assert summary.truncation_events == ()


def test_answers_too_small_to_calibrate_do_not_stop_a_report_of_several_accounts(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one scope per account, an answer that cannot calibrate the plan still lets the rest go out.

    The first window's days cannot be written before the other account has been fetched, so waiting
    on them (rather than on calls still out) waited for ever, the coordinating thread spinning on
    the CPU. Here no answer ever calibrates (as with a rare metric, whose rows LinkedIn mostly
    leaves out): every window goes out as planned from the probe's bound.
    """
    monkeypatch.setattr(Calibration, "calibrated", property(lambda self: False))
    monkeypatch.setattr(Calibration, "ratio", lambda self, scope: None)
    request = _creatives_of_every_account(emulator)
    rows, summary = _finishing(lambda: run_rows(emulator, request))
    assert rows == ground_truth(emulator, request)
    assert summary.probe_calls == 1 + len(accounts(emulator))  # one scope per account
    assert summary.truncation_events == ()


def test_a_rare_metric_over_several_accounts_finishes(
    emulator: EmulatorServer, mocker: MockerFixture
) -> None:
    # Found by test_rows_equal_ground_truth (hypothesis seed 1): the accounts together cap the probe,
    # and the first account's first window holds no row of this metric at all.
    observe = mocker.spy(Calibration, "observe")
    request = ReportRequest.build(
        finder="statistics",
        pivots=["CREATIVE", "ACCOUNT", "IMPRESSION_DEVICE_TYPE"],
        time_granularity="DAILY",
        date_range=(dt.date(2026, 10, 27), dt.date(2026, 11, 27)),
        facets={"accounts": accounts(emulator)},
        metrics=["appointmentsScheduled"],
    )
    rows, summary = _finishing(lambda: run_rows(emulator, request))
    assert rows == ground_truth(emulator, request)
    assert summary.probe_calls == 1 + len(accounts(emulator))
    assert observe.call_args_list[0].kwargs["rows"] == 0  # the answer that could not calibrate


def test_a_planner_with_nothing_left_to_send_fails_instead_of_spinning(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PlanRunner, "_release", lambda self: None)  # a planner bug: nothing ever goes out
    request = _creatives_of_every_account(emulator)
    with pytest.raises(RuntimeError, match="planner stalled before 2026-04-01"):
        _finishing(lambda: run_rows(emulator, request))


def _finishing(action: Callable[[], _T], seconds: float = 60) -> _T:
    """Run ``action`` in a thread and return (or raise) its outcome; fail if it has not ended in ``seconds``.

    A report that stopped making progress used to loop for ever: the test fails instead of hanging.
    """
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append((True, action()))
        except BaseException as error:  # handed to the test's thread
            outcome.append((False, error))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"the report had not ended after {seconds} s"
    finished, value = outcome[0]
    if not finished:
        raise value
    return cast("_T", value)


def test_probes_counted_in_the_emulator_log(emulator: EmulatorServer) -> None:
    """The probes as LinkedIn sees them: one of the accounts together (capped), then one per account.

    Counted from the emulator's request log, not from the engine's own summary: a probe is a
    MONTHLY query asking for ``dateRange,pivotValues`` only, over the whole range. The capped
    answer is never used as data: every data call names a single account, except a shared tail,
    which names several for the report's last days.
    """
    request = _creatives_of_every_account(emulator)
    rows, summary = run_rows(emulator, request)
    assert rows == ground_truth(emulator, request)
    probes: list[tuple[str, ...]] = []
    for record in emulator.requests:
        params = parse_query(record.query) if record.endpoint == "adAnalytics" else {}
        if params.get("fields") != "dateRange,pivotValues":
            continue
        assert params["timeGranularity"] == "MONTHLY"
        window = cast("dict[str, Any]", params["dateRange"])
        assert window["start"] == {"year": "2026", "month": "4", "day": "1"}
        assert window["end"] == {"year": "2026", "month": "10", "day": "31"}
        probes.append(tuple(cast("list[str]", params["accounts"])))
    together, *singles = probes
    assert sorted(together) == sorted(accounts(emulator))
    assert sorted(singles) == sorted((account,) for account in accounts(emulator))
    assert summary.probe_calls == len(probes) == 1 + len(accounts(emulator))
    assert all(
        len(scope) == 1 or window.end == request.date_range.end for scope, window in _data_calls(emulator)
    )


def test_calibrated_windows_stay_close_to_perfect_packing(emulator: EmulatorServer) -> None:
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(dt.date(2026, 5, 1), dt.date(2026, 10, 31)),
        facets={"accounts": accounts(emulator)[:1]},
        metrics=_allowed_metrics((Pivot.CAMPAIGN,), 184)[:30],
    )
    truth = ground_truth(emulator, request)
    chunks = len(chunk_metrics(request))
    perfect = _perfect_packing(truth, chunks)
    assert perfect >= 6 * chunks  # enough windows for calibration to matter
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    # Only the first window is planned from the probe's bound; the rest from the observed rows.
    assert summary.calls_made - summary.probe_calls <= perfect + chunks


def _data_calls(server: EmulatorServer) -> list[tuple[tuple[str, ...], DateRange]]:
    """The ``adAnalytics`` calls that asked for metrics, from the emulator's log: (accounts, window)."""
    calls = []
    for record in server.requests:
        if record.endpoint != "adAnalytics":
            continue
        params = parse_query(record.query)
        if params["fields"] in ("dateRange,pivotValues", "pivotValues,dateRange"):
            continue  # a probe or a discovery
        window = cast("dict[str, Any]", params["dateRange"])
        start, end = (
            dt.date(*(int(window[side][part]) for part in ("year", "month", "day")))
            for side in ("start", "end")
        )
        calls.append((tuple(cast("list[str]", params.get("accounts", []))), DateRange(start, end)))
    return calls


def test_each_account_gets_windows_of_its_own(emulator: EmulatorServer) -> None:
    request = _creatives_of_every_account(emulator)
    truth = ground_truth(emulator, request)
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    assert summary.truncation_events == ()
    assert summary.calls_made == emulator.counters.calls["adAnalytics"]
    windows: dict[tuple[str, ...], list[DateRange]] = {}
    shared: list[tuple[str, ...]] = []  # shared tails: several accounts' last days in one call
    for scope, window in _data_calls(emulator):
        if len(scope) > 1:
            shared.append(scope)
        else:
            windows.setdefault(scope, []).append(window)
    assert sorted(windows) == sorted((account,) for account in accounts(emulator))
    perfect = {
        scope: _perfect_packing(
            ground_truth(emulator, dataclasses.replace(request, facets={"accounts": scope})), 1
        )
        for scope in windows
    }
    quiet, busy = sorted(windows, key=perfect.__getitem__)
    assert perfect[quiet] < perfect[busy]
    # Windows shared by the accounts would each have to fit the busy account's day, so the quiet
    # account would make at least the busy one's perfect packing in calls. Packed on its own rows,
    # it makes fewer.
    calls = {scope: len(windows[scope]) + sum(scope[0] in tail for tail in shared) for scope in windows}
    assert calls[quiet] < perfect[busy] <= calls[busy]


def test_an_estimate_far_too_low_is_re_split_never_kept(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Calibration that believes a day holds a third of its rows plans windows three times too
    # long: their answers reach the cap, and each must be discarded and re-split, never kept.
    monkeypatch.setattr(Calibration, "scale", lambda self, scope, bound: max(1, bound // 3))
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(dt.date(2026, 5, 1), dt.date(2026, 10, 31)),
        facets={"accounts": accounts(emulator)[:1]},
        metrics=["impressions", "clicks"],
    )
    truth = ground_truth(emulator, request)
    rows, summary = run_rows(emulator, request)
    assert rows == truth
    assert summary.truncation_events == ()
    assert summary.windows_split > 0
    assert summary.calls_made == emulator.counters.calls["adAnalytics"]
    # Each capped answer costs its call and is replaced by the two halves of its window.
    assert len(_data_calls(emulator)) >= _perfect_packing(truth, 1) + 2 * summary.windows_split // 2


def test_first_window_is_packed_up_to_the_bound(emulator: EmulatorServer) -> None:
    campaigns = sorted(emulator.world.campaigns)[:24]
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(dt.date(2026, 9, 1), dt.date(2026, 10, 31)),
        facets={"campaigns": campaigns},
        metrics=["impressions", "clicks"],
    )
    truth = ground_truth(emulator, request)
    rows, summary = run_rows(emulator, request, max_concurrency=1)
    assert rows == truth
    assert summary.probe_calls == 0  # 24 campaigns: at most 24 rows a day, known without a probe
    first = min((window for _, window in _data_calls(emulator)), key=lambda window: window.start)
    # The bound is a maximum, so the first window takes as many days as fit below the cap: 4 x 24 = 96.
    assert first.days == (CAP - 1) // len(campaigns) == 4


def _cells(server: EmulatorServer) -> Counter[tuple[str, dt.date]]:
    """How many data calls asked for each (account, day), from the emulator's log."""
    cells: Counter[tuple[str, dt.date]] = Counter()
    for scope, window in _data_calls(server):
        for offset in range(window.days):
            cells.update((account, window.start + dt.timedelta(days=offset)) for account in scope)
    return cells


def _exact_estimate(
    server: EmulatorServer, request: ReportRequest, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Counter[dt.date]]:
    """Make the planner estimate every account's day at its true rows (ground truth), so plans are exact."""
    truth = {
        account: Counter(
            row["start_date"]
            for row in ground_truth(server, dataclasses.replace(request, facets={"accounts": [account]}))
        )
        for account in accounts(server)
    }

    def expected(runner: PlanRunner, scope: int, unit: DateRange) -> int:
        (account,) = runner._scopes[scope].get("accounts")
        return truth[account][unit.start]

    monkeypatch.setattr(PlanRunner, "_expected", expected)
    return truth


def test_shared_tail_saves_calls_and_lands_the_same_bytes(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accounts' last days in one call: fewer calls, every (account, day) asked once, same output.

    With the estimate made exact, the only difference between the two runs is the shared tail, so
    the call counts are the plan's. The rows of the shared call are split between the accounts by
    their creatives (a creative belongs to one account): the JSON Lines are byte-identical.
    """
    # Two accounts, April to mid-October: their own last windows would be partly empty.
    request = dataclasses.replace(
        _creatives_of_every_account(emulator),
        date_range=DateRange(dt.date(2026, 4, 1), dt.date(2026, 10, 15)),
    )
    truth = _exact_estimate(emulator, request, monkeypatch)
    shared = jsonl(emulator, request, max_concurrency=1)
    calls = emulator.counters.calls["adAnalytics"]
    tails = [(scope, window) for scope, window in _data_calls(emulator) if len(scope) > 1]
    cells = _cells(emulator)
    emulator.reset()
    monkeypatch.setattr(execution, "share_tails", lambda loads, starts, target: [])
    alone = jsonl(emulator, request, max_concurrency=1)
    assert shared == alone
    assert shared.count(b"\n") == len(ground_truth(emulator, request))
    assert [(sorted(scope), window.end) for scope, window in tails] == [
        (sorted(accounts(emulator)), request.date_range.end)
    ]
    assert emulator.counters.calls["adAnalytics"] - calls == 1  # one window saved
    every_day = {(account, day) for account in accounts(emulator) for day in truth[account]}
    assert every_day <= set(cells)
    assert set(cells.values()) == {1}  # nothing asked twice, no gap
