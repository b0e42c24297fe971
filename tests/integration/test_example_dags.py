"""The example DAGs in ``dags_examples/`` import cleanly on this Airflow line and say what they promise.

The folder is loaded into a ``DagBag`` exactly as the DAG processor does (no database, no network,
no credentials): zero import errors, the five expected DAG ids, and no warning at all (pytest turns
every warning into an error, and the bag's own captured warnings must be empty). Then each DAG's
shape is checked against its docstring, and the Jinja expressions the DAGs share are rendered with
the DAG's own template environment.
"""

from __future__ import annotations

import datetime as dt
import types
import warnings
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_linkedin_ads.maturity import applicable_delay
from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags_examples"
EXPECTED_DAG_IDS = {
    "linkedin_ads_daily_performance",
    "linkedin_ads_demographics",
    "linkedin_ads_multi_account",
    "linkedin_ads_revenue_attribution",
    "linkedin_ads_video",
}
DEFAULT_PARAMS = {"linkedin_ads_conn_id": None, "accounts": None, "output_base": None}


@pytest.fixture(scope="module")
def bag() -> Any:
    # Importing DagBag imports Airflow's own modules, and on 3.1 some of them warn about each other's
    # deprecated paths (the standard provider through common-compat). Only that import is exempt: the
    # example DAGs below are parsed with every warning an error, and the bag records its own.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"airflow\.")
        try:  # Airflow 3.2+ (the old path warns there)
            from airflow.dag_processing.dagbag import DagBag
        except ImportError:  # Airflow 2.11 - 3.1
            from airflow.models.dagbag import DagBag
    if AIRFLOW_V_3_0_PLUS:
        return DagBag(dag_folder=str(DAGS_FOLDER))
    return DagBag(dag_folder=str(DAGS_FOLDER), include_examples=False)


@pytest.fixture(scope="module")
def macros() -> Any:
    if AIRFLOW_V_3_0_PLUS:
        import airflow.sdk.execution_time.macros as module
    else:
        import airflow.macros as module
    return module


def test_the_folder_imports_without_errors_or_warnings(bag: Any) -> None:
    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    assert set(bag.dag_ids) == EXPECTED_DAG_IDS
    assert sorted(path.stem for path in DAGS_FOLDER.glob("*.py")) == sorted(EXPECTED_DAG_IDS)


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_dag_documents_itself_and_takes_its_configuration_from_params_and_variables(
    bag: Any, dag_id: str
) -> None:
    dag = bag.dags[dag_id]
    assert "<output base>/" in dag.doc_md
    assert "CronDataIntervalTimetable" in dag.doc_md
    assert "linkedin_ads" in dag.tags
    assert dag.render_template_as_native_obj is True
    assert {name: dag.params[name] for name in DEFAULT_PARAMS} == DEFAULT_PARAMS
    # Real one-day (or one-month) data intervals on both lines, midnight-aligned in UTC.
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert _cron(dag.timetable)[0].startswith("0 0 ")
    assert _cron(dag.timetable)[1] == "UTC"
    for task in dag.tasks:
        if "LinkedInAds" in type(task).__name__ or getattr(task, "operator_name", "").startswith(
            "LinkedInAds"
        ):
            kwargs = _arguments(task)
            if "output_path" in kwargs:
                assert "var.value.get('linkedin_ads_output_base'" in kwargs["output_path"]
                assert kwargs["output_path"].endswith(".jsonl")
            if "linkedin_ads_conn_id" in kwargs and "Sensor" not in type(task).__name__:
                assert "var.value.get('linkedin_ads_conn_id'" in kwargs["linkedin_ads_conn_id"]


def test_daily_performance_reports_campaigns_and_creatives_with_chunked_metrics_and_a_lookback(
    bag: Any,
) -> None:
    dag = bag.dags["linkedin_ads_daily_performance"]
    tasks = {task.task_id: task for task in dag.tasks if task.task_id.endswith("_performance")}
    assert set(tasks) == {"campaign_performance", "creative_performance"}
    assert {task.pivot for task in tasks.values()} == {"CAMPAIGN", "CREATIVE"}
    for task in tasks.values():
        assert len(task.metrics) >= 40  # more than two 20-field calls' worth: chunking happens
        assert set(task.metrics) <= set(METRICS)
        assert applicable_delay([task.pivot], task.metrics, settle_margin=dt.timedelta(0)) == dt.timedelta(0)
        assert task.lookback_days == 7
        assert task.output_format == "jsonl"
        assert task.accounts == "{{ params.accounts or var.json.get('linkedin_ads_accounts', []) }}"
    assert _cron(dag.timetable) == ("0 0 * * *", "UTC")


