"""Shared fixtures of the integration tests: one metadata database per session and real DAG runs.

* ``airflow_db`` (``tests/conftest.py``): the session's SQLite metadata database, migrated once.
* ``airflow_runs``: an :class:`AirflowRuns` over a session-wide DAG folder, which on Airflow 3 is
  also configured as the DAG bundle ``dag.test()`` needs ("Cannot create DagRun ... not serialized"
  otherwise). Tests write DAG files into it (unique file names and dag ids per module) and run them
  with ``dag.test()`` or as a backfill, on both Airflow lines through one API.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

BUNDLE_NAME = "linkedin-ads-integration"


@pytest.fixture(scope="session")
def airflow_dag_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's DAG folder (each test module writes its own uniquely named DAG files)."""
    return tmp_path_factory.mktemp("dags")


@pytest.fixture
def airflow_runs(airflow_db: None, airflow_dag_folder: Path, monkeypatch: pytest.MonkeyPatch) -> AirflowRuns:
    """Write DAG files and run them for real (``dag.test()``, backfills) on either Airflow line.

    For the test's duration the folder is the DAGs folder and (Airflow 3) the only DAG bundle.
    """
    bundles = [
        {
            "name": BUNDLE_NAME,
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(airflow_dag_folder), "refresh_interval": 0},
        }
    ]
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps(bundles))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(airflow_dag_folder))
    return AirflowRuns(airflow_dag_folder)


class AirflowRuns:
    """Version-independent access to real DAG runs (SQLite metadata DB, everything in-process).

    Tasks, triggers and retries run in this process (``dag.test()`` runs triggers inline), so the
    provider's time seams and the emulator's clock can be patched by the test.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, dag_id: str, source: str) -> Any:
        """Write ``source`` as ``<dag_id>.py`` in the DAG folder, parse it and return the DAG."""
        (self.folder / f"{dag_id}.py").write_text(textwrap.dedent(source).lstrip())
        bag = _dag_bag(self.folder)
        errors = {path: error for path, error in bag.import_errors.items() if dag_id in path}
        assert errors == {}
        dag = bag.get_dag(dag_id)
        assert dag is not None, f"{dag_id} not found in {sorted(bag.dag_ids)}"
        if not AIRFLOW_V_3_0_PLUS:
            # What the 2.11 scheduler's DAG processor does (3.x dag.test() syncs the bundle itself):
            # without it, dataset events have no dataset row to attach to.
            dag.sync_to_db()
        return dag

    def test(
        self,
        dag: Any,
        *,
        logical_date: dt.datetime | None,
        run_after: dt.datetime | None = None,
        conf: dict[str, Any] | None = None,
    ) -> Any:
        """Run the DAG once with ``dag.test()``; ``logical_date=None`` (Airflow 3) has none at all."""
        if AIRFLOW_V_3_0_PLUS:
            return dag.test(logical_date=logical_date, run_after=run_after, run_conf=conf)
        assert logical_date is not None, "every Airflow 2 run has a logical date"
        return dag.test(execution_date=logical_date, run_conf=conf)

    def backfill(self, dag: Any, start: dt.datetime, end: dt.datetime) -> list[Any]:
        """Backfill the DAG from ``start`` to ``end`` (logical dates, inclusive) and return its runs.

        What ``airflow dags backfill`` (2.11) and ``airflow backfill create`` (3.x) do, in-process:
        on 2.11 the backfill job itself runs (``dag.run()``, the CLI's code path) with the
        DebugExecutor; on 3.x the backfill's runs are created as the CLI/REST API creates them
        (``_create_backfill``) and their tasks run with ``dag.test()``'s in-process task runner
        instead of a scheduler.
        """
        if AIRFLOW_V_3_0_PLUS:
            return _backfill_3(dag, start, end)
        return _backfill_2(dag, start, end)

    @staticmethod
    def xcom(dag_run: Any, task_id: str, *, map_index: int = -1) -> Any:
        """Return a task's ``return_value`` XCom in ``dag_run`` (``None`` when none was written)."""
        ti = dag_run.get_task_instance(task_id, map_index=map_index)
        return ti.xcom_pull(task_ids=task_id, map_indexes=map_index)

    @staticmethod
    def states(dag_run: Any) -> dict[tuple[str, int], str]:
        """Return ``{(task_id, map_index): state}`` of every task instance of the run."""
        return {(ti.task_id, ti.map_index): str(ti.state) for ti in dag_run.get_task_instances()}

    @staticmethod
    def try_numbers(dag_run: Any) -> dict[tuple[str, int], int]:
        """Return ``{(task_id, map_index): try_number}`` of every task instance of the run."""
        return {(ti.task_id, ti.map_index): int(ti.try_number) for ti in dag_run.get_task_instances()}


def _dag_bag(folder: Path) -> Any:
    if AIRFLOW_V_3_0_PLUS:
        from airflow.dag_processing.dagbag import DagBag

        return DagBag(dag_folder=str(folder))
    from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=str(folder), include_examples=False)


