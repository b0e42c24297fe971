"""Fixtures of the reliability suite, and the "Reliability figures" block printed at the end of a run.

* a small synthetic world every scenario shares (reports of hundreds of calls stay fast);
* ``client_for``: a client aimed at an emulator whose backoff never really sleeps;
* ``airflow_runs`` (with ``airflow_db`` of ``tests/conftest.py``): real DAG runs
  (``dag.test()``), for the scenarios that must run inside Airflow.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
from airflow_provider_linkedin_ads.testing import World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from tests.reliability.figures import FIGURES

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from airflow_provider_linkedin_ads.testing import EmulatorServer

API_VERSION = "202609"
BUNDLE_NAME = "linkedin-ads-reliability"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = FIGURES.lines()
    if not lines:
        return
    terminalreporter.write_sep("=", "Reliability figures")
    for line in lines:
        terminalreporter.write_line(line)


def small_world(seed: int = 5) -> World:
    """Two accounts, 12 campaigns, 24 creatives, 400 days; the default member sees every account."""
    shape: dict[str, Any] = {
        "seed": seed,
        "accounts": 2,
        "campaigns_per_account": 6,
        "creatives_per_campaign": 2,
        "history_days": 400,
    }
    return World(**shape, members={DEFAULT_MEMBER: list(World(**shape).accounts)})


@pytest.fixture(scope="session")
def world() -> World:
    return small_world()


def client_for(server: EmulatorServer, **config: Any) -> LinkedInAdsClient:
    """A client of ``server`` (its credentials, its clock); backoff waits are recorded, never slept."""
    values: dict[str, Any] = {
        "client_id": server.config.client_id,
        "client_secret": server.config.client_secret,
        "refresh_token": server.config.refresh_token,
        "api_base_url": server.api_base_url,
        "token_url": server.token_url,
        "api_version": API_VERSION,
        **config,
    }
    return LinkedInAdsClient(
        ClientConfig(**values), sleep=lambda seconds: None, clock=lambda: server.clock.now().timestamp()
    )


# ── real Airflow runs ─────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def airflow_runs(
    airflow_db: None, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> AirflowRuns:
    """Write DAG files into a fresh folder (the DAGs folder and, on Airflow 3, the only bundle) and run them."""
    folder = tmp_path_factory.mktemp("reliability-dags")
    bundles = [
        {
            "name": BUNDLE_NAME,
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(folder), "refresh_interval": 0},
        }
    ]
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps(bundles))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(folder))
    return AirflowRuns(folder)


class AirflowRuns:
    """Real DAG runs with ``dag.test()`` (tasks, retries and triggers in this process), both lines."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, dag_id: str, source: str) -> Any:
        """Write ``source`` as ``<dag_id>.py``, parse it and return the DAG."""
        (self.folder / f"{dag_id}.py").write_text(textwrap.dedent(source).lstrip())
        return self.get(dag_id)

    def get(self, dag_id: str) -> Any:
        """Parse the folder and return the DAG ``dag_id`` (there must be no import error)."""
        from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

        if AIRFLOW_V_3_0_PLUS:
            from airflow.dag_processing.dagbag import DagBag

            bag = DagBag(dag_folder=str(self.folder))
        else:
            from airflow.models.dagbag import DagBag

            bag = DagBag(dag_folder=str(self.folder), include_examples=False)
        assert bag.import_errors == {}
        dag = bag.get_dag(dag_id)
        assert dag is not None
        if not AIRFLOW_V_3_0_PLUS:
            dag.sync_to_db()
        return dag

    @staticmethod
    def test(dag: Any, *, logical_date: dt.datetime, conf: dict[str, Any] | None = None) -> Any:
        """Run the DAG once with ``dag.test()``."""
        from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

        if AIRFLOW_V_3_0_PLUS:
            return dag.test(logical_date=logical_date, run_conf=conf)
        return dag.test(execution_date=logical_date, run_conf=conf)

    @staticmethod
    def task_instance(dag_run: Any, task_id: str) -> Any:
        """The task instance of ``task_id`` in ``dag_run``."""
        return dag_run.get_task_instance(task_id)
