"""``videoWatchTime``'s 48-hour delay, end to end: the sensor holds a VIDEO report until it is final.

A world of VIDEO creatives only (every row has video metrics). The emulator's clock starts 30 h
after the report's day ended: ``videoWatchTime`` is still partial (LinkedIn: up to 48 h) while
``videoViews`` is already final. The sensor defers to 48 h after the day's end (the metric
catalogue's delay, not the 2-hour settle margin of near-real-time metrics), ``dag.test()`` runs the
trigger inline and its sleep advances the emulator clock; the downstream task lands the matured
watch time, higher than the same report fetched before and equal to it two days later.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.sensors import ad_analytics as sensor_module
from airflow_provider_linkedin_ads.testing import DEFAULT_MEMBER, EmulatorServer, World
from airflow_provider_linkedin_ads.testing.pytest_plugin import CONN_ENV_VAR, connection_json
from airflow_provider_linkedin_ads.triggers import ad_analytics as trigger_module

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

DAY = dt.date(2026, 11, 26)
DAY_END = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
MOMENT = DAY_END + dt.timedelta(hours=48)
ACCOUNT = 510000001
FIELDS = ["dateRange", "pivotValues", "videoViews", "videoWatchTime"]

DAG_FILE = """
from __future__ import annotations

import datetime as dt
import json

try:
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

with DAG(dag_id="{dag_id}", schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    wait = LinkedInAdsMetricsMaturitySensor(
        task_id="wait_for_watch_time",
        pivots=["CREATIVE"],
        metrics=["videoViews", "videoWatchTime"],
        date_range_end="{day}",
        accounts=[{account}],
        deferrable=True,
        timeout=4 * 24 * 3600,
    )

    @task
    def report_video(maturity: dict) -> None:
        day = dt.date.fromisoformat(maturity["date_range_end"])
        rows = LinkedInAdsHook().analytics(
            pivot="CREATIVE",
            time_granularity="DAILY",
            date_range=DateRange(day, day),
            accounts=[{account}],
            fields={fields!r},
        )
        with open("{output}", "w") as handle:
            json.dump({{"maturity": maturity, "rows": rows}}, handle, default=str)

    report_video(wait.output)
"""


def video_world() -> World:
    """One account, one campaign, three VIDEO creatives delivering every day."""
    data: dict[str, Any] = {
        "seed": 5,
        "today": "2026-11-28",
        "accounts": [{"id": ACCOUNT, "name": "Video advertiser", "currency": "USD", "organization_id": 4242}],
        "campaign_groups": [{"id": 520000001, "account_id": ACCOUNT, "name": "Video group"}],
        "campaigns": [
            {
                "id": 530000001,
                "account_id": ACCOUNT,
                "group_id": 520000001,
                "name": "Video views",
                "status": "ACTIVE",
                "start": "2026-10-01",
                "end": None,
            }
        ],
        "creatives": [
            {"id": 540000001 + i, "account_id": ACCOUNT, "campaign_id": 530000001, "kind": "VIDEO", "share_id": 550000001 + i}
            for i in range(3)
        ],
        "members": {DEFAULT_MEMBER: [ACCOUNT]},
    }  # fmt: skip
    return World.from_dict(data)


@pytest.fixture(scope="module")
def video_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(video_world()) as server:
        yield server


@pytest.fixture
def video_connection(video_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    video_emulator.reset()
    monkeypatch.setenv(CONN_ENV_VAR, connection_json(video_emulator))
    return video_emulator


@pytest.fixture
def emulator_time(monkeypatch, video_connection) -> list[float]:
    """The sensor's and trigger's clocks are the emulator's; the trigger's sleep advances it."""
    sleeps: list[float] = []

    async def advance(seconds: float) -> None:
        sleeps.append(seconds)
        video_connection.clock.advance(dt.timedelta(seconds=seconds))

    monkeypatch.setattr(sensor_module, "utcnow", video_connection.clock.now)
    monkeypatch.setattr(trigger_module, "utcnow", video_connection.clock.now)
    monkeypatch.setattr(trigger_module, "sleep", advance)
    return sleeps


def video_totals() -> dict[str, int]:
    rows = LinkedInAdsHook().analytics(
        pivot="CREATIVE",
        time_granularity="DAILY",
        date_range=DateRange(DAY, DAY),
        accounts=[ACCOUNT],
        fields=FIELDS,
    )
    assert len(rows) == 3, "every VIDEO creative delivered on the day"
    return {name: sum(int(row[name]) for row in rows) for name in ("videoViews", "videoWatchTime")}


def test_sensor_holds_video_watch_time_for_48_hours(
    airflow_runs, emulator_time, video_connection, tmp_path
) -> None:
    video_connection.clock.set(DAY_END + dt.timedelta(hours=30))
    before = video_totals()
    output = tmp_path / "video.json"
    dag_id = "linkedin_ads_video_maturity"
    source = DAG_FILE.format(
        dag_id=dag_id, day=DAY.isoformat(), account=ACCOUNT, fields=FIELDS, output=output
    )

    run = airflow_runs.test(airflow_runs.load(dag_id, source), logical_date=DAY_END)

    assert airflow_runs.states(run) == {
        ("wait_for_watch_time", -1): "success",
        ("report_video", -1): "success",
    }
    landed = json.loads(output.read_text())
    assert landed["maturity"]["moment"] == MOMENT.isoformat()
    assert sum(emulator_time) == pytest.approx(18 * 3600)  # 48 h, not the 2 h settle margin
    assert video_connection.clock.now() == MOMENT
    matured = {
        name: sum(int(row[name]) for row in landed["rows"]) for name in ("videoViews", "videoWatchTime")
    }
    assert matured["videoWatchTime"] > before["videoWatchTime"] > 0
    assert matured["videoViews"] == before["videoViews"]  # near real-time: final long before
    video_connection.clock.advance(dt.timedelta(days=2))
    assert video_totals() == matured
