"""The report operators without a database: construction, parse-time checks, execute against the emulator.

``execute()`` is called directly with a context mapping (what Airflow passes), after setting the
templated attributes to rendered values as Airflow's rendering would. The operators' clock
(``_base.utcnow``) is the emulator's: 2026-11-28 12:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import subprocess
import sys
import textwrap
import types

import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, TaskDeferred, conf

from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.errors import (
    ConfigurationError,
    DailyQuotaExceededError,
    ReportValidationError,
)
from airflow_provider_linkedin_ads.operators import _base, _results
from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsAttributedRevenueOperator,
    LinkedInAdsStatisticsOperator,
)
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.utils.landing import AtomicLanding
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS, datetime_trigger_class

UTC = dt.UTC
FACETS = ("accounts", "campaign_groups", "campaigns", "creatives", "shares", "companies")


def analytics(**overrides) -> LinkedInAdsAnalyticsOperator:
    kwargs = {"task_id": "report", "pivot": "CAMPAIGN", "metrics": ["impressions", "clicks"], **overrides}
    return LinkedInAdsAnalyticsOperator(**kwargs)


def statistics(**overrides) -> LinkedInAdsStatisticsOperator:
    kwargs = {
        "task_id": "report",
        "pivots": ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        "metrics": ["impressions"],
        **overrides,
    }
    return LinkedInAdsStatisticsOperator(**kwargs)


def revenue(**overrides) -> LinkedInAdsAttributedRevenueOperator:
    kwargs = {"task_id": "report", "pivots": ["CAMPAIGN"], "account": 500079147, **overrides}
    return LinkedInAdsAttributedRevenueOperator(**kwargs)


# ── construction ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        pytest.param(
            LinkedInAdsAnalyticsOperator,
            ("linkedin_ads_conn_id", "date_range_start", "date_range_end", "pivot", "metrics", *FACETS, "output_path", "output_conn_id"),
            id="analytics",
        ),
        pytest.param(
            LinkedInAdsStatisticsOperator,
            ("linkedin_ads_conn_id", "date_range_start", "date_range_end", "pivots", "metrics", *FACETS, "output_path", "output_conn_id"),
            id="statistics",
        ),
        pytest.param(
            LinkedInAdsAttributedRevenueOperator,
            ("linkedin_ads_conn_id", "date_range_start", "date_range_end", "pivots", "metrics", "account", "campaign_groups", "campaigns", "output_path", "output_conn_id"),
            id="revenue",
        ),
    ],
)  # fmt: skip
def test_template_fields(operator, expected):
    assert operator.template_fields == expected
    assert isinstance(operator.template_fields, tuple)


@pytest.mark.parametrize(
    "operator",
    [LinkedInAdsAnalyticsOperator, LinkedInAdsStatisticsOperator, LinkedInAdsAttributedRevenueOperator],
)
def test_arguments_are_keyword_only_and_do_not_reuse_start_or_end_date(operator):
    # The provider's classes in the MRO (subclasses pass the rest on to the shared __init__).
    own = [cls for cls in operator.__mro__ if cls.__module__.startswith("airflow_provider_linkedin_ads")]
    parameters = {name: p for cls in own for name, p in inspect.signature(cls.__init__).parameters.items()}
    positional = [
        name
        for name, p in parameters.items()
        if name != "self" and p.kind is not p.KEYWORD_ONLY and p.kind is not p.VAR_KEYWORD
    ]
    assert positional == []
    assert {
        "date_range_start",
        "date_range_end",
        "lookback_days",
        "output_path",
        "output_format",
        "output_conn_id",
        "max_concurrency",
        "on_truncation",
        "api_version",
        "deferrable",
    } <= set(parameters)
    assert not {"start_date", "end_date"} & set(parameters)
    # Airflow 2.11's apply_defaults refuses positional arguments before Python would.
    with pytest.raises((TypeError, AirflowException)):
        operator("report")


def test_start_date_is_still_the_tasks_own():
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    op = analytics(start_date=start)
    assert op.start_date == start
    assert op.date_range_start is None


@pytest.mark.parametrize(
    ("make", "overrides", "argument"),
    [
        pytest.param(analytics, {"pivot": "CAMPAIGNS"}, "pivot", id="bad-pivot"),
        pytest.param(analytics, {"pivot": ["CAMPAIGN", "CREATIVE"]}, "pivot", id="two-pivots-on-analytics"),
        pytest.param(statistics, {"pivots": ["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"]}, "pivots", id="too-many-pivots"),
        pytest.param(statistics, {"pivots": ["MEMBER_JOB_TITLE"]}, "pivots", id="member-pivot-on-statistics"),
        pytest.param(revenue, {"pivots": ["CREATIVE"]}, "pivots", id="revenue-pivot"),
        pytest.param(analytics, {"metrics": ["impressions", "clickz"]}, "metrics", id="unknown-metric"),
        pytest.param(revenue, {"metrics": ["impressions"]}, "metrics", id="not-a-revenue-metric"),
        pytest.param(analytics, {"time_granularity": "HOURLY"}, "time_granularity", id="granularity"),
        pytest.param(analytics, {"output_format": "xlsx"}, "output_format", id="output-format"),
        pytest.param(analytics, {"lookback_days": -1}, "lookback_days", id="negative-lookback"),
        pytest.param(analytics, {"lookback_days": "7"}, "lookback_days", id="string-lookback"),
        pytest.param(analytics, {"max_concurrency": 0}, "max_concurrency", id="concurrency"),
        pytest.param(analytics, {"on_truncation": "ignore"}, "on_truncation", id="on-truncation"),
        pytest.param(analytics, {"api_version": "2026-08"}, "api_version", id="api-version"),
        pytest.param(analytics, {"deferrable": "yes"}, "deferrable", id="deferrable"),
        pytest.param(analytics, {"resolve_names": 1}, "resolve_names", id="resolve-names"),
        pytest.param(analytics, {"allow_unknown_names": None}, "allow_unknown_names", id="allow-unknown"),
    ],
)  # fmt: skip
def test_bad_literal_arguments_fail_at_parse_time(make, overrides, argument):
    with pytest.raises(ConfigurationError) as info:
        make(**overrides)
    assert info.value.argument == argument
    assert argument.split("_")[0] in str(info.value)


class LaterValue:
    """An XComArg-like value: Airflow resolves it at run time, so it is not checked at parse time."""


@pytest.mark.parametrize(
    ("make", "overrides"),
    [
        pytest.param(
            analytics, {"pivot": "{{ params.pivot }}", "metrics": "{{ params.metrics }}"}, id="jinja"
        ),
        pytest.param(
            statistics,
            {"pivots": LaterValue(), "metrics": LaterValue(), "accounts": LaterValue()},
            id="xcom-args",
        ),
        pytest.param(
            analytics,
            {"pivot": "NEW_PIVOT", "metrics": ["newMetric"], "allow_unknown_names": True},
            id="escape-hatch",
        ),
        pytest.param(revenue, {"metrics": (), "account": "{{ params.account }}"}, id="revenue-defaults"),
    ],
)
def test_templated_or_deferred_values_wait_for_execute(make, overrides):
    make(**overrides)


def test_construction_does_no_io(linkedin_ads_emulator):
    op = analytics(linkedin_ads_conn_id="does_not_exist", output_path="file:///nowhere/at/all.jsonl")
    assert "hook" not in op.__dict__
    assert linkedin_ads_emulator.requests == []


def test_hook_is_built_once_from_the_arguments():
    policy = RetryPolicy(max_attempts=2)
    op = analytics(linkedin_ads_conn_id="my_conn", api_version="202609", api_retry_policy=policy)
    hook = op.hook
    assert op.hook is hook
    assert (hook.linkedin_ads_conn_id, hook.api_version, hook.retry_policy) == ("my_conn", "202609", policy)


def test_deferrable_defaults_to_the_operators_setting():
    expected = conf.getboolean("operators", "default_deferrable", fallback=False)
    assert analytics().deferrable is expected
    assert revenue().deferrable is expected


@pytest.mark.parametrize(
    ("output_path", "outlets", "expected"),
    [
        pytest.param(
            "file:///data/linkedin/campaigns.jsonl",
            None,
            ["file:///data/linkedin/campaigns.jsonl"],
            id="static",
        ),
        pytest.param(
            "s3://aws_default@bucket/linkedin.jsonl",
            None,
            ["s3://bucket/linkedin.jsonl"],
            id="userinfo-dropped",
        ),
        pytest.param(
            "file:///data/{{ ds }}/campaigns.jsonl", None, ["alias:linkedin_ads:report"], id="templated"
        ),
        pytest.param(None, None, [], id="xcom-only"),
        pytest.param(
            "file:///data/x.jsonl",
            ["file:///mine"],
            ["file:///mine", "file:///data/x.jsonl"],
            id="user-outlets-kept",
        ),
    ],
)
def test_static_output_path_is_an_asset_outlet(output_path, outlets, expected):
    from airflow.providers.common.compat.sdk import Asset

    extra = {} if outlets is None else {"outlets": [Asset(uri) for uri in outlets]}
    op = analytics(output_path=output_path, **extra)
    assert [_outlet_id(outlet) for outlet in op.outlets] == expected


def _outlet_id(outlet) -> str:
    from airflow.providers.common.compat.sdk import AssetAlias

    return f"alias:{outlet.name}" if isinstance(outlet, AssetAlias) else outlet.uri


# ── DAG files fail to import with a clear message ───────────────────────────────────────────────

DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsStatisticsOperator

with DAG(dag_id="{name}", schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
    LinkedInAdsStatisticsOperator(task_id="report", accounts=[1], {arguments})
"""


