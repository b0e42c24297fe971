"""Bad inputs of the three report operators and the entities operator: literal arguments (checked
when the DAG is parsed) and templated ones (checked in ``execute`` once rendered, before any call)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tests.reliability.bad_inputs import BadInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.reliability.bad_inputs import Probe

__all__ = ["OPERATOR_CASES"]

_BASES: dict[str, dict[str, Any]] = {
    "analytics": {"pivot": "CAMPAIGN", "metrics": ["impressions", "clicks"], "accounts": [1]},
    "statistics": {"pivots": ["CAMPAIGN"], "metrics": ["impressions"], "accounts": [1]},
    "revenue": {"account": 1, "pivots": ["CAMPAIGN"]},
    "entities": {"entity_type": "campaigns", "output_path": "file:///tmp/linkedin_ads/campaigns.jsonl"},
}
_CLASSES = {
    "analytics": "LinkedInAdsAnalyticsOperator",
    "statistics": "LinkedInAdsStatisticsOperator",
    "revenue": "LinkedInAdsAttributedRevenueOperator",
    "entities": "LinkedInAdsEntitiesOperator",
}
_TEMPLATES: dict[str, dict[str, str]] = {
    "analytics": {"pivot": "{{ params.pivot }}", "accounts": "{{ params.accounts }}"},
    "statistics": {"pivots": "{{ params.pivots }}", "accounts": "{{ params.accounts }}"},
    "revenue": {"pivots": "{{ params.pivots }}", "account": "{{ params.accounts }}"},
    "entities": {
        "entity_type": "campaigns",
        "accounts": "{{ params.accounts }}",
        "modified_since": "{{ params.since }}",
        "output_path": "{{ params.path }}",
        "linkedin_ads_conn_id": "{{ params.conn }}",
    },
}
_COMMON_TEMPLATES = {
    "metrics": "{{ params.metrics }}",
    "date_range_start": "{{ params.start }}",
    "date_range_end": "{{ params.end }}",
    "output_path": "{{ params.path }}",
    "linkedin_ads_conn_id": "{{ params.conn }}",
}


def _operator_class(kind: str) -> Any:
    from airflow_provider_linkedin_ads.operators import ad_analytics, entities

    return getattr(entities if kind == "entities" else ad_analytics, _CLASSES[kind])


def _construct(kind: str, overrides: dict[str, Any]) -> Callable[[Probe], object]:
    def action(probe: Probe) -> object:
        return _operator_class(kind)(task_id="bad", **{**_BASES[kind], **overrides})

    return action


def parse(kind: str, name: str, argument: str, **overrides: Any) -> BadInput:
    """A literal argument the operator's constructor (DAG parsing) must refuse."""
    return BadInput("operator", f"{kind}-{name}", _construct(kind, overrides), argument)


def _default_params(kind: str, probe: Probe) -> dict[str, Any]:
    revenue = kind == "revenue"
    return {
        "pivot": "CAMPAIGN",
        "pivots": "CAMPAIGN",
        "metrics": "" if revenue else "impressions,clicks",
        "accounts": probe.account,
        "start": "2026-10-01" if revenue else "2026-11-01",
        "end": "2026-11-20" if revenue else "2026-11-03",
        "path": str(probe.out / "report.jsonl"),
        "conn": "linkedin_ads_default",
        "since": "2026-11-01",
    }


def run(
    kind: str,
    name: str,
    argument: str,
    params: dict[str, Any] | Callable[[Probe], dict[str, Any]] | None = None,
    *,
    reaches_api: bool = False,
    **arguments: Any,
) -> BadInput:
    """Templated arguments rendered from ``params`` (over good defaults), then ``execute``."""

    def action(probe: Probe) -> object:
        values = _default_params(kind, probe)
        values.update(params(probe) if callable(params) else params or {})
        common = {} if kind == "entities" else _COMMON_TEMPLATES  # a table has no days or metrics
        operator = _operator_class(kind)(task_id="bad", **{**_TEMPLATES[kind], **common, **arguments})
        context = probe.context(**values)
        operator.render_template_fields(context)
        return operator.execute(context)

    return BadInput("operator-execute", f"{kind}-{name}", action, argument, reaches_api=reaches_api)


_LONG = "X" * 10_000
_THREE_YEARS_AGO = (dt.date(2026, 11, 28) - dt.timedelta(days=3 * 365)).isoformat()

