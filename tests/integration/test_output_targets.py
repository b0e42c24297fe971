"""Where a report lands, inside real Airflow runs (``dag.test()``, SQLite) against the emulator.

* ``output_path`` as an ``ObjectStoragePath`` or a ``pathlib.Path``, templated like a string;
* ``{{ report_start }}``/``{{ report_end }}``: the resolved report range, usable in ``output_path``
  (a ``@daily`` run with lookback names its file by the days it holds, not by ``{{ ds }}``);
* templated outputs record an asset event for the concrete file through the task's asset alias
  (``AssetAlias`` on Airflow 3, ``DatasetAlias`` on 2.11), mapped tasks included;
* that event triggers downstream DAGs scheduled on the alias or on the concrete file's asset
  (queued by Airflow's asset manager, run created by the scheduler's asset-triggered path).

The operators' clock (``_base.utcnow``) is the emulator's: 2026-11-28 12:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators.links import XCOM_KEY as LINK_XCOM_KEY
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

HEADER = """
from __future__ import annotations

import datetime as dt
import pathlib

try:
    from airflow.sdk import DAG, ObjectStoragePath, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.io.path import ObjectStoragePath
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

BASE = ObjectStoragePath("file://{out}")
METRICS = ["impressions", "clicks"]
"""


@pytest.fixture
def out(airflow_runs, linkedin_ads_connection, linkedin_ads_emulator, monkeypatch, tmp_path) -> Path:
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return tmp_path / "landing"


@pytest.fixture
def accounts(linkedin_ads_emulator) -> list[int]:
    return sorted(linkedin_ads_emulator.world.accounts_for_member(DEFAULT_MEMBER))


def load(airflow_runs: Any, dag_id: str, out: Path, body: str, *, schedule: str = "None") -> Any:
    source = HEADER.format(out=out) + (
        f"\nwith DAG(dag_id={dag_id!r}, schedule={schedule}, "
        "start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):\n" + body
    )
    return airflow_runs.load(dag_id, source)


def osp_expression(out: Path, rest: str) -> str:
    """``BASE / rest`` as a DAG author writes it; on 2.11 the full URI (its ``/`` warns in upath)."""
    if AIRFLOW_V_3_0_PLUS:
        return f"BASE / {rest!r}"
    return f"ObjectStoragePath({f'file://{out}/{rest}'!r})"


def two_day_report(account: int, output_path: str) -> str:
    """A DAG body: one report task on ``account`` for 2026-11-20..21; ``output_path`` is Python source."""
    return f"""
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=METRICS,
        accounts=[{account}],
        date_range_start="2026-11-20",
        date_range_end="2026-11-21",
        output_path={output_path},
    )
    """


def alias_assets(alias_name: str) -> list[str]:
    """URIs of the assets (2.11: datasets) the alias resolved to in the metadata database."""
    from airflow.utils.session import create_session

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.asset import AssetAliasModel as Alias

        attribute = "assets"
    else:
        from airflow.models.dataset import DatasetAliasModel as Alias

        attribute = "datasets"
    with create_session() as session:
        alias = session.query(Alias).filter(Alias.name == alias_name).one_or_none()
        return sorted(asset.uri for asset in getattr(alias, attribute, []) or [])


def event_extras(uri: str) -> list[dict[str, Any]]:
    """The extras of the asset (2.11: dataset) events recorded for ``uri``, oldest first."""
    from airflow.utils.session import create_session

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.asset import AssetEvent as Event, AssetModel as Model

        key = Event.asset_id
    else:
        from airflow.models.dataset import DatasetEvent as Event, DatasetModel as Model

        key = Event.dataset_id
    with create_session() as session:
        query = session.query(Event).join(Model, Model.id == key).filter(Model.uri == uri).order_by(Event.id)
        return [dict(event.extra or {}) for event in query.all()]


def test_object_storage_path_with_the_report_range_names_the_file_by_its_days(airflow_runs, out, accounts):
    # @daily on Airflow 3 reports the day before the logical date; with lookback the file holds 3 days.
    body = f"""
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=METRICS,
        accounts={accounts},
        lookback_days=2,
        output_path={osp_expression(out, "daily/{{ report_start }}_{{ report_end }}.jsonl")},
    )
    """
    dag = load(airflow_runs, "linkedin_ads_out_osp", out, body, schedule='"@daily"')
    # Checked when the DAG is parsed: the path is kept as its (templated) URI string.
    assert (
        dag.get_task("report").output_path
        == f"file://{out}/daily/{{{{ report_start }}}}_{{{{ report_end }}}}.jsonl"
    )

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    assert airflow_runs.states(run) == {("report", -1): "success"}
    target = out / "daily" / "2026-11-22_2026-11-24.jsonl"
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert rows
    assert {row["start_date"] for row in rows} == {"2026-11-22", "2026-11-23", "2026-11-24"}
    summary = airflow_runs.xcom(run, "report")
    assert summary["output_path"] == f"file://{target}"
    assert summary["date_range"] == {"start": "2026-11-22", "end": "2026-11-24"}
    # The templated output is an alias outlet; the run recorded an event for the concrete file.
    assert alias_assets("linkedin_ads:linkedin_ads_out_osp.report") == [f"file://{target}"]
    assert event_extras(f"file://{target}") == [
        {
            "date_range_start": "2026-11-22",
            "date_range_end": "2026-11-24",
            "rows_written": len(rows),
            "output_path": f"file://{target}",
        }
    ]


def test_pathlib_path_is_templated_like_a_string(airflow_runs, out, accounts):
    path = f'pathlib.Path("{out}") / "by_path" / "{{{{ report_start_nodash }}}}-{{{{ report_end_nodash }}}}.jsonl"'
    body = two_day_report(accounts[0], path)
    dag = load(airflow_runs, "linkedin_ads_out_path", out, body)

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    assert airflow_runs.states(run) == {("report", -1): "success"}
    assert (out / "by_path" / "20261120-20261121.jsonl").stat().st_size > 0
    # The "LinkedIn Campaign Manager" extra link of the task: the one account it reported on.
    ti = run.get_task_instance("report")
    link = ti.xcom_pull(task_ids="report", key=LINK_XCOM_KEY)
    assert link == f"https://www.linkedin.com/campaignmanager/accounts/{accounts[0]}/campaigns"


def test_mapped_tasks_with_a_templated_output_record_one_asset_per_file(airflow_runs, out, accounts):
    body = f"""
    @task
    def list_accounts() -> list:
        return {accounts}

    LinkedInAdsAnalyticsOperator.partial(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=METRICS,
        date_range_end="2026-11-21",
        output_path="file://{out}/mapped/{{{{ report_end }}}}/account_{{{{ ti.map_index }}}}.jsonl",
    ).expand(accounts=list_accounts())
    """
    dag = load(airflow_runs, "linkedin_ads_out_mapped", out, body)
    # Declared when the DAG is parsed (the mapped task's __init__ runs only at run time).
    (alias,) = dag.get_task("report").partial_kwargs["outlets"]
    assert alias.name == "linkedin_ads:linkedin_ads_out_mapped.report"

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    expected = [f"file://{out}/mapped/2026-11-21/account_{index}.jsonl" for index in range(len(accounts))]
    assert set(airflow_runs.states(run).values()) == {"success"}
    assert alias_assets("linkedin_ads:linkedin_ads_out_mapped.report") == expected
    for uri in expected:
        assert [extra["date_range_end"] for extra in event_extras(uri)] == ["2026-11-21"]


CONSUMER = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG, Asset, AssetAlias, task
except ImportError:  # Airflow 2.11
    from airflow.datasets import Dataset as Asset, DatasetAlias as AssetAlias
    from airflow.decorators import task
    from airflow.models.dag import DAG

with DAG(
    dag_id={dag_id!r},
    schedule=[{schedule}],
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    is_paused_upon_creation=False,
):

    @task
    def consume() -> None:
        pass

    consume()
"""


