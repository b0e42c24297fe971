"""The maturity sensor defers in a real Airflow deployment: scheduler, triggerer and executor processes.

``dag.test()`` runs triggers inline, so only real processes prove the ``deferred`` state transition
and that the trigger imports, serialises and fires in a separate triggerer. The test builds a
throw-away ``AIRFLOW_HOME`` (SQLite), writes a one-task DAG whose sensor's data matures a few
seconds after the task starts, starts the processes on loopback, triggers the DAG and polls the
metadata database until the task has been seen ``deferred`` and then ``success``.

* Airflow 3: ``scheduler`` (LocalExecutor), ``dag-processor``, ``triggerer`` and the ``api-server``
  (execution API only), which the task runner and the triggerer talk to.
* Airflow 2.11: ``scheduler`` (which parses DAGs itself) and ``triggerer``. 2.11 refuses the
  LocalExecutor on SQLite ("cannot use SQLite with the LocalExecutor"), so it runs the
  SequentialExecutor, which still starts every task as its own ``airflow tasks run`` process.

Every process is started in its own session and always stopped (``tests.e2e.processes``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS
from tests.airflow_home import AIRFLOW, airflow_cli, copy_database
from tests.e2e.processes import Processes, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.integration

DAG_ID = "linkedin_ads_maturity_deferral"
TASK_ID = "wait_for_maturity"
#: How long after the task starts its data matures: long enough to be seen deferred by polling.
DEFER_SECONDS = 10
DEADLINE_SECONDS = 240

DAG_FILE = f'''
"""One sensor whose data matures {DEFER_SECONDS} s after the task (re)parses this file."""

from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

# The worker parses this file when the task starts, so "now" here is the task's start: a report of
# yesterday with this settle margin matures {DEFER_SECONDS} s later.
now = dt.datetime.now(dt.UTC)
midnight = dt.datetime.combine(now.date(), dt.time(0), tzinfo=dt.UTC)

with DAG(
    dag_id="{DAG_ID}",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
):
    LinkedInAdsMetricsMaturitySensor(
        task_id="{TASK_ID}",
        pivots=["CAMPAIGN"],
        metrics=["impressions", "clicks"],
        date_range_end=(now.date() - dt.timedelta(days=1)).isoformat(),
        settle_margin=(now - midnight) + dt.timedelta(seconds={DEFER_SECONDS}),
        deferrable=True,
        poke_interval=5,
        timeout=180,
    )
'''


def _environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    env.update(
        {
            "PATH": f"{AIRFLOW.parent}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor" if AIRFLOW_V_3_0_PLUS else "SequentialExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY": "True",
            # Short loops so the whole round trip takes seconds, not minutes.
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        }
    )
    if AIRFLOW_V_3_0_PLUS:
        port = free_port()
        env.update(
            {
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(port),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
                # Every process must sign and check the task tokens with the same secret.
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            }
        )
    return env


def _services(env: dict[str, str]) -> list[list[str]]:
    services = [["scheduler"], ["triggerer"]]
    if AIRFLOW_V_3_0_PLUS:
        port = env["AIRFLOW__API__PORT"]
        services += [
            ["dag-processor"],
            ["api-server", "--apps", "execution", "-H", "127.0.0.1", "-p", port, "-w", "1"],
        ]
    return services


@contextlib.contextmanager
def _processes(env: dict[str, str], home: Path) -> Iterator[Processes]:
    """Start the services, each in its own session with its log in ``home``; always stop them all."""
    processes = Processes(home)
    try:
        for service in _services(env):
            processes.start(service[0], [str(AIRFLOW), *service], env)
        yield processes
    finally:
        processes.stop()


def _task_state(database: Path) -> str | None:
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as connection:
            row = connection.execute(
                "SELECT state FROM task_instance WHERE dag_id = ? AND task_id = ?", (DAG_ID, TASK_ID)
            ).fetchone()
    except sqlite3.OperationalError:  # locked by a writer for longer than the timeout: ask again
        return None
    return None if row is None else row[0]


def _watch(database: Path, processes: Processes) -> list[str]:
    """Poll the task's state until it finishes; return the distinct states in the order seen."""
    seen: list[str] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        state = _task_state(database)
        if state and (not seen or seen[-1] != state):
            seen.append(state)
        if state in ("success", "failed", "skipped", "upstream_failed"):
            return seen
        assert not processes.exited(), f"{processes.exited()} exited early; states so far {seen}"
        time.sleep(0.25)  # polling a real deployment; nothing to inject here
    return seen


def _logs(home: Path) -> str:
    parts = []
    for path in sorted(home.glob("*.log")):
        parts.append(
            f"--- {path.name} (tail) ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-40:])
        )
    return "\n".join(parts)


def test_sensor_passes_through_deferred_to_success(tmp_path: Path, migrated_database: Path):
    home = tmp_path / "airflow-home"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / f"{DAG_ID}.py").write_text(DAG_FILE)
    env = _environment(home)
    copy_database(migrated_database, home / "airflow.db")
    # The DAG is in the database before any process starts; the run is queued, and the scheduler
    # picks it up once started.
    airflow_cli(env, ["dags", "reserialize"], ["dags", "trigger", DAG_ID])

    with _processes(env, home) as processes:
        seen = _watch(home / "airflow.db", processes)

    assert seen[-1:] == ["success"], f"task states seen: {seen}\n{_logs(home)}"
    assert "deferred" in seen, f"the task never deferred; states seen: {seen}\n{_logs(home)}"
    assert seen.index("deferred") < seen.index("success")
    # The event came from the triggerer process, which logs it beside the task's log.
    trigger_logs = [path.read_text() for path in (home / "logs").rglob("*.log.trigger.*")]
    assert any("'status': 'success'" in text and "matured at" in text for text in trigger_logs), _logs(home)
