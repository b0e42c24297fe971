"""Which days a run reports, inside real Airflow runs on both lines: the operators' date-range table.

Every row runs a one-task DAG with ``dag.test()`` (or a backfill) against the emulator and checks
the days the operator resolved (its XCom summary), the days the engine covered and the days of the
rows it returned. The table (``operators/ad_analytics.py`` and the README):

* an explicit range (templated, e.g. ``{{ macros.ds_add(ds, -7) }}``) is taken as given;
* a non-empty data interval ``[start, end)`` covers ``start`` .. the day before ``end``;
* a zero-width interval (Airflow 3's ``CronTriggerTimetable``/``DeltaTriggerTimetable``, and any
  ``schedule=None`` run) covers the UTC day before the logical date;
* a run without a logical date (Airflow 3) covers the UTC day before ``run_after``;
* ``lookback_days`` then moves the start back.

The operators' clock (``_base.utcnow``) is the emulator's: 2026-11-28 12:00 UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

pytestmark = [
    pytest.mark.db,
    # Airflow 3.3's in-process execution API imports starlette's TestClient, which warns about httpx.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated"),
]

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG, CronDataIntervalTimetable
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG
    from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

with DAG(
    dag_id="{dag_id}",
    schedule={schedule},
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
):
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="ACCOUNT",
        metrics=["impressions"],
        accounts=[{account}],
        {arguments}
    )
"""


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the table: a schedule, the run, and the days expected on each Airflow line."""

    schedule: str
    logical_date: dt.datetime | None
    expected: tuple[str, str]
    expected_airflow_2: tuple[str, str] | None = None
    arguments: str = ""
    run_after: dt.datetime | None = None

    def days(self) -> tuple[str, str]:
        if not AIRFLOW_V_3_0_PLUS and self.expected_airflow_2 is not None:
            return self.expected_airflow_2
        return self.expected


ROWS = [
    # Airflow 3: CronTriggerTimetable, zero width -> the day before; 2.11: [11-19, 11-20) -> 11-19.
    pytest.param(Row('"@daily"', at("2026-11-20"), ("2026-11-19", "2026-11-19")), id="daily-cron-string"),
    pytest.param(
        Row(
            'CronDataIntervalTimetable("@daily", timezone="UTC")',
            at("2026-11-20"),
            ("2026-11-19", "2026-11-19"),
        ),
        id="cron-data-interval-timetable",
    ),
    pytest.param(
        Row("dt.timedelta(days=1)", at("2026-11-20"), ("2026-11-19", "2026-11-19")), id="timedelta-one-day"
    ),
    # Airflow 3 (DeltaTriggerTimetable): zero width -> the day before the logical date; 2.11 has the
    # real interval [00:00, 06:00) of 11-20, which lies in the day 11-20.
    pytest.param(
        Row(
            "dt.timedelta(hours=6)",
            at("2026-11-20T06:00:00"),
            ("2026-11-19", "2026-11-19"),
            expected_airflow_2=("2026-11-20", "2026-11-20"),
        ),
        id="timedelta-six-hours",
    ),
    pytest.param(
        Row("None", at("2026-11-20T15:30:00"), ("2026-11-19", "2026-11-19")), id="manual-with-logical-date"
    ),
    pytest.param(
        Row("None", None, ("2026-11-20", "2026-11-20"), run_after=at("2026-11-21T08:00:00")),
        id="manual-without-logical-date",
        marks=pytest.mark.skipif(not AIRFLOW_V_3_0_PLUS, reason="every Airflow 2 run has a logical date"),
    ),
    pytest.param(
        Row(
            '"@daily"',
            at("2026-11-20"),
            ("2026-11-13", "2026-11-19"),
            arguments='date_range_start="{{ macros.ds_add(ds, -7) }}", date_range_end="{{ macros.ds_add(ds, -1) }}",',
        ),
        id="explicit-ds-add-templates",
    ),
    pytest.param(
        Row(
            "None",
            None,
            ("2026-11-20", "2026-11-20"),
            arguments='date_range_end="{{ macros.ds_add((dag_run.logical_date or dag_run.run_after) | ds, -1) }}",',
            run_after=at("2026-11-21T08:00:00"),
        ),
        id="explicit-template-without-logical-date",
        marks=pytest.mark.skipif(not AIRFLOW_V_3_0_PLUS, reason="every Airflow 2 run has a logical date"),
    ),
    pytest.param(
        Row('"@daily"', at("2026-11-20"), ("2026-11-16", "2026-11-19"), arguments="lookback_days=3,"),
        id="lookback-days",
    ),
    pytest.param(
        Row(
            '"@daily"',
            at("2026-11-20"),
            ("2026-11-08", "2026-11-10"),
            arguments='date_range_end="2026-11-10", lookback_days=2,',
        ),
        id="explicit-end-with-lookback",
    ),
]


@pytest.fixture
def emulator_clock(monkeypatch, linkedin_ads_emulator):
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return linkedin_ads_emulator.clock


@pytest.fixture
def account(linkedin_ads_emulator) -> int:
    return min(linkedin_ads_emulator.world.accounts)


def load(airflow_runs, name: str, schedule: str, account: int, arguments: str = ""):
    dag_id = f"linkedin_ads_dates_{name}"
    source = DAG_FILE.format(dag_id=dag_id, schedule=schedule, account=account, arguments=arguments)
    return airflow_runs.load(dag_id, source)


def check_summary(summary: dict, days: tuple[str, str]) -> None:
    expected = {"start": days[0], "end": days[1]}
    assert summary["date_range"] == expected
    assert summary["date_range_covered"] == expected
    first, last = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[1])
    reported = {dt.date.fromisoformat(row["start_date"]) for row in summary["rows"]}
    assert reported, "the account had impressions on these days"
    assert all(first <= day <= last for day in reported)
    assert all(row["start_date"] == row["end_date"] for row in summary["rows"])  # DAILY rows


@pytest.mark.parametrize("row", ROWS)
def test_date_range_table(row: Row, request, airflow_runs, emulator_clock, linkedin_ads_connection, account):
    name = request.node.callspec.id.replace("-", "_")
    dag = load(airflow_runs, name, row.schedule, account, row.arguments)

    run = airflow_runs.test(dag, logical_date=row.logical_date, run_after=row.run_after)

    assert airflow_runs.states(run) == {("report", -1): "success"}
    check_summary(airflow_runs.xcom(run, "report"), row.days())


BACKFILLS = [
    # A backfill run's interval is the schedule's own: [D, D+1) for a data-interval timetable.
    pytest.param(
        'CronDataIntervalTimetable("@daily", timezone="UTC")',
        ["2026-11-10", "2026-11-11", "2026-11-12"],
        ["2026-11-10", "2026-11-11", "2026-11-12"],
        id="cron-data-interval-timetable",
    ),
    # "@daily": Airflow 3's zero-width CronTriggerTimetable reports the day before each logical
    # date; on 2.11 "@daily" is a data-interval timetable.
    pytest.param(
        '"@daily"',
        ["2026-11-09", "2026-11-10", "2026-11-11"]
        if AIRFLOW_V_3_0_PLUS
        else ["2026-11-10", "2026-11-11", "2026-11-12"],
        ["2026-11-10", "2026-11-11", "2026-11-12"],
        id="daily-cron-string",
    ),
]


@pytest.mark.parametrize(("schedule", "days", "logical_dates"), BACKFILLS)
def test_backfill_reports_one_day_per_run(
    schedule, days, logical_dates, request, airflow_runs, emulator_clock, linkedin_ads_connection, account
):
    name = "backfill_" + request.node.callspec.id.replace("-", "_")
    dag = load(airflow_runs, name, schedule, account)

    runs = airflow_runs.backfill(dag, at("2026-11-10"), at("2026-11-12"))

    assert [run.logical_date.date().isoformat() for run in runs] == logical_dates
    assert [str(run.run_type) for run in runs] == ["backfill"] * 3
    for run, day in zip(runs, days, strict=True):
        assert airflow_runs.states(run) == {("report", -1): "success"}
        check_summary(airflow_runs.xcom(run, "report"), (day, day))


@pytest.mark.skipif(not AIRFLOW_V_3_0_PLUS, reason="every Airflow 2 run has a logical date")
def test_ds_template_fails_a_run_without_logical_date(
    airflow_runs, emulator_clock, linkedin_ads_connection, linkedin_ads_emulator, account
):
    # Why the operators resolve their own range: {{ ds }} is undefined in such a run (StrictUndefined).
    dag = load(airflow_runs, "ds_without_logical_date", "None", account, 'date_range_end="{{ ds }}",')

    run = airflow_runs.test(dag, logical_date=None, run_after=at("2026-11-21T08:00:00"))

    assert airflow_runs.states(run) == {("report", -1): "failed"}
    assert [record for record in linkedin_ads_emulator.requests if "adAnalytics" in record.path] == []