def dag_bag(folder):
    if AIRFLOW_V_3_0_PLUS:
        from airflow.dag_processing.dagbag import DagBag

        return DagBag(dag_folder=str(folder))
    from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=str(folder), include_examples=False)


def test_dag_with_bad_literal_arguments_fails_to_import(tmp_path):
    cases = {
        "bad_pivot": ('pivots=["CAMPAIGNS"], metrics=["impressions"]', "unknown pivot 'CAMPAIGNS'; did you mean 'CAMPAIGN'"),
        "too_many_pivots": ('pivots=["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"], metrics=["impressions"]', "q=statistics takes 1 to 3 pivots, got 4"),
        "unknown_metric": ('pivots=["CAMPAIGN"], metrics=["impresions"]', "unknown metric 'impresions'; did you mean 'impressions'"),
        "templated": ('pivots="{{ params.pivots }}", metrics="{{ params.metrics }}"', None),
    }  # fmt: skip
    for name, (arguments, _message) in cases.items():
        (tmp_path / f"{name}.py").write_text(DAG_FILE.format(name=name, arguments=arguments))

    bag = dag_bag(tmp_path)

    errors = {
        path.rsplit("/", 1)[-1].removesuffix(".py"): str(error) for path, error in bag.import_errors.items()
    }
    assert set(errors) == {"bad_pivot", "too_many_pivots", "unknown_metric"}
    for name, (_arguments, message) in cases.items():
        if message is not None:
            assert "ReportValidationError" in errors[name] or message in errors[name]
            assert message in errors[name]
    assert "templated" in bag.dag_ids


