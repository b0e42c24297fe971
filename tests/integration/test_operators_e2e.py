"""The three operators end to end, inside real Airflow runs (``dag.test()``, SQLite) against the emulator.

Each landed file is compared with the emulator's ground truth (``World.answer``, normalised exactly
as the engine normalises rows). Also: rows through XCom (with XCom-rendered lists and names), the
XCom cap, dynamic task mapping over accounts, a failed try (faults after half the calls) that
leaves no file and a retry that lands the whole one, and the daily quota (deferral, or failure).

The operators' clock (``_base.utcnow``) is the emulator's: 2026-11-28 12:00 UTC.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client.planning import FieldChunk
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.client.writers import exact_decimal
from airflow_provider_linkedin_ads.enums import Finder, Pivot
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.operators import _base, _results
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS, datetime_trigger_class

if TYPE_CHECKING:
    from pathlib import Path

    from airflow_provider_linkedin_ads.results import ReportRow

pytestmark = [
    pytest.mark.db,
    # Airflow 3.3's in-process execution API imports starlette's TestClient, which warns about httpx.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

REVENUE_ACCOUNT = 500079147  # the visible account with a connected CRM in the default world

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsAttributedRevenueOperator,
    LinkedInAdsStatisticsOperator,
)

with DAG(
    dag_id="{dag_id}",
    schedule={schedule},
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    params={params},
):
{body}
"""


def dag_source(dag_id: str, body: str, *, schedule: str = "None", params: dict | None = None) -> str:
    return DAG_FILE.format(
        dag_id=dag_id,
        schedule=schedule,
        params=repr(params or {}),
        body=textwrap.indent(textwrap.dedent(body).strip(), "    "),
    )


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# ── ground truth ─────────────────────────────────────────────────────────────────────────────────


def ground_truth(server, request: ReportRequest) -> list[ReportRow]:
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
    )
    join = ChunkJoin(request)
    join.add(FieldChunk(0, request.metrics, fields), server.world.answer(query, now=server.clock.now()))
    rows = list(join.rows())
    assert rows, "the ground truth of a test report must not be empty"
    return rows


def as_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return exact_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def as_csv(value: Any) -> str:
    return "" if value is None else str(as_json(value))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def jsonl_truth(rows: list[ReportRow]) -> list[dict]:
    return [{name: as_json(value) for name, value in row.items()} for row in rows]


def landed_equals_truth(path: Path, output_format: str, truth: list[ReportRow]) -> None:
    if output_format == "jsonl":
        assert read_jsonl(path) == jsonl_truth(truth)
    elif output_format == "csv":
        landed = list(csv.DictReader(io.StringIO(path.read_text(), newline="")))
        assert landed == [{name: as_csv(value) for name, value in row.items()} for row in truth]
    else:
        import pyarrow.parquet

        # Dates come back as dates and decimals as Decimal (scale 20): equal by value.
        assert pyarrow.parquet.read_table(str(path)).to_pylist() == truth


def files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


# ── fixtures ─────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def emulator_clock(monkeypatch, linkedin_ads_emulator):
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return linkedin_ads_emulator.clock


@pytest.fixture
def accounts(linkedin_ads_emulator) -> list[int]:
    return sorted(linkedin_ads_emulator.world.accounts_for_member(DEFAULT_MEMBER))


@pytest.fixture
def env(airflow_runs, emulator_clock, linkedin_ads_connection, linkedin_ads_emulator, accounts, tmp_path):
    """Everything an end-to-end test needs, in one object."""
    return Env(airflow_runs, linkedin_ads_emulator, accounts, tmp_path / "landing")


@dataclasses.dataclass
class Env:
    runs: Any
    server: Any
    accounts: list[int]
    out: Path


# ── each operator lands the ground truth ────────────────────────────────────────────────────────


@dataclasses.dataclass(frozen=True)
class Case:
    operator: str
    arguments: str
    request: dict[str, Any]
    output_format: str
    schedule: str = "None"
    logical_date: dt.datetime = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


