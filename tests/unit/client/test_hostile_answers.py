"""Hostile answers and unbounded waits, against real loopback servers (issue 17).

Every non-2xx is an error, a finder answer without an ``elements`` list is no report, decode errors
are the provider's, an oversize body stops at the cap, a dripping body stops at the attempt deadline,
and a silent server cannot hold a call past ``max_total_wait``.
"""

from __future__ import annotations

import pytest

from airflow_provider_linkedin_ads.client import LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
from airflow_provider_linkedin_ads.client.fetching import Fetcher
from airflow_provider_linkedin_ads.client.responses import elements_of
from airflow_provider_linkedin_ads.errors import (
    AnswerTooLargeError,
    APIError,
    RedirectError,
    RestliError,
    ServerError,
    TransportError,
)
from airflow_provider_linkedin_ads.hooks import _params
from tests.unit.client.conftest import TOKEN_PATH, FakeClock, Reply, ScriptedServer, Sleeper, make_config
from tests.unit.client.raw_server import drip, endless, raw_server, silent

ANALYTICS = "/rest/adAnalytics"
SSO = "https://sso.example.com/login?ticket=ST-SECRET-TICKET&return=/rest"


def _client(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, **overrides: object
) -> LinkedInAdsClient:
    return LinkedInAdsClient(make_config(server, **overrides), sleep=sleeper, clock=clock)


def _fetch(client: LinkedInAdsClient) -> list[dict[str, object]]:
    fetcher = Fetcher(client, MetricValueBudget(), finder="analytics", row_cap=15_000)
    return fetcher.fetch([("pivot", "CAMPAIGN")], fields=2, estimate_rows=10)


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        pytest.param(302, {"Location": SSO}, "", id="302-sso-empty"),
        pytest.param(
            301, {"Location": SSO, "Content-Type": "text/html"}, "<html>Moved</html>", id="301-html"
        ),
        pytest.param(307, {}, "", id="307-no-location"),
        pytest.param(304, {}, "", id="304"),
    ],
)
def test_redirects_are_errors_never_followed_nor_retried(
    server: ScriptedServer,
    clock: FakeClock,
    sleeper: Sleeper,
    status: int,
    headers: dict[str, str],
    body: str,
) -> None:
    server.default(ANALYTICS, Reply(status, body, headers=headers))
    with _client(server, clock, sleeper) as client, pytest.raises(RedirectError) as raised:
        _fetch(client)
    error = raised.value
    assert isinstance(error, APIError)
    assert error.status == status
    assert error.location_host == ("sso.example.com" if "Location" in headers else None)
    assert "ST-SECRET-TICKET" not in str(error)
    assert "ticket" not in str(error)
    assert len(server.requests_to(ANALYTICS)) == 1  # not retried, not followed
    assert server.requests_to("/login") == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(204, "", id="204"),
        pytest.param(200, "", id="200-empty"),
        pytest.param(200, {}, id="200-empty-object"),
        pytest.param(200, {"paging": {"start": 0}}, id="200-no-elements"),
        pytest.param(200, {"elements": {"a": 1}}, id="200-elements-not-a-list"),
        pytest.param(200, {"elements": [1, 2]}, id="200-elements-not-objects"),
    ],
)
def test_a_finder_answer_without_elements_is_no_report(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, status: int, body: object
) -> None:
    server.default(ANALYTICS, Reply(status, body))
    with _client(server, clock, sleeper) as client, pytest.raises(RestliError, match="elements"):
        _fetch(client)
    assert len(server.requests_to(ANALYTICS)) == 1


def test_hook_and_engine_share_one_response_check() -> None:
    assert _params.elements_of is elements_of
    with pytest.raises(RestliError):
        elements_of({}, resource="adAnalytics")


@pytest.mark.parametrize(
    ("body", "kind", "attempts"),
    [
        pytest.param(b"[" * 200_000 + b"]" * 200_000, RestliError, 1, id="nested-200000-deep"),
        pytest.param(b'{"elements": ' + b"[" * 200_000, RestliError, 1, id="nested-and-cut"),
        pytest.param(b"<html><body>Service portal</body></html>", RestliError, 1, id="html-200"),
        pytest.param(b'{"elements": [}', RestliError, 1, id="malformed-complete"),
        pytest.param(b'{"elements": [{"impressions": 1', TransportError, 4, id="cut-at-the-end-retried"),
        pytest.param(b"[1, 2]", RestliError, 1, id="json-list"),
    ],
)
def test_decode_errors_are_provider_errors_with_the_right_retry(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, body: bytes, kind: type, attempts: int
) -> None:
    server.default(ANALYTICS, Reply(200, body))
    with _client(server, clock, sleeper) as client, pytest.raises(kind) as raised:
        _fetch(client)
    assert type(raised.value) is kind
    assert len(server.requests_to(ANALYTICS)) == attempts


def test_an_endless_body_stops_near_the_cap_without_reading_it_all(
    clock: FakeClock, sleeper: Sleeper
) -> None:
    cap = 1024 * 1024
    with raw_server(endless()) as server:
        config = make_config(server, max_response_bytes=cap, retry=RetryPolicy(max_attempts=3))  # type: ignore[arg-type]
        with (
            LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
            pytest.raises(AnswerTooLargeError) as raised,
        ):
            client.get("adAnalytics", [("q", "analytics")])
        assert raised.value.limit == cap
        assert server.counter.connections == 1  # the same body would come again: not retried
    # The server could push only what the client read plus the loopback socket buffers: the client
    # held at most cap bytes, never the 1 GiB offered.
    assert server.counter.sent < cap + 16 * 1024 * 1024


