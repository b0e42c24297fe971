"""The operators' argument checks: literal detection, rendered-list parsing, parse-time request rules."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.enums import Finder
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReportValidationError
from airflow_provider_linkedin_ads.operators._arguments import (
    check_api_version,
    check_choice,
    check_flag,
    check_output_format,
    check_static_request,
    check_time_granularity,
    check_whole,
    is_literal,
    optional_text,
    text_list,
)


class Deferred:
    """Stands for an XComArg or a mapped argument: resolved by Airflow later, never literal."""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("CAMPAIGN", True, id="plain-string"),
        pytest.param(["impressions", "clicks"], True, id="list-of-strings"),
        pytest.param((1, "urn:li:sponsoredAccount:2"), True, id="tuple-of-ids"),
        pytest.param(None, True, id="none"),
        pytest.param(508000000, True, id="int"),
        pytest.param(dt.date(2026, 1, 1), True, id="date"),
        pytest.param("{{ params.pivot }}", False, id="jinja-expression"),
        pytest.param("{% if x %}A{% endif %}", False, id="jinja-statement"),
        pytest.param(["impressions", "{{ params.metric }}"], False, id="list-with-jinja"),
        pytest.param(Deferred(), False, id="xcom-arg"),
        pytest.param([Deferred()], False, id="list-with-xcom-arg"),
        pytest.param({"a": 1}, False, id="dict"),
    ],
)
def test_is_literal(value, expected):
    assert is_literal(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, [], id="none"),
        pytest.param("", [], id="empty-string"),
        pytest.param([], [], id="empty-list"),
        pytest.param(508000000, [508000000], id="one-int"),
        pytest.param("508000000", ["508000000"], id="one-id-text"),
        pytest.param("CAMPAIGN", ["CAMPAIGN"], id="one-name"),
        pytest.param([1, "urn:li:sponsoredAccount:2"], [1, "urn:li:sponsoredAccount:2"], id="list"),
        pytest.param(("CAMPAIGN", "CREATIVE"), ["CAMPAIGN", "CREATIVE"], id="tuple"),
        pytest.param(["impressions", " "], ["impressions"], id="blank-items-dropped"),
        pytest.param("[508000000, 508000001]", [508000000, 508000001], id="jinja-rendered-int-list"),
        pytest.param("['CAMPAIGN', 'CREATIVE']", ["CAMPAIGN", "CREATIVE"], id="jinja-rendered-str-list"),
        pytest.param('["impressions", "clicks"]', ["impressions", "clicks"], id="json-list"),
        pytest.param("(1, 2)", [1, 2], id="rendered-tuple"),
        pytest.param("impressions, clicks,", ["impressions", "clicks"], id="comma-separated"),
    ],
)
def test_text_list(value, expected):
    assert text_list(value, argument="accounts") == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(True, id="bool"),
        pytest.param({"a": 1}, id="dict"),
        pytest.param(1.5, id="float"),
        pytest.param("[1, 2", id="broken-list"),
        pytest.param("[__import__('os')]", id="not-a-literal"),
        pytest.param("['a'] + ['b']", id="expression"),
    ],
)
def test_text_list_rejects(value):
    with pytest.raises(ConfigurationError) as info:
        text_list(value, argument="campaigns")
    assert info.value.argument == "campaigns"
    assert "campaigns" in str(info.value)


@pytest.mark.parametrize(
    ("check", "value", "argument"),
    [
        pytest.param(lambda v: check_flag(v, argument="deferrable"), "true", "deferrable", id="flag-string"),
        pytest.param(lambda v: check_flag(v, argument="deferrable"), 1, "deferrable", id="flag-int"),
        pytest.param(lambda v: check_whole(v, argument="max_concurrency", minimum=1), 0, "max_concurrency", id="whole-too-small"),
        pytest.param(lambda v: check_whole(v, argument="max_concurrency", minimum=1), True, "max_concurrency", id="whole-bool"),
        pytest.param(lambda v: check_whole(v, argument="lookback_days", minimum=0), "7", "lookback_days", id="whole-string"),
        pytest.param(lambda v: check_whole(v, argument="lookback_days", minimum=0), -1, "lookback_days", id="whole-negative"),
        pytest.param(lambda v: check_choice(v, ("fail", "warn"), argument="on_truncation"), "ignore", "on_truncation", id="choice"),
        pytest.param(lambda v: check_choice(v, ("fail", "warn"), argument="on_truncation"), None, "on_truncation", id="choice-none"),
        pytest.param(check_output_format, "json-lines", "output_format", id="format"),
        pytest.param(check_time_granularity, "WEEKLY", "time_granularity", id="granularity"),
        pytest.param(check_api_version, "2026-08", "api_version", id="version-dashed"),
        pytest.param(check_api_version, 202608, "api_version", id="version-int"),
        pytest.param(lambda v: optional_text(v, argument="output_path"), 42, "output_path", id="text-int"),
    ],
)  # fmt: skip
def test_checks_name_the_argument(check, value, argument):
    with pytest.raises(ConfigurationError) as info:
        check(value)
    assert info.value.argument == argument
    assert argument in str(info.value)


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        pytest.param(lambda v: check_choice(v, ("fail", "warn"), argument="x"), " Warn ", "WARN", id="choice-normalised"),
        pytest.param(check_output_format, "CSV", "csv", id="format-lower"),
        pytest.param(check_output_format, "parquet", "parquet", id="format-parquet"),
        pytest.param(check_time_granularity, "daily", "DAILY", id="granularity-upper"),
        pytest.param(check_api_version, " 202608 ", "202608", id="version"),
        pytest.param(check_api_version, "202608.01", "202608.01", id="version-revision"),
        pytest.param(check_api_version, None, None, id="version-none"),
        pytest.param(lambda v: optional_text(v, argument="x"), " None ", None, id="rendered-none"),
        pytest.param(lambda v: optional_text(v, argument="x"), " s3://b/k ", "s3://b/k", id="text-stripped"),
    ],
)  # fmt: skip
def test_checks_normalise(check, value, expected):
    assert check(value) == expected


def static(
    finder=Finder.ANALYTICS, pivots="CAMPAIGN", metrics=("impressions",), granularity="DAILY", **kwargs
):
    check_static_request(
        finder=finder,
        pivots=pivots,
        metrics=metrics,
        time_granularity=None if finder is Finder.ATTRIBUTED_REVENUE else granularity,
        allow_unknown_names=kwargs.get("allow_unknown_names", False),
        api_version=kwargs.get("api_version"),
    )


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        pytest.param({"pivots": "CAMPAIGNS"}, "pivots", "unknown_pivot", id="unknown-pivot"),
        pytest.param({"pivots": ["CAMPAIGN", "CREATIVE"]}, "pivots", "pivot_count", id="two-pivots-on-analytics"),
        pytest.param({"finder": Finder.STATISTICS, "pivots": ["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"]}, "pivots", "pivot_count", id="four-pivots"),
        pytest.param({"finder": Finder.STATISTICS, "pivots": ["CAMPAIGN", "CAMPAIGN"]}, "pivots", "duplicate_pivot", id="duplicate-pivot"),
        pytest.param({"finder": Finder.STATISTICS, "pivots": ["CAMPAIGN", "MEMBER_JOB_TITLE"]}, "pivots", "demographic_pivot_on_statistics", id="member-pivot-on-statistics"),
        pytest.param({"finder": Finder.ATTRIBUTED_REVENUE, "pivots": ["CREATIVE"], "metrics": ()}, "pivots", "revenue_pivot", id="creative-on-revenue"),
        pytest.param({"metrics": ["impresions"]}, "metrics", "unknown_metric", id="unknown-metric"),
        pytest.param({"metrics": ["impressions", "impressions"]}, "metrics", "duplicate_metric", id="duplicate-metric"),
        pytest.param({"metrics": []}, "metrics", "no_metrics", id="no-metrics"),
        pytest.param({"pivots": "MEMBER_JOB_TITLE", "metrics": ["costInUsd", "approximateMemberReach"]}, "metrics", "non_demographic_metric", id="reach-with-member-pivot"),
        pytest.param({"pivots": "{{ params.pivot }}", "metrics": ["impresions"]}, "metrics", "unknown_metric", id="templated-pivot-literal-metrics-checked"),
        pytest.param({"pivots": "BOGUS", "metrics": "{{ params.metrics }}"}, "pivots", "unknown_pivot", id="templated-metrics-literal-pivot-checked"),
        pytest.param({"pivots": [1]}, "pivots", "invalid_type", id="pivot-not-a-string"),
    ],
)  # fmt: skip
def test_static_request_rules(kwargs, argument, rule):
    with pytest.raises(ReportValidationError) as info:
        static(**kwargs)
    assert (info.value.argument, info.value.rule) == (argument, rule)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="analytics"),
        pytest.param({"finder": Finder.STATISTICS, "pivots": ["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"]}, id="statistics"),
        pytest.param({"finder": Finder.ATTRIBUTED_REVENUE, "pivots": ["CAMPAIGN"], "metrics": ()}, id="revenue-all-metrics"),
        pytest.param({"pivots": "{{ params.pivot }}", "metrics": "{{ params.metrics }}"}, id="all-templated"),
        pytest.param({"pivots": Deferred(), "metrics": Deferred()}, id="xcom-args"),
        pytest.param({"pivots": "NEW_PIVOT", "metrics": ["newMetric"], "allow_unknown_names": True}, id="escape-hatch"),
        pytest.param({"metrics": ["impressions"], "api_version": "202401"}, id="old-version-basic-metric"),
    ],
)  # fmt: skip
def test_static_request_accepts(kwargs):
    static(**kwargs)