CASES = [
    # Days from the run: @daily at 11-25 -> 11-24, with lookback_days=6 -> 11-18 .. 11-24.
    pytest.param(
        Case(
            "LinkedInAdsAnalyticsOperator",
            'pivot="CAMPAIGN", metrics=["impressions", "clicks", "costInLocalCurrency", '
            '"externalWebsiteConversions"], accounts={accounts}, lookback_days=6,',
            {
                "finder": "analytics",
                "pivots": "CAMPAIGN",
                "time_granularity": "DAILY",
                "date_range": ("2026-11-18", "2026-11-24"),
                "metrics": ["impressions", "clicks", "costInLocalCurrency", "externalWebsiteConversions"],
            },
            "jsonl",
            schedule='"@daily"',
        ),
        id="analytics-jsonl",
    ),
    pytest.param(
        Case(
            "LinkedInAdsStatisticsOperator",
            'pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"], metrics=["impressions", "clicks", "costInUsd"], '
            'accounts={accounts}, date_range_start="2026-11-01", date_range_end="2026-11-07",',
            {
                "finder": "statistics",
                "pivots": ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
                "time_granularity": "DAILY",
                "date_range": ("2026-11-01", "2026-11-07"),
                "metrics": ["impressions", "clicks", "costInUsd"],
            },
            "csv",
        ),
        id="statistics-csv",
    ),
    # Revenue: lookback_days defaults to 29 for a range from the run: 30 days ending 11-24.
    pytest.param(
        Case(
            "LinkedInAdsAttributedRevenueOperator",
            f'pivots=["CAMPAIGN"], account={REVENUE_ACCOUNT},',
            {
                "finder": "attributedRevenueMetrics",
                "pivots": ["CAMPAIGN"],
                "date_range": ("2026-10-26", "2026-11-24"),
                "facets": {"account": [REVENUE_ACCOUNT]},
            },
            "parquet",
            schedule='"@daily"',
        ),
        id="revenue-parquet",
    ),
]


def asset_events(uri: str) -> list[dict]:
    """The extras of the asset (2.11: dataset) events recorded for ``uri``, oldest first."""
    from airflow.utils.session import create_session

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.asset import AssetEvent as Event, AssetModel as Model

        key = Event.asset_id
    else:
        from airflow.models.dataset import DatasetEvent as Event, DatasetModel as Model

        key = Event.dataset_id
    with create_session() as session:
        query = session.query(Event).join(Model, Model.id == key).filter(Model.uri == uri).order_by(Event.id)
        return [dict(event.extra or {}) for event in query.all()]


@pytest.mark.parametrize("case", CASES)
def test_operator_lands_the_emulators_ground_truth(case: Case, request, env: Env):
    name = request.node.callspec.id.replace("-", "_")
    target = env.out / f"{name}.{case.output_format}"
    uri = f"file://{target}"
    arguments = case.arguments.format(accounts=env.accounts)
    body = f"""
        {case.operator}(
            task_id="report",
            {arguments}
            output_path="{uri}",
            output_format="{case.output_format}",
        )
    """
    dag = env.runs.load(
        f"linkedin_ads_e2e_{name}", dag_source(f"linkedin_ads_e2e_{name}", body, schedule=case.schedule)
    )
    truth = ground_truth(
        env.server, ReportRequest.build(**{"facets": {"accounts": env.accounts}, **case.request})
    )
    # A static output path is declared as the task's Asset outlet.
    assert [getattr(outlet, "uri", None) for outlet in dag.get_task("report").outlets] == [uri]

    first = env.runs.test(dag, logical_date=case.logical_date)
    assert env.runs.states(first) == {("report", -1): "success"}
    landed_first = target.read_bytes()
    # A second run of the same interval replaces the file. (One second later: on Airflow 2.11,
    # dag.test() deletes a run of the same logical date, which needs the FAB tables in the ORM.)
    second = env.runs.test(dag, logical_date=case.logical_date + dt.timedelta(seconds=1))
    assert env.runs.states(second) == {("report", -1): "success"}

    landed_equals_truth(target, case.output_format, truth)
    assert target.read_bytes() == landed_first
    assert files(env.out) == [target.name]  # nothing left beside it
    summary = env.runs.xcom(second, "report")
    start, end = case.request["date_range"]
    assert summary["date_range"] == summary["date_range_covered"] == {"start": start, "end": end}
    assert summary["output_path"] == uri
    assert summary["output_format"] == case.output_format
    assert summary["rows_written"] == len(truth)
    assert summary["bytes_written"] == target.stat().st_size
    assert summary["calls_made"] >= 1
    assert summary["truncation_events"] == []
    assert "rows" not in summary  # rows are in the file, not in XCom
    events = asset_events(uri)
    assert len(events) == 2
    assert events[-1] == {
        "date_range_start": start,
        "date_range_end": end,
        "rows_written": len(truth),
        "output_path": uri,
    }


