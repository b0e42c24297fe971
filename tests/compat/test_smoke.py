"""Compatibility smoke: this provider on an Airflow minor line the full suite does not run on.

``scripts/smoke`` runs this module (with ``LINKEDIN_ADS_SMOKE=1``) in the pinned environments of Airflow
3.0, 3.1 and 3.2 (``requirements/airflow-3.N.txt``), together with the example-DAG import test of
``tests/integration/test_example_dags.py``. Elsewhere it skips: on 3.3.2 and 2.11.2 the full suite
covers the same ground (``test_cli_providers.py``, ``test_demo_dags.py``) and more.

Everything goes through the real ``airflow`` CLI of the interpreter running pytest, in a throw-away
``AIRFLOW_HOME`` with SQLite: ``airflow providers list`` / ``hooks`` show the provider, and one
``airflow dags test`` of ``linkedin_ads_daily_performance`` against the bundled emulator (in this
process, its clock fixed as in ``make demo``) lands the emulator's rows for the reported day.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.testing import Clock, EmulatorServer, World
from airflow_provider_linkedin_ads.testing.pytest_plugin import CONN_ENV_VAR, connection_json
from tests.airflow_home import AIRFLOW

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("LINKEDIN_ADS_SMOKE"),
        reason="the compatibility smoke stage (scripts/smoke) runs this",
    ),
]

REPO = Path(__file__).resolve().parents[2]
DIST = "airflow-provider-linkedin-ads"
HOOK_CLASS = "airflow_provider_linkedin_ads.hooks.linkedin_ads.LinkedInAdsHook"
DAG_ID = "linkedin_ads_daily_performance"
# As in scripts/demo: a run of 2026-11-17 reports 2026-11-16; the emulator's clock stands at 2026-11-20.
LOGICAL_DATE = "2026-11-17"
REPORTED_DAY = "2026-11-16"
EMULATOR_NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
TIMEOUT = 300


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    world = World(seed=7, accounts=3, campaigns_per_account=20, today=EMULATOR_NOW.date())
    with EmulatorServer(world, clock=Clock(EMULATOR_NOW)) as server:
        yield server


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh AIRFLOW_HOME with SQLite and the example DAGs; no setting inherited from the caller."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "LINKEDIN_ADS"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags_examples"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__FERNET_KEY": "",
            # Airflow 3.0's CLI logs INFO lines to stdout ahead of `--output json`.
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW_VAR_LINKEDIN_ADS_OUTPUT_BASE": (home / "output").as_uri(),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    return env


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AIRFLOW), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process: subprocess.Popen[str]) -> str:
    """Wait for ``process``; return its stdout (stderr carries Airflow's own warnings and logs)."""
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    command = " ".join(map(str, process.args))
    assert process.returncode == 0, f"{command} failed:\n{stdout[-3000:]}\n{stderr[-6000:]}"
    return stdout


@pytest.fixture(scope="module")
def cli(airflow_env: dict[str, str]) -> dict[str, str]:
    """Run the provider listings and the database migration side by side (they share nothing)."""
    processes = {
        "list": _start(airflow_env, "providers", "list", "--output", "json"),
        "hooks": _start(airflow_env, "providers", "hooks", "--output", "json"),
        "migrate": _start(airflow_env, "db", "migrate"),
    }
    return {name: _finish(process) for name, process in processes.items()}


def _json(output: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(output)
    return rows


def test_providers_list_shows_the_package(cli: dict[str, str]) -> None:
    (row,) = [row for row in _json(cli["list"]) if row["package_name"] == DIST]
    assert "LinkedIn Ads" in row["description"]


def test_providers_hooks_shows_the_connection_type(cli: dict[str, str]) -> None:
    (row,) = [row for row in _json(cli["hooks"]) if row["connection_type"] == "linkedin_ads"]
    assert row["class"] == HOOK_CLASS
    assert row["package_name"] == DIST


def test_dags_test_lands_the_emulators_rows_for_the_reported_day(
    cli: dict[str, str], airflow_env: dict[str, str], emulator: EmulatorServer
) -> None:
    env = {**airflow_env, CONN_ENV_VAR: connection_json(emulator)}
    _finish(_start(env, "dags", "test", DAG_ID, LOGICAL_DATE))
    folder = Path(airflow_env["AIRFLOW_HOME"]) / "output" / "daily_performance" / REPORTED_DAY
    assert sorted(path.name for path in folder.iterdir()) == ["campaign.jsonl", "creative.jsonl"]
    rows = [json.loads(line) for line in (folder / "campaign.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows
    assert max(row["end_date"] for row in rows) == REPORTED_DAY
    assert all(row["campaign"].startswith("urn:li:sponsoredCampaign:") for row in rows)
    assert emulator.counters.calls["adAnalytics"] >= 3  # 45 metrics: at least three 20-field calls
