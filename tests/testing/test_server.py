"""Mechanics of the emulator server: handler errors, request log, counters, reset, faults, isolation."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing import (
    FAULT_KINDS,
    Emulator,
    EmulatorConfig,
    EmulatorServer,
    Request,
    World,
)
from airflow_provider_linkedin_ads.testing.faults import RANDOM_KINDS
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing import ReportQuery

QUERY = (
    "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
    "&dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:3))"
    "&accounts=List(urn%3Ali%3AsponsoredAccount%3A{account})&fields=pivotValues,impressions"
)


class BrokenWorld(World):
    """A world whose report engine has a bug."""

    def answer(self, query: ReportQuery, *, now: dt.datetime) -> list[dict[str, Any]]:
        raise RuntimeError("boom in the world")


# -- handler errors ------------------------------------------------------------------------------------


def test_handler_error_is_answered_500_and_reraised_by_check(
    make_api: Any, accounts: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    server = EmulatorServer(BrokenWorld()).start()
    try:
        with caplog.at_level(logging.ERROR, logger="airflow_provider_linkedin_ads.testing.emulator"):
            reply = make_api(server).analytics(QUERY.format(account=accounts["visible"]))

        assert reply.error[:2] == (500, "EMULATOR_HANDLER_ERROR")
        assert "RuntimeError: boom in the world" in reply.error[2]
        assert server.counters.handler_errors == 1
        assert "emulator handler failed" in caplog.text
        with pytest.raises(RuntimeError, match="boom in the world"):
            server.check()
        server.check()  # raised once, then forgotten
    finally:
        server.stop()


def test_context_manager_exit_reraises_handler_errors(make_api: Any, accounts: dict[str, int]) -> None:
    with pytest.raises(RuntimeError, match="boom"), EmulatorServer(BrokenWorld()) as server:
        make_api(server).analytics(QUERY.format(account=accounts["visible"]))

    assert not server.running


# -- request log, counters, reset ------------------------------------------------------------------------


def test_request_log_records_each_request_with_authorization_redacted(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    query = QUERY.format(account=accounts["visible"])
    plain = api.analytics(query)
    api.tunnel("/rest/adAnalytics", query)

    first, second = server.requests
    assert (first.method, first.path, first.query, first.status) == ("GET", "/rest/adAnalytics", query, 200)
    assert (first.tunnelled, second.tunnelled, first.fault) == (False, True, None)
    assert first.response_size == len(plain.body)
    assert first.headers["authorization"] == "REDACTED"
    assert first.headers["linkedin-version"] == api.version
    assert first.params["pivot"] == "CAMPAIGN"
    assert api.token not in repr(server.requests)


def test_counters(server: EmulatorServer, api: Any, accounts: dict[str, int]) -> None:
    query = QUERY.format(account=accounts["visible"])
    rows = len(api.analytics(query).json["elements"])
    api.tunnel("/rest/adAnalytics", query)
    api.get("/rest/adAccounts", "q=search")
    api.get("/v2/geo/1")
    server.faults.script("503")
    api.analytics(query)

    counters = server.counters
    assert dict(counters.calls) == {"adAnalytics": 3, "adAccounts": 1, "geo": 1}
    assert (counters.tunnelled, counters.metric_values, counters.total_calls) == (1, 2 * 2 * rows, 5)
    assert dict(counters.faults) == {"503": 1}


def test_reset_clears_state_but_keeps_the_world(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    world, start = server.world, server.clock.now()
    api.analytics(QUERY.format(account=accounts["visible"]))
    server.faults.script("500", times=3)
    server.clock.advance(dt.timedelta(days=3))

    server.reset()

    assert server.requests == []
    assert server.counters.total_calls == 0
    assert server.faults.pending == []
    assert server.clock.now() == start
    assert server.world is world
    assert api.analytics(QUERY.format(account=accounts["visible"])).error[:2] == (401, "INVALID_ACCESS_TOKEN")


def test_unknown_paths_explain_what_is_served(api: Any) -> None:
    reply = api.get("/rest/adInsights")

    assert reply.error[:2] == (404, "NOT_FOUND")
    assert "/rest/adAnalytics" in reply.error[2]


def test_keep_alive_connection_serves_several_requests(server: EmulatorServer, api: Any) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        statuses = []
        for _ in range(3):
            connection.request("GET", "/rest/adAccounts?q=search", headers=api.headers())
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()

    assert statuses == [200, 200, 200]


def test_lifecycle_errors() -> None:
    server = EmulatorServer(World(accounts=1, campaigns_per_account=1))
    with pytest.raises(ConfigurationError, match="not running"):
        _ = server.port
    with server:
        with pytest.raises(ConfigurationError, match="already running"):
            server.start()
        assert server.url.startswith("http://127.0.0.1:")
        assert server.token_url == server.url + "/oauth/v2/accessToken"
    assert not server.running


# -- faults ------------------------------------------------------------------------------------------------


def test_reset_fault_closes_the_connection_without_an_answer(server: EmulatorServer, api: Any) -> None:
    server.faults.script("reset")

    with pytest.raises((ConnectionError, http.client.HTTPException)):
        api.get("/rest/adAccounts", "q=search")

    assert (server.requests[-1].status, server.requests[-1].fault) == (None, "reset")
    assert api.get("/rest/adAccounts", "q=search").status == 200


def test_cut_fault_sends_half_the_body(server: EmulatorServer, api: Any, accounts: dict[str, int]) -> None:
    full = api.analytics(QUERY.format(account=accounts["visible"])).body
    server.faults.script("cut")

    with pytest.raises(http.client.IncompleteRead) as caught:
        api.analytics(QUERY.format(account=accounts["visible"]))

    assert caught.value.partial == full[: len(full) // 2]
    assert server.requests[-1].fault == "cut"


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_faults_answer_html(server: EmulatorServer, api: Any, status: int) -> None:
    server.faults.script(str(status))

    reply = api.get("/rest/adAccounts", "q=search")

    assert reply.status == status
    assert reply.headers["Content-Type"] == "text/html"
    assert reply.body.startswith(b"<html>")


def test_scripted_faults_match_paths_and_count_down(
    server: EmulatorServer, api: Any, accounts: dict[str, int]
) -> None:
    server.faults.script("503", times=2, path_contains="adAccounts")
    server.faults.script("500")

    statuses = [
        api.analytics(QUERY.format(account=accounts["visible"])).status,
        api.get("/rest/adAccounts", "q=search").status,
        api.get("/rest/adAccounts", "q=search").status,
        api.get("/rest/adAccounts", "q=search").status,
    ]

    assert statuses == [500, 503, 503, 200]
    assert server.faults.pending == []


def test_default_scripts_spare_the_oauth_endpoints(server: EmulatorServer, api: Any) -> None:
    server.faults.script("500")
    body = b"grant_type=refresh_token&refresh_token=emulator-refresh-token&client_id=emulator-client&client_secret=emulator-secret"

    token = api.post("/oauth/v2/accessToken", body, Content_Type="application/x-www-form-urlencoded")
    call = api.get("/rest/adAccounts", "q=search")

    assert (token.status, call.status) == (200, 500)


def test_latency_fault_sleeps_through_the_injected_sleep() -> None:
    slept: list[float] = []
    emulator = Emulator(
        World(accounts=1, campaigns_per_account=1), config=EmulatorConfig(latency_ms=40), sleep=slept.append
    )
    emulator.faults.script("latency")

    first = emulator.handle(Request("GET", "/rest/adAccounts", "q=search"))
    second = emulator.handle(Request("GET", "/rest/adAccounts", "q=search"))

    assert slept == [0.04, 0.04, 0.04]
    assert (first.fault, second.fault) == ("latency", None)
    assert first.status == second.status == 401


def fault_sequence(seed: int, rate: float) -> list[str | None]:
    emulator = Emulator(
        World(accounts=1, campaigns_per_account=1), config=EmulatorConfig(fault_rate=rate, fault_seed=seed)
    )
    return [emulator.handle(Request("GET", "/rest/adAccounts", "q=search")).fault for _ in range(60)]


def test_random_faults_are_reproducible_from_the_seed() -> None:
    first, again, other = fault_sequence(3, 0.5), fault_sequence(3, 0.5), fault_sequence(4, 0.5)

    assert first == again != other
    assert 10 < sum(kind is not None for kind in first) < 50
    assert {kind for kind in first if kind} <= set(RANDOM_KINDS) < set(FAULT_KINDS)
    assert fault_sequence(3, 0.0) == [None] * 60


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        pytest.param(lambda plan: plan.script("teapot"), "kind", id="unknown-kind"),
        pytest.param(lambda plan: plan.script("500", times=0), "times", id="zero-times"),
        pytest.param(lambda plan: plan.configure(rate=1.5, seed=0), "fault_rate", id="rate-above-one"),
    ],
)
def test_fault_plan_rejects_bad_settings(server: EmulatorServer, call: Any, argument: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        call(server.faults)

    assert caught.value.argument == argument


# -- standard library only ---------------------------------------------------------------------------------


def test_testing_package_imports_and_serves_without_requests_tenacity_or_airflow() -> None:
    code = textwrap.dedent(
        """
        import sys
        for name in ("requests", "tenacity", "airflow"):
            sys.modules[name] = None
        import importlib, pkgutil, urllib.request
        import airflow_provider_linkedin_ads.testing as testing
        for module in pkgutil.iter_modules(testing.__path__):
            importlib.import_module(f"airflow_provider_linkedin_ads.testing.{module.name}")
        from airflow_provider_linkedin_ads.testing import EmulatorServer, World
        with EmulatorServer(World(accounts=1, campaigns_per_account=2)) as server:
            request = urllib.request.Request(
                server.api_base_url + "/adAccounts?q=search",
                headers={"Authorization": "Bearer " + server.issue_access_token(),
                         "LinkedIn-Version": "202608", "X-Restli-Protocol-Version": "2.0.0"},
            )
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            print(opener.open(request, timeout=30).status)
        """
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200"


def test_plugin_connection_points_at_the_emulator(server: EmulatorServer) -> None:
    connection = json.loads(connection_json(server))

    assert connection == {
        "conn_type": "linkedin_ads",
        "login": "emulator-client",
        "password": "emulator-secret",
        "extra": {
            "refresh_token": "emulator-refresh-token",
            "api_version": "202608",
            "api_base_url": server.url + "/rest",
            "oauth_url": server.url + "/oauth/v2/accessToken",
        },
    }
