"""Where a report lands, inside real Airflow runs (``dag.test()``, SQLite) against the emulator.

* ``output_path`` as an ``ObjectStoragePath`` or a ``pathlib.Path``, templated like a string;
* ``{{ report_start }}``/``{{ report_end }}``: the resolved report range, usable in ``output_path``
  (a ``@daily`` run with lookback names its file by the days it holds, not by ``{{ ds }}``);
* templated outputs record an asset event for the concrete file through the task's asset alias
  (``AssetAlias`` on Airflow 3, ``DatasetAlias`` on 2.11), mapped tasks included.

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
    body = f"""
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=METRICS,
        accounts=[{accounts[0]}],
        date_range_start="2026-11-20",
        date_range_end="2026-11-21",
        output_path=pathlib.Path("{out}") / "by_path" / "{{{{ report_start_nodash }}}}-{{{{ report_end_nodash }}}}.jsonl",
    )
    """
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