def test_daily_performance_lands_the_four_dimension_tables_for_the_reports_accounts(bag: Any) -> None:
    dag = bag.dags["linkedin_ads_daily_performance"]
    tables = {
        task.entity_type.value: task
        for task in dag.tasks
        if type(task).__name__ == "LinkedInAdsEntitiesOperator"
    }
    assert set(tables) == {"ad_accounts", "campaign_groups", "campaigns", "creatives"}
    reports = [task for task in dag.tasks if task.task_id.endswith("_performance")]
    for name, task in tables.items():
        assert task.accounts == reports[0].accounts  # the same accounts: every URN of a report has its row
        assert task.output_path.endswith(f"/dimensions/{name}.jsonl")
        assert task.output_alias is not None  # a templated path: its asset events go through the alias


@pytest.mark.parametrize(
    ("dag_id", "sensor_id", "delay_hours"),
    [
        pytest.param("linkedin_ads_demographics", "wait_for_demographics", 24, id="demographics"),
        pytest.param("linkedin_ads_video", "wait_for_video_watch_time", 48, id="video"),
    ],
)
def test_delayed_reports_wait_behind_a_deferrable_maturity_sensor(
    bag: Any, dag_id: str, sensor_id: str, delay_hours: int
) -> None:
    dag = bag.dags[dag_id]
    sensor = dag.get_task(sensor_id)
    assert type(sensor).__name__ == "LinkedInAdsMetricsMaturitySensor"
    assert sensor.deferrable is True
    assert applicable_delay(sensor.pivots, sensor.metrics) == dt.timedelta(hours=delay_hours)
    reports = [task for task in dag.tasks if task is not sensor]
    assert reports
    for report in reports:
        assert report.upstream_task_ids == {sensor_id}
        assert report.resolve_names is True
        # The sensor waits for exactly the data the report asks for.
        assert report.metrics == sensor.metrics
        assert report.pivot in sensor.pivots


def test_demographics_reports_job_function_seniority_and_country(bag: Any) -> None:
    dag = bag.dags["linkedin_ads_demographics"]
    pivots = {task.pivot for task in dag.tasks if hasattr(task, "pivot")}
    assert pivots == {"MEMBER_JOB_FUNCTION", "MEMBER_SENIORITY", "MEMBER_COUNTRY_V2"}
    for task in dag.tasks:
        if hasattr(task, "pivot"):
            assert not [name for name in task.metrics if METRICS[name].non_demographic]


@pytest.mark.parametrize(
    ("dag_id", "mapped_task", "argument"),
    [
        pytest.param("linkedin_ads_multi_account", "campaign_performance", "accounts", id="multi-account"),
        pytest.param("linkedin_ads_revenue_attribution", "attributed_revenue", "account", id="revenue"),
    ],
)
def test_accounts_are_listed_upstream_and_fanned_out_one_mapped_task_each(
    bag: Any, dag_id: str, mapped_task: str, argument: str
) -> None:
    dag = bag.dags[dag_id]
    task = dag.get_task(mapped_task)
    assert type(task).__name__ == "MappedOperator"
    expanded = task.expand_input.value
    assert list(expanded) == [argument]
    assert expanded[argument].operator.task_id == "list_accounts"
    assert task.upstream_task_ids == {"list_accounts"}
    assert f"account={{{{ task.{argument} }}}}" in task.partial_kwargs["output_path"]
    # A string, so native rendering cannot turn it into an int (the UI needs text).
    assert task.partial_kwargs["map_index_template"] == f"account {{{{ task.{argument} }}}}"


def test_multi_account_runs_every_linkedin_call_in_the_pool(bag: Any) -> None:
    dag = bag.dags["linkedin_ads_multi_account"]
    assert dag.get_task("campaign_performance").partial_kwargs["pool"] == "linkedin_ads"
    assert dag.get_task("list_accounts").pool == "linkedin_ads"


def test_revenue_attribution_windows_stay_within_linkedins_30_to_366_days(bag: Any) -> None:
    dag = bag.dags["linkedin_ads_revenue_attribution"]
    task = dag.get_task("attributed_revenue")
    assert set(task.partial_kwargs["pivots"]) <= {"ACCOUNT", "CAMPAIGN_GROUP", "CAMPAIGN"}
    lookback = task.partial_kwargs["lookback_days"]
    assert _cron(dag.timetable) == ("0 0 1 * *", "UTC")
    for month_days in (28, 29, 30, 31):
        assert 30 <= month_days + lookback <= 366
    # A manual Airflow 3 run without a logical date reports the day before run_after plus the lookback.
    assert 30 <= 1 + lookback <= 366


CASES_REPORT_DAY = [
    pytest.param(
        dt.datetime(2026, 11, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 17, tzinfo=dt.UTC),
        "2026-11-16",
        id="interval",
    ),
    pytest.param(None, dt.datetime(2026, 11, 17, 9, 30, tzinfo=dt.UTC), "2026-11-16", id="no-logical-date"),
]


