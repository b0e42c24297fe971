"""Bad inputs of the sensor, the hook (its methods and its configuration) and the connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.models import DateRange
from tests.reliability.bad_inputs import BadInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.reliability.bad_inputs import Probe

__all__ = ["ACCESS_CASES"]

OCTOBER = DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 3))
_SENSOR_BASE: dict[str, Any] = {
    "pivots": ["CAMPAIGN"],
    "metrics": ["impressions"],
    "date_range_start": "2026-11-01",
    "date_range_end": "2026-11-03",
    "deferrable": True,
}


def _sensor(**arguments: Any) -> Any:
    from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

    return LinkedInAdsMetricsMaturitySensor(task_id="bad", **{**_SENSOR_BASE, **arguments})


def sensor_parse(name: str, argument: str, **arguments: Any) -> BadInput:
    """A literal sensor argument refused by its constructor."""
    return BadInput("sensor", f"parse-{name}", lambda probe: _sensor(**arguments), argument)


def sensor_run(name: str, argument: str, **arguments: Any) -> BadInput:
    """A rendered sensor argument refused by ``execute`` (deferrable: before deferring)."""

    def action(probe: Probe) -> object:
        sensor = _sensor(**arguments)
        context = probe.context()
        sensor.render_template_fields(context)
        return sensor.execute(context)

    return BadInput("sensor", f"run-{name}", action, argument)


def sensor_poke(name: str, argument: str, extra: object) -> BadInput:
    """A bad connection met by ``poke`` when it confirms totals with the API after maturity."""

    def action(probe: Probe) -> object:
        from airflow_provider_linkedin_ads.sensors import ad_analytics as sensor_module

        probe.monkeypatch.setattr(sensor_module, "utcnow", lambda: dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
        sensor = _sensor(
            deferrable=False,
            confirm_with_api=True,
            accounts=[probe.account],
            linkedin_ads_conn_id=probe.bad_connection(extra=extra),
        )
        return sensor.poke(probe.context())

    return BadInput("sensor", f"poke-{name}", action, argument)


def _hook(**arguments: Any) -> Any:
    from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook

    return LinkedInAdsHook(**arguments)


def hook_call(
    name: str,
    argument: str,
    method: str = "analytics",
    *,
    reaches_api: bool = False,
    **arguments: Any,
) -> BadInput:
    """One hook method call; ``accounts`` defaults to the emulator's visible account."""

    def action(probe: Probe) -> object:
        from airflow_provider_linkedin_ads.client.config import RetryPolicy

        values = dict(arguments)
        if method in ("analytics", "statistics"):
            values.setdefault("time_granularity", "DAILY")
            values.setdefault("date_range", OCTOBER)
            values.setdefault("accounts", [probe.account])
            values.setdefault("pivot" if method == "analytics" else "pivots", "CAMPAIGN")
        elif method == "attributed_revenue":
            values.setdefault("pivots", ["CAMPAIGN"])
            values.setdefault("date_range", DateRange(dt.date(2026, 10, 1), dt.date(2026, 11, 20)))
            values.setdefault("account", probe.account)
        hook = _hook(retry_policy=RetryPolicy(max_attempts=1))
        try:
            target: Callable[..., object] = getattr(hook, method)
            return target(**values) if values else target()
        finally:
            hook.close()

    return BadInput("hook", f"{method}-{name}", action, argument, reaches_api=reaches_api)


def hook_get(name: str, argument: str, *args: Any) -> BadInput:
    """A positional-argument hook method (``get``, ``list_campaigns`` ...)."""
    method, *rest = args

    def action(probe: Probe) -> object:
        return getattr(_hook(), method)(*rest)

    return BadInput("hook", f"{method}-{name}", action, argument)


def hook_config(name: str, argument: str, **arguments: Any) -> BadInput:
    """A hook built with a bad override; reading its configuration must refuse it."""
    return BadInput("hook-config", name, lambda probe: _hook(**arguments).client_config, argument)


def retry_policy(name: str, argument: str, **arguments: Any) -> BadInput:
    """A bad client retry policy (``api_retry_policy`` of the operators, ``retry_policy`` of the hook)."""

    def action(probe: Probe) -> object:
        from airflow_provider_linkedin_ads.client.config import RetryPolicy

        return RetryPolicy(**arguments)

    return BadInput("hook-config", f"retry-{name}", action, argument)


def connection(
    name: str, argument: str, *, extra: object = None, mentions: str = "", **fields: Any
) -> BadInput:
    """A connection with bad extras or fields; the hook's configuration must refuse it.

    :param extra: the stored extra; a callable gets the probe (see :func:`_merged`); ``None``: the
        extras of a working connection.
    """

    def action(probe: Probe) -> object:
        stored = extra(probe) if callable(extra) else probe.good_extra() if extra is None else extra
        return _hook(linkedin_ads_conn_id=probe.bad_connection(extra=stored, **fields)).client_config

    return BadInput("connection", name, action, argument, mentions=mentions)


