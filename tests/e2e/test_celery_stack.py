"""The production shape, for real: CeleryExecutor on PostgreSQL and Redis, two workers, one killed.

On loopback only, from :mod:`tests.e2e.stack` (the services, commands and settings of
``docker-compose.yaml``): a PostgreSQL cluster and a Redis server (``conftest.py``), the bundled
emulator in this process with a world of 22 ad accounts (21 ACTIVE), and Airflow 3 as separate
processes, each with its own ``AIRFLOW_HOME``: api-server, scheduler, dag-processor, triggerer and
two Celery workers. The DAG folder holds the multi-account example, unchanged (one report per
account, mapped, in the pool ``linkedin_ads`` of 4 slots), and a DAG with the maturity sensor in
deferrable mode.

During the run the emulator holds the first report call of one account; once that task is running
on a worker, the test SIGKILLs the worker and everything under it.
The scheduler fails the task after the heartbeat timeout and Airflow's retry runs on the other
worker. The tests below then check, from the emulator's request log and the PostgreSQL metadata
database: the database is PostgreSQL, both workers ran tasks, at most 4 report tasks talked to the
API at once, the sensor waited in the triggerer holding no worker slot, every landed file equals
the emulator's ground truth, the retried file is byte-identical to a clean run with no temporary
file left, and no process of the test survives it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.clock import Clock
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.utils.landing import TEMP_MARKER
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS
from tests.airflow_home import airflow_cli
from tests.e2e import stack
from tests.e2e.conftest import FIGURES
from tests.e2e.postgres import airflow_dsn, query
from tests.e2e.processes import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from airflow_provider_linkedin_ads.testing.request import Request
    from airflow_provider_linkedin_ads.testing.responses import Response
    from tests.e2e.processes import Processes

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.integration,
    pytest.mark.skipif(
        not AIRFLOW_V_3_0_PLUS, reason="the e2e stack runs Airflow 3; run on the Airflow 3 line"
    ),
]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONFIG = Path(__file__).resolve().parent / "config"
MULTI = "linkedin_ads_multi_account"
SENSOR_DAG = "linkedin_ads_e2e_maturity"
REPORT_TASK = "campaign_performance"
POOL_SLOTS = 4
ACCOUNTS = 22  # account index 3 is CANCELED: 21 ACTIVE accounts, 21 mapped report tasks
#: The sensor's data matures this long after its task starts: time to be seen deferred.
DEFER_SECONDS = 30
RUN_DEADLINE = 300.0

SENSOR_DAG_FILE = f'''
"""The maturity sensor, deferrable: its data matures {DEFER_SECONDS} s after the task parses this file."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG

from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

# The worker parses this file when the task starts, so "now" is the task's start.
now = dt.datetime.now(dt.UTC)
midnight = dt.datetime.combine(now.date(), dt.time(0), tzinfo=dt.UTC)