# ── XCom ─────────────────────────────────────────────────────────────────────────────────────────

XCOM_BODY = """
    @task
    def pick_accounts() -> list:
        return {accounts}

    picked = pick_accounts()
    report = LinkedInAdsStatisticsOperator(
        task_id="report",
        # Lists rendered from XCom and params arrive as text; the operator parses them back.
        pivots="{{{{ params.pivots }}}}",
        metrics="{{{{ params.metrics }}}}",
        accounts="{{{{ ti.xcom_pull(task_ids='pick_accounts') }}}}",
        date_range_end="{{{{ macros.ds_add(ds, -1) }}}}",
        resolve_names=True,
    )
    picked >> report
"""


def test_small_report_rows_go_to_xcom_with_names(env: Env):
    params = {
        "pivots": ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        "metrics": ["impressions", "costInLocalCurrency"],
    }
    body = XCOM_BODY.format(accounts=env.accounts)
    dag = env.runs.load("linkedin_ads_e2e_xcom", dag_source("linkedin_ads_e2e_xcom", body, params=params))

    run = env.runs.test(dag, logical_date=at("2026-11-21"))

    assert env.runs.states(run) == {("pick_accounts", -1): "success", ("report", -1): "success"}
    summary = env.runs.xcom(run, "report")
    request = ReportRequest.build(
        finder="statistics",
        pivots=params["pivots"],
        time_granularity="DAILY",
        date_range=("2026-11-20", "2026-11-20"),  # date_range_end = ds - 1
        metrics=params["metrics"],
        facets={"accounts": env.accounts},
    )
    expected = []
    for row in jsonl_truth(ground_truth(env.server, request)):
        campaign = env.server.world.campaigns[int(row["campaign"].rsplit(":", 1)[1])]
        named = dict(row)
        named["campaign_name"] = campaign.name
        expected.append({column: named[column] for column in summary["columns"]})
    assert summary["columns"][:4] == ["start_date", "end_date", "campaign", "campaign_name"]
    assert summary["rows"] == expected
    assert summary["output_path"] is None
    assert summary["rows_written"] == len(expected)


def test_report_past_the_xcom_cap_fails_without_writing_xcom(env: Env, monkeypatch):
    monkeypatch.setattr(_results, "XCOM_ROW_CAP", 3)
    body = f"""
        LinkedInAdsAnalyticsOperator(
            task_id="report", pivot="CAMPAIGN", metrics=["impressions"], accounts={env.accounts},
        )
    """
    dag = env.runs.load("linkedin_ads_e2e_xcom_cap", dag_source("linkedin_ads_e2e_xcom_cap", body))

    run = env.runs.test(dag, logical_date=at("2026-11-21"))

    assert env.runs.states(run) == {("report", -1): "failed"}
    assert env.runs.xcom(run, "report") is None


# ── dynamic task mapping over accounts ─────────────────────────────────────────────────────────

MAPPED_BODY = """
    @task
    def list_accounts() -> list:
        # Every ACTIVE account the connection's token can see, upstream of the mapped reports.
        return sorted(account["id"] for account in LinkedInAdsHook().list_ad_accounts())

    LinkedInAdsAnalyticsOperator.partial(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=["impressions", "clicks", "costInLocalCurrency"],
        date_range_start="2026-11-20",
        date_range_end="2026-11-22",
        output_path="file://{out}/account_{{{{ ti.map_index }}}}.jsonl",
    ).expand(accounts=list_accounts())
"""


def test_dynamic_task_mapping_lands_one_file_per_account(env: Env):
    dag = env.runs.load(
        "linkedin_ads_e2e_mapped", dag_source("linkedin_ads_e2e_mapped", MAPPED_BODY.format(out=env.out))
    )

    run = env.runs.test(dag, logical_date=at("2026-11-23"))

    states = env.runs.states(run)
    assert states == {("list_accounts", -1): "success", ("report", 0): "success", ("report", 1): "success"}
    for index, account in enumerate(env.accounts):
        request = ReportRequest.build(
            finder="analytics",
            pivots="CAMPAIGN",
            time_granularity="DAILY",
            date_range=("2026-11-20", "2026-11-22"),
            metrics=["impressions", "clicks", "costInLocalCurrency"],
            facets={"accounts": [account]},
        )
        landed_equals_truth(env.out / f"account_{index}.jsonl", "jsonl", ground_truth(env.server, request))
        assert env.runs.xcom(run, "report", map_index=index)["facets"] == {"accounts": 1}