def asset_triggered_runs(*dag_ids: str) -> dict[str, list[str]]:
    """Run the scheduler's asset-triggered DAG run creation once; return ``{dag_id: [consumed URIs]}``.

    The two steps of ``SchedulerJobRunner._create_dagruns_for_dags``: ``DagModel.dags_needing_dagruns``
    reads the asset (2.11: dataset) DAG run queue and evaluates each consumer's schedule, then the
    scheduler creates the queued runs (``_create_dag_runs_asset_triggered``, 2.11:
    ``_create_dag_runs_dataset_triggered``), here only for ``dag_ids`` (the session's database holds
    other modules' DAGs). Other scheduler work (task scheduling, executors) is not involved.
    """
    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dag import DagModel
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        runner = SchedulerJobRunner(job=Job())
        query, triggered = DagModel.dags_needing_dagruns(session)
        due = [dag for dag in query.all() if dag.dag_id in triggered and dag.dag_id in dag_ids]
        if AIRFLOW_V_3_0_PLUS:
            runner._create_dag_runs_asset_triggered(dag_models=due, session=session)
            run_type, attribute = "asset_triggered", "consumed_asset_events"
        else:
            runner._create_dag_runs_dataset_triggered(due, triggered, session)
            run_type, attribute = "dataset_triggered", "consumed_dataset_events"
        session.flush()
        runs = session.query(DagRun).filter(DagRun.run_type == run_type, DagRun.dag_id.in_(dag_ids)).all()
        return {
            run.dag_id: sorted(
                (event.asset if AIRFLOW_V_3_0_PLUS else event.dataset).uri
                for event in getattr(run, attribute)
            )
            for run in runs
        }


