"""The demo's job, end to end, the way ``make demo`` does it, on the Airflow line running the tests.

``linkedin-ads-emulator`` runs as a subprocess with the demo's fixed clock; a throw-away
``AIRFLOW_HOME`` gets a SQLite database (``airflow db migrate``) and the pool ``linkedin_ads``;
``AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT`` points at the emulator; then ``airflow dags test`` runs
``linkedin_ads_daily_performance`` and ``linkedin_ads_demographics`` for the demo's logical date
(plus ``linkedin_ads_multi_account``, whose mapped tasks and pool the demo does not exercise). The
three runs share one migrated database file, copied, so they can run side by side.

The landed files are compared with the emulator's ground truth (its :class:`World`, answering the
same queries), and ``scripts/demo_summary.py`` must print the campaign that truly spent most.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client.writers import write_rows
from airflow_provider_linkedin_ads.entity_tables import entity_columns
from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.entity_truth import expected_entity_rows
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.world import World
from tests.airflow_home import airflow_cli

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The demo's fixed dates (scripts/demo): runs of 2026-11-17 report 2026-11-16, the emulator's "today"
# is 2026-11-20, so that day's demographics have matured.
DEMO_DATE = "2026-11-17"
EMULATOR_TODAY = dt.date(2026, 11, 20)
EMULATOR_NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
REPORTED_DAY = dt.date(2026, 11, 16)
DAGS = ("linkedin_ads_daily_performance", "linkedin_ads_demographics", "linkedin_ads_multi_account")
TIMEOUT = 300


def _load_summary_module() -> Any:
    spec = importlib.util.spec_from_file_location("demo_summary", REPO / "scripts" / "demo_summary.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module's annotations through it
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _base_environment(home: Path, output: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "LINKEDIN_ADS"))}
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags_examples"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY": "True",
            "AIRFLOW_VAR_LINKEDIN_ADS_OUTPUT_BASE": output.as_uri(),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    return env


@pytest.fixture(scope="module")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``linkedin-ads-emulator`` as the demo does; its output goes to a file (no pipe to fill)."""
    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    prefix = "LinkedIn Ads emulator listening on "
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(BIN / "linkedin-ads-emulator"), "--port", "0", "--today", EMULATOR_TODAY.isoformat()],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not log.read_text(encoding="utf-8").startswith(prefix):
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "the emulator did not report its URL"
            time.sleep(0.05)
        first = log.read_text(encoding="utf-8").splitlines()[0]  # the CLI's documented first line
        yield first.removeprefix(prefix).strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def demo_run(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the DAGs; return the output folder and each run's log."""
    root = tmp_path_factory.mktemp("demo")
    output = root / "output"
    template = root / "template"
    env = _base_environment(template, output)
    env["AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT"] = json.dumps(
        {
            "conn_type": "linkedin_ads",
            "login": "emulator-client",
            "password": "emulator-secret",
            "extra": {
                "refresh_token": "emulator-refresh-token",
                "api_version": "202608",
                "api_base_url": f"{emulator_url}/rest",
                "oauth_url": f"{emulator_url}/oauth/v2/accessToken",
            },
        }
    )
    airflow_cli(
        env, ["db", "migrate"], ["pools", "set", "linkedin_ads", "4", "LinkedIn Ads"], timeout=TIMEOUT
    )
    runs = {}
    for dag_id in DAGS:  # one copy of the migrated database per run, so the runs do not lock each other
        home = root / dag_id
        home.mkdir()
        shutil.copy(template / "airflow.db", home / "airflow.db")
        run_env = {
            **env,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        }
        log = (home / "dags-test.log").open("w")
        runs[dag_id] = (
            subprocess.Popen(
                [str(BIN / "airflow"), "dags", "test", dag_id, DEMO_DATE],
                env=run_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            home / "dags-test.log",
            log,
        )
    logs = {}
    for dag_id, (process, path, handle) in runs.items():
        try:
            process.wait(timeout=TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
            handle.close()
        text = path.read_text(encoding="utf-8", errors="replace")
        assert process.returncode == 0, f"airflow dags test {dag_id} failed:\n{text[-6000:]}"
        logs[dag_id] = path
    return {"output": output, "logs": logs}


def _world() -> World:
    return World(seed=7, accounts=3, campaigns_per_account=20, today=EMULATOR_TODAY)  # the CLI's defaults


def _active_accounts(world: World) -> tuple[str, ...]:
    """The ACTIVE accounts the emulator's demo token sees: what the operators report on by default."""
    visible = world.accounts_for_member(DEFAULT_MEMBER)
    return tuple(
        f"urn:li:sponsoredAccount:{account.id}"
        for account in world.accounts.values()
        if account.status == "ACTIVE" and account.id in visible
    )


def _truth(pivot: Pivot, start: dt.date, end: dt.date, metrics: tuple[str, ...]) -> list[dict[str, Any]]:
    world = _world()
    query = ReportQuery(
        finder=Finder.ANALYTICS,
        pivots=(pivot,),
        granularity=TimeGranularity.DAILY,
        start=start,
        end=end,
        facets={"accounts": _active_accounts(world)},
        fields=("dateRange", "pivotValues", *metrics),
    )
    return world.answer(query, now=EMULATOR_NOW)


def _day(date_range: dict[str, Any]) -> str:
    start = date_range["start"]
    return dt.date(start["year"], start["month"], start["day"]).isoformat()


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_daily_performance_lands_the_emulators_ground_truth_for_the_day_and_its_lookback(
    demo_run: dict[str, Any],
) -> None:
    folder = demo_run["output"] / "daily_performance" / REPORTED_DAY.isoformat()
    assert sorted(path.name for path in folder.iterdir()) == ["campaign.jsonl", "creative.jsonl"]
    for pivot, column in ((Pivot.CAMPAIGN, "campaign"), (Pivot.CREATIVE, "creative")):
        landed = _rows(folder / f"{column}.jsonl")
        truth = _truth(pivot, REPORTED_DAY - dt.timedelta(days=7), REPORTED_DAY, ("impressions", "costInUsd"))
        expected = {
            (_day(row["dateRange"]), row["pivotValues"][0]): (row["impressions"], Decimal(row["costInUsd"]))
            for row in truth
        }
        got = {
            (row["start_date"], row[column]): (row["impressions"], Decimal(row["costInUsd"]))
            for row in landed
        }
        assert got == expected
        assert all(row["start_date"] == row["end_date"] for row in landed)
        assert len(landed[0]) >= 40 + 3  # every metric (chunked over several calls) joined into one row
        assert f"{column}_name" in landed[0]


def test_demographics_land_each_member_pivot_with_names(demo_run: dict[str, Any]) -> None:
    folder = demo_run["output"] / "demographics" / REPORTED_DAY.isoformat()
    for pivot in (Pivot.MEMBER_JOB_FUNCTION, Pivot.MEMBER_SENIORITY, Pivot.MEMBER_COUNTRY_V2):
        column = str(pivot).lower()
        landed = _rows(folder / f"{column}.jsonl")
        truth = _truth(pivot, REPORTED_DAY, REPORTED_DAY, ("impressions", "clicks"))
        assert {(row[column], row["impressions"]) for row in landed} == {
            (row["pivotValues"][0], row["impressions"]) for row in truth
        }
        assert landed
        assert all(row[f"{column}_name"] for row in landed)


def test_multi_account_maps_one_task_and_one_file_per_active_account(demo_run: dict[str, Any]) -> None:
    folder = demo_run["output"] / "multi_account" / REPORTED_DAY.isoformat()
    accounts = sorted(urn.rsplit(":", 1)[1] for urn in _active_accounts(_world()))
    assert sorted(path.name for path in folder.iterdir()) == [f"account={account}" for account in accounts]
    world = _world()
    for account in accounts:
        rows = _rows(folder / f"account={account}" / "campaign.jsonl")
        assert rows
        campaigns = {int(row["campaign"].rsplit(":", 1)[1]) for row in rows}
        assert {world.campaigns[campaign].account_id for campaign in campaigns} == {int(account)}


def test_the_summary_prints_files_rows_calls_and_the_true_top_campaign(
    demo_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    summary = _load_summary_module()
    output: Path = demo_run["output"]
    logs = [demo_run["logs"][dag_id] for dag_id in DAGS[:2]]
    assert summary.main(["--output", str(output), *[arg for log in logs for arg in ("--log", str(log))]]) == 0
    printed = capsys.readouterr().out
    summaries = summary.read_summaries(logs)
    assert len(summaries) == 9  # two performance reports, four dimension tables, three demographic reports
    for uri, report in summaries.items():
        path = Path(uri.removeprefix("file://"))
        assert report["rows_written"] == len(_rows(path))
        assert report["calls_made"] >= 1
        assert str(path.relative_to(output)) in printed
    performance = summaries[
        (output / "daily_performance" / REPORTED_DAY.isoformat() / "campaign.jsonl").as_uri()
    ]
    assert performance["calls_made"] >= 3  # 45 metrics need at least three 20-field calls
    assert f"{sum(int(report['calls_made']) for report in summaries.values())} LinkedIn API calls" in printed
    spend: dict[int, Decimal] = defaultdict(Decimal)
    truth = _truth(Pivot.CAMPAIGN, REPORTED_DAY - dt.timedelta(days=7), REPORTED_DAY, ("costInUsd",))
    for row in truth:
        spend[int(row["pivotValues"][0].rsplit(":", 1)[1])] += Decimal(row["costInUsd"])
    top = max(spend, key=lambda campaign: spend[campaign])
    table = printed.split("Top ", 1)[1].splitlines()
    assert "joined with the campaigns table on the campaign URN" in table[0]
    assert table[2].strip().startswith(_world().campaigns[top].name[:44])
    assert f"{spend[top]:,.2f}" in table[2]
    # The join: the top campaign's status and objective, as the campaigns table holds them.
    (entity,) = [row for row in expected_entity_rows(_world(), "campaigns") if row["id"] == top]
    assert table[2].split()[-6:-4] == [entity["status"], entity["objective_type"]]


def test_the_dimension_tables_equal_the_ground_truth_and_every_report_campaign_joins(
    demo_run: dict[str, Any],
) -> None:
    folder = demo_run["output"] / "dimensions"
    assert sorted(path.name for path in folder.iterdir()) == [
        "ad_accounts.jsonl",
        "campaign_groups.jsonl",
        "campaigns.jsonl",
        "creatives.jsonl",
    ]
    for table in ("ad_accounts", "campaign_groups", "campaigns", "creatives"):
        expected = io.BytesIO()
        write_rows(expected_entity_rows(_world(), table), expected, entity_columns(table))
        assert (folder / f"{table}.jsonl").read_bytes() == expected.getvalue(), table
    campaigns = {row["urn"] for row in _rows(folder / "campaigns.jsonl")}
    creatives = {row["urn"] for row in _rows(folder / "creatives.jsonl")}
    reports = demo_run["output"] / "daily_performance" / REPORTED_DAY.isoformat()
    assert {row["campaign"] for row in _rows(reports / "campaign.jsonl")} <= campaigns
    assert {row["creative"] for row in _rows(reports / "creative.jsonl")} <= creatives