def _merged(**changes: Any) -> Callable[[Probe], dict[str, Any]]:
    """The extras of a working connection with ``changes`` (``None`` removes a key)."""
    return lambda probe: probe.good_extra(**changes)


ACCESS_CASES: list[BadInput] = [
    # ── sensor ──
    sensor_parse("lookback-negative", "lookback_days", lookback_days=-1),
    sensor_parse("lookback-text", "lookback_days", lookback_days="3"),
    sensor_parse("lookback-bool", "lookback_days", lookback_days=True),
    sensor_parse("extra-delay-text", "extra_delay", extra_delay="1h"),
    sensor_parse("extra-delay-negative", "extra_delay", extra_delay=-5),
    sensor_parse("extra-delay-bool", "extra_delay", extra_delay=True),
    sensor_parse("settle-margin-text", "settle_margin", settle_margin="x"),
    sensor_parse("settle-margin-negative", "settle_margin", settle_margin=dt.timedelta(seconds=-1)),
    sensor_parse("confirm-text", "confirm_with_api", confirm_with_api="yes"),
    sensor_parse("deferrable-text", "deferrable", deferrable="no"),
    sensor_run("pivot-unknown", "pivots", pivots="CAMPAIGNS"),
    sensor_run("pivots-four", "pivots", pivots=["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"]),
    sensor_run("pivots-none", "pivots", pivots=[]),
    sensor_run("pivot-int", "pivots", pivots=[42]),
    sensor_run("pivot-grammar", "pivots", pivots="MEMBER_JOB_TITLE)"),
    sensor_run("metric-misspelt", "metrics", metrics="impresions"),
    sensor_run("metrics-none", "metrics", metrics=[]),
    sensor_run("metric-int", "metrics", metrics=[3]),
    sensor_run("start-malformed", "date_range_start", date_range_start="2026-02-30"),
    sensor_run("start-words", "date_range_start", date_range_start="tomorrow"),
    sensor_run(
        "dates-reversed", "date_range_end", date_range_start="2026-11-20", date_range_end="2026-11-10"
    ),
    sensor_run("account-text", "accounts", accounts="abc"),
    sensor_run("account-wrong-type", "accounts", accounts="urn:li:sponsoredCampaign:1"),
    sensor_run("campaign-paren", "campaigns", campaigns=["1)"]),
    sensor_run("company-text-id", "companies", companies=["urn:li:organization:x"]),
    sensor_run("creative-ampersand", "creatives", creatives=["1&2"]),
    sensor_run("share-percent", "shares", shares=["%"]),
    sensor_run("group-newline", "campaign_groups", campaign_groups=["1\n2"]),
    sensor_run("confirm-without-facet", "accounts", confirm_with_api=True),
    sensor_poke("conn-extra-not-json", "extra", "{not json"),
    sensor_poke("conn-http-url", "api_base_url", {"api_base_url": "http://api.linkedin.com/rest"}),
    # ── hook methods: refused before any call ──
    hook_call("pivot-none", "pivot", pivot=None),
    hook_call("pivot-int", "pivot", pivot=5),
    hook_call("pivot-blank", "pivot", pivot="  "),
    hook_call("granularity-int", "time_granularity", time_granularity=3),
    hook_call("dates-tuple", "date_range", date_range=("2026-10-01", "2026-10-03")),
    hook_call("dates-text", "date_range", date_range="2026-10"),
    hook_call("account-wrong-type", "accounts", accounts="urn:li:sponsoredCampaign:1"),
    hook_call("account-paren", "accounts", accounts=["1)"]),
    hook_call("account-float", "accounts", accounts=[1.5]),
    hook_call("account-mapping", "accounts", accounts={"id": 1}),
    hook_call("account-percent", "accounts", accounts=["%41"]),
    hook_call("account-ampersand", "accounts", accounts=["1&2"]),
    hook_call("account-empty-text", "accounts", accounts=[""]),
    hook_call("account-bool", "accounts", accounts=[True]),
    hook_call("account-long", "accounts", accounts=["7" * 100_000]),
    hook_call("campaign-text-id", "campaigns", campaigns=["urn:li:sponsoredCampaign:x"]),
    hook_call("creative-negative", "creatives", creatives=["urn:li:sponsoredCreative:-1"]),
    hook_call("company-wrong-type", "companies", companies=["urn:li:company:1"]),
    hook_call("share-non-ascii", "shares", shares=["urn:li:share:٣"]),
    hook_call("fields-string", "fields", fields="impressions"),
    hook_call("fields-empty", "fields", fields=[]),
    hook_call("fields-grammar", "fields", fields=["clicks)"]),
    hook_call("fields-duplicate", "fields", fields=["clicks", "clicks"]),
    hook_call("fields-ampersand", "fields", fields=["clicks&q=x"]),
    hook_call("pivots-empty", "pivots", "statistics", pivots=[]),
    hook_call("pivots-int", "pivots", "statistics", pivots=[1]),
    hook_call("pivots-none", "pivots", "statistics", pivots=None),
    hook_call("account-list", "account", "attributed_revenue", account=[1, 2]),
    hook_call("account-none", "account", "attributed_revenue", account=None),
    hook_call("account-text", "account", "attributed_revenue", account="acme"),
    hook_get("account-text", "account", "list_campaigns", "abc"),
    hook_get("account-wrong-type", "account", "list_creatives", "urn:li:sponsoredCampaign:1"),
    hook_get("account-grammar", "account", "list_campaign_groups", "urn:li:sponsoredAccount:1,2"),
    hook_get("resource-query", "resource", "get", "adAnalytics?q=analytics"),
    hook_get("resource-empty", "resource", "get", ""),
    hook_get("resource-fragment", "resource", "get", "adAccounts#x"),
    # ── hook methods: well-formed, refused by LinkedIn ──
    hook_call("pivot-unknown", "pivot", reaches_api=True, pivot="CAMPAIGNS"),
    hook_call("pivot-grammar", "pivot", reaches_api=True, pivot="CAMPAIGN&x=1"),
    hook_call("granularity-hourly", "timeGranularity", reaches_api=True, time_granularity="HOURLY"),
    hook_call("field-misspelt", "fields", reaches_api=True, fields=["impresions"]),
    hook_call(
        "dates-beyond-retention",
        "dateRange",
        reaches_api=True,
        date_range=DateRange(dt.date(2014, 1, 1), dt.date(2014, 1, 2)),
    ),
    hook_call("account-missing", "accounts", reaches_api=True, accounts=[123_456_789]),
    hook_call("no-facet", "accounts", reaches_api=True, accounts=()),
    hook_call(
        "pivots-four",
        "pivots",
        "statistics",
        reaches_api=True,
        pivots=["CAMPAIGN", "CREATIVE", "ACCOUNT", "COMPANY"],
    ),
    hook_call("pivots-member", "pivots", "statistics", reaches_api=True, pivots=["MEMBER_JOB_TITLE"]),
    hook_call("range-too-short", "dateRange", "attributed_revenue", reaches_api=True, date_range=OCTOBER),
    # ── hook configuration ──
    hook_config("version-dashes", "api_version", api_version="2026-08"),
    hook_config("version-latest", "api_version", api_version="latest"),
    hook_config("version-empty", "api_version", api_version=""),
    hook_config("version-month-13", "api_version", api_version="202613"),
    hook_config("base-url-http", "api_base_url", api_base_url="http://api.linkedin.com/rest"),
    hook_config("base-url-private-http", "api_base_url", api_base_url="http://10.1.2.3/rest"),
    hook_config("base-url-ftp", "api_base_url", api_base_url="ftp://api.linkedin.com/rest"),
    hook_config("base-url-no-host", "api_base_url", api_base_url="https://"),
    hook_config("base-url-no-scheme", "api_base_url", api_base_url="api.linkedin.com/rest"),
    hook_config("token-url-http", "token_url", token_url="http://www.linkedin.com/oauth/v2/accessToken"),
    hook_config("token-url-file", "token_url", token_url="file:///etc/passwd"),
    retry_policy("zero-attempts", "max_attempts", max_attempts=0),
    retry_policy("negative-wait", "initial_wait", initial_wait=-1.0),
    retry_policy("negative-refresh-wait", "after_refresh_wait", after_refresh_wait=-5.0),
    retry_policy("negative-total-wait", "max_total_wait", max_total_wait=-1.0),
    # ── connection: extras and fields ──
    connection("extra-not-json", "extra", extra="{not json"),
    connection("extra-list", "extra", extra="[1, 2]"),
    connection("extra-string", "extra", extra='"refresh_token"'),
    connection("refresh-token-int", "refresh_token", extra=_merged(refresh_token=123)),
    connection("access-token-list", "access_token", extra={"access_token": ["access-token-in-a-list"]}),
    connection("legacy-refresh-token-int", "refresh_token", extra={"extra__linkedin_ads__refresh_token": 7}),
    connection("version-int", "api_version", extra=_merged(api_version=202608)),
    connection("version-dashes", "api_version", extra=_merged(api_version="2026-08")),
    connection("base-url-http", "api_base_url", extra=_merged(api_base_url="http://api.linkedin.com/rest")),
    connection("base-url-no-host", "api_base_url", extra=_merged(api_base_url="https://")),
    connection("base-url-int", "api_base_url", extra=_merged(api_base_url=5)),
    connection(
        "oauth-url-private-http", "oauth_url", extra=_merged(oauth_url="http://10.0.0.1/oauth/v2/accessToken")
    ),
    connection("no-credentials", "access_token", extra={}, login=None, password=None),
    connection("no-login", "access_token", mentions="login (client id) is missing", login=None),
    connection("blank-login", "access_token", mentions="login (client id) is missing", login="   "),
    connection("no-password", "access_token", mentions="password (client secret) is missing", password=None),
    connection(
        "no-refresh-token",
        "access_token",
        mentions="refresh_token is missing",
        extra=_merged(refresh_token=None),
    ),
    connection(
        "blank-access-token-only", "access_token", extra={"access_token": "  "}, login=None, password=None
    ),
]
