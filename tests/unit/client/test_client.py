"""The facade: finder, batch_get, stats, lifecycle, version warnings, and keeping secrets secret."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from typing import Any

import pytest
import requests

from airflow_provider_linkedin_ads import client as client_package
from airflow_provider_linkedin_ads.client import BatchResult, ClientStats, LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.errors import (
    BadRequestError,
    ConfigurationError,
    LinkedInAdsError,
    RestliError,
    TransportError,
    UnauthorizedError,
)
from tests.unit.client.conftest import (
    TOKEN_PATH,
    FakeClock,
    Reply,
    ScriptedServer,
    Sleeper,
    make_config,
    token_reply,
)

ANALYTICS = "/rest/adAnalytics"


def test_finder_puts_q_first(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    server.script(ANALYTICS, Reply(200, {"elements": [{"impressions": 3}]}))
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        answer = client.finder(
            "adAnalytics", "statistics", [("pivots", ["CAMPAIGN", "CREATIVE"]), ("x", None)]
        )
    assert answer == {"elements": [{"impressions": 3}]}
    assert server.received[0].query == "q=statistics&pivots=List(CAMPAIGN,CREATIVE)"


def test_finder_rejects_a_second_q(server: ScriptedServer, clock: FakeClock) -> None:
    with LinkedInAdsClient(make_config(server), clock=clock) as client, pytest.raises(RestliError):
        client.finder("adAnalytics", "analytics", [("q", "statistics")])
    assert server.received == []


def test_batch_get_sends_ids_and_decodes_the_maps(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    urn = "urn:li:sponsoredCampaign:1"
    server.script(
        "/rest/adCampaigns",
        Reply(
            200,
            {
                "results": {"urn%3Ali%3AsponsoredCampaign%3A1": {"name": "One"}, "2": {"name": "Two"}},
                "statuses": {"urn%3Ali%3AsponsoredCampaign%3A1": 200, "2": 200, "3": 404},
                "errors": {"3": {"status": 404, "message": "not found"}},
            },
        ),
    )
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        result = client.batch_get("adCampaigns", [urn, 2, 3], [("fields", ["name"])])
    assert result == BatchResult(
        results={urn: {"name": "One"}, "2": {"name": "Two"}},
        statuses={urn: 200, "2": 200, "3": 404},
        errors={"3": {"status": 404, "message": "not found"}},
    )
    [seen] = server.received
    assert seen.target == "/rest/adCampaigns?ids=List(urn%3Ali%3AsponsoredCampaign%3A1,2,3)&fields=name"
    assert seen.header("X-RestLi-Method") == "BATCH_GET"


def test_batch_get_needs_ids(server: ScriptedServer, clock: FakeClock) -> None:
    with (
        LinkedInAdsClient(make_config(server), clock=clock) as client,
        pytest.raises(ConfigurationError) as raised,
    ):
        client.batch_get("adCampaigns", [])
    assert raised.value.argument == "ids"


def test_stats_are_an_immutable_snapshot(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    server.script(ANALYTICS, Reply(503, {"message": "x"}), Reply(200, {}), Reply(200, {}))
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        before = client.stats
        client.get("adAnalytics", [("q", "analytics")])
        client.get("adAnalytics", [("q", "analytics")])
        after = client.stats
    assert before == ClientStats()
    assert after == ClientStats(
        calls=3, retries=1, tunnelled=0, refreshes=0, retries_by_reason={"ServerError": 1}
    )
    with pytest.raises(TypeError):
        after.retries_by_reason["ServerError"] = 5  # type: ignore[index]


class _RecordingSession(requests.Session):
    """A real session that remembers whether it was closed."""

    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def test_injected_session_is_used_and_left_open(server: ScriptedServer, clock: FakeClock) -> None:
    session = _RecordingSession()
    server.script(ANALYTICS, Reply(200, {}))
    with LinkedInAdsClient(make_config(server), clock=clock, session=session) as client:
        client.get("adAnalytics", [("q", "analytics")])
    assert len(server.received) == 1
    assert not session.closed
    session.close()


def test_public_names_are_reexported_lazily() -> None:
    assert set(client_package.__all__) == {
        "BatchResult",
        "ClientConfig",
        "ClientStats",
        "LinkedInAdsClient",
        "NameResolver",
        "ReportEngine",
        "ReportRun",
        "RetryPolicy",
    }
    for name in client_package.__all__:
        assert getattr(client_package, name).__name__ == name
    with pytest.raises(AttributeError):
        _ = client_package.Nope  # type: ignore[attr-defined]
    code = (
        "import sys; import airflow_provider_linkedin_ads.client.config; "
        "assert 'requests' not in sys.modules and 'tenacity' not in sys.modules; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize(
    ("version", "today", "expected"),
    [
        pytest.param(
            "202511", dt.datetime(2026, 10, 1, tzinfo=dt.UTC), "sunset on 2026-11-16", id="near-sunset"
        ),
        pytest.param(
            "202407", dt.datetime(2026, 3, 10, tzinfo=dt.UTC), "was sunset on 2025-07-22", id="past-sunset"
        ),
        pytest.param("202603", dt.datetime(2026, 3, 10, tzinfo=dt.UTC), None, id="current"),
    ],
)
def test_version_warnings_are_logged_at_construction(
    server: ScriptedServer,
    caplog: pytest.LogCaptureFixture,
    version: str,
    today: dt.datetime,
    expected: str | None,
) -> None:
    with caplog.at_level(logging.WARNING):
        LinkedInAdsClient(
            make_config(server, api_version=version), clock=FakeClock(today.timestamp())
        ).close()
    texts = [record.getMessage() for record in caplog.records if "LinkedIn-Version" in record.getMessage()]
    if expected is None:
        assert texts == []
    else:
        assert len(texts) == 1
        assert expected in texts[0]


# --- secrets -----------------------------------------------------------------------------------

CLIENT_SECRET = "CANARY-CLIENT-SECRET-7f3a"
REFRESH_TOKEN = "CANARY-REFRESH-TOKEN-91bc"
ACCESS_TOKEN = "CANARY-ACCESS-TOKEN-5d2e"
MINTED_TOKEN = "CANARY-MINTED-TOKEN-0a4f"
CANARIES = (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN, MINTED_TOKEN)
EXPIRED = {"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", "message": "expired"}


def _texts_of(error: BaseException) -> list[str]:
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        texts += [str(current), repr(current), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return texts


def _secret_config(server: ScriptedServer, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "client_id": "client-id",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "access_token": ACCESS_TOKEN,
        "retry": RetryPolicy(max_attempts=2),
    }
    return make_config(server, **{**values, **overrides})


def _collect_errors(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> list[BaseException]:
    caught: list[BaseException] = []
    scenarios: list[tuple[str, list[Reply]]] = [
        (ANALYTICS, [Reply(401, EXPIRED)] * 3),  # refresh, pause, then the final AuthenticationError
        (ANALYTICS, [Reply(400, {"message": "bad", "errorDetails": {"inputErrors": [{"code": "X"}]}})]),
        (ANALYTICS, [Reply(action="reset")] * 2),
        (ANALYTICS, [Reply(200, '{"cut')] * 2),
        (
            TOKEN_PATH,
            [Reply(400, {"error": "invalid_grant", "error_description": "refresh token is revoked"})],
        ),
    ]
    for path, replies in scenarios:
        server.script(path, *replies)
        if path == TOKEN_PATH:
            config = _secret_config(server, access_token=None)
        else:
            server.script(TOKEN_PATH, token_reply(MINTED_TOKEN, refresh_token_expires_in=5 * 86400))
            config = _secret_config(server)
        with LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client:
            try:
                client.finder("adAnalytics", "analytics", [("pivot", "CAMPAIGN")])
            except LinkedInAdsError as err:
                caught.append(err)
            caught.append(RuntimeError(repr(client) + repr(client._tokens) + repr(client.config)))
    return caught


def test_secrets_never_leak(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        caught = _collect_errors(server, clock, sleeper)
    kinds = {type(error) for error in caught}
    assert {UnauthorizedError, BadRequestError, TransportError} <= kinds
    # The canaries did travel, where they belong: headers and token-endpoint bodies.
    bearers = {item.header("Authorization") for item in server.received}
    assert {f"Bearer {ACCESS_TOKEN}", f"Bearer {MINTED_TOKEN}"} <= bearers
    assert any(
        REFRESH_TOKEN.encode() in item.body and CLIENT_SECRET.encode() in item.body
        for item in server.received
    )
    assert "refresh token expires in 5 day(s)" in caplog.text  # the warning was logged...
    haystacks = [caplog.text, *[item.target for item in server.received]]
    for error in caught:
        haystacks += _texts_of(error)
    for canary in CANARIES:
        leaks = [text for text in haystacks if canary in text]
        assert leaks == [], f"{canary} leaked"  # ...and nothing carries a secret