with DAG(dag_id="{SENSOR_DAG}", schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    LinkedInAdsMetricsMaturitySensor(
        task_id="wait_for_maturity",
        pivots=["CAMPAIGN"],
        metrics=["impressions", "clicks"],
        date_range_end=(now.date() - dt.timedelta(days=1)).isoformat(),
        settle_margin=(now - midnight) + dt.timedelta(seconds={DEFER_SECONDS}),
        deferrable=True,
        poke_interval=5,
        timeout=240,
    )
'''

_ACCOUNT = re.compile(r"(?:sponsoredAccount(?:%3A|:)|/adAccounts/)(\d+)")


# -- the emulator's view: every request, timed and attributed to an account -----------------------


@dataclass(frozen=True)
class Call:
    """One request the emulator answered: when, for which account, which endpoint."""

    start: float
    end: float
    account: int | None
    path: str


@dataclass
class Recorder:
    """Times every request and holds the first report call of ``victim`` until :attr:`release`.

    Installed in front of :meth:`Emulator.handle`, so the request log gains timestamps and
    accounts (the emulator's own log has neither).
    """

    server: EmulatorServer
    victim: int
    calls: list[Call] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        inner = self.server.emulator.handle

        def handle(raw: Request) -> Response:
            start = time.time()
            text = raw.path + "?" + raw.query + "&" + raw.body.decode("utf-8", "replace")
            match = _ACCOUNT.search(text) if "/oauth/" not in raw.path else None
            account = int(match[1]) if match else None
            if account == self.victim and "adAnalytics" in raw.path and not self.held.is_set():
                self.held.set()  # the victim's first try is now mid-report: kill its worker
                self.release.wait(timeout=RUN_DEADLINE)
            response = inner(raw)
            with self._lock:
                self.calls.append(Call(start, time.time(), account, raw.path))
            return response

        self.server.emulator.handle = handle  # type: ignore[method-assign]


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class Run:
    """What the scenario observed; the tests assert on it."""

    root: Path
    dsn: str
    endpoints: stack.Endpoints
    processes: Processes
    recorder: Recorder
    world: World
    server: EmulatorServer
    homes: dict[str, Path] = field(default_factory=dict)
    sensor_states: list[str] = field(default_factory=list)
    sensor_trigger: dict[str, Any] = field(default_factory=dict)
    sensor_processes_while_deferred: int = -1
    sensor_process_seen_running: bool = False
    killed_worker: str = ""
    killed_pids: list[int] = field(default_factory=list)
    temps_at_kill: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    run_states: dict[str, str] = field(default_factory=dict)


def _airflow_env(
    run_root: Path, endpoints: stack.Endpoints, overrides: dict[str, str], name: str
) -> dict[str, str]:
    home = run_root / "homes" / name
    home.mkdir(parents=True, exist_ok=True)
    base = {
        key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "LINKEDIN_ADS"))
    }
    service = next(service for service, names in stack.AIRFLOW_PROCESSES.items() if name in names)
    env = {**base, **stack.environment(service, endpoints, overrides)}
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{base.get('PATH', '')}",
            # Per process, as each container has its own: home, host name, health-check port.
            "AIRFLOW_HOME": str(home),
            "PYTHONPATH": str(CONFIG),  # airflow_local_settings (cluster policy), e2e_hostname
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "e2e_hostname.hostname",
            "LINKEDIN_ADS_E2E_HOSTNAME": name,
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    return env


def _wait_healthy(url: str, processes: Processes, deadline: float) -> None:
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        assert processes.by_name("apiserver").popen.poll() is None, processes.tails()
        assert time.monotonic() < deadline, "the api-server did not become healthy\n" + processes.tails()
        time.sleep(0.5)


@pytest.fixture(scope="module")
def run(e2e_root: Path, postgres: str, redis: str, processes: Processes) -> Iterator[Run]:
    """Start the stack, trigger both DAGs, kill one worker mid-report, wait for both runs to end."""
    began = time.monotonic()
    # The emulator's clock stands still at the test's start: the scheduled run reports the days
    # before today, and the ground truth is computed at the same instant.
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    shape: dict[str, Any] = {"seed": 7, "accounts": ACCOUNTS, "campaigns_per_account": 4, "today": now.date()}
    # The demo token sees every account (by default the emulator hides the last one from it).
    world = World(**shape, members={DEFAULT_MEMBER: list(World(**shape).accounts)})
    active = sorted(account.id for account in world.accounts.values() if account.status == "ACTIVE")
    with EmulatorServer(world, clock=Clock(now)) as server:
        # An account two thirds down the list: its worker dies while the others still have work.
        recorder = Recorder(server, victim=active[len(active) * 2 // 3])
        recorder.install()
        endpoints = stack.Endpoints(
            postgres_port=int(postgres.rsplit(":", 1)[1]),
            redis_port=int(redis.rsplit(":", 1)[1]),
            api_port=free_port(),
            emulator=server.url.removeprefix("http://"),
            root=e2e_root,
        )
        for folder in endpoints.mounts().values():
            Path(folder).mkdir(parents=True, exist_ok=True)
        dags = Path(endpoints.mounts()["/opt/airflow/dags"])
        shutil.copy(REPO / "dags_examples" / f"{MULTI}.py", dags / f"{MULTI}.py")
        (dags / f"{SENSOR_DAG}.py").write_text(SENSOR_DAG_FILE)
        overrides = {
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        }
        names = [name for group in stack.AIRFLOW_PROCESSES.values() for name in group]
        envs = {name: _airflow_env(e2e_root, endpoints, overrides, name) for name in names}
        # airflow-init's settings are the common ones; the scheduler's are exactly those.
        envs["init"] = _airflow_env(e2e_root, endpoints, overrides, "scheduler")
        envs["init"]["AIRFLOW_HOME"] = str(e2e_root / "homes" / "init")
        Path(envs["init"]["AIRFLOW_HOME"]).mkdir()
        observed = Run(e2e_root, airflow_dsn(postgres), endpoints, processes,
                       recorder, world, server)  # fmt: skip
        observed.homes = {name: Path(env["AIRFLOW_HOME"]) for name, env in envs.items()}

        # airflow-init (migrate, the pool), then what a user does: serialise and unpause the DAGs (the
        # scheduler then runs the multi-account DAG's latest interval by itself), trigger the sensor's. The
        # commands run through Airflow's own CLI parser in one interpreter: one Airflow import
        # instead of six saves a minute on a loaded 2-core machine.
        airflow_cli(
            envs["init"],
            *stack.init_commands(),
            ["dags", "reserialize"],
            ["dags", "unpause", "--yes", "--treat-dag-id-as-regex", "^linkedin_ads_"],
            ["dags", "trigger", SENSOR_DAG],
        )
        observed.seconds["setup"] = time.monotonic() - began

        for service, group in stack.AIRFLOW_PROCESSES.items():
            if service == "airflow-worker":
                # As in the compose file, workers wait for a healthy api-server (their execution API).
                _wait_healthy(
                    f"http://127.0.0.1:{endpoints.api_port}/api/v2/monitor/health",
                    processes,
                    time.monotonic() + 120,
                )
            for name in group:
                processes.start(
                    name, [str(BIN / "airflow"), *stack.command(service, endpoints, name=name)], envs[name]
                )
        started = time.monotonic()
        try:
            _watch(observed)
        finally:
            recorder.release.set()
            observed.seconds["run"] = time.monotonic() - started
            observed.seconds["total"] = time.monotonic() - began
        yield observed


# -- watching the run ------------------------------------------------------------------------------


def _watch(run: Run) -> None:
    deadline = time.monotonic() + RUN_DEADLINE
    while time.monotonic() < deadline:
        run.processes.snapshot()
        _observe_sensor(run)
        # The kill waits for the sensor to be done, so it can only hit report tasks (the sensor has
        # no retries: its own story is the deferral).
        sensor_done = run.sensor_states[-1:] in (["success"], ["failed"])
        if run.recorder.held.is_set() and not run.killed_worker and sensor_done:
            _kill_the_victims_worker(run)
        runs = query(run.dsn, "SELECT dag_id, state FROM dag_run")
        run.run_states = dict(runs)
        assert len(runs) == len(run.run_states), f"one run per DAG expected: {runs}"
        if len(run.run_states) == 2 and set(run.run_states.values()) <= {"success", "failed"}:
            return
        dead = [name for name in run.processes.exited() if name != run.killed_worker]
        assert not dead, f"{dead} exited\n{run.processes.tails()}"
        time.sleep(0.5)  # polling real processes: nothing to inject
    states = query(run.dsn, "SELECT task_id, state, count(*) FROM task_instance GROUP BY task_id, state")
    raise AssertionError(
        f"the runs did not finish in {RUN_DEADLINE} s: {run.run_states}; task states {states}; sensor "
        f"{run.sensor_states}; victim held: {run.recorder.held.is_set()}, killed: {run.killed_worker!r}\n"
        f"{run.processes.tails()}"
    )


def _observe_sensor(run: Run) -> None:
    rows = query(
        run.dsn, "SELECT id, state, trigger_id, next_method FROM task_instance WHERE dag_id = %s", SENSOR_DAG
    )
    if not rows:
        return
    ti_id, state, trigger_id, next_method = rows[0]
    if state and (not run.sensor_states or run.sensor_states[-1] != state):
        run.sensor_states.append(state)
    running_here = _task_processes(run, str(ti_id))
    if state == "running" and running_here:
        run.sensor_process_seen_running = True
    if state == "deferred" and trigger_id is not None:
        if not run.sensor_trigger:
            run.sensor_trigger = _trigger(run, trigger_id, next_method)
        # The task process that deferred exits right after; from then on, while the trigger waits,
        # no worker process runs the task: it holds no worker slot (the last look while deferred).
        run.sensor_processes_while_deferred = len(running_here)


def _trigger(run: Run, trigger_id: int, next_method: str | None) -> dict[str, Any]:
    rows = query(
        run.dsn,
        "SELECT t.classpath, j.job_type, j.hostname FROM trigger t LEFT JOIN job j ON j.id = t.triggerer_id "
        "WHERE t.id = %s",
        trigger_id,
    )
    if not rows or not rows[0][1]:
        return {}  # not picked up by a triggerer yet: look again
    classpath, job_type, hostname = rows[0]
    return {"classpath": classpath, "job_type": job_type, "hostname": hostname, "next_method": next_method}


def _task_processes(run: Run, ti_id: str) -> list[int]:
    """Pids of task processes running ``ti_id`` (the task runner titles itself with the ti id)."""
    pids = []
    for launched in run.processes.started:
        if not launched.name.startswith("worker"):
            continue
        for process in run.processes.tree(launched):
            with contextlib.suppress(psutil.Error):
                if ti_id in " ".join(process.cmdline()):
                    pids.append(process.pid)
    return pids


def _kill_the_victims_worker(run: Run) -> None:
    label = f"account {run.recorder.victim}"
    rows = query(
        run.dsn,
        "SELECT hostname, state FROM task_instance WHERE dag_id = %s AND task_id = %s AND rendered_map_index = %s",
        MULTI,
        REPORT_TASK,
        label,
    )
    if not rows or rows[0][1] != "running" or not rows[0][0]:
        return  # the call is held before the task reported itself running: look again shortly
    worker = rows[0][0]
    data = Path(run.endpoints.mounts()["/opt/airflow/data"])
    run.temps_at_kill = sorted(
        str(path.relative_to(data))
        for path in data.rglob(f"*{TEMP_MARKER}*")
        if f"account={run.recorder.victim}" in str(path)
    )
    run.killed_pids = run.processes.kill_tree(run.processes.by_name(worker))
    run.killed_worker = worker
    run.seconds["killed_at"] = time.time()
    run.recorder.release.set()


# -- what the run proves ---------------------------------------------------------------------------


_TI_COLUMNS = (
    "task_id",
    "map_index",
    "rendered_map_index",
    "state",
    "hostname",
    "try_number",
    "start_date",
    "end_date",
)


def _task_instances(run: Run, dag_id: str, *, table: str = "task_instance") -> list[dict[str, Any]]:
    """The DAG's task instances (``table="task_instance_history"``: their earlier tries)."""
    rows = query(run.dsn, f"SELECT {', '.join(_TI_COLUMNS)} FROM {table} WHERE dag_id = %s", dag_id)
    return [dict(zip(_TI_COLUMNS, row, strict=True)) for row in rows]


def _history(run: Run, dag_id: str) -> list[dict[str, Any]]:
    return _task_instances(run, dag_id, table="task_instance_history")


def _reports(run: Run) -> dict[int, dict[str, Any]]:
    """Account id -> the report task's return value (its summary: file, days, rows)."""
    rows = query(
        run.dsn,
        "SELECT ti.rendered_map_index, x.value FROM xcom x JOIN task_instance ti ON ti.dag_id = x.dag_id "
        "AND ti.run_id = x.run_id AND ti.task_id = x.task_id AND ti.map_index = x.map_index "
        "WHERE x.dag_id = %s AND x.task_id = %s AND x.key = 'return_value'",
        MULTI,
        REPORT_TASK,
    )
    reports = {}
    for label, value in rows:
        summary = json.loads(value) if isinstance(value, str) else value
        reports[int(label.removeprefix("account "))] = summary
    return reports


def test_the_runs_succeed_on_postgresql_with_the_celery_executor(run: Run) -> None:
    assert run.run_states == {MULTI: "success", SENSOR_DAG: "success"}, run.processes.tails()
    # The metadata database is this PostgreSQL cluster: Airflow's schema and the runs are in it,
    # and no process fell back to a SQLite file in its home.
    from sqlalchemy.engine import make_url

    for name, home in run.homes.items():
        settings = stack.environment("airflow-scheduler", run.endpoints, dict.fromkeys(stack.OVERRIDES, ""))
        assert make_url(settings["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).get_dialect().name == "postgresql"
        assert not list(home.glob("*.db")), f"{name} created a SQLite database"
    assert query(run.dsn, "SELECT count(*) FROM alembic_version")[0][0] == 1
    assert query(run.dsn, "SELECT slots FROM slot_pool WHERE pool = 'linkedin_ads'") == [(POOL_SLOTS,)]
    executors = {row[0] for row in query(run.dsn, "SELECT DISTINCT executor FROM task_instance")} - {None}
    queued_by = {row[0] for row in query(run.dsn, "SELECT DISTINCT queued_by_job_id FROM task_instance")} - {
        None
    }
    jobs = {row[0] for row in query(run.dsn, "SELECT job_type FROM job")}
    assert {"SchedulerJob", "TriggererJob", "DagProcessorJob"} <= jobs
    assert queued_by, "no task was queued by the scheduler"
    assert executors <= {"CeleryExecutor"}


def test_one_mapped_report_per_active_account_and_both_workers_ran_tasks(run: Run) -> None:
    instances = _task_instances(run, MULTI)
    reports = [ti for ti in instances if ti["task_id"] == REPORT_TASK]
    active = sorted(account.id for account in run.world.accounts.values() if account.status == "ACTIVE")
    assert len(active) >= 20
    assert sorted(ti["rendered_map_index"] for ti in reports) == sorted(
        f"account {account}" for account in active
    )
    assert {ti["state"] for ti in instances} == {"success"}
    hostnames = {ti["hostname"] for ti in instances} | {ti["hostname"] for ti in _history(run, MULTI)}
    assert hostnames == {"worker-a", "worker-b"}
    per_worker = {name: sum(ti["hostname"] == name for ti in reports) for name in ("worker-a", "worker-b")}
    FIGURES.append(
        f"{len(instances) + 1} task instances ({len(reports)} mapped reports over {len(active)} ACTIVE accounts, "
        f"list_accounts, the sensor) on 2 Celery workers; final tries per worker: {per_worker}"
    )


def _windows(run: Run) -> list[tuple[float, float, str]]:
    """One API window per report try: its first request's start to its last request's end."""
    tries = [ti for ti in _task_instances(run, MULTI) + _history(run, MULTI) if ti["task_id"] == REPORT_TASK]
    spans: dict[tuple[int, int], list[float]] = {}
    for call in run.recorder.calls:
        if call.account is None or call.start > run.seconds.get("reference_from", float("inf")):
            continue
        owners = [
            ti
            for ti in tries
            if ti["rendered_map_index"] == f"account {call.account}"
            and ti["start_date"].timestamp() <= call.start <= ti["end_date"].timestamp()
        ]
        assert len(owners) == 1, f"call {call} belongs to {owners}"
        key = (call.account, owners[0]["try_number"])
        span = spans.setdefault(key, [call.start, call.end])
        span[0], span[1] = min(span[0], call.start), max(span[1], call.end)
    return [(start, end, f"{account}#{try_number}") for (account, try_number), (start, end) in spans.items()]


def _peak(intervals: list[tuple[float, float, str]]) -> int:
    events = sorted(
        [(start, 1) for start, _, _ in intervals] + [(end, -1) for _, end, _ in intervals],
        key=lambda e: (e[0], e[1]),
    )
    peak = current = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def test_never_more_report_tasks_talk_to_the_api_at_once_than_the_pool_has_slots(run: Run) -> None:
    windows = _windows(run)
    assert len(windows) >= 22  # 21 accounts, one of them twice (the killed try and its retry)
    api_peak = _peak(windows)
    tries = [ti for ti in _task_instances(run, MULTI) + _history(run, MULTI) if ti["task_id"] == REPORT_TASK]
    pool_peak = _peak([(ti["start_date"].timestamp(), ti["end_date"].timestamp(), "") for ti in tries])
    assert 1 <= api_peak <= POOL_SLOTS
    assert pool_peak <= POOL_SLOTS
    FIGURES.append(
        f"peak concurrent report tasks talking to the API: {api_peak} (emulator request log), "
        f"running: {pool_peak} (task_instance); pool linkedin_ads: {POOL_SLOTS} slots, worker slots: 6"
    )


def test_the_sensor_waited_in_the_triggerer_without_a_worker_slot(run: Run) -> None:
    states = run.sensor_states
    assert states[-1:] == ["success"], states
    assert "deferred" in states, states
    assert states.index("deferred") < states.index("success")
    assert run.sensor_trigger["job_type"] == "TriggererJob", run.sensor_trigger
    assert run.sensor_trigger["hostname"] == "triggerer"
    assert run.sensor_trigger["classpath"].startswith("airflow_provider_linkedin_ads.triggers.")
    assert run.sensor_trigger["next_method"] == "execute_complete"
    assert run.sensor_processes_while_deferred == 0
    # The worker that ran the first part finished its Celery task saying so: its slot was free.
    worker_logs = "".join(run.processes.by_name(name).log.read_text() for name in ("worker-a", "worker-b"))
    assert worker_logs.count("final_state=deferred") == 1
    FIGURES.append(
        f"sensor states {' -> '.join(states)}; the trigger ran in the {run.sensor_trigger['job_type']} "
        f"({run.sensor_trigger['hostname']}); task processes while deferred: 0 (one was seen while "
        f"running: {run.sensor_process_seen_running})"
    )
    (sensor,) = _task_instances(run, SENSOR_DAG)
    assert sensor["try_number"] == 1  # a deferral is not a failed try


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _truth(run: Run, account: int, start: dt.date, end: dt.date, metrics: list[str]) -> list[dict[str, Any]]:
    query = ReportQuery(
        finder=Finder.ANALYTICS,
        pivots=(Pivot.CAMPAIGN,),
        granularity=TimeGranularity.DAILY,
        start=start,
        end=end,
        facets={"accounts": (f"urn:li:sponsoredAccount:{account}",)},
        fields=("dateRange", "pivotValues", *metrics),
    )
    return run.world.answer(query, now=run.server.clock.now())


def test_every_landed_file_equals_the_emulators_ground_truth(run: Run) -> None:
    reports = _reports(run)
    assert {int(key.split("#")[0]) for _, _, key in _windows(run)} == set(reports)  # all talked to the API
    metrics = _metrics()
    mismatches = []
    rows_total = 0
    for account, summary in sorted(reports.items()):
        path = Path(summary["output_path"].removeprefix("file://"))
        landed = _rows(path)
        rows_total += len(landed)
        start = dt.date.fromisoformat(summary["date_range"]["start"])
        end = dt.date.fromisoformat(summary["date_range"]["end"])
        truth = _truth(run, account, start, end, metrics)
        expected = {
            (_day(row["dateRange"]), row["pivotValues"][0]): {
                name: Decimal(str(row.get(name, 0))) for name in metrics
            }
            for row in truth
        }
        got = {
            (row["start_date"], row["campaign"]): {name: Decimal(str(row.get(name) or 0)) for name in metrics}
            for row in landed
        }
        names_ok = all(
            row["campaign_name"] == run.world.campaigns[int(row["campaign"].rsplit(":", 1)[1])].name
            for row in landed
        )
        if got != expected or not names_ok or summary["rows_written"] != len(landed) or not landed:
            mismatches.append(account)
    assert mismatches == []
    FIGURES.append(
        f"{len(reports)} landed files, {rows_total} rows: 0 mismatches against the emulator's ground truth"
    )


def _metrics() -> list[str]:
    namespace: dict[str, Any] = {}
    source = (REPO / "dags_examples" / f"{MULTI}.py").read_text(encoding="utf-8")
    block = source[source.index("METRICS = [") : source.index("]", source.index("METRICS = [")) + 1]
    exec(block, namespace)  # the example's own metric list
    return list(namespace["METRICS"])


def _day(date_range: dict[str, Any]) -> str:
    start = date_range["start"]
    return dt.date(start["year"], start["month"], start["day"]).isoformat()


def test_a_worker_killed_mid_report_is_retried_on_the_other_and_lands_the_same_bytes(
    run: Run, tmp_path: Path
) -> None:
    victim = run.recorder.victim
    assert run.killed_worker in ("worker-a", "worker-b"), "the victim's report was never held"
    survivor = ({"worker-a", "worker-b"} - {run.killed_worker}).pop()
    # Killed mid-report (a report call in flight), and its worker and task processes are gone. The
    # landing creates its temporary file only when the first rows are written (issue 17: a writer
    # that is still fetching must not hold a file another writer's cleanup could take for its own),
    # so whether one existed at the kill depends on how far the report got; either way none may be
    # left after the retry (checked below). A temporary file of a killed writer is removed by the
    # next writer on the same host (its pid is dead): tests/reliability covers that case directly.
    assert not [
        pid for pid in run.killed_pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
    ]
    label = f"account {victim}"
    # Every task the dead worker was running (the victim and its neighbours in the worker's slots)
    # failed its first try there and succeeded on the survivor, and no other task was retried.
    history = _history(run, MULTI)
    retried = {ti["rendered_map_index"] for ti in history}
    assert label in retried
    for ti in history:
        assert (ti["try_number"], ti["hostname"]) == (1, run.killed_worker), ti
        assert ti["state"] in ("failed", "up_for_retry"), ti
    finals = [ti for ti in _task_instances(run, MULTI) if ti["rendered_map_index"] in retried]
    assert {(ti["try_number"], ti["hostname"], ti["state"]) for ti in finals} == {(2, survivor, "success")}
    final = next(ti for ti in finals if ti["rendered_map_index"] == label)

    summary = _reports(run)[victim]
    landed = Path(summary["output_path"].removeprefix("file://"))
    assert [path.name for path in landed.parent.iterdir()] == [landed.name], "a temporary file was left"
    strays = [
        str(path) for path in Path(run.endpoints.mounts()["/opt/airflow/data"]).rglob(f"*{TEMP_MARKER}*")
    ]
    assert strays == []
    # Byte-identical to a clean run of the same report: the operator in this process, no kill.
    reference = tmp_path / "reference.jsonl"
    _clean_run(run, victim, summary, reference)
    assert landed.read_bytes() == reference.read_bytes()
    detected = final["start_date"].timestamp() - run.seconds["killed_at"]
    FIGURES.append(
        f"SIGKILL of {run.killed_worker} ({len(run.killed_pids)} processes) mid-report of account {victim} "
        f"({len(run.temps_at_kill)} temporary file(s) open; {len(retried)} task(s) on that worker): retried on {survivor}, the victim "
        f"{detected:.0f} s after the kill; its file byte-identical to a clean run "
        f"({landed.stat().st_size:,} bytes), 0 temporary files left"
    )


def _clean_run(run: Run, account: int, summary: dict[str, Any], target: Path) -> None:
    from airflow_provider_linkedin_ads.models import DateRange
    from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

    run.seconds["reference_from"] = time.time()
    days = DateRange(
        dt.date.fromisoformat(summary["date_range"]["start"]),
        dt.date.fromisoformat(summary["date_range"]["end"]),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT", connection_json(run.server))
        operator = LinkedInAdsAnalyticsOperator(
            task_id="reference",
            pivot="CAMPAIGN",
            time_granularity="DAILY",
            metrics=_metrics(),
            accounts=[account],
            resolve_names=True,
            output_path=target.as_uri(),
        )
        operator._run({}, days)  # what execute() runs once the days are resolved


def test_the_stack_stops_and_leaves_no_process_behind(run: Run) -> None:
    run.processes.stop()
    assert run.processes.leaked() == []
    gone = [launched.name for launched in run.processes.started if launched.popen.poll() is None]
    assert gone == []
    # None of this process's children is one of the stack's (other tests' children are not ours).
    assert [
        child.pid for child in psutil.Process().children(recursive=True) if child.pid in run.processes.seen
    ] == []
    FIGURES.append(
        f"wall time {run.seconds['total']:.0f} s (setup {run.seconds['setup']:.0f} s: PostgreSQL, Redis, "
        f"db migrate, pool, serialise, trigger; runs {run.seconds['run']:.0f} s); "
        f"{len(run.processes.seen)} processes seen, 0 left running"
    )
