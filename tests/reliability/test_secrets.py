"""No secret leaks: canary credentials run through every path and are searched for everywhere.

The connection carries a distinctive client secret, refresh token and access token (expired, so
every path also refreshes it and uses tokens minted mid-run, which count as secrets too). After real
DAG runs of the operators, the sensor (deferred, its trigger confirming totals with the API) and
hook calls (one failing), and after errors provoked on purpose, none of them may appear in: log
records, stdout/stderr, Airflow's log files, rendered template fields, XCom, the triggers' kwargs,
exception messages, reprs and tracebacks, the emulator's request log as printed, landed files, or
``http.client``'s debug output. Airflow's masker must know the secrets held in extras.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import re
import traceback
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client.cache import CLIENTS
from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.errors import AuthenticationError, LinkedInAdsError
from airflow_provider_linkedin_ads.models import DateRange
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from tests.reliability.figures import FIGURES
from tests.reliability.secret_runs import CONN_ID, DAG_ID, dag_source, database_texts

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from airflow_provider_linkedin_ads.testing import World
    from tests.reliability.conftest import AirflowRuns

#: Access tokens the emulator mints (``AQV`` + 64 URL-safe characters).
MINTED_TOKEN = re.compile(r"AQV[A-Za-z0-9_-]{40,}")
OCTOBER = DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 3))
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


@pytest.fixture(scope="module")
def canary() -> dict[str, str]:
    return {
        "client_secret": f"canary-client-secret-{uuid.uuid4().hex}",
        "refresh_token": f"canary-refresh-token-{uuid.uuid4().hex}",
    }


@pytest.fixture(scope="module")
def server(world: World, canary: dict[str, str]) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        world=world, client_secret=canary["client_secret"], refresh_token=canary["refresh_token"]
    ) as emulator:
        yield emulator


@pytest.fixture
def secrets(
    server: EmulatorServer, canary: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point ``linkedin_ads_canary`` at the emulator with all three secrets; the access token has expired."""
    from airflow_provider_linkedin_ads.operators import _base
    from airflow_provider_linkedin_ads.sensors import ad_analytics as sensor_module
    from airflow_provider_linkedin_ads.triggers import ad_analytics as trigger_module

    server.reset()
    access_token = server.issue_access_token()
    server.expire(access_token)
    connection = json.loads(connection_json(server))
    connection["extra"]["access_token"] = access_token
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))

    async def advance(seconds: float) -> None:  # the trigger's sleep moves the emulator's clock
        server.clock.advance(dt.timedelta(seconds=seconds))

    monkeypatch.setattr(_base, "utcnow", server.clock.now)
    monkeypatch.setattr(sensor_module, "utcnow", server.clock.now)
    monkeypatch.setattr(trigger_module, "utcnow", server.clock.now)
    monkeypatch.setattr(trigger_module, "sleep", advance)
    return {**canary, "access_token": access_token}


