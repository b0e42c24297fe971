"""The attributed-revenue operator lands ``openOpportunities`` for a range ending today, in ``dag.test()``.

LinkedIn returns ``openOpportunities`` and ``opportunityAmountInUsd`` only when ``dateRange.end`` is
today's UTC date. ``date_range_start`` without ``date_range_end`` runs the range to today; the
emulator's clock (2026-11-28 12:00 UTC) is also the operators' clock.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from airflow_provider_linkedin_ads.operators import _base

pytestmark = [
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAttributedRevenueOperator

with DAG(dag_id="{dag_id}", schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    LinkedInAdsAttributedRevenueOperator(
        task_id="revenue",
        account={account},
        pivots=["ACCOUNT"],
        date_range_start="{{{{ macros.ds_add(ds, -59) }}}}",
        {end}
        output_path="file://{output}",
    )
"""


@pytest.fixture
def emulator_clock(monkeypatch, linkedin_ads_emulator):
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return linkedin_ads_emulator.clock


def _run(airflow_runs, emulator, tmp_path, name: str, end: str) -> tuple[dict, list[dict]]:
    account = min(emulator.world.accounts)
    assert emulator.world.accounts[account].crm_connected
    output = tmp_path / f"{name}.jsonl"
    dag_id = f"linkedin_ads_revenue_{name}"
    source = DAG_FILE.format(dag_id=dag_id, account=account, end=end, output=output)
    run = airflow_runs.test(airflow_runs.load(dag_id, source), logical_date=emulator.clock.now())
    assert airflow_runs.states(run) == {("revenue", -1): "success"}
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    return airflow_runs.xcom(run, "revenue"), rows


def test_start_without_end_lands_open_opportunities_up_to_today(
    airflow_runs, emulator_clock, linkedin_ads_emulator, linkedin_ads_connection, tmp_path
):
    today = emulator_clock.today()

    summary, rows = _run(airflow_runs, linkedin_ads_emulator, tmp_path, "to_today", "")

    start = (today - dt.timedelta(days=59)).isoformat()
    assert summary["date_range"] == {"start": start, "end": today.isoformat()}
    assert rows
    assert all(isinstance(row["openOpportunities"], int) for row in rows)
    assert all("opportunityAmountInUsd" in row for row in rows)
    (query,) = [r.query for r in linkedin_ads_emulator.requests if r.path.endswith("/adAnalytics")]
    assert f"end:(year:{today.year},month:{today.month},day:{today.day})" in query


def test_a_range_ending_yesterday_has_no_open_opportunities(
    airflow_runs, emulator_clock, linkedin_ads_emulator, linkedin_ads_connection, tmp_path
):
    summary, rows = _run(
        airflow_runs,
        linkedin_ads_emulator,
        tmp_path,
        "to_yesterday",
        'date_range_end="{{ macros.ds_add(ds, -1) }}",',
    )

    assert summary["date_range"]["end"] == (emulator_clock.today() - dt.timedelta(days=1)).isoformat()
    assert rows
    # the column is there (one schema per report), but LinkedIn sent no value for it
    assert all(row.get("openOpportunities") is None for row in rows)
    assert all(row.get("opportunityAmountInUsd") is None for row in rows)