@pytest.mark.parametrize(("interval_start", "run_after", "expected"), CASES_REPORT_DAY)
def test_the_revenue_folder_template_names_the_first_day_of_the_run(
    bag: Any,
    macros: Any,
    interval_start: dt.datetime | None,
    run_after: dt.datetime,
    expected: str,
) -> None:
    dag_id = "linkedin_ads_revenue_attribution"
    module = bag.dags[dag_id].fileloc
    namespace: dict[str, Any] = {}
    exec(compile(_constants_source(Path(module)), module, "exec"), namespace)  # the file's string constants
    dag_run = types.SimpleNamespace(data_interval_start=interval_start, run_after=run_after)
    rendered = _render(bag.dags[dag_id], namespace["REPORT_DAY"], dag_run=dag_run, macros=macros)
    assert rendered == expected


@pytest.mark.parametrize(
    ("dag_id", "task_id"),
    [
        ("linkedin_ads_daily_performance", "campaign_performance"),
        ("linkedin_ads_demographics", "member_job_function"),
        ("linkedin_ads_multi_account", "campaign_performance"),
        ("linkedin_ads_video", "video_performance"),
    ],
)
def test_daily_files_are_named_by_the_last_day_they_hold(bag: Any, dag_id: str, task_id: str) -> None:
    # {{ report_end }} is rendered after the operator resolved the range (not {{ ds }}, which on
    # Airflow 3 is the day after the one reported); the real runs in test_demo_dags land these files.
    output_path = _arguments(bag.dags[dag_id].get_task(task_id))["output_path"]
    assert "/{{ report_end }}/" in output_path
    assert "{{ ds" not in output_path


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_dag_can_be_triggered_with_its_default_params(bag: Any, dag_id: str) -> None:
    # What the Airflow 3 trigger form checks before it enables its Trigger button: the defaults
    # validate against each Param's schema (a non-nullable "" or [] is "required" there).
    params = bag.dags[dag_id].params
    assert params.validate() == DEFAULT_PARAMS
    for name in DEFAULT_PARAMS:
        assert "null" in params.get_param(name).schema["type"]


@pytest.mark.parametrize(
    ("params", "variables", "expected"),
    [
        pytest.param(
            DEFAULT_PARAMS,
            {},
            ("linkedin_ads_default", [], "file:///tmp/linkedin_ads"),
            id="defaults",
        ),
        pytest.param(
            DEFAULT_PARAMS,
            {
                "linkedin_ads_conn_id": "linkedin_prod",
                "linkedin_ads_accounts": [508000000],
                "linkedin_ads_output_base": "s3://aws_default@bucket/linkedin/",
            },
            ("linkedin_prod", [508000000], "s3://aws_default@bucket/linkedin"),
            id="variables",
        ),
        pytest.param(
            {
                "linkedin_ads_conn_id": "other",
                "accounts": ["urn:li:sponsoredAccount:1"],
                "output_base": "file:///x",
            },
            {"linkedin_ads_conn_id": "linkedin_prod", "linkedin_ads_accounts": [508000000]},
            ("other", ["urn:li:sponsoredAccount:1"], "file:///x"),
            id="params-win",
        ),
    ],
)
def test_configuration_templates_render_params_then_variables_then_defaults(
    bag: Any, params: dict[str, Any], variables: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    dag = bag.dags["linkedin_ads_daily_performance"]
    task = dag.get_task("campaign_performance")
    var = _VariableAccessors(variables)
    conn_id = _render(dag, task.linkedin_ads_conn_id, params=params, var=var)
    accounts = _render(dag, task.accounts, params=params, var=var)
    base = _render(dag, task.output_path.split("/daily_performance/")[0], params=params, var=var)
    assert (conn_id, accounts, base) == expected


class _VariableAccessors:
    """``var.value`` / ``var.json`` over a dict, as Airflow's accessors behave for these templates."""

    def __init__(self, variables: dict[str, Any]) -> None:
        self.value = types.SimpleNamespace(get=lambda key, default=None: variables.get(key, default))
        self.json = types.SimpleNamespace(get=lambda key, default=None: variables.get(key, default))


def _render(dag: Any, template: str, **context: Any) -> Any:
    env = dag.get_template_env()
    return env.from_string(template).render(**context)


def _constants_source(path: Path) -> str:
    """The module's top-level string constants (REPORT_DAY ...), without importing Airflow again."""
    source = path.read_text(encoding="utf-8")
    start = source.index("CONN_ID = ")
    end = source.index("\n\n", source.index("REPORT_DAY = "))
    return source[start:end]


def _cron(timetable: Any) -> tuple[str, str]:
    """(cron expression, timezone name) of a CronDataIntervalTimetable on either Airflow line."""
    if AIRFLOW_V_3_0_PLUS:
        return timetable.expression, str(timetable.timezone)
    return timetable._expression, timetable._timezone.name


def _arguments(task: Any) -> dict[str, Any]:
    if hasattr(task, "partial_kwargs"):
        return dict(task.partial_kwargs)
    return {
        name: getattr(task, name) for name in ("output_path", "linkedin_ads_conn_id") if hasattr(task, name)
    }