def leaks(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    """Which secret (or emulator-minted token) shows up where."""
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


def record(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    found = leaks(texts, secrets)
    FIGURES.secrets_scanned(list(texts), leaked=len(found))
    return found


def _hook(**arguments: Any) -> Any:
    from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook

    return LinkedInAdsHook(CONN_ID, retry_policy=ONE_ATTEMPT, **arguments)


def _account(server: EmulatorServer) -> int:
    return min(server.world.accounts_for_member(DEFAULT_MEMBER))


# ── real Airflow runs ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.db
def test_dag_runs_leak_no_secret(
    airflow_runs: AirflowRuns,
    server: EmulatorServer,
    secrets: dict[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    dag = airflow_runs.load(DAG_ID, dag_source(accounts=[_account(server)], out=out))

    run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))

    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {
        "land_file": "success",
        "rows_to_xcom": "success",
        "land_table": "success",
        "wait_until_mature": "success",
        "hook_calls": "success",
        "hook_fails": "failed",
    }
    captured = capfd.readouterr()
    home = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    texts = {
        "log records": caplog.text + "\n".join(str(item.args) for item in caplog.records),
        "stdout": captured.out,
        "stderr": captured.err,
        "Airflow log files": "\n".join(
            path.read_text(errors="replace") for path in home.rglob("*") if path.is_file()
        )
        if home.exists()
        else "",
        **database_texts(DAG_ID),
        "landed files": "\n".join(path.read_text() for path in out.rglob("*") if path.is_file()),
        "emulator request log (printed)": repr(server.requests),
    }
    # Positive controls: the secrets were used (expired token -> 401 -> refresh -> new token), and
    # each place holds what the runs put there.
    assert 401 in [item.status for item in server.requests if item.path.startswith("/rest/")]
    assert server.counters.calls["oauth/accessToken"] >= 1
    assert CONN_ID in texts["rendered template fields"]
    assert "campaign_name" in texts["XCom"]
    assert "urn:li:sponsoredCampaign:" in texts["landed files"]
    assert '"entity_json":' in texts["landed files"]  # the dimension table landed too
    assert "does not exist" in texts["log records"] + texts["stdout"] + texts["stderr"]  # hook_fails
    assert record(texts, secrets) == []


# ── in-process paths: errors, reprs, trigger kwargs, the masker, HTTP debug output ────────────────


def _failures(
    server: EmulatorServer, secrets: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> list[BaseException]:
    """Provoke one error of each kind through the canary connection."""
    errors: list[BaseException] = []

    def capture(action: Callable[[], object]) -> None:
        try:
            action()
        except LinkedInAdsError as err:
            errors.append(err)

    capture(
        lambda: _hook().analytics(
            pivot="CAMPAIGN", time_granularity="DAILY", date_range=OCTOBER, accounts=[123_456]
        )
    )
    capture(
        lambda: _hook().analytics(
            pivot="CAMPAIGNS", time_granularity="DAILY", date_range=OCTOBER, accounts=[_account(server)]
        )
    )
    capture(lambda: _hook(api_base_url="http://127.0.0.1:9/rest").list_ad_accounts())
    capture(lambda: _hook(api_base_url="http://api.example.com/rest").client_config)
    server.revoke(secrets["refresh_token"])
    # A fresh process: hooks of one process share a client and its refreshed token (client.cache),
    # so only a new one starts again from the connection's expired access token.
    CLIENTS.clear()
    capture(lambda: _hook().list_ad_accounts())  # expired access token, revoked refresh token
    assert len(errors) == 5
    assert isinstance(errors[-1], AuthenticationError)
    return errors


def test_errors_reprs_and_logs_leak_no_secret(
    server: EmulatorServer,
    secrets: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hook = _hook()
    rows = hook.analytics(
        pivot="CAMPAIGN", time_granularity="DAILY", date_range=OCTOBER, accounts=[_account(server)]
    )
    objects = [
        hook,
        hook.client,
        hook.client_config,
        hook.client_config.retry,
        server.emulator,
        server.config,
    ]
    errors = _failures(server, secrets, monkeypatch)
    failed_tests = [
        _hook(api_base_url=url).test_connection() for url in ("http://127.0.0.1:9/rest", server.api_base_url)
    ]
    texts = {
        "exception messages": "\n".join(str(err) for err in errors),
        "exception reprs": "\n".join(repr(err) for err in errors),
        "tracebacks": "\n".join("".join(traceback.format_exception(err)) for err in errors),
        "object reprs": "\n".join(repr(item) for item in objects),
        "test_connection messages": repr(failed_tests),
        "log records": caplog.text + "\n".join(str(item.args) for item in caplog.records),
        "emulator request log (printed)": "\n".join(str(item) for item in server.requests),
    }
    assert rows
    assert "does not exist" in texts["exception messages"]  # the errors were the intended ones
    assert "re-authorise" in texts["exception messages"]
    assert [ok for ok, _ in failed_tests] == [False, False]
    assert record(texts, secrets) == []


def test_trigger_serialisation_holds_no_secret(server: EmulatorServer, secrets: dict[str, str]) -> None:
    from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

    sensor = LinkedInAdsMetricsMaturitySensor(
        task_id="wait",
        linkedin_ads_conn_id=CONN_ID,
        pivots=["CAMPAIGN"],
        metrics=["impressions"],
        date_range_start="2026-11-01",
        date_range_end="2026-11-03",
        accounts=[_account(server)],
        confirm_with_api=True,
        deferrable=True,
    )
    _ = _hook().client_config  # the secrets have been read (and are in memory) before deferring
    with pytest.raises(BaseException) as deferred:  # TaskDeferred: its class differs per Airflow line
        sensor.execute({"logical_date": dt.datetime(2026, 11, 27, tzinfo=dt.UTC)})
    trigger = deferred.value.trigger  # type: ignore[attr-defined]
    classpath, kwargs = trigger.serialize()
    texts = {"trigger serialisation": json.dumps([classpath, kwargs, repr(trigger)], default=str)}
    assert kwargs["linkedin_ads_conn_id"] == CONN_ID
    assert record(texts, secrets) == []


def test_airflows_masker_knows_the_secrets_held_in_extras(
    server: EmulatorServer, secrets: dict[str, str]
) -> None:
    from airflow.providers.common.compat.sdk import redact

    hook = _hook()
    hook.client.get("adAccounts", [("q", "search")])  # the expired token is refreshed: a new secret
    minted = hook.client._tokens.current()
    known = {**secrets, "minted access token": minted}
    masked = {kind: redact(f"before {value} after") for kind, value in known.items()}
    assert all(text.startswith("before ") and text.endswith(" after") for text in masked.values())
    leaked = [kind for kind, text in masked.items() if known[kind] in text]
    FIGURES.secrets_scanned(["Airflow's secret masker"], leaked=len(leaked))
    assert leaked == []


def test_http_debug_output_redacts_credentials(
    server: EmulatorServer,
    secrets: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(http.client.HTTPConnection, "debuglevel", 1)
    hook = _hook()
    hook.analytics(
        pivot="CAMPAIGN", time_granularity="DAILY", date_range=OCTOBER, accounts=[_account(server)]
    )
    captured = capfd.readouterr()
    texts = {"http.client debug output": captured.out + captured.err, "urllib3 debug log": caplog.text}
    assert "send: b'POST /oauth/v2/accessToken" in captured.out  # debugging really was on
    assert "Authorization: REDACTED" in captured.out
    assert "refresh_token=REDACTED" in captured.out
    assert "adAnalytics" in caplog.text
    assert record(texts, secrets) == []


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        pytest.param(b"GET / HTTP/1.1\r\nAuthorization: Bearer t0k\r\n\r\n", b"GET / HTTP/1.1\r\nAuthorization: REDACTED\r\n\r\n", id="bearer"),
        pytest.param(b"proxy-authorization:Basic eA==\r\nCookie: li_at=x\r\n", b"proxy-authorization: REDACTED\r\nCookie: REDACTED\r\n", id="proxy-and-cookie"),
        pytest.param(
            b"grant_type=refresh_token&refresh_token=r1&client_id=app&client_secret=s1",
            b"grant_type=refresh_token&refresh_token=REDACTED&client_id=app&client_secret=REDACTED",
            id="refresh-form",
        ),
        pytest.param(b"client_id=app&client_secret=s&token=t", b"client_id=app&client_secret=REDACTED&token=REDACTED", id="introspection-form"),
        pytest.param(b"GET /rest/adAnalytics?q=analytics&token_url=x HTTP/1.1\r\n", b"GET /rest/adAnalytics?q=analytics&token_url=x HTTP/1.1\r\n", id="nothing-secret"),
    ],
)  # fmt: skip
def test_debug_output_redaction(sent: bytes, shown: bytes) -> None:
    from airflow_provider_linkedin_ads.client.redaction import redact_wire

    assert redact_wire(sent) == shown