OPERATOR_CASES: list[BadInput] = [
    # ── pivots ──
    parse("analytics", "pivot-unknown", "pivot", pivot="CAMPAIGNS"),
    parse("analytics", "pivot-misspelt-member", "pivot", pivot="MEMBER_JOBTITLE"),
    parse("analytics", "pivot-empty", "pivot", pivot=""),
    parse("analytics", "pivot-none", "pivot", pivot=None),
    parse("analytics", "pivot-two-list", "pivot", pivot=["CAMPAIGN", "CREATIVE"]),
    parse("analytics", "pivot-two-comma", "pivot", pivot="CAMPAIGN,CREATIVE"),
    parse("analytics", "pivot-paren", "pivot", pivot="CAMPAIGN)"),
    parse("analytics", "pivot-ampersand", "pivot", pivot="CAMPAIGN&pivot=CREATIVE"),
    parse("analytics", "pivot-newline", "pivot", pivot="CAMPAIGN\nCREATIVE"),
    parse("analytics", "pivot-long", "pivot", pivot=_LONG),
    parse("analytics", "pivot-non-ascii", "pivot", pivot="CAMPAÑA"),
    parse("analytics", "pivot-int", "pivot", pivot=42),
    parse("analytics", "pivot-gated", "pivot", pivot="MEMBER_DESIGNATED_MARKET_AREA", api_version="202601"),
    parse("analytics", "pivot-unknown-grammar", "pivot", pivot="CAMPAIGN&x=1", allow_unknown_names=True),
    parse("analytics", "pivot-unknown-lower", "pivot", pivot="campaign group", allow_unknown_names=True),
    parse("statistics", "pivots-four", "pivots", pivots=["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"]),
    parse("statistics", "pivots-none", "pivots", pivots=[]),
    parse("statistics", "pivots-duplicate", "pivots", pivots=["CAMPAIGN", "CAMPAIGN"]),
    parse("statistics", "pivots-member", "pivots", pivots=["MEMBER_JOB_TITLE"]),
    parse("statistics", "pivots-member-mixed", "pivots", pivots=["CAMPAIGN", "MEMBER_COUNTRY_V2"]),
    parse("statistics", "pivots-list-text", "pivots", pivots="[CAMPAIGN, CREATIVE"),
    parse("revenue", "pivots-creative", "pivots", pivots=["CREATIVE"]),
    parse("revenue", "pivots-member", "pivots", pivots=["MEMBER_JOB_TITLE"]),
    parse("revenue", "pivots-four", "pivots", pivots=["ACCOUNT", "CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE"]),
    # ── metrics ──
    parse("analytics", "metric-misspelt", "metrics", metrics=["impresions"]),
    parse("analytics", "metric-duplicate", "metrics", metrics=["clicks", "clicks"]),
    parse("analytics", "metric-none", "metrics", metrics=[]),
    parse("analytics", "metric-legacy", "metrics", metrics=["approximateUniqueImpressions"]),
    parse("analytics", "metric-misnomer", "metrics", metrics=["conversions"]),
    parse("analytics", "metric-revenue", "metrics", metrics=["revenueWonInUsd"]),
    parse("analytics", "metric-paren", "metrics", metrics=["clicks)"]),
    parse("analytics", "metric-ampersand", "metrics", metrics=["clicks&fields=x"]),
    parse("analytics", "metric-equals", "metrics", metrics=["clicks=1"]),
    parse("analytics", "metric-percent", "metrics", metrics=["clicks%2C"]),
    parse("analytics", "metric-long", "metrics", metrics=["m" * 5_000]),
    parse("analytics", "metric-non-ascii", "metrics", metrics=["点击"]),
    parse("analytics", "metric-int", "metrics", metrics=["impressions", 7]),
    parse("analytics", "metric-gated", "metrics", metrics=["averageDwellTime"], api_version="202410"),
    parse("analytics", "metric-unknown-grammar", "metrics", metrics=["clicks&x"], allow_unknown_names=True),
    parse("analytics", "metric-unknown-comma", "metrics", metrics=["a,b"], allow_unknown_names=True),
    parse("analytics", "metric-unknown-empty-sub", "metrics", metrics=["x:()"], allow_unknown_names=True),
    parse(
        "statistics", "metric-entity-pivot", "metrics", pivots=["CREATIVE"], metrics=["audiencePenetration"]
    ),
    parse("revenue", "metric-not-revenue", "metrics", metrics=["impressions"]),
    parse("revenue", "metric-paren", "metrics", metrics=["revenueWonInUsd)"]),
    # ── demographic-only and device rules ──
    parse(
        "analytics", "demographic-card-clicks", "metrics", pivot="MEMBER_JOB_TITLE", metrics=["cardClicks"]
    ),
    parse(
        "analytics",
        "demographic-reach",
        "metrics",
        pivot="MEMBER_SENIORITY",
        metrics=["approximateMemberReach"],
    ),
    parse(
        "analytics",
        "demographic-conversion-value",
        "metrics",
        pivot="MEMBER_COUNTRY_V2",
        metrics=["conversionValueInLocalCurrency"],
    ),
    parse(
        "statistics",
        "device-reach",
        "metrics",
        pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        metrics=["approximateMemberReach"],
    ),
    parse(
        "statistics",
        "device-conversions",
        "metrics",
        pivots=["IMPRESSION_DEVICE_TYPE"],
        metrics=["externalWebsiteConversions"],
    ),
    # ── other literal arguments ──
    parse("analytics", "granularity-hourly", "time_granularity", time_granularity="HOURLY"),
    parse("analytics", "granularity-empty", "time_granularity", time_granularity=""),
    parse("analytics", "granularity-none", "time_granularity", time_granularity=None),
    parse("analytics", "granularity-grammar", "time_granularity", time_granularity="DAILY&x=1"),
    parse("analytics", "format-xlsx", "output_format", output_format="xlsx"),
    parse("analytics", "format-empty", "output_format", output_format=""),
    parse("analytics", "format-none", "output_format", output_format=None),
    parse("statistics", "format-json", "output_format", output_format="json"),
    parse("analytics", "concurrency-zero", "max_concurrency", max_concurrency=0),
    parse("analytics", "concurrency-negative", "max_concurrency", max_concurrency=-3),
    parse("analytics", "concurrency-text", "max_concurrency", max_concurrency="4"),
    parse("analytics", "concurrency-bool", "max_concurrency", max_concurrency=True),
    parse("analytics", "concurrency-float", "max_concurrency", max_concurrency=2.5),
    parse("analytics", "truncation-ignore", "on_truncation", on_truncation="ignore"),
    parse("analytics", "truncation-none", "on_truncation", on_truncation=None),
    parse("analytics", "version-dashes", "api_version", api_version="2026-08"),
    parse("analytics", "version-latest", "api_version", api_version="latest"),
    parse("analytics", "version-int", "api_version", api_version=202608),
    parse("analytics", "version-prefixed", "api_version", api_version="v202608"),
    parse("revenue", "version-month-13", "api_version", api_version="202613"),
    parse("analytics", "lookback-negative", "lookback_days", lookback_days=-1),
    parse("analytics", "lookback-text", "lookback_days", lookback_days="7"),
    parse("analytics", "lookback-float", "lookback_days", lookback_days=1.5),
    parse("analytics", "resolve-names-text", "resolve_names", resolve_names="yes"),
    parse("analytics", "allow-unknown-int", "allow_unknown_names", allow_unknown_names=1),
    parse("statistics", "deferrable-text", "deferrable", deferrable="false"),
    # ── the entities operator (dimension tables) ──
    parse("entities", "type-unknown", "entity_type", entity_type="ads"),
    parse("entities", "type-singular", "entity_type", entity_type="campaign"),
    parse("entities", "type-none", "entity_type", entity_type=None),
    parse("entities", "account-text", "accounts", accounts=["acme"]),
    parse("entities", "account-wrong-type", "accounts", accounts=["urn:li:sponsoredCampaign:1"]),
    parse("entities", "account-zero", "accounts", accounts=[0]),
    parse("entities", "since-future", "modified_since", modified_since="2999-01-01"),
    parse("entities", "since-words", "modified_since", modified_since="last week"),
    parse("entities", "since-number", "modified_since", modified_since=1_700_000_000),
    parse("entities", "path-none", "output_path", output_path=None),
    parse("entities", "format-xlsx", "output_format", output_format="xlsx"),
    parse("entities", "page-size-zero", "page_size", page_size=0),
    parse("entities", "page-size-huge", "page_size", page_size=100_000),
    run("entities", "account-text", "accounts", {"accounts": "abc"}),
    run("entities", "account-wrong-type", "accounts", {"accounts": "urn:li:sponsoredCampaign:1"}),
    run("entities", "since-future", "modified_since", {"since": "2026-12-31T00:00:00Z"}),
    run("entities", "since-malformed", "modified_since", {"since": "2026-13-01"}),
    run("entities", "path-relative", "output_path", {"path": "relative/campaigns.jsonl"}),
    run("entities", "path-unknown-scheme", "output_path", {"path": "nosuch://bucket/campaigns.jsonl"}),
    # ── templated arguments, rendered at run time ──
    run("analytics", "pivot-unknown", "pivot", {"pivot": "CAMPAIGNS"}),
    run("analytics", "pivot-empty", "pivot", {"pivot": ""}),
    run("analytics", "pivot-grammar", "pivot", {"pivot": "CAMPAIGN)"}),
    run("analytics", "pivot-long", "pivot", {"pivot": _LONG}),
    run(
        "analytics",
        "demographic-card-clicks",
        "metrics",
        {"pivot": "MEMBER_JOB_TITLE", "metrics": "cardClicks"},
    ),
    run("statistics", "pivots-four", "pivots", {"pivots": "CAMPAIGN, CREATIVE, ACCOUNT, COMPANY"}),
    run("statistics", "pivots-member", "pivots", {"pivots": "['MEMBER_JOB_TITLE']"}),
    run("statistics", "pivots-broken-list", "pivots", {"pivots": "['CAMPAIGN', "}),
    run("analytics", "metric-misspelt", "metrics", {"metrics": "impresions"}),
    run("analytics", "metric-none", "metrics", {"metrics": "[]"}),
    run("analytics", "metric-duplicate", "metrics", {"metrics": "['clicks', 'clicks']"}),
    run("analytics", "metric-grammar", "metrics", {"metrics": "clicks)"}),
    run("analytics", "account-text", "accounts", {"accounts": "abc"}),
    run("analytics", "account-wrong-type", "accounts", {"accounts": "urn:li:sponsoredCampaign:1"}),
    run("analytics", "account-paren", "accounts", {"accounts": "urn:li:sponsoredAccount:1)"}),
    run("analytics", "account-quote", "accounts", {"accounts": "urn:li:sponsoredAccount:1'"}),
    run("analytics", "account-list-syntax", "accounts", {"accounts": "List(1)"}),
    run("analytics", "account-ampersand", "accounts", {"accounts": "1&2"}),
    run("analytics", "account-equals", "accounts", {"accounts": "1=2"}),
    run("analytics", "account-percent", "accounts", {"accounts": "%41"}),
    run("analytics", "account-newline", "accounts", {"accounts": "1\n2"}),
    run("analytics", "account-negative", "accounts", {"accounts": "-5"}),
    run("analytics", "account-too-long", "accounts", {"accounts": "9" * 25}),
    run("analytics", "account-arabic-digits", "accounts", {"accounts": "١٢٣"}),
    run("analytics", "account-no-id", "accounts", {"accounts": "urn:li:sponsoredAccount:"}),
    run("analytics", "account-mixed-list", "accounts", {"accounts": "[1, 'x']"}),
    run("analytics", "account-huge-list", "accounts", {"accounts": ",".join(["1"] * 5_000 + ["x"])}),
    run(
        "analytics",
        "campaign-colon",
        "campaigns",
        {"campaigns": "urn:li:sponsoredCampaign:1:2"},
        campaigns="{{ params.campaigns }}",
    ),
    run("analytics", "account-missing", "accounts", {"accounts": 999_999_999}, reaches_api=True),
    run("revenue", "accounts-two", "account", {"accounts": "1,2"}),
    run("revenue", "account-text", "account", {"accounts": "acme"}),
    run("analytics", "start-malformed", "date_range_start", {"start": "2026-13-01"}),
    run("analytics", "start-words", "date_range_start", {"start": "yesterday"}),
    run("analytics", "start-slashes", "date_range_start", {"start": "2026/11/01"}),
    run("analytics", "end-malformed", "date_range_end", {"end": "2026-11-31"}),
    run("analytics", "dates-reversed", "date_range_end", {"start": "2026-11-20", "end": "2026-11-10"}),
    run("analytics", "dates-beyond-retention", "date_range", {"start": "2015-01-01", "end": "2015-01-31"}),
    run(
        "analytics",
        "demographic-beyond-retention",
        "date_range",
        {"pivot": "MEMBER_SENIORITY", "start": _THREE_YEARS_AGO, "end": "2026-01-31"},
    ),
    run(
        "analytics",
        "reach-range-too-long",
        "date_range",
        {"metrics": "approximateMemberReach", "start": "2026-06-01"},
    ),
    run("revenue", "range-too-short", "date_range", {"start": "2026-11-10", "end": "2026-11-20"}),
    run("revenue", "range-too-old", "date_range", {"start": "2025-06-01", "end": "2025-07-31"}),
    run("analytics", "path-relative", "output_path", {"path": "relative/report.jsonl"}),
    run("analytics", "path-directory", "output_path", lambda probe: {"path": f"{probe.out}/"}),
    run("analytics", "path-unknown-scheme", "output_path", {"path": "nosuch://bucket/report.jsonl"}),
    run("analytics", "path-missing-filesystem", "output_path", {"path": "s3://bucket/report.jsonl"}),
    run("analytics", "path-nul", "output_path", lambda probe: {"path": f"{probe.out}/re\x00port.jsonl"}),
    run("analytics", "version-month-13", "api_version", api_version="202613"),
    run(
        "analytics",
        "conn-bad-extra",
        "extra",
        lambda probe: {"conn": probe.bad_connection(extra="{not json")},
    ),
]