def test_operators_import_without_openlineage():
    code = textwrap.dedent(
        """
        import sys
        for name in ("openlineage", "airflow.providers.openlineage"):
            sys.modules[name] = None  # any import of them fails
        from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator
        LinkedInAdsAnalyticsOperator(task_id="t", pivot="CAMPAIGN", metrics=["impressions"])
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout.strip().splitlines()[-1:] == ["ok"], result.stderr


# ── execute, against the emulator ────────────────────────────────────────────────────────────────


@pytest.fixture
def emulator(linkedin_ads_emulator, linkedin_ads_connection, monkeypatch):
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return linkedin_ads_emulator


@pytest.fixture
def accounts(linkedin_ads_emulator) -> list[int]:
    return sorted(linkedin_ads_emulator.world.accounts_for_member(DEFAULT_MEMBER))


def api_calls(server) -> list[str]:
    return [record.path for record in server.requests if record.path.startswith("/rest/")]


@pytest.mark.parametrize(
    ("rendered", "error", "argument"),
    [
        pytest.param({"pivot": "CAMPAIGNS"}, ReportValidationError, "pivot", id="pivot"),
        pytest.param({"metrics": "['impressions', 'clickz']"}, ReportValidationError, "metrics", id="metrics"),
        pytest.param({"accounts": "abc"}, ConfigurationError, "accounts", id="account-not-an-id"),
        pytest.param({"campaigns": ["urn:li:sponsoredAccount:1"]}, ConfigurationError, "campaigns", id="wrong-urn-type"),
        pytest.param({"date_range_end": "31/01/2026"}, ConfigurationError, "date_range_end", id="date-not-iso"),
        pytest.param({"date_range_start": "2026-11-10", "date_range_end": "2026-11-01"}, ConfigurationError, "date_range_end", id="start-after-end"),
        pytest.param({"output_path": "relative/report.jsonl"}, ConfigurationError, "output_path", id="relative-output-path"),
        pytest.param({"output_conn_id": 5}, ConfigurationError, "output_conn_id", id="output-conn-id"),
        pytest.param({"accounts": [], "metrics": "['clickz']"}, ReportValidationError, "metrics", id="checked-before-listing-accounts"),
    ],
)  # fmt: skip
def test_rendered_values_are_checked_before_any_call(emulator, accounts, tmp_path, rendered, error, argument):
    op = analytics(
        accounts="{{ params.accounts }}",
        date_range_end="2026-11-20",
        output_path=f"file://{tmp_path}/r.jsonl",
    )
    op.accounts = accounts
    for name, value in rendered.items():
        setattr(op, name, value)  # as Airflow's rendering leaves them
    with pytest.raises(error) as info:
        op.execute({})
    assert info.value.argument == argument
    assert api_calls(emulator) == []
    assert list(tmp_path.iterdir()) == []


def test_rows_to_xcom_are_json_ready(emulator, accounts):
    op = analytics(
        accounts=str(accounts), metrics=["impressions", "costInLocalCurrency"], date_range_end="2026-11-20"
    )
    summary = op.execute({})
    assert json.loads(json.dumps(summary)) == summary
    assert summary["rows_written"] == len(summary["rows"]) > 0
    row = summary["rows"][0]
    assert set(row) == {"start_date", "end_date", "campaign", "impressions", "costInLocalCurrency"}
    assert row["start_date"] == "2026-11-20"
    assert isinstance(row["costInLocalCurrency"], str)  # exact decimal text, never a float
    assert summary["facets"] == {"accounts": 2}
    assert summary["output_path"] is None


def test_empty_facets_mean_every_active_account_the_token_sees(emulator, accounts):
    summary = analytics(date_range_end="2026-11-20").execute({})
    assert summary["facets"] == {"accounts": len(accounts)}
    assert {row["campaign"] for row in summary["rows"]} == {
        f"urn:li:sponsoredCampaign:{campaign.id}"
        for campaign in emulator.world.campaigns.values()
        if campaign.account_id in accounts
        and any(row["campaign"].endswith(f":{campaign.id}") for row in summary["rows"])
    }
    assert api_calls(emulator)[0] == "/rest/adAccounts"


def test_more_rows_than_the_xcom_cap_fail_asking_for_an_output_path(emulator, accounts, monkeypatch):
    monkeypatch.setattr(_results, "XCOM_ROW_CAP", 2)
    with pytest.raises(ConfigurationError) as info:
        analytics(accounts=accounts, date_range_end="2026-11-20").execute({})
    assert info.value.argument == "output_path"
    assert "more than 2 rows" in str(info.value)
    assert "set output_path" in str(info.value)


# ── dates ────────────────────────────────────────────────────────────────────────────────────────


def interval(start: str, end: str) -> dict[str, dt.datetime]:
    begin = dt.datetime.fromisoformat(start).replace(tzinfo=UTC)
    return {
        "data_interval_start": begin,
        "data_interval_end": dt.datetime.fromisoformat(end).replace(tzinfo=UTC),
        "logical_date": begin,
    }


@pytest.mark.parametrize(
    ("op", "context", "expected"),
    [
        pytest.param(analytics(), interval("2026-11-20", "2026-11-21"), ("2026-11-20", "2026-11-20"), id="analytics-lookback-0"),
        pytest.param(analytics(lookback_days=7), interval("2026-11-20", "2026-11-21"), ("2026-11-13", "2026-11-20"), id="analytics-lookback-7"),
        pytest.param(revenue(), interval("2026-11-20", "2026-11-21"), ("2026-10-22", "2026-11-20"), id="revenue-30-days-from-run"),
        pytest.param(revenue(date_range_start="2026-09-01", date_range_end="2026-10-15"), interval("2026-11-20", "2026-11-21"), ("2026-09-01", "2026-10-15"), id="revenue-explicit-as-given"),
        pytest.param(revenue(lookback_days=59), interval("2026-11-20", "2026-11-21"), ("2026-09-22", "2026-11-20"), id="revenue-lookback-set"),
        pytest.param(revenue(date_range_start="2026-11-01"), interval("2026-11-20", "2026-11-21"), ("2026-11-01", "2026-11-28"), id="revenue-start-only-runs-to-today"),
        pytest.param(analytics(date_range_start="2026-11-01"), interval("2026-11-20", "2026-11-21"), ("2026-11-01", "2026-11-27"), id="analytics-start-only-runs-to-yesterday"),
        pytest.param(statistics(date_range_start="2026-11-01"), interval("2026-11-20", "2026-11-21"), ("2026-11-01", "2026-11-27"), id="statistics-start-only-runs-to-yesterday"),
    ],
)  # fmt: skip
def test_resolve_date_range(op, context, expected, monkeypatch):
    monkeypatch.setattr(_base, "utcnow", lambda: dt.datetime(2026, 11, 28, 12, tzinfo=UTC))
    resolved = op.resolve_date_range(context)
    assert (resolved.start.isoformat(), resolved.end.isoformat()) == expected


# ── the daily quota ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def daily_quota(emulator):
    quota = emulator.emulator.quota
    quota.limit = 1  # the report's second adAnalytics call gets 429 naming the DAY window
    # (the reports below span more than DATA_FIRST_MAX_DAYS: a probe, then the data)
    yield quota
    quota.limit = None


def next_midnights(before: dt.datetime, after: dt.datetime) -> set[dt.datetime]:
    return {
        dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(), tzinfo=UTC)
        for moment in (before, after)
    }


def test_daily_quota_fails_saying_when_it_resets(emulator, daily_quota, accounts, tmp_path):
    op = analytics(
        accounts=accounts,
        date_range_start="2026-09-01",
        date_range_end="2026-11-20",
        deferrable=False,
        output_path=f"file://{tmp_path}/r.jsonl",
    )
    before = dt.datetime.now(UTC)
    with pytest.raises(AirflowFailException) as info:  # fails for good: retrying before midnight cannot help
        op.execute({})
    after = dt.datetime.now(UTC)
    cause = info.value.__cause__
    assert isinstance(cause, DailyQuotaExceededError)
    assert cause.resets_at in next_midnights(before, after)
    assert f"it resets at {cause.resets_at.isoformat()} (00:00 UTC)" in str(info.value)
    assert "deferrable=True" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_daily_quota_defers_until_after_midnight_and_resumes_the_same_days(
    emulator, daily_quota, accounts, tmp_path
):
    op = analytics(
        accounts=accounts,
        date_range_start="2026-09-01",
        date_range_end="2026-11-20",
        deferrable=True,
        output_path=f"file://{tmp_path}/r.jsonl",
    )
    before = dt.datetime.now(UTC)
    with pytest.raises(TaskDeferred) as info:
        op.execute({})
    after = dt.datetime.now(UTC)
    deferred = info.value
    assert isinstance(deferred.trigger, datetime_trigger_class())
    assert deferred.trigger.moment in {
        midnight + dt.timedelta(minutes=5) for midnight in next_midnights(before, after)
    }
    assert deferred.method_name == "execute_complete"
    assert deferred.kwargs == {"date_range_start": "2026-09-01", "date_range_end": "2026-11-20"}
    assert list(tmp_path.iterdir()) == []  # nothing half-written while waiting
    _classpath, kwargs = deferred.trigger.serialize()
    json.dumps({key: str(value) for key, value in kwargs.items()})  # plain values only

    daily_quota.limit = None  # midnight: the quota is reset
    op.date_range_start = op.date_range_end = "{{ never rendered again }}"
    summary = op.execute_complete({}, event=deferred.trigger.moment, **deferred.kwargs)

    assert summary["date_range"] == {"start": "2026-09-01", "end": "2026-11-20"}
    assert (tmp_path / "r.jsonl").read_text().count("\n") == summary["rows_written"] > 0


def test_resuming_without_the_days_resolves_them_again(emulator, accounts):
    # dag.test() hands only the event back; the range is then resolved from the run again.
    op = analytics(accounts=accounts)
    summary = op.execute_complete(interval("2026-11-19", "2026-11-20"), event=None)
    assert summary["date_range"] == {"start": "2026-11-19", "end": "2026-11-19"}


# ── cleanup and lineage ──────────────────────────────────────────────────────────────────────────


def test_on_kill_deletes_the_temporary_file_of_a_landing_in_progress(tmp_path):
    op = analytics(output_path=f"file://{tmp_path}/r.jsonl")
    op.on_kill()  # nothing in progress: no error
    landing = op._landing = AtomicLanding(f"file://{tmp_path}/r.jsonl")
    seen: list[list[str]] = []

    def land_while_killed() -> None:
        with landing.open() as handle:
            handle.write(b"partial")
            op.on_kill()
            seen.append([path.name for path in tmp_path.iterdir()])
            raise RuntimeError("the task is being killed")

    with pytest.raises(RuntimeError):
        land_while_killed()
    assert seen == [[]]
    assert list(tmp_path.iterdir()) == []


class Fake:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __eq__(self, other):
        return type(self) is type(other) and self.kwargs == other.kwargs

    def __repr__(self):
        return f"{type(self).__name__}({self.kwargs})"


@pytest.fixture
def openlineage(monkeypatch):
    """Stand-ins for the optional OpenLineage provider and client classes."""
    extractors = types.ModuleType("airflow.providers.openlineage.extractors")
    extractors.OperatorLineage = type("OperatorLineage", (Fake,), {})
    facet = types.ModuleType("airflow.providers.common.compat.openlineage.facet")
    for name in (
        "InputDataset",
        "OutputDataset",
        "OutputStatisticsOutputDatasetFacet",
        "SchemaDatasetFacet",
        "SchemaDatasetFacetFields",
    ):
        setattr(facet, name, type(name, (Fake,), {}))
    monkeypatch.setitem(
        sys.modules, "airflow.providers.openlineage", types.ModuleType("airflow.providers.openlineage")
    )
    monkeypatch.setitem(sys.modules, extractors.__name__, extractors)
    monkeypatch.setitem(sys.modules, facet.__name__, facet)
    return types.SimpleNamespace(lineage=extractors.OperatorLineage, facet=facet)


def test_openlineage_facets_on_complete(emulator, accounts, tmp_path, openlineage):
    op = statistics(
        accounts=accounts,
        date_range_end="2026-11-20",
        output_path=f"file://{tmp_path}/r.csv",
        output_format="csv",
    )
    assert op.get_openlineage_facets_on_complete(None) == openlineage.lineage()

    summary = op.execute({})

    lineage = op.get_openlineage_facets_on_complete(None)
    facet = openlineage.facet
    (source,) = lineage.kwargs["inputs"]
    assert source == facet.InputDataset(namespace=emulator.url, name="rest/adAnalytics?q=statistics")
    (output,) = lineage.kwargs["outputs"]
    assert output.kwargs["namespace"] == "file"
    assert output.kwargs["name"] == f"{tmp_path}/r.csv"
    assert output.kwargs["outputFacets"] == {
        "outputStatistics": facet.OutputStatisticsOutputDatasetFacet(
            rowCount=summary["rows_written"], size=summary["bytes_written"]
        )
    }
    fields = output.kwargs["facets"]["schema"].kwargs["fields"]
    assert [field.kwargs["name"] for field in fields] == summary["columns"]


# ── the other operators' pivot argument, and output_path types ───────────────────────────────────


@pytest.mark.parametrize(
    ("build", "wrong", "advice"),
    [
        pytest.param(
            lambda: LinkedInAdsAnalyticsOperator(task_id="t", pivots=["CAMPAIGN"], metrics=["impressions"]),
            "pivots",
            "LinkedInAdsStatisticsOperator(pivots=[...])",
            id="analytics-pivots",
        ),
        pytest.param(
            lambda: LinkedInAdsStatisticsOperator(task_id="t", pivot="CAMPAIGN", metrics=["impressions"]),
            "pivot",
            "pivots=['CAMPAIGN']",
            id="statistics-pivot",
        ),
        pytest.param(
            lambda: LinkedInAdsAttributedRevenueOperator(task_id="t", pivot="CAMPAIGN", account=1),
            "pivot",
            "pivots=['CAMPAIGN']",
            id="revenue-pivot",
        ),
    ],
)
def test_the_other_operators_pivot_argument_gets_a_provider_error(build, wrong, advice):
    with pytest.raises(ConfigurationError) as info:
        build()
    assert info.value.argument == wrong
    assert advice in str(info.value)


def test_a_missing_pivot_names_the_argument():
    with pytest.raises(ConfigurationError) as info:
        LinkedInAdsStatisticsOperator(task_id="t", metrics=["impressions"])
    assert info.value.argument == "pivots"


def test_object_storage_and_pathlib_paths_are_kept_as_templated_uris():
    import pathlib

    from airflow.providers.common.compat.sdk import ObjectStoragePath

    storage = analytics(output_path=ObjectStoragePath("s3://aws_default@bucket/linkedin/{{ ds }}.jsonl"))
    assert storage.output_path == "s3://aws_default@bucket/linkedin/{{ ds }}.jsonl"
    local = analytics(output_path=pathlib.PurePosixPath("/data/linkedin/x.jsonl"))
    assert local.output_path == "/data/linkedin/x.jsonl"
    assert [outlet.uri for outlet in local.outlets] == ["file:///data/linkedin/x.jsonl"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(__import__("pathlib").PurePosixPath("relative/x.jsonl"), id="relative-path"),
        pytest.param(42, id="number"),
        pytest.param(["file:///a.jsonl"], id="list"),
    ],
)
def test_other_output_path_types_fail_when_the_dag_is_parsed(value):
    with pytest.raises(ConfigurationError) as info:
        analytics(output_path=value)
    assert info.value.argument == "output_path"


def test_report_range_variables_are_iso_days_and_nodash():
    from airflow_provider_linkedin_ads.models import DateRange

    variables = _base.report_range_variables(DateRange(dt.date(2026, 11, 9), dt.date(2026, 11, 16)))
    assert variables == {
        "report_start": "2026-11-09",
        "report_end": "2026-11-16",
        "report_start_nodash": "20261109",
        "report_end_nodash": "20261116",
    }


def test_a_resume_after_midnight_names_the_file_after_its_pinned_days(monkeypatch):
    """The resume renders again with a later clock; output_path follows the days pinned at deferral."""
    from airflow_provider_linkedin_ads.models import DateRange

    def rendered_at(now: dt.datetime) -> LinkedInAdsAnalyticsOperator:
        monkeypatch.setattr(_base, "utcnow", lambda: now)
        operator = analytics(output_path="file:///data/{{ report_end }}.jsonl", date_range_start="2026-11-01")
        operator.render_template_fields({})
        return operator

    first = rendered_at(dt.datetime(2026, 11, 29, 23, 50, tzinfo=dt.UTC))
    assert first.output_path == "file:///data/2026-11-28.jsonl"
    resumed = rendered_at(dt.datetime(2026, 11, 30, 0, 10, tzinfo=dt.UTC))  # a new try, after midnight
    assert resumed.output_path == "file:///data/2026-11-29.jsonl"
    resumed._pin_output_path({}, DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 28)))
    assert resumed.output_path == "file:///data/2026-11-28.jsonl"


@pytest.mark.parametrize(
    ("deferrable", "setting", "expected"),
    [
        pytest.param(False, None, None, id="non-deferrable-waits-in-the-worker"),
        pytest.param(False, "5", None, id="non-deferrable-ignores-the-setting"),
        pytest.param(True, None, 60.0, id="deferrable-default"),
        pytest.param(True, "5", 5.0, id="deferrable-setting"),
    ],
)
def test_only_deferrable_operators_hand_long_waits_to_the_triggerer(
    linkedin_ads_connection, monkeypatch, deferrable, setting, expected
):
    if setting is not None:
        monkeypatch.setenv("AIRFLOW__LINKEDIN_ADS__DEFER_WAITS_LONGER_THAN", setting)
    operator = analytics(accounts=[1], deferrable=deferrable)
    assert operator.hook.client_config.defer_waits_longer_than == expected