def _backfill_2(dag: Any, start: dt.datetime, end: dt.datetime) -> list[Any]:
    from airflow.executors.debug_executor import DebugExecutor
    from airflow.executors.executor_loader import ExecutorLoader
    from airflow.models.dagrun import DagRun
    from airflow.utils.types import DagRunType

    ExecutorLoader.set_default_executor(DebugExecutor())
    dag.run(start_date=start, end_date=end, disable_retry=True)
    runs = DagRun.find(dag_id=dag.dag_id, run_type=DagRunType.BACKFILL_JOB)
    return sorted(runs, key=lambda run: run.logical_date)


def _backfill_3(dag: Any, start: dt.datetime, end: dt.datetime) -> list[Any]:
    from airflow import settings
    from airflow.models.backfill import _create_backfill
    from airflow.models.dagrun import DagRun
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType
    from sqlalchemy import select

    _sync_bundle()
    _create_backfill(
        dag_id=dag.dag_id,
        from_date=start,
        to_date=end,
        max_active_runs=16,
        reverse=False,
        dag_run_conf=None,
        triggering_user_name="integration-test",
    )
    scheduler_dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    session = settings.Session()
    query = select(DagRun.id).where(DagRun.dag_id == dag.dag_id, DagRun.run_type == DagRunType.BACKFILL_JOB)
    for run_id in session.scalars(query).all():
        # Fetched one at a time: running a task closes the (scoped) session and detaches objects.
        session = settings.Session()
        run = session.get(DagRun, run_id)
        run.dag = scheduler_dag
        run.state = DagRunState.RUNNING
        session.commit()
        _run_until_done(dag, run, session)
    runs = DagRun.find(dag_id=dag.dag_id, run_type=DagRunType.BACKFILL_JOB)
    return sorted(runs, key=lambda run: run.logical_date)


def _sync_bundle() -> None:
    # What dag.test() does first on Airflow 3: the bundle and its DAGs must be in the database.
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.utils.session import create_session

    manager = DagBundlesManager()
    with create_session() as session:
        manager.sync_bundles_to_db(session=session)
    for bundle in manager.get_all_dag_bundles():
        if bundle.name != BUNDLE_NAME:
            continue
        if not bundle.is_initialized:
            bundle.initialize()
        bag = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name)
        sync_bag_to_db(bag, bundle.name, bundle.version)


def _run_until_done(dag: Any, run: Any, session: Any) -> None:
    # The minimal scheduling loop of dag.test(): schedule what is ready, run it in-process.
    from airflow.sdk.definitions.dag import _run_task
    from airflow.utils.state import DagRunState, TaskInstanceState

    for _ in range(50):  # a guard: a run that cannot progress fails the test instead of hanging it
        if run.state != DagRunState.RUNNING:
            return
        session.expire_all()
        ready, _ = run.update_state(session=session)
        for ti in ready:
            ti.try_number += 1
            ti.state = TaskInstanceState.SCHEDULED
        session.commit()
        scheduled = [
            ti for ti in run.get_task_instances(session=session) if ti.state == TaskInstanceState.SCHEDULED
        ]
        for ti in scheduled:
            _run_task(ti=ti, task=dag.task_dict[ti.task_id], run_triggerer=True)
    raise AssertionError(f"{run.run_id} did not finish")