# ── a failed try leaves nothing; the retry lands the whole file ─────────────────────────────────

FAILING_METRICS = [
    "impressions", "clicks", "costInLocalCurrency", "costInUsd", "landingPageClicks", "likes",
    "comments", "shares", "follows", "reactions", "totalEngagements", "otherEngagements",
    "videoViews", "videoStarts", "videoCompletions", "externalWebsiteConversions", "oneClickLeads",
    "opens", "sends", "commentLikes", "fullScreenPlays", "companyPageClicks",
]  # fmt: skip

FAILING_BODY = """
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        # 21 months of creatives: the engine plans at least two date windows x two field chunks.
        pivot="CREATIVE",
        metrics={metrics},
        accounts={accounts},
        date_range_start="2025-03-01",
        date_range_end="2026-11-27",
        output_path="file://{out}/{{{{ dag_run.conf.get('name', 'report') }}}}.jsonl",
        max_concurrency=1,
        api_retry_policy=RetryPolicy(max_attempts=2, initial_wait=0, max_wait=0),
        retries=1,
        retry_delay=dt.timedelta(0),
        on_retry_callback=note_what_the_failed_try_left,
    )
"""

FAILING_CALLBACK = """
    def note_what_the_failed_try_left(context):
        # Runs when the failed try has ended, before the retry starts.
        import json
        import os

        with open("{observed}", "w") as handle:
            json.dump(sorted(os.listdir("{out}")), handle)

"""


class FaultsAfter:
    """Answer adAnalytics calls number ``after + 1`` and ``after + 2`` with 500, noting the folder then."""

    def __init__(self, plan, after: int, folder: Path) -> None:
        self.pick_next = plan.pick
        self.after = after
        self.folder = folder
        self.calls = 0
        self.at_faults: list[dict[str, int]] = []

    def pick(self, path: str) -> str | None:
        if "adAnalytics" in path:
            self.calls += 1
            if self.after < self.calls <= self.after + 2:  # both attempts of one call
                self.at_faults.append({item.name: item.stat().st_size for item in self.folder.iterdir()})
                return "500"
        return self.pick_next(path)


def test_failed_try_leaves_no_file_and_the_retry_lands_it(env: Env, monkeypatch):
    observed = env.out.parent / "left_by_failed_try.json"
    body = FAILING_CALLBACK.format(observed=observed, out=env.out) + FAILING_BODY.format(
        metrics=FAILING_METRICS, accounts=env.accounts, out=env.out
    )
    dag = env.runs.load("linkedin_ads_e2e_retry", dag_source("linkedin_ads_e2e_retry", body))
    reference = env.runs.test(dag, logical_date=at("2026-11-27"), conf={"name": "reference"})
    calls = env.runs.xcom(reference, "report")["calls_made"]
    assert calls >= 4  # a probe, then at least two windows (x two field chunks)
    # Both attempts of the last call fail (max_concurrency=1): the first window is written by then.
    faults = FaultsAfter(env.server.faults, calls - 2, env.out)
    monkeypatch.setattr(env.server.faults, "pick", faults.pick)

    run = env.runs.test(dag, logical_date=at("2026-11-28"))

    assert env.runs.states(run) == {("report", -1): "success"}
    assert env.runs.try_numbers(run) == {("report", -1): 2}
    # While the first try failed, rows of its first window were in a temporary file beside the
    # target, never in the target itself; when it ended, nothing was left.
    assert len(faults.at_faults) == 2
    temps = {name: size for name, size in faults.at_faults[0].items() if name != "reference.jsonl"}
    assert len(temps) == 1
    ((temp, size),) = temps.items()
    assert temp.startswith(".report.jsonl.linkedin-ads-")
    assert temp.endswith(".tmp")
    assert size > 0
    assert json.loads(observed.read_text()) == ["reference.jsonl"]
    # The retry landed the whole report.
    assert files(env.out) == ["reference.jsonl", "report.jsonl"]
    assert (env.out / "report.jsonl").read_bytes() == (env.out / "reference.jsonl").read_bytes()
    request = ReportRequest.build(
        finder="analytics",
        pivots="CREATIVE",
        time_granularity="DAILY",
        date_range=("2025-03-01", "2026-11-27"),
        metrics=FAILING_METRICS,
        facets={"accounts": env.accounts},
    )
    landed_equals_truth(env.out / "report.jsonl", "jsonl", ground_truth(env.server, request))


