"""End to end with ``dag.test()`` and the emulator: the sensor holds a demographic report until it is final.

The emulator's clock starts 18 h after the report's day ended, when its professional-demographic
values are still partial. The DAG's sensor defers; ``dag.test()`` runs the trigger inline, whose
sleep advances the emulator's clock to the maturity moment; the downstream task then fetches the
report and lands the matured (higher) numbers, which the same report fetched before did not have.

``dag.test()`` runs tasks and triggers in this process, so the sensor's and the trigger's time seams
can be pointed at the emulator's clock. On Airflow 3 it only runs DAGs that live in a DAG bundle,
so the DAG is written to a temporary folder configured as the bundle.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.sensors import ad_analytics as sensor_module
from airflow_provider_linkedin_ads.triggers import ad_analytics as trigger_module
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.db]

DAG_ID = "linkedin_ads_maturity_e2e"
DAY = dt.date(2026, 11, 27)
DAY_END = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
MOMENT = DAY_END + dt.timedelta(hours=24)  # MEMBER_* pivot: 24 h after the day ends
OUTPUT_ENV = "LINKEDIN_ADS_E2E_OUTPUT"

DAG_FILE = """
from __future__ import annotations

import datetime as dt
import json
import os

try:
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

with DAG(
    dag_id="{dag_id}",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    params={{"day": "{day}", "account": "{account}"}},
):
    wait = LinkedInAdsMetricsMaturitySensor(
        task_id="wait_for_demographics",
        pivots=["MEMBER_JOB_TITLE"],
        metrics=["impressions", "clicks"],
        date_range_end="{{{{ params.day }}}}",
        accounts=["{{{{ params.account }}}}"],
        deferrable=True,
        timeout=3 * 24 * 3600,
    )

    @task
    def report_demographics(maturity: dict, params=None) -> dict:
        days = DateRange(
            dt.date.fromisoformat(maturity["date_range_start"]),
            dt.date.fromisoformat(maturity["date_range_end"]),
        )
        rows = LinkedInAdsHook().analytics(
            pivot="MEMBER_JOB_TITLE",
            time_granularity="DAILY",
            date_range=days,
            accounts=[params["account"]],
            fields=["dateRange", "pivotValues", "impressions", "clicks"],
        )
        totals = {{"rows": len(rows), "impressions": sum(row.get("impressions", 0) for row in rows)}}
        with open(os.environ["{output_env}"], "w") as handle:
            json.dump({{"maturity": maturity, "totals": totals}}, handle)
        return totals

    report_demographics(wait.output)
"""


def demographic_totals(account: int) -> dict[str, int]:
    rows = LinkedInAdsHook().analytics(
        pivot="MEMBER_JOB_TITLE",
        time_granularity="DAILY",
        date_range=DateRange(DAY, DAY),
        accounts=[account],
        fields=["dateRange", "pivotValues", "impressions", "clicks"],
    )
    return {"rows": len(rows), "impressions": sum(row.get("impressions", 0) for row in rows)}


@pytest.fixture
def dag_folder(tmp_path, monkeypatch, linkedin_ads_emulator) -> Path:
    folder = tmp_path / "dags"
    folder.mkdir()
    account = min(linkedin_ads_emulator.world.accounts)
    (folder / f"{DAG_ID}.py").write_text(
        DAG_FILE.format(dag_id=DAG_ID, day=DAY.isoformat(), account=account, output_env=OUTPUT_ENV)
    )
    bundles = [
        {
            "name": "maturity-e2e",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(folder), "refresh_interval": 0},
        }
    ]
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps(bundles))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(folder))
    return folder


def load_dag(folder: Path):
    if AIRFLOW_V_3_0_PLUS:
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(folder))
    else:
        from airflow.models.dagbag import DagBag

        bag = DagBag(dag_folder=str(folder), include_examples=False)
    assert bag.import_errors == {}
    return bag.get_dag(DAG_ID)


@pytest.fixture
def emulator_time(monkeypatch, linkedin_ads_emulator) -> list[float]:
    """Point the sensor's and the trigger's clocks at the emulator; the trigger's sleep advances it."""
    sleeps: list[float] = []

    async def advance(seconds: float) -> None:
        sleeps.append(seconds)
        linkedin_ads_emulator.clock.advance(dt.timedelta(seconds=seconds))

    monkeypatch.setattr(sensor_module, "utcnow", linkedin_ads_emulator.clock.now)
    monkeypatch.setattr(trigger_module, "utcnow", linkedin_ads_emulator.clock.now)
    monkeypatch.setattr(trigger_module, "sleep", advance)
    return sleeps


def test_sensor_defers_until_demographics_mature(
    airflow_db,
    dag_folder,
    emulator_time,
    linkedin_ads_connection,
    linkedin_ads_emulator,
    tmp_path,
    monkeypatch,
):
    output = tmp_path / "report.json"
    monkeypatch.setenv(OUTPUT_ENV, str(output))
    account = min(linkedin_ads_emulator.world.accounts)
    linkedin_ads_emulator.clock.set(DAY_END + dt.timedelta(hours=18))
    before = demographic_totals(account)  # the same report, fetched before maturity

    run = load_dag(dag_folder).test()

    assert run.state == "success"
    landed = json.loads(output.read_text())
    assert landed["maturity"] == {
        "moment": MOMENT.isoformat(),
        "date_range_start": DAY.isoformat(),
        "date_range_end": DAY.isoformat(),
        "confirmed_with_api": False,
    }
    # The sensor deferred and the trigger slept the remaining 6 h (in the emulator's time).
    assert sum(emulator_time) == pytest.approx(6 * 3600)
    assert linkedin_ads_emulator.clock.now() == MOMENT
    # Downstream landed the matured numbers: higher than before, and final.
    assert landed["totals"]["impressions"] > before["impressions"] > 0
    assert landed["totals"]["rows"] >= before["rows"]
    linkedin_ads_emulator.clock.advance(dt.timedelta(days=2))
    assert demographic_totals(account) == landed["totals"]
