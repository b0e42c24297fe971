"""SIGTERM to the process running a report task mid-report leaves no partial file behind.

A child process runs a real DAG run (``dag.test()``: Airflow's task runner, with its SIGTERM
handling) of an operator landing a report of several date windows, against an emulator in this
process that answers every call slowly. Once the first window's rows are in the temporary file,
the child gets SIGTERM. Afterwards the output folder must be empty: no target file, no temporary.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from airflow_provider_linkedin_ads.utils.landing import TEMP_MARKER
from tests.reliability.figures import FIGURES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.reliability.conftest import AirflowRuns

pytestmark = [pytest.mark.db, pytest.mark.integration]

DAG_ID = "linkedin_ads_reliability_kill"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LATENCY_MS = 700
DEADLINE = 90.0

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

with DAG(dag_id={dag_id!r}, schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CREATIVE",
        metrics=["impressions", "clicks"],
        campaigns={campaigns!r},
        date_range_start="2025-01-01",
        date_range_end="2026-11-25",
        output_path="file://{out}/report.jsonl",
        max_concurrency=1,
    )
"""

RUNNER = """
import datetime as dt
import pathlib
import sys

sys.path.insert(0, {repo!r})
from airflow_provider_linkedin_ads.operators import _base

_base.utcnow = lambda: dt.datetime({now!r}[0], {now!r}[1], {now!r}[2], 12, tzinfo=dt.UTC)
from tests.reliability.conftest import AirflowRuns

runs = AirflowRuns(pathlib.Path({folder!r}))
run = runs.test(runs.get({dag_id!r}), logical_date=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
print("STATE=" + str(runs.task_instance(run, "report").state), flush=True)
"""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    # 72 creatives over 700 days: more rows than one call may return, so the report has windows.
    shape = {
        "seed": 5,
        "accounts": 2,
        "campaigns_per_account": 12,
        "creatives_per_campaign": 3,
        "history_days": 700,
    }
    world = World(**shape, members={DEFAULT_MEMBER: list(World(**shape).accounts)})  # type: ignore[arg-type]
    with EmulatorServer(world=world, latency_ms=LATENCY_MS) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT", connection_json(emulator))
        yield emulator


def _temps(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if TEMP_MARKER in path.name] if folder.exists() else []


def _wait_for_rows_in_a_temporary_file(child: subprocess.Popen[str], out: Path) -> int:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert child.poll() is None, f"the task ended before it was killed: {child.communicate()}"
        sizes = [path.stat().st_size for path in _temps(out) if path.exists()]
        if any(sizes):
            return max(sizes)
        time.sleep(0.05)
    raise AssertionError("no rows reached a temporary file in time")


def test_sigterm_mid_report_leaves_no_partial_file(
    airflow_runs: AirflowRuns, server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    campaigns = sorted(server.world.campaigns)
    airflow_runs.load(DAG_ID, DAG_FILE.format(dag_id=DAG_ID, campaigns=campaigns, out=str(out)))
    today = server.clock.today()
    runner = tmp_path / "runner.py"
    runner.write_text(
        RUNNER.format(
            repo=REPO,
            now=(today.year, today.month, today.day),
            folder=str(airflow_runs.folder),
            dag_id=DAG_ID,
        )
    )
    child = subprocess.Popen(
        [sys.executable, str(runner)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        written = _wait_for_rows_in_a_temporary_file(child, out)
        calls_before = server.counters.calls["adAnalytics"]
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=DEADLINE)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    calls_after = server.counters.calls["adAnalytics"]
    assert list(out.iterdir()) == [], output[-3000:]
    # The try failed saying why: Airflow 2's handler raises (and, in dag.test(), ends the process);
    # on Airflow 3 the operator stops itself after on_kill().
    assert "STATE=success" not in output
    assert "SIGTERM" in output, output[-3000:]
    assert "Logging error" not in output, output[-3000:]  # the engine stopped before shutdown
    FIGURES.scenario(
        f"SIGTERM mid-report (after {calls_before} calls, {written:,} bytes in the temporary file): "
        f"0 files left (no target, no temporary); {calls_after - calls_before} calls after the signal"
    )
