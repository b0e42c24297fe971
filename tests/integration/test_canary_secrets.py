"""No token ever reaches rendered templates, XCom, task logs or landed files (a canary-token test).

A dedicated emulator accepts only unique canary credentials: a client secret, a refresh token and
an access token the connection carries but which has expired, so the run also refreshes it and
uses an access token minted mid-run (the emulator mints ``AQV...`` values; any of them counts).
After real runs (``dag.test()``) of a DAG that lands a file, returns rows through XCom and
resolves names, every place a token could leak to is scanned, with debug logging on. Positive
controls make sure each place was really looked at and the credentials were really used.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from pathlib import Path

import pytest

from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

pytestmark = [
    pytest.mark.db,
    # Airflow 3.3's in-process execution API imports starlette's TestClient, which warns about httpx.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

DAG_ID = "linkedin_ads_canary"
CONN_ID = "linkedin_ads_canary"
#: Access tokens the emulator mints (``AQV`` + 64 URL-safe characters).
MINTED_TOKEN = re.compile(r"AQV[A-Za-z0-9_-]{40,}")

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsStatisticsOperator,
)

with DAG(
    dag_id="{dag_id}",
    schedule="@daily",
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    params={{"conn": "{conn_id}"}},
):
    LinkedInAdsAnalyticsOperator(
        task_id="land_file",
        linkedin_ads_conn_id="{{{{ params.conn }}}}",
        pivot="CAMPAIGN",
        metrics=["impressions", "clicks", "costInLocalCurrency"],
        accounts={accounts},
        lookback_days=2,
        output_path="file://{out}/{{{{ ds }}}}/campaigns.jsonl",
    )
    LinkedInAdsStatisticsOperator(
        task_id="rows_to_xcom",
        linkedin_ads_conn_id="{{{{ params.conn }}}}",
        pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        metrics=["impressions"],
        accounts={accounts},
        resolve_names=True,
    )
"""


@pytest.fixture(scope="module")
def canary() -> dict[str, str]:
    return {
        "client_secret": f"canary-client-secret-{uuid.uuid4().hex}",
        "refresh_token": f"canary-refresh-token-{uuid.uuid4().hex}",
    }


@pytest.fixture(scope="module")
def canary_server(canary):
    with EmulatorServer(
        client_secret=canary["client_secret"], refresh_token=canary["refresh_token"]
    ) as server:
        yield server


@pytest.fixture
def canary_connection(canary_server, canary, monkeypatch) -> dict[str, str]:
    """A connection with all three secrets; its access token has expired, so the run refreshes it."""
    canary_server.reset()
    access_token = canary_server.issue_access_token()
    canary_server.expire(access_token)
    connection = json.loads(connection_json(canary_server))
    connection["extra"]["access_token"] = access_token
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))
    monkeypatch.setattr(_base, "utcnow", canary_server.clock.now)
    yield {**canary, "access_token": access_token}
    canary_server.check()


def rendered_fields(dag_id: str) -> list[str]:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id).all()
        return [json.dumps(row.rendered_fields, default=str) for row in rows]


def xcom_values(dag_id: str) -> list[str]:
    from airflow.utils.session import create_session

    if AIRFLOW_V_3_0_PLUS:
        from airflow.models.xcom import XComModel as XCom
    else:
        from airflow.models.xcom import BaseXCom as XCom
    with create_session() as session:
        rows = session.query(XCom).filter(XCom.dag_id == dag_id).all()
        return [
            row.value.decode() if isinstance(row.value, bytes) else json.dumps(row.value, default=str)
            for row in rows
        ]


def log_files() -> list[str]:
    home = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    return (
        [path.read_text(errors="replace") for path in home.rglob("*") if path.is_file()]
        if home.exists()
        else []
    )


def leaks(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    found = [
        f"{kind} in {where}"
        for where, text in texts.items()
        for kind, value in secrets.items()
        if value in text
    ]
    found += [
        f"a minted access token in {where}" for where, text in texts.items() if MINTED_TOKEN.search(text)
    ]
    return found


def test_no_token_in_rendered_fields_xcom_logs_or_files(
    airflow_runs, canary_server, canary_connection, tmp_path, caplog, capfd
):
    caplog.set_level(logging.DEBUG, logger="airflow_provider_linkedin_ads")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    accounts = sorted(canary_server.world.accounts_for_member(DEFAULT_MEMBER))
    out = tmp_path / "landing"
    source = DAG_FILE.format(dag_id=DAG_ID, conn_id=CONN_ID, accounts=accounts, out=out)
    dag = airflow_runs.load(DAG_ID, source)
    import datetime as dt

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    assert airflow_runs.states(run) == {("land_file", -1): "success", ("rows_to_xcom", -1): "success"}
    captured = capfd.readouterr()
    texts = {
        "rendered templates": "\n".join(rendered_fields(DAG_ID)),
        "XCom": "\n".join(xcom_values(DAG_ID)),
        "captured log records": caplog.text,
        "stdout": captured.out,
        "stderr": captured.err,
        "log files": "\n".join(log_files()),
        "landed files": "\n".join(path.read_text() for path in out.rglob("*") if path.is_file()),
    }
    # Positive controls: the credentials were used (expired token -> 401 -> refresh with the secret
    # and refresh token -> new token), and each place scanned holds what the run put there.
    statuses = [record.status for record in canary_server.requests if record.path.startswith("/rest/")]
    assert 401 in statuses
    assert any(
        record.path.endswith("accessToken") and record.status == 200 for record in canary_server.requests
    )
    assert CONN_ID in texts["rendered templates"]
    assert "campaign_name" in texts["XCom"]
    assert "LinkedIn Ads report summary" in texts["stdout"] + texts["stderr"] + texts["captured log records"]
    assert "urn:li:sponsoredCampaign:" in texts["landed files"]
    assert leaks(texts, canary_connection) == []
