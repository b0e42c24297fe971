"""A data-throttle wait leaves the worker: real scheduler, triggerer and executor processes.

The report operator (``deferrable=True``) runs in a real deployment (the harness of
``test_deferral_real_processes``: SQLite, LocalExecutor on Airflow 3, SequentialExecutor on 2.11)
against the emulator on 127.0.0.1, whose data throttle is scripted to fire after the first answers
(``budget.throttle_after``) with ``Retry-After: 15``. ``[linkedin_ads] defer_waits_longer_than = 1``
makes that wait a deferral, so the task must go ``deferred`` -> ``running`` -> ``success``:

* while it is deferred, no task instance is running (no worker slot held) and the triggerer holds
  Airflow's ``DateTimeTrigger``; the resume kwargs pin the report's days;
* the landed file is byte-identical to the same report fetched without any throttle;
* the emulator's request log shows no ``adAnalytics`` request answered twice: the answers received
  before the deferral were replayed from the checkpoint, which is gone once the file landed.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.metrics import METRICS as CATALOGUE, MetricKind
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from tests.airflow_home import airflow_cli, copy_database
from tests.integration.test_deferral_real_processes import _environment, _logs, _processes

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.e2e.processes import Processes

pytestmark = pytest.mark.integration

DAG_ID = "linkedin_ads_throttle_deferral"
TASK_ID = "campaigns"
#: The deferred wait. A few seconds, but not fewer: when the trigger fires before the scheduler has
#: processed the executor's "process ended" event of the deferring try, Airflow sees the re-queued
#: task instance "changed externally" and fails it (an Airflow race that very short deferrals hit; on a
#: loaded 2-core machine that event took 5 s, so the wait is three times that).
RETRY_AFTER = 15
#: Answers served before the scripted data throttle: the first field chunk.
ANSWERS_BEFORE_THROTTLE = 1
DEADLINE_SECONDS = 240
API_VERSION = "202608"
#: 40 additive metrics: three field chunks, so the report makes three calls. Its range (this month
#: to today) is at most 31 days: no probe, the first chunk goes first and its answer is data.
METRICS = sorted(
    metric.name
    for metric in CATALOGUE.values()
    if metric.kind in (MetricKind.LONG, MetricKind.DECIMAL)
    and metric.additive
    and metric.max_range_days is None
    and metric.min_version is None
)[:40]

DAG_FILE = '''
"""One deferrable analytics report whose data throttle is waited in the triggerer."""

from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

with DAG(
    dag_id="{dag_id}",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
):
    LinkedInAdsAnalyticsOperator(
        task_id="{task_id}",
        pivot="CAMPAIGN",
        time_granularity="DAILY",
        accounts={accounts!r},
        metrics={metrics!r},
        date_range_start="{start}",
        date_range_end="{end}",
        output_path="{output}",
        max_concurrency=1,
        api_retry_policy=RetryPolicy(data_throttle_wait=1.0),
        deferrable=True,
    )
'''


def _world() -> World:
    shape: dict[str, Any] = {"seed": 7, "accounts": 2, "campaigns_per_account": 5, "history_days": 120}
    ids = list(World(**shape).accounts)
    return World(**shape, members={DEFAULT_MEMBER: ids})


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=_world(), retry_after=RETRY_AFTER) as server:
        yield server


def _request(emulator: EmulatorServer) -> ReportRequest:
    today = emulator.clock.today()
    return ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(today.replace(day=1).isoformat(), today.isoformat()),
        facets={"accounts": [f"urn:li:sponsoredAccount:{account}" for account in emulator.world.accounts]},
        metrics=METRICS,
    )


def _unthrottled(emulator: EmulatorServer, request: ReportRequest) -> tuple[bytes, int]:
    """The report's JSON Lines fetched in-process without any throttle, and the calls it took."""
    config = ClientConfig(
        access_token=emulator.emulator.issue_access_token(),
        api_base_url=emulator.api_base_url,
        api_version=API_VERSION,
    )
    target = io.BytesIO()
    with LinkedInAdsClient(config, clock=lambda: emulator.clock.now().timestamp()) as client:
        summary = ReportEngine(client, today=emulator.clock.today, max_concurrency=1).write(request, target)
    return target.getvalue(), summary.calls_made


def _query(database: Path, sql: str, *args: Any) -> list[tuple[Any, ...]] | None:
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as connection:
            return connection.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # locked by a writer for longer than the timeout: ask again
        return None