def test_an_announced_oversize_body_fails_before_reading(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(ANALYTICS, Reply(200, {"elements": [{"impressions": 1}] * 200}))
    with (
        _client(server, clock, sleeper, max_response_bytes=1000) as client,
        pytest.raises(AnswerTooLargeError, match="announces"),
    ):
        client.get("adAnalytics", [("q", "analytics")])


def test_a_dripping_body_stops_at_the_attempt_deadline(clock: FakeClock, sleeper: Sleeper) -> None:
    body = b'{"elements": []}' + b" " * 200
    with raw_server(drip(body, every=0.05)) as server:
        config = make_config(server, attempt_timeout=0.5, read_timeout=5.0, retry=RetryPolicy(max_attempts=2))  # type: ignore[arg-type]
        with (
            LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
            pytest.raises(TransportError) as raised,
        ):
            client.get("adAnalytics", [("q", "analytics")])
        assert "attempt_timeout=0.5" in str(raised.value)
        assert server.counter.connections == 2  # a transport error: retried, and stopped again
    assert server.counter.sent < 2 * len(body)  # neither attempt waited for the whole body


def test_a_silent_server_cannot_hold_a_call_past_max_total_wait(clock: FakeClock) -> None:
    sleeper = Sleeper(clock)
    policy = RetryPolicy(max_attempts=8, initial_wait=0.01, max_wait=0.01, max_total_wait=0.5)
    with raw_server(silent(hold=3.0)) as server:
        config = make_config(server, read_timeout=0.3, retry=policy)  # type: ignore[arg-type]
        with LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client, pytest.raises(TransportError):
            client.get("adAnalytics", [("q", "analytics")])
        # Each attempt spends its 0.3 s read timeout: the 0.5 s budget allows two, not eight.
        assert 1 <= server.counter.connections <= 2  # 1 only when a loaded machine slows the first attempt


def test_retry_after_zero_gets_the_backoff_floor(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    throttled = Reply(
        429, {"status": 429, "code": "TOO_MANY_REQUESTS", "message": "slow"}, headers={"Retry-After": "0"}
    )
    server.script(ANALYTICS, throttled, throttled, Reply(200, {"elements": []}))
    with _client(server, clock, sleeper) as client:
        assert _fetch(client) == []
    assert sleeper.waits == [1.0, 2.0]  # FAST_RETRY's exponential ceiling, never 0


def test_token_endpoint_redirect_is_an_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(TOKEN_PATH, Reply(302, "", headers={"Location": SSO}))
    config = {"access_token": None, "client_id": "id", "client_secret": "secret", "refresh_token": "refresh"}
    with _client(server, clock, sleeper, **config) as client, pytest.raises(RedirectError) as raised:
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.location_host == "sso.example.com"
    assert server.requests_to(ANALYTICS) == []


def test_gateway_html_is_still_a_server_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(ANALYTICS, Reply(502, "<html>Bad gateway</html>", headers={"Content-Type": "text/html"}))
    with _client(server, clock, sleeper) as client, pytest.raises(ServerError):
        client.get("adAnalytics", [("q", "analytics")])


def test_documented_irregular_rows_land_and_are_counted_in_the_summary(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    import datetime as dt
    import io
    import json

    from airflow_provider_linkedin_ads.client.reporting import ReportEngine
    from airflow_provider_linkedin_ads.models import ReportRequest

    month = {"start": {"year": 2026, "month": 1, "day": 1}, "end": {"year": 2026, "month": 1, "day": 31}}
    row = {"dateRange": month, "pivotValues": ["urn:li:sponsoredCampaign:7"], "impressions": 10}
    server.default(ANALYTICS, Reply(200, {"elements": [row, row]}))  # unclipped bucket, sent twice
    request = ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="MONTHLY",
        date_range=("2026-01-10", "2026-01-20"),
        facets={"accounts": [1]},
        metrics=["impressions"],
    )
    with _client(server, clock, sleeper) as client:
        target = io.BytesIO()
        summary = ReportEngine(client, today=lambda: dt.date(2026, 3, 1)).write(request, target)
    assert summary.rows_written == 1
    assert json.loads(target.getvalue())["start_date"] == "2026-01-01"
    assert (
        "1 row(s) dated beyond the requested window (LinkedIn's month/year rounding; kept)"
        in summary.warnings
    )
    assert "1 identical duplicate row(s) in one answer (dropped)" in summary.warnings


def test_the_body_reader_falls_back_to_small_reads_without_read1() -> None:
    from airflow_provider_linkedin_ads.client import transport

    class OldRaw:  # urllib3 < 2.3: read(amt) only
        def __init__(self) -> None:
            self.asked: list[int] = []

        def read(self, amt: int, decode_content: bool) -> bytes:
            self.asked.append(amt)
            return b""

    raw = OldRaw()
    assert transport._reader(raw)() == b""
    assert raw.asked == [transport._FALLBACK_CHUNK]
