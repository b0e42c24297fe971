"""Hostile answers, bounded waits and secrets (issue 17), counted in the "Reliability figures".

A scripted loopback server stands in for LinkedIn. Every hostile answer must fail the report with
the provider's error (never land 0 or wrong rows), in each output format; a redirect in a real
``dag.test()`` run must fail the task and leave the previous file byte-identical; each wait must end
within its bound; and no secret may appear in the errors the bad configurations raise.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.errors import (
    AnswerTooLargeError,
    ConfigurationError,
    LinkedInAdsError,
    RedirectError,
    RestliError,
    TransportError,
    UnauthorizedError,
)
from airflow_provider_linkedin_ads.models import ReportRequest
from tests.airflow_home import AIRFLOW
from tests.reliability.figures import FIGURES
from tests.unit.client.conftest import (
    TOKEN_PATH,
    FakeClock,
    Reply,
    ScriptedServer,
    Sleeper,
    make_config,
    token_reply,
)
from tests.unit.client.raw_server import drip, raw_server, silent

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.reliability.conftest import AirflowRuns

ANALYTICS = "/rest/adAnalytics"
DAY = dt.date(2026, 1, 5)
CAMPAIGN = "urn:li:sponsoredCampaign:701"
SSO = "https://sso.example.com/login?ticket=ST-1&next=/rest"


def _row(**overrides: Any) -> dict[str, Any]:
    record = {"year": DAY.year, "month": DAY.month, "day": DAY.day}
    row: dict[str, Any] = {
        "dateRange": {"start": record, "end": record},
        "pivotValues": [CAMPAIGN],
        "impressions": 120,
        "averageVideoWatchTime": 2.5,
    }
    row.update(overrides)
    return row


def _body(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"paging": {"start": 0, "count": 10, "links": []}, "elements": list(rows)}


#: name -> (reply, expected error type). Each is what a proxy, a broken gateway or a bug could send.
HOSTILE: dict[str, tuple[Reply, type[LinkedInAdsError]]] = {
    "302 sso": (Reply(302, "", headers={"Location": SSO}), RedirectError),
    "301 html": (
        Reply(301, "<html>moved</html>", headers={"Location": SSO, "Content-Type": "text/html"}),
        RedirectError,
    ),
    "304": (Reply(304, ""), RedirectError),
    "204": (Reply(204, ""), RestliError),
    "200 empty": (Reply(200, ""), RestliError),
    "200 {}": (Reply(200, {}), RestliError),
    "elements not a list": (Reply(200, {"elements": {"0": _row()}}), RestliError),
    "no dateRange": (
        Reply(200, _body(*[{k: v for k, v in _row().items() if k != "dateRange"}] * 2)),
        RestliError,
    ),
    "conflicting duplicate": (Reply(200, _body(_row(), _row(impressions=121))), RestliError),
    "row outside window": (
        Reply(
            200,
            _body(
                _row(
                    dateRange={
                        "start": {"year": 2026, "month": 1, "day": 9},
                        "end": {"year": 2026, "month": 1, "day": 9},
                    }
                )
            ),
        ),
        RestliError,
    ),
    "pivot object": (Reply(200, _body(_row(pivotValues=[{"a": 1}]))), RestliError),
    "deep json": (Reply(200, b"[" * 200_000 + b"]" * 200_000), RestliError),
    "html 200": (Reply(200, "<html>portal</html>", headers={"Content-Type": "text/html"}), RestliError),
    "oversize": (Reply(200, _body(*[_row()] * 100)), AnswerTooLargeError),
    "NaN double": (Reply(200, json.dumps(_body(_row())).replace("2.5", "NaN")), RestliError),
    "Infinity double": (Reply(200, json.dumps(_body(_row())).replace("2.5", "Infinity")), RestliError),
    "1e400 long": (Reply(200, json.dumps(_body(_row())).replace("120", "1e400")), RestliError),
    "401 html": (Reply(401, "<html>401</html>", headers={"Content-Type": "text/html"}), UnauthorizedError),
    "cut body": (Reply(200, '{"elements": [{"impressions": 1'), TransportError),
}


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.stop()


def _request() -> ReportRequest:
    return ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(DAY.isoformat(), DAY.isoformat()),
        facets={"accounts": [1]},
        metrics=["impressions", "averageVideoWatchTime"],
    )


def _engine(server: ScriptedServer, **config: Any) -> ReportEngine:
    policy = RetryPolicy(max_attempts=3, initial_wait=0.0, max_wait=0.0)
    client = LinkedInAdsClient(make_config(server, retry=policy, **config), sleep=lambda seconds: None)
    return ReportEngine(client, max_concurrency=1, today=lambda: dt.date(2026, 3, 1))


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "parquet"])
def test_every_hostile_answer_fails_the_report_in_every_format(
    scripted: ScriptedServer, output_format: str
) -> None:
    for name, (reply, expected) in HOSTILE.items():
        scripted.reset()
        scripted.default(ANALYTICS, reply)
        target = io.BytesIO()
        engine = _engine(scripted, **({"max_response_bytes": 4096} if name == "oversize" else {}))
        try:
            engine.write(_request(), target, output_format=output_format)
        except LinkedInAdsError as err:
            refused = type(err) is expected
        else:
            refused = False
        finally:
            engine.client.close()  # type: ignore[attr-defined]
        FIGURES.hostile_answer(f"{name}", refused=refused)
        assert refused, f"{name} ({output_format}) was not refused with {expected.__name__}"


def test_the_good_answer_still_lands(scripted: ScriptedServer) -> None:
    scripted.default(ANALYTICS, Reply(200, _body(_row())))
    target = io.BytesIO()
    engine = _engine(scripted)
    summary = engine.write(_request(), target, output_format="jsonl")
    assert summary.rows_written == 1
    assert json.loads(target.getvalue())["impressions"] == 120


# ── the redirect case in a real DAG run ──────────────────────────────────────────────────────────

DAG_ID = "linkedin_ads_reliability_redirect"
DAG_FILE = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.client.config import RetryPolicy
from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

with DAG(dag_id={dag_id!r}, schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        pivot="CAMPAIGN",
        metrics=["impressions", "clicks"],
        accounts=[1],
        date_range_start={day!r},
        date_range_end={day!r},
        output_path="file://{out}/report.jsonl",
        max_concurrency=1,
        api_retry_policy=RetryPolicy(max_attempts=2, initial_wait=0, max_wait=0),
        retries=0,
    )
"""