def _watch(database: Path, processes: Processes) -> tuple[list[str], list[dict[str, Any]]]:
    """Poll until the task finishes; return its distinct states and what was seen while it was deferred."""
    seen: list[str] = []
    while_deferred: list[dict[str, Any]] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        rows = _query(
            database,
            "SELECT state, trigger_id, next_method, next_kwargs FROM task_instance WHERE dag_id = ? AND task_id = ?",
            DAG_ID,
            TASK_ID,
        )
        state = rows[0][0] if rows else None
        if state and (not seen or seen[-1] != state):
            seen.append(state)
        if state == "deferred" and rows:
            running = _query(database, "SELECT count(*) FROM task_instance WHERE state = 'running'")
            triggers = _query(database, "SELECT classpath FROM trigger")
            while_deferred.append(
                {
                    "running": None if running is None else running[0][0],
                    "triggers": None if triggers is None else [row[0] for row in triggers],
                    "trigger_id": rows[0][1],
                    "next_method": rows[0][2],
                    "next_kwargs": rows[0][3],
                }
            )
        if state in ("success", "failed", "skipped", "upstream_failed"):
            return seen, while_deferred
        assert not processes.exited(), f"{processes.exited()} exited early; states so far {seen}"
        time.sleep(0.25)  # polling a real deployment; nothing to inject here
    return seen, while_deferred


def test_data_throttle_defers_to_the_triggerer_and_resumes_the_same_report(
    tmp_path: Path, emulator: EmulatorServer, migrated_database: Path
) -> None:
    request = _request(emulator)
    expected, calls = _unthrottled(emulator, request)
    assert calls > ANSWERS_BEFORE_THROTTLE + 1, "the report must still have calls to make after the throttle"
    emulator.reset()

    home = tmp_path / "airflow-home"
    output = tmp_path / "out" / "campaigns.jsonl"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / f"{DAG_ID}.py").write_text(
        DAG_FILE.format(
            dag_id=DAG_ID,
            task_id=TASK_ID,
            accounts=list(request.facets["accounts"]),
            metrics=METRICS,
            start=request.date_range.start.isoformat(),
            end=request.date_range.end.isoformat(),
            output=output.as_uri(),
        )
    )
    env = _environment(home)
    env["AIRFLOW__LINKEDIN_ADS__DEFER_WAITS_LONGER_THAN"] = "1"
    env["AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT"] = json.dumps(
        {
            "conn_type": "linkedin_ads",
            "login": "emulator-client",
            "password": "emulator-secret",
            "extra": {
                "refresh_token": "emulator-refresh-token",
                "api_version": API_VERSION,
                "api_base_url": emulator.api_base_url,
                "oauth_url": emulator.token_url,
            },
        }
    )
    copy_database(migrated_database, home / "airflow.db")
    airflow_cli(env, ["dags", "reserialize"], ["dags", "trigger", DAG_ID])
    emulator.emulator.budget.throttle_after(ANSWERS_BEFORE_THROTTLE)

    with _processes(env, home) as processes:
        seen, while_deferred = _watch(home / "airflow.db", processes)
    emulator.check()

    logs = _logs(home)
    assert seen[-1:] == ["success"], f"task states seen: {seen}\n{logs}"
    assert "deferred" in seen, f"the task never deferred; states seen: {seen}\n{logs}"
    assert seen.index("deferred") < len(seen) - 1
    # A worker ran execute_complete after the wait (a trigger alone could also end a task on Airflow
    # 3). Read from the task log: the polled states can miss a resumed try that runs under 0.25 s.
    task_logs = "".join(path.read_text(errors="replace") for path in (home / "logs").rglob("attempt=*.log"))
    assert "Resuming the LinkedIn Ads report after a deferred wait" in task_logs, (
        f"not resumed: {seen}\n{logs}"
    )
    # While deferred: no worker slot held, the wait is a DateTimeTrigger, the days are pinned.
    assert while_deferred, seen
    assert all(snapshot["running"] in (0, None) for snapshot in while_deferred), while_deferred
    deferred = next(snapshot for snapshot in while_deferred if snapshot["trigger_id"] is not None)
    assert any("DateTimeTrigger" in path for path in deferred["triggers"] or ()), while_deferred
    assert deferred["next_method"] == "execute_complete"
    kwargs = (
        json.dumps(deferred["next_kwargs"])
        if not isinstance(deferred["next_kwargs"], str)
        else deferred["next_kwargs"]
    )
    assert request.date_range.start.isoformat() in kwargs
    assert request.date_range.end.isoformat() in kwargs

    # The same report, landed once, asked once.
    assert output.read_bytes() == expected
    analytics = [record for record in emulator.requests if record.path.endswith("/adAnalytics")]
    answered = [record.query for record in analytics if record.status == 200]
    assert [query for query, count in Counter(answered).items() if count > 1] == []
    assert len(answered) == calls
    assert emulator.counters.throttled["data"] == 1
    assert not list(output.parent.glob(".linkedin-ads-checkpoint-*")), "the checkpoint outlived the task"
    # The task's summary counts the answers replayed from the checkpoint (JSON-escaped on Airflow 3).
    assert re.search(rf'calls_replayed\\*"?: {ANSWERS_BEFORE_THROTTLE}\b', task_logs), logs
