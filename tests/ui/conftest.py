"""A real Airflow 3 deployment on loopback and Debian's Chromium driven by Playwright, for ``tests/ui``.

* ``deployment``: a throw-away ``AIRFLOW_HOME`` with the repository's example DAGs, the LinkedIn Ads
  emulator (``linkedin-ads-emulator``, the demo's fixed clock), the pool ``linkedin_ads``, and the
  ``api-server`` (UI and APIs), ``scheduler`` (LocalExecutor), ``dag-processor`` and ``triggerer``
  as separate processes on a PostgreSQL metadata database (:mod:`tests.e2e.postgres`). Not SQLite:
  it takes one writer at a time, Airflow documents it as unfit beyond one process, and with four
  the api-server once answered a trigger with HTTP 500 "Database error" in CI (Airflow's limit, not
  the provider's). No connection is preset: the test adds it through the UI. The scheduler creates
  no scheduled runs (``use_job_schedule = False``): only the runs the test triggers from the form
  run.
* ``page``: a Chromium page (``/usr/bin/chromium``, headless, a fresh profile) whose screenshots go
  to ``.artifacts/ui/`` (gitignored), for people to look at.

Every process is started in its own session and stopped by its process group, always
(:class:`tests.e2e.processes.Processes`). The module skips, saying why, when Chromium, Playwright,
PostgreSQL or Airflow 3 is missing (``scripts/test`` installs Debian's ``chromium`` and
``postgresql`` when it can).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS
from tests.airflow_home import airflow_cli
from tests.e2e.postgres import airflow_dsn, postgres_missing, query, start_postgres
from tests.e2e.processes import Processes, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / ".artifacts" / "ui"
#: The demo's fixed dates: the emulator's "today" is 2026-11-20, runs of 2026-11-17 report 2026-11-16.
EMULATOR_TODAY = "2026-11-20"
#: Launch flags that work on a closed network as root (no sandbox, no background connections).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 240


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.skip(reason=reason))


def _missing() -> str | None:
    if not AIRFLOW_V_3_0_PLUS:
        return "the UI test drives the Airflow 3 UI (it runs on the Airflow 3 line)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does, as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (requirements/dev.in)"
    return postgres_missing()


@dataclasses.dataclass
class Deployment:
    """The running deployment: where to reach it and how to ask its database and CLI."""

    url: str
    emulator_url: str
    home: Path
    output: Path
    env: dict[str, str]
    database: str

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``airflow <args>`` against this deployment."""
        result = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if check:
            assert result.returncode == 0, f"airflow {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    def query(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        """Read the metadata database (PostgreSQL; ``%s`` placeholders)."""
        return query(self.database, sql, *parameters)


def _environment(home: Path, port: int, output: Path, database: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "LINKEDIN_ADS"))}
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.replace(
                "postgresql://", "postgresql+psycopg2://"
            ),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags_examples"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs the test triggers
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",  # the UI's Test button
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # no login page
            "AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # Free ports for the log servers too: other Airflow processes on the machine use the defaults.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW_VAR_LINKEDIN_ADS_OUTPUT_BASE": output.as_uri(),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    return env


def _emulator_url(log: Path, process: subprocess.Popen[bytes]) -> str:
    prefix = "LinkedIn Ads emulator listening on "
    deadline = time.monotonic() + 60
    while not log.read_text(encoding="utf-8").startswith(prefix):
        assert process.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, "the emulator did not report its URL"
        time.sleep(0.1)
    return log.read_text(encoding="utf-8").splitlines()[0].removeprefix(prefix).strip()


def _wait_until_ready(deployment: Deployment, processes: Processes) -> None:
    """Wait for the API server to answer and the DAG processor to have stored the five DAGs."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert not processes.exited(), processes.tails()
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{deployment.url}/api/v2/version", timeout=5) as answer,
        ):
            if answer.status == 200 and _serialized_dags(deployment) >= 5:
                return
        time.sleep(1)
    raise AssertionError(f"Airflow did not start within {START_TIMEOUT} s\n{processes.tails()}")


def _serialized_dags(deployment: Deployment) -> int:
    return int(deployment.query("SELECT count(DISTINCT dag_id) FROM serialized_dag")[0][0])


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """Airflow 3 (api-server, scheduler, dag-processor, triggerer) on PostgreSQL, and the emulator."""
    home = Path(tempfile.mkdtemp(prefix="linkedin-ads-ui-"))
    home.chmod(0o755)  # the cluster's folder below belongs to the postgres user when running as root
    output = home / "output"
    port = free_port()
    processes = Processes(home)
    try:
        database = airflow_dsn(start_postgres(home / "postgres", processes))
        env = _environment(home, port, output, database)
        emulator = processes.start(
            "emulator", [str(BIN / "linkedin-ads-emulator"), "--port", "0", "--today", EMULATOR_TODAY], env
        )
        deployment = Deployment(
            url=f"http://127.0.0.1:{port}",
            emulator_url=_emulator_url(emulator.log, emulator.popen),
            home=home,
            output=output,
            env=env,
            database=database,
        )
        airflow_cli(env, ["db", "migrate"], ["pools", "set", "linkedin_ads", "4", "LinkedIn Ads API"])
        for service in (
            ["api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"],
            ["scheduler"],
            ["dag-processor"],
            ["triggerer"],
        ):
            processes.start(service[0], [str(BIN / "airflow"), *service], env)
        _wait_until_ready(deployment, processes)
        yield deployment
    finally:
        processes.stop()  # newest first: Airflow's processes, the emulator, then PostgreSQL
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def page(deployment: Deployment) -> Iterator[Any]:
    """A Chromium page on the deployment (Debian's browser; Playwright never downloads one here)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="linkedin-ads-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                args=CHROMIUM_FLAGS,
                headless=True,
                viewport={"width": 1400, "height": 1100},
            )
            context.set_default_timeout(60_000)
            try:
                yield context.new_page()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
