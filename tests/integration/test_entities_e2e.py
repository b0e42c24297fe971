"""Dimension tables end to end: the four entity tables and a report in one real DAG run (``dag.test()``).

The emulator serves at most :data:`PAGE` entities per page, so every table takes at least three
pages (counted in its request log); each landed table must equal the ground truth of
``testing.entity_truth`` byte for byte, in the format its task asked for, and the campaign report
must join the campaigns table on the campaign URN without an orphan.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.client.writers import write_rows
from airflow_provider_linkedin_ads.entity_tables import EntityType, entity_columns
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.entity_truth import (
    SMALL_PAGE_SIZE,
    expected_entity_rows,
    paging_world,
)
from airflow_provider_linkedin_ads.testing.pytest_plugin import CONN_ENV_VAR, connection_json
from tests.integration.test_operators_e2e import asset_events, dag_source

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

#: 5 ACTIVE visible accounts with 3 campaign groups, 11 campaigns and 11 creatives each: at
#: :data:`PAGE` entities per page every table spans at least 3 pages.
WORLD = paging_world()
PAGE = SMALL_PAGE_SIZE
LOGICAL_DATE = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
FORMATS = {"ad_accounts": "jsonl", "campaign_groups": "parquet", "campaigns": "jsonl", "creatives": "csv"}
#: The collection each table is listed from (the last path segment of its requests).
COLLECTIONS = {
    "ad_accounts": "adAccounts",
    "campaign_groups": "adCampaignGroups",
    "campaigns": "adCampaigns",
    "creatives": "creatives",
}


@pytest.fixture(scope="module")
def paging_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(WORLD, page_size=PAGE) as server:
        yield server


@pytest.fixture
def emulator(paging_emulator, monkeypatch) -> Iterator[EmulatorServer]:
    paging_emulator.reset()
    monkeypatch.setenv(CONN_ENV_VAR, connection_json(paging_emulator))
    monkeypatch.setattr(_base, "utcnow", paging_emulator.clock.now)
    yield paging_emulator
    paging_emulator.check()


def truth_bytes(entity_type: str) -> bytes:
    target = io.BytesIO()
    rows = expected_entity_rows(WORLD, entity_type)
    write_rows(rows, target, entity_columns(entity_type), output_format=FORMATS[entity_type])
    return target.getvalue()


def pages(emulator: EmulatorServer) -> Counter[str]:
    """Listing calls per collection (each answers one page)."""
    return Counter(
        record.path.rstrip("/").rsplit("/", 1)[1]
        for record in emulator.requests
        if record.path.startswith("/rest/") and "adAnalytics" not in record.path
    )


def test_the_four_tables_equal_the_ground_truth_and_join_the_report(
    airflow_runs, emulator, tmp_path: Path
) -> None:
    out = tmp_path / "landing"
    tables = [
        f"LinkedInAdsEntitiesOperator(task_id='{table}_table', entity_type='{table}', "
        f"output_path='file://{out}/dimensions/{table}.{FORMATS[table]}', output_format='{FORMATS[table]}')"
        for table in FORMATS
    ]
    report_task = (
        'LinkedInAdsAnalyticsOperator(task_id="campaign_performance", pivot="CAMPAIGN", '
        'metrics=["impressions", "clicks", "costInUsd"], date_range_start="2026-11-01", '
        f'date_range_end="2026-11-20", output_path="file://{out}/campaign.jsonl")'
    )
    body = "\n".join(
        [
            "from airflow_provider_linkedin_ads.operators.entities import LinkedInAdsEntitiesOperator",
            report_task,
            *tables,
        ]
    )
    dag = airflow_runs.load("linkedin_ads_entities_e2e", dag_source("linkedin_ads_entities_e2e", body))
    run = airflow_runs.test(dag, logical_date=LOGICAL_DATE)
    assert set(airflow_runs.states(run).values()) == {"success"}

    listed = pages(emulator)
    for table in FORMATS:
        landed = out / "dimensions" / f"{table}.{FORMATS[table]}"
        assert landed.read_bytes() == truth_bytes(table), table
        summary = airflow_runs.xcom(run, f"{table}_table")
        assert summary["rows_written"] == len(expected_entity_rows(WORLD, table)) > 0
        assert summary["entity_type"] == table
        assert listed[COLLECTIONS[table]] >= 3, (table, listed)  # every table took several pages
        # A static path is the task's asset; its event says which table and how many rows.
        (extra,) = asset_events(f"file://{landed}")
        assert extra["entity_type"] == table
        assert extra["rows_written"] == summary["rows_written"]
    assert sorted(path.name for path in (out / "dimensions").iterdir()) == sorted(
        f"{table}.{fmt}" for table, fmt in FORMATS.items()
    )

    # The report joins the campaigns table on the campaign URN: no orphan, every row named.
    report = [json.loads(line) for line in (out / "campaign.jsonl").read_text().splitlines()]
    campaigns = {
        row["urn"]: row
        for row in map(json.loads, (out / "dimensions" / "campaigns.jsonl").read_text().splitlines())
    }
    assert report
    orphans = {row["campaign"] for row in report} - set(campaigns)
    assert orphans == set()
    assert all(campaigns[row["campaign"]]["status"] for row in report)
    assert all(campaigns[row["campaign"]]["objective_type"] for row in report)


def test_every_entity_type_is_covered() -> None:
    assert set(FORMATS) == {item.value for item in EntityType}