# ── the daily quota ──────────────────────────────────────────────────────────────────────────────

QUOTA_BODY = """
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=["impressions", "clicks"],
        accounts={accounts},
        date_range_start="2026-09-01",
        date_range_end="2026-11-20",
        output_path="file://{out}/report.jsonl",
        deferrable={deferrable},
        retries=2,
        retry_delay=dt.timedelta(0),
    )
"""


@pytest.fixture
def daily_quota(linkedin_ads_emulator):
    """One adAnalytics call per UTC day: the report's second call gets 429 naming the DAY window.

    The report spans more than ``DATA_FIRST_MAX_DAYS``: a probe first, then the data.
    """
    quota = linkedin_ads_emulator.emulator.quota
    quota.limit = 1
    yield quota
    quota.limit = None


class TriggerTime:
    """The DateTimeTrigger's view of time: records its moments and jumps past them (quota reset)."""

    def __init__(self, real: Any, quota: Any) -> None:
        self.real = real
        self.quota = quota
        self.moments: list[dt.datetime] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def utcnow(self) -> dt.datetime:
        self.quota.limit = None  # midnight has come: the quota is reset
        return self.real.utcnow() + dt.timedelta(days=2)


def test_daily_quota_defers_until_after_midnight_then_resumes(env: Env, daily_quota, monkeypatch):
    trigger_class = datetime_trigger_class()
    module = __import__(trigger_class.__module__, fromlist=["timezone"])
    clock = TriggerTime(module.timezone, daily_quota)
    monkeypatch.setattr(module, "timezone", clock)
    original_init = trigger_class.__init__

    def recording_init(self, moment=None, **kwargs):
        clock.moments.append(moment)
        original_init(self, moment=moment, **kwargs)

    monkeypatch.setattr(trigger_class, "__init__", recording_init)
    body = QUOTA_BODY.format(accounts=env.accounts, out=env.out, deferrable=True)
    dag = env.runs.load("linkedin_ads_e2e_quota_defer", dag_source("linkedin_ads_e2e_quota_defer", body))
    before = dt.datetime.now(dt.UTC)

    run = env.runs.test(dag, logical_date=at("2026-11-21"))

    after = dt.datetime.now(dt.UTC)
    assert env.runs.states(run) == {("report", -1): "success"}
    assert env.runs.try_numbers(run) == {("report", -1): 1}  # deferred and resumed, no retry spent
    # Deferred to 00:05 UTC after the quota's reset (the client's clock is the wall clock).
    midnights = {
        dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        for moment in (before, after)
    }
    assert clock.moments
    assert {moment.astimezone(dt.UTC) for moment in clock.moments} <= {
        midnight + dt.timedelta(minutes=5) for midnight in midnights
    }
    throttled = [record for record in env.server.requests if record.status == 429]
    assert len(throttled) == 1
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=("2026-09-01", "2026-11-20"),
        metrics=["impressions", "clicks"],
        facets={"accounts": env.accounts},
    )
    landed_equals_truth(env.out / "report.jsonl", "jsonl", ground_truth(env.server, request))
    assert files(env.out) == ["report.jsonl"]


def test_daily_quota_fails_saying_when_it_resets_when_not_deferrable(env: Env, daily_quota, capfd):
    body = QUOTA_BODY.format(accounts=env.accounts, out=env.out, deferrable=False)
    dag = env.runs.load("linkedin_ads_e2e_quota_fail", dag_source("linkedin_ads_e2e_quota_fail", body))

    run = env.runs.test(dag, logical_date=at("2026-11-21"))

    # Failed for good (no retry burnt on a quota that only resets at midnight), nothing landed.
    assert env.runs.states(run) == {("report", -1): "failed"}
    assert env.runs.try_numbers(run) == {("report", -1): 1}
    assert files(env.out) == []
    out, err = capfd.readouterr()
    assert "LinkedIn's daily API quota is spent; it resets at " in out + err
    assert "set deferrable=True" in out + err
