"""Faults beyond the client's retry budget fail the Airflow task cleanly; Airflow's retry lands the file.

A real DAG run (``dag.test()``, SQLite metadata database): the operator's client may try each call
three times; calls 3 to 5 of the first try fail (500, a reset, then 503), so that try fails with the
last error. Nothing may be left in the output folder, not even a temporary file; the task's own
retry then lands the whole report, byte for byte what a fault-free run lands.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from tests.reliability.conftest import client_for
from tests.reliability.figures import FIGURES
from tests.reliability.reports import FIRST_DAY, LAST_DAY, METRIC_NAMES, land

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from airflow_provider_linkedin_ads.testing import World
    from tests.reliability.conftest import AirflowRuns

pytestmark = [pytest.mark.db]

DAG_ID = "linkedin_ads_reliability_retry"
#: The first try's calls 3, 4 and 5 (all attempts of its third call) fail, in this order.
FAULTS = {3: "500", 4: "reset", 5: "503"}

DAG_FILE = """
from __future__ import annotations

import datetime as dt
import json
import os

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator


def note_the_failed_try(context):
    # Runs once the failed try has ended, before the retry: what failed it, and what it left.
    error = context["exception"]
    with open({observed!r}, "w") as handle:
        json.dump({{"error": f"{{type(error).__name__}}: {{error}}", "left": sorted(os.listdir({out!r}))}}, handle)


with DAG(dag_id={dag_id!r}, schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CREATIVE",
        metrics={metrics!r},
        campaigns={campaigns!r},
        date_range_start={start!r},
        date_range_end={end!r},
        output_path="file://{out}/report.jsonl",
        max_concurrency=1,
        api_retry_policy=RetryPolicy(max_attempts=3, initial_wait=0, max_wait=0),
        retries=1,
        retry_delay=dt.timedelta(0),
        on_retry_callback=note_the_failed_try,
    )
"""


class FaultsOnCalls:
    """Answer the ``adAnalytics`` calls numbered in ``faults`` with those faults; others as planned."""

    def __init__(self, pick: object, faults: dict[int, str]) -> None:
        self._pick = pick
        self._faults = faults
        self.calls = 0

    def pick(self, path: str) -> str | None:
        if path.endswith("/adAnalytics"):
            self.calls += 1
            if self.calls in self._faults:
                return self._faults[self.calls]
        return self._pick(path)  # type: ignore[operator]


@pytest.fixture
def server(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    from airflow_provider_linkedin_ads.operators import _base

    with EmulatorServer(world=world) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT", connection_json(emulator))
        monkeypatch.setattr(_base, "utcnow", emulator.clock.now)
        yield emulator


def test_faults_beyond_the_retry_budget_fail_the_try_and_the_airflow_retry_lands_the_file(
    airflow_runs: AirflowRuns, server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaigns = sorted(server.world.campaigns)
    request = ReportRequest.build(
        finder="analytics",
        pivots="CREATIVE",
        time_granularity="DAILY",
        date_range=(FIRST_DAY, LAST_DAY),
        facets={"campaigns": campaigns},
        metrics=METRIC_NAMES,
    )
    with client_for(server) as client:
        expected, summary = land(server, client, request, row_cap=15_000, facet_batch_size=200)
    assert summary.calls_made >= max(FAULTS) - 1  # the faults hit the middle of the report
    server.reset()
    out, observed = tmp_path / "out", tmp_path / "failed_try.json"
    source = DAG_FILE.format(
        dag_id=DAG_ID,
        metrics=list(METRIC_NAMES),
        campaigns=campaigns,
        start=FIRST_DAY.isoformat(),
        end=LAST_DAY.isoformat(),
        out=str(out),
        observed=str(observed),
    )
    dag = airflow_runs.load(DAG_ID, source)
    faults = FaultsOnCalls(server.faults.pick, FAULTS)
    monkeypatch.setattr(server.faults, "pick", faults.pick)

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))

    ti = airflow_runs.task_instance(run, "report")
    assert (str(ti.state), int(ti.try_number)) == ("success", 2)
    failed_try = json.loads(observed.read_text())
    assert failed_try["error"].startswith("ServerError: HTTP 503 UNDER_MAINTENANCE")  # the last error
    assert "adAnalytics" in failed_try["error"]
    assert failed_try["left"] == []  # no partial file, no temporary file
    assert sorted(path.name for path in out.iterdir()) == ["report.jsonl"]
    assert (out / "report.jsonl").read_bytes() == expected
    assert server.counters.faults == {"500": 1, "reset": 1, "503": 1}
    rows = expected.count(b"\n")
    FIGURES.scenario(
        f"retry budget exhausted mid-report (500, reset, 503): try 1 failed with "
        f"'{':'.join(failed_try['error'].split(':')[:2])}', left {len(failed_try['left'])} files; "
        f"Airflow's retry landed all {rows} rows, byte-identical"
    )