def load_consumer(airflow_runs: Any, dag_id: str, schedule: str) -> Any:
    """Write, parse and store an (unpaused) DAG scheduled on ``schedule``, as a DAG processor would.

    On Airflow 3 the producer's ``dag.test()`` serialises every DAG of the bundle; on 2.11 the
    serialised DAG the scheduler reads is written here (``load`` stores only the ``DagModel``).
    """
    dag = airflow_runs.load(dag_id, CONSUMER.format(dag_id=dag_id, schedule=schedule))
    if not AIRFLOW_V_3_0_PLUS:
        from airflow.models.serialized_dag import SerializedDagModel

        SerializedDagModel.write_dag(dag)
    return dag


def reparse_requested() -> set[str]:
    """The DAG files Airflow 2.11 asked its DAG processor to re-parse first (``DagPriorityParsingRequest``)."""
    from airflow.models.dagbag import DagPriorityParsingRequest
    from airflow.utils.session import create_session

    with create_session() as session:
        return {request.fileloc for request in session.query(DagPriorityParsingRequest).all()}


def queued_consumers() -> set[str]:
    """The DAGs the asset (2.11: dataset) DAG run queue holds a row for."""
    from airflow.utils.session import create_session

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.asset import AssetDagRunQueue as Queue
    else:
        from airflow.models.dataset import DatasetDagRunQueue as Queue
    with create_session() as session:
        return {row.target_dag_id for row in session.query(Queue).all()}


def test_a_templated_output_triggers_the_dags_scheduled_on_its_alias_and_on_its_file(
    airflow_runs, out, accounts
):
    producer, alias = "linkedin_ads_out_feed", "linkedin_ads:linkedin_ads_out_feed.report"
    target = f"file://{out}/feed/2026-11-21.jsonl"
    on_alias, on_file = "linkedin_ads_out_feed_on_alias", "linkedin_ads_out_feed_on_file"
    # The consumers exist (unpaused) before the producer runs, as a scheduler would have parsed them.
    alias_consumer = load_consumer(airflow_runs, on_alias, f"AssetAlias({alias!r})")
    load_consumer(airflow_runs, on_file, f"Asset({target!r})")
    body = two_day_report(accounts[0], f'"file://{out}/feed/{{{{ report_end }}}}.jsonl"')
    dag = load(airflow_runs, producer, out, body)

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    assert airflow_runs.states(run) == {("report", -1): "success"}
    assert alias_assets(alias) == [target]
    # The asset event queued both consumers ...
    assert queued_consumers() >= {on_alias, on_file}
    if not AIRFLOW_V_3_0_PLUS:
        # 2.11 expands an alias schedule to its datasets when the DAG is parsed: the event asks the
        # DAG processor to re-parse the alias's consumers, which then schedule on the new file.
        assert alias_consumer.fileloc in reparse_requested()
        load_consumer(airflow_runs, on_alias, f"AssetAlias({alias!r})")
    # ... and the scheduler creates a run of each, consuming the event of the concrete file.
    runs = asset_triggered_runs(on_alias, on_file)
    assert runs[on_file] == [target]
    assert runs[on_alias] == [target]
    assert queued_consumers().isdisjoint({on_alias, on_file})