@pytest.mark.db
def test_a_redirect_fails_the_task_and_leaves_the_previous_file_byte_identical(
    airflow_runs: AirflowRuns, scripted: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = {
        "conn_type": "linkedin_ads",
        "extra": {
            "access_token": "reliability-token",
            "api_base_url": f"{scripted.url}/rest",
            "api_version": "202603",
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT", json.dumps(connection))
    out = tmp_path / "out"
    dag = airflow_runs.load(DAG_ID, DAG_FILE.format(dag_id=DAG_ID, day=DAY.isoformat(), out=str(out)))
    scripted.default(ANALYTICS, Reply(200, _body({**_row(), "clicks": 7})))
    first = airflow_runs.test(dag, logical_date=dt.datetime(2026, 1, 6, tzinfo=dt.UTC))
    assert str(airflow_runs.task_instance(first, "report").state) == "success"
    landed = (out / "report.jsonl").read_bytes()
    assert landed.count(b"\n") == 1

    scripted.reset()
    scripted.default(ANALYTICS, Reply(302, "", headers={"Location": SSO}))
    # The failing run through the CLI, as an operator would run it: `airflow dags test`.
    result = subprocess.run(
        [str(AIRFLOW), "dags", "test", DAG_ID, "2026-01-07"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"},
    )
    output = result.stdout + result.stderr

    assert "RedirectError" in output, output[-4000:]
    assert "sso.example.com" in output
    assert "ST-1" not in output  # the Location's query (an SSO ticket) is never shown
    assert len(scripted.requests_to(ANALYTICS)) == 1  # a redirect is not retried
    assert sorted(path.name for path in out.iterdir()) == ["report.jsonl"]  # no temporary left either
    replaced = (out / "report.jsonl").read_bytes() != landed
    FIGURES.file_replaced(replaced)
    assert not replaced
    FIGURES.scenario(
        f"302 redirect in a real `airflow dags test` run: task failed with RedirectError after 1 call, "
        f"previous {len(landed)}-byte file byte-identical"
    )


# ── bounded waits ────────────────────────────────────────────────────────────────────────────────


def test_bounded_waits() -> None:
    clock = FakeClock()
    body = b'{"elements": []}' + b" " * 100
    with raw_server(drip(body, every=0.05)) as server:
        config = make_config(server, attempt_timeout=0.4, retry=RetryPolicy(max_attempts=1))  # type: ignore[arg-type]
        with (
            LinkedInAdsClient(config, sleep=Sleeper(clock), clock=clock) as client,
            pytest.raises(TransportError),
        ):
            client.get("adAnalytics", [("q", "analytics")])
    assert server.counter.sent < len(body)
    FIGURES.bounded_wait(
        f"body dripping 1 byte/0.05 s ({len(body)} bytes), attempt_timeout 0.4 s -> TransportError after "
        f"{server.counter.sent} bytes"
    )

    policy = RetryPolicy(max_attempts=8, initial_wait=0.01, max_wait=0.01, max_total_wait=0.5)
    with raw_server(silent(hold=3.0)) as server:
        config = make_config(server, read_timeout=0.3, retry=policy)  # type: ignore[arg-type]
        with (
            LinkedInAdsClient(config, sleep=Sleeper(clock), clock=clock) as client,
            pytest.raises(TransportError),
        ):
            client.get("adAnalytics", [("q", "analytics")])
    assert 1 <= server.counter.connections <= 2  # never the 8 attempts the policy allows
    FIGURES.bounded_wait(
        f"silent server, read timeout 0.3 s, max_total_wait 0.5 s, 8 attempts allowed -> "
        f"{server.counter.connections} attempts"
    )


def test_retry_after_zero_and_short_token_lifetimes(scripted: ScriptedServer) -> None:
    clock = FakeClock()
    sleeper = Sleeper(clock)
    throttled = Reply(
        429, {"status": 429, "code": "TOO_MANY_REQUESTS", "message": "slow"}, headers={"Retry-After": "0"}
    )
    scripted.script(ANALYTICS, *[throttled] * 3, Reply(200, _body()))
    with LinkedInAdsClient(make_config(scripted), sleep=sleeper, clock=clock) as client:
        client.get("adAnalytics", [("q", "analytics")])
    assert min(sleeper.waits) > 0
    FIGURES.bounded_wait(
        f"Retry-After: 0 three times -> waits {sleeper.waits} (backoff floor), never back to back"
    )

    scripted.reset()
    scripted.default(TOKEN_PATH, token_reply("short", expires_in=60))
    scripted.default(ANALYTICS, Reply(200, _body()))
    refresh = {"access_token": None, "client_id": "id", "client_secret": "secret", "refresh_token": "refresh"}
    with LinkedInAdsClient(make_config(scripted, **refresh), sleep=sleeper, clock=clock) as client:
        for _ in range(20):
            client.get("adAnalytics", [("q", "analytics")])
            clock.now += 1
    token_calls = len(scripted.requests_to(TOKEN_PATH))
    assert token_calls == 1
    FIGURES.bounded_wait(f"expires_in=60: 20 API calls over 20 s -> {token_calls} token call")


# ── secrets in refused configurations ────────────────────────────────────────────────────────────


def test_header_unsafe_tokens_and_user_info_never_leak() -> None:
    canary = "canary-17a-secret"
    bad_configs: list[dict[str, Any]] = [
        {"access_token": f"{canary}\r\nX-Injected: 1"},
        {"access_token": f"{canary}\n"},
        {"access_token": "ok-access-token", "api_base_url": f"http://user:{canary}@127.0.0.1:9/rest"},
        {
            "access_token": "ok-access-token",
            "token_url": f"https://{canary}@www.linkedin.com/oauth/v2/accessToken",
        },
    ]
    texts: list[str] = []
    for values in bad_configs:
        with pytest.raises(ConfigurationError) as raised:
            ClientConfig(**values)
        texts += [str(raised.value), repr(raised.value)]
    leaked = sum(canary in text for text in texts)
    FIGURES.secrets_scanned(["refused CR/LF tokens", "refused user:password@ URLs"], leaked=leaked)
    assert leaked == 0
