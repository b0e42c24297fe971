"""The DAG the secrets test runs, and what it reads back from the metadata database afterwards."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CONN_ID", "DAG_ID", "dag_source", "database_texts"]

CONN_ID = "linkedin_ads_canary"
DAG_ID = "linkedin_ads_reliability_canary"

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsStatisticsOperator,
)
from airflow_provider_linkedin_ads.operators.entities import LinkedInAdsEntitiesOperator
from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

DAYS = {{"date_range_start": "2026-11-18", "date_range_end": "2026-11-20"}}

with DAG(
    dag_id={dag_id!r},
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    params={{"conn": {conn_id!r}}},
):
    LinkedInAdsAnalyticsOperator(
        task_id="land_file",
        linkedin_ads_conn_id="{{{{ params.conn }}}}",
        pivot="CAMPAIGN",
        metrics=["impressions", "clicks", "costInLocalCurrency"],
        accounts={accounts!r},
        output_path="file://{out}/{{{{ ds }}}}/campaigns.jsonl",
        resolve_names=True,
        **DAYS,
    )
    LinkedInAdsStatisticsOperator(
        task_id="rows_to_xcom",
        linkedin_ads_conn_id="{{{{ params.conn }}}}",
        pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        metrics=["impressions"],
        accounts={accounts!r},
        resolve_names=True,
        **DAYS,
    )
    LinkedInAdsEntitiesOperator(
        task_id="land_table",
        linkedin_ads_conn_id="{{{{ params.conn }}}}",
        entity_type="campaigns",
        accounts={accounts!r},
        output_path="file://{out}/{{{{ ds }}}}/campaigns_table.jsonl",
    )
    LinkedInAdsMetricsMaturitySensor(
        task_id="wait_until_mature",
        linkedin_ads_conn_id="{{{{ params.conn }}}}",
        pivots=["CAMPAIGN"],
        metrics=["impressions"],
        accounts={accounts!r},
        confirm_with_api=True,
        deferrable=True,
        poke_interval=600,
        timeout=7 * 24 * 3600,
        **DAYS,
    )

    @task
    def hook_calls() -> dict:
        hook = LinkedInAdsHook({conn_id!r})
        rows = hook.analytics(
            pivot="CAMPAIGN",
            time_granularity="DAILY",
            date_range=DateRange(dt.date(2026, 11, 18), dt.date(2026, 11, 20)),
            accounts={accounts!r},
        )
        return {{"rows": len(rows), "campaigns": len(hook.list_campaigns({accounts!r}[0]))}}

    @task
    def hook_fails() -> None:
        LinkedInAdsHook({conn_id!r}).list_campaigns(123456)  # no such account: NotFoundError

    hook_calls()
    hook_fails()
"""


def dag_source(*, accounts: list[int], out: Path) -> str:
    """The DAG: both report operators, a dimension table, the deferred sensor (confirming with the API), hook calls."""
    return DAG_FILE.format(dag_id=DAG_ID, conn_id=CONN_ID, accounts=accounts, out=out)


def database_texts(dag_id: str) -> dict[str, str]:
    """Rendered template fields, XCom values and trigger kwargs the run left in the database."""
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import Trigger
    from airflow.utils.session import create_session

    from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.xcom import XComModel as XCom
    else:
        from airflow.models.xcom import BaseXCom as XCom

    with create_session() as session:
        rendered = session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id).all()
        xcoms = session.query(XCom).filter(XCom.dag_id == dag_id).all()
        instances = session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id).all()
        triggers = session.query(Trigger).all()
        return {
            "rendered template fields": "\n".join(
                json.dumps(row.rendered_fields, default=str) for row in rendered
            ),
            "XCom": "\n".join(
                row.value.decode() if isinstance(row.value, bytes) else json.dumps(row.value, default=str)
                for row in xcoms
            ),
            "trigger kwargs": "\n".join(
                json.dumps([row.classpath, row.kwargs], default=str) for row in triggers
            )
            + "\n".join(json.dumps(ti.next_kwargs, default=str) for ti in instances),
        }
