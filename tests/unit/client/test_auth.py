"""OAuth: access-token mode, refresh-token mode, 401 handling, token-endpoint errors, concurrency."""

from __future__ import annotations

import itertools
import logging
import threading
from typing import Any

import pytest

from airflow_provider_linkedin_ads.client import LinkedInAdsClient
from airflow_provider_linkedin_ads.errors import AuthenticationError, ConfigurationError
from tests.unit.client.conftest import (
    INTROSPECT_PATH,
    TOKEN_PATH,
    FakeClock,
    Received,
    Reply,
    ScriptedServer,
    Sleeper,
    make_config,
    token_reply,
)

ANALYTICS = "/rest/adAnalytics"
EXPIRED = {"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", "message": "expired"}
REVOKED = {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"}
REFRESH_CREDENTIALS: dict[str, Any] = {
    "access_token": None,
    "client_id": "client-id",
    "client_secret": "client-secret",
    "refresh_token": "refresh-token",
}


def _refresh_config(server: ScriptedServer, **overrides: Any) -> Any:
    return make_config(server, **{**REFRESH_CREDENTIALS, **overrides})


def _bearers(server: ScriptedServer) -> list[str | None]:
    return [item.header("Authorization") for item in server.requests_to(ANALYTICS)]


def _numbered_tokens() -> Any:
    counter = itertools.count(1)
    lock = threading.Lock()

    def mint(_: Received) -> Reply:
        with lock:
            number = next(counter)
        return token_reply(f"token-{number}", expires_in=3600)

    return mint


def test_access_token_mode_sends_the_configured_token(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(ANALYTICS, Reply(200, {}))
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        client.get("adAnalytics", [("q", "analytics")])
        client.get("adAnalytics", [("q", "analytics")])
        assert client.stats.refreshes == 0
    assert _bearers(server) == ["Bearer static-access-token"] * 2
    assert server.requests_to(TOKEN_PATH) == []


def test_refresh_token_mode_requests_a_token_and_caches_it(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(TOKEN_PATH, token_reply("fresh-access-token"))
    server.default(ANALYTICS, Reply(200, {}))
    with LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client:
        for _ in range(3):
            client.get("adAnalytics", [("q", "analytics")])
        assert client.stats.refreshes == 1
    [token_request] = server.requests_to(TOKEN_PATH)
    assert token_request.method == "POST"
    assert token_request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert token_request.header("Authorization") is None
    assert token_request.form() == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-token",
        "client_id": "client-id",
        "client_secret": "client-secret",
    }
    assert token_request.query == ""
    assert _bearers(server) == ["Bearer fresh-access-token"] * 3


@pytest.mark.parametrize(
    ("elapsed", "expected_tokens"),
    [
        pytest.param(3600 - 300 - 1, ["token-1", "token-1"], id="outside-the-margin-reuses"),
        pytest.param(3600 - 300, ["token-1", "token-2"], id="inside-the-margin-refreshes"),
        pytest.param(7200, ["token-1", "token-2"], id="expired-refreshes"),
    ],
)
def test_refreshes_ahead_of_expiry(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, elapsed: float, expected_tokens: list[str]
) -> None:
    server.default(TOKEN_PATH, _numbered_tokens())
    server.default(ANALYTICS, Reply(200, {}))
    with LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client:
        client.get("adAnalytics", [("q", "analytics")])
        clock.now += elapsed
        client.get("adAnalytics", [("q", "analytics")])
    assert _bearers(server) == [f"Bearer {token}" for token in expected_tokens]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(EXPIRED, id="65602-expired"),
        pytest.param(REVOKED, id="65601-revoked"),
        pytest.param(
            {"status": 401, "serviceErrorCode": 65600, "message": "Invalid access token"}, id="65600-invalid"
        ),
        pytest.param({"status": 401, "code": "INVALID_ACCESS_TOKEN", "message": "invalid"}, id="code-only"),
        pytest.param({}, id="empty-body"),
    ],
)
def test_401_about_the_token_refreshes_once_then_succeeds(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, body: dict[str, Any]
) -> None:
    server.script(TOKEN_PATH, token_reply("new-token"))
    server.script(ANALYTICS, Reply(401, body), Reply(200, {"elements": []}))
    config = _refresh_config(server, access_token="old-token")
    with LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client:
        assert client.get("adAnalytics", [("q", "analytics")]) == {"elements": []}
        assert client.stats.refreshes == 1
    assert _bearers(server) == ["Bearer old-token", "Bearer new-token"]
    assert sleeper.waits == []  # the rejected token was not a fresh one: no after-refresh pause


def test_401_right_after_a_refresh_waits_then_retries(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(TOKEN_PATH, token_reply("just-minted"))
    server.script(ANALYTICS, Reply(401, REVOKED), Reply(200, {"ok": True}))
    with LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client:
        assert client.get("adAnalytics", [("q", "analytics")]) == {"ok": True}
    assert sleeper.waits == [5.0]  # RetryPolicy.after_refresh_wait
    assert _bearers(server) == ["Bearer just-minted"] * 2
    assert len(server.requests_to(TOKEN_PATH)) == 1


def test_401_that_persists_after_refresh_raises_with_the_fix(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(TOKEN_PATH, token_reply("new-token"))
    server.default(ANALYTICS, Reply(401, EXPIRED))
    config = _refresh_config(server, access_token="old-token")
    with (
        LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    error = raised.value
    assert (error.status, error.code, error.service_error_code) == (401, "EXPIRED_ACCESS_TOKEN", 65602)
    assert "re-authorise" in str(error)
    assert "refresh_token" in str(error)
    # old token -> refresh -> new token rejected right after minting -> one pause -> rejected again
    assert _bearers(server) == ["Bearer old-token", "Bearer new-token", "Bearer new-token"]
    assert sleeper.waits == [5.0]
    assert len(server.requests_to(TOKEN_PATH)) == 1


def test_access_token_mode_401_raises_at_once(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(ANALYTICS, Reply(401, EXPIRED))
    with (
        LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.service_error_code == 65602
    assert "access_token" in str(raised.value)
    assert "refresh_token" in str(raised.value)
    assert len(server.requests_to(ANALYTICS)) == 1
    assert server.requests_to(TOKEN_PATH) == []
    assert sleeper.waits == []


def test_401_not_about_the_token_is_not_refreshed(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    body = {
        "serviceErrorCode": 401,
        "code": "EMPTY_ACCESS_TOKEN",
        "message": "Empty oauth2_access_token",
        "status": 401,
    }
    server.default(ANALYTICS, Reply(401, body))
    config = _refresh_config(server, access_token="old-token")
    with (
        LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.code == "EMPTY_ACCESS_TOKEN"
    assert server.requests_to(TOKEN_PATH) == []
    assert len(server.requests_to(ANALYTICS)) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(
            400,
            {
                "error": "invalid_grant",
                "error_description": "The provided authorization grant or refresh token is invalid, expired or revoked",
            },
            id="invalid-grant",
        ),
        pytest.param(
            400,
            {
                "error": "invalid_request",
                "error_description": 'A required parameter "refresh_token" is missing',
            },
            id="invalid-request",
        ),
        pytest.param(
            401,
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            id="invalid-client",
        ),
    ],
)
def test_token_endpoint_refusal_asks_for_reauthorisation(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, status: int, body: dict[str, str]
) -> None:
    server.default(TOKEN_PATH, Reply(status, body))
    with (
        LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.code == body["error"]
    assert raised.value.status == status
    assert "re-authorise" in str(raised.value)
    assert "invalid, expired or revoked" in str(raised.value)
    assert len(server.requests_to(TOKEN_PATH)) == 1  # never retried
    assert server.requests_to(ANALYTICS) == []


def test_token_endpoint_outage_is_retried(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    server.script(
        TOKEN_PATH, Reply(503, "<html>down</html>", {"Content-Type": "text/html"}), token_reply("t")
    )
    server.default(ANALYTICS, Reply(200, {}))
    with LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client:
        client.get("adAnalytics", [("q", "analytics")])
        assert client.stats.retries_by_reason == {"ServerError": 1}
    assert _bearers(server) == ["Bearer t"]


def test_token_answer_without_access_token_is_an_authentication_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(TOKEN_PATH, Reply(200, {"expires_in": 60}))
    with (
        LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client,
        pytest.raises(AuthenticationError, match="without an access_token"),
    ):
        client.get("adAnalytics", [("q", "analytics")])


@pytest.mark.parametrize(
    ("expires_in_days", "warned"),
    [
        pytest.param(10, True, id="10-days-warns"),
        pytest.param(29.9, True, id="just-under-30-days-warns"),
        pytest.param(30, False, id="30-days-is-quiet"),
        pytest.param(300, False, id="300-days-is-quiet"),
        pytest.param(None, False, id="not-announced"),
    ],
)
def test_warns_when_the_refresh_token_expires_within_30_days(
    server: ScriptedServer,
    clock: FakeClock,
    sleeper: Sleeper,
    caplog: pytest.LogCaptureFixture,
    expires_in_days: float | None,
    warned: bool,
) -> None:
    answer: dict[str, Any] = {"access_token": "t", "expires_in": 3600}
    if expires_in_days is not None:
        answer["refresh_token_expires_in"] = int(expires_in_days * 86400)
    server.script(TOKEN_PATH, Reply(200, answer))
    server.default(ANALYTICS, Reply(200, {}))
    with (
        caplog.at_level(logging.WARNING),
        LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    messages = [
        record.getMessage() for record in caplog.records if "refresh token expires" in record.getMessage()
    ]
    assert bool(messages) is warned
    if warned:
        assert "re-authorise" in messages[0]


def test_new_tokens_are_announced_before_use(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    announced: list[str] = []
    server.script(
        TOKEN_PATH, token_reply("minted-access", refresh_token="rotated-refresh"), token_reply("second")
    )
    server.script(ANALYTICS, Reply(401, EXPIRED), Reply(200, {}))
    server.default(ANALYTICS, Reply(200, {}))
    config = _refresh_config(server, access_token="old")
    with LinkedInAdsClient(config, sleep=sleeper, clock=clock, on_new_token=announced.append) as client:
        client.get("adAnalytics", [("q", "analytics")])
        clock.now += 10_000_000  # far past expiry: the next call refreshes with the rotated refresh token
        client.get("adAnalytics", [("q", "analytics")])
    assert announced == ["minted-access", "rotated-refresh", "second"]
    assert server.requests_to(TOKEN_PATH)[1].form()["refresh_token"] == "rotated-refresh"


def test_concurrent_first_calls_refresh_exactly_once(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    gate = threading.Event()

    def slow_token(_: Received) -> Reply:
        gate.wait(0.2)  # keep the refresh in flight while the other threads arrive
        return token_reply("shared-token")

    server.default(TOKEN_PATH, slow_token)
    server.default(ANALYTICS, Reply(200, {}))
    errors = _run_in_threads(_refresh_config(server), clock, sleeper, threads=8)
    gate.set()
    assert errors == []
    assert len(server.requests_to(TOKEN_PATH)) == 1
    assert _bearers(server) == ["Bearer shared-token"] * 8


def test_concurrent_401s_refresh_exactly_once(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    def by_token(request: Received) -> Reply:
        if request.header("Authorization") == "Bearer old-token":
            return Reply(401, EXPIRED)
        return Reply(200, {})

    server.default(TOKEN_PATH, _numbered_tokens())
    server.default(ANALYTICS, by_token)
    errors = _run_in_threads(_refresh_config(server, access_token="old-token"), clock, sleeper, threads=8)
    assert errors == []
    assert len(server.requests_to(TOKEN_PATH)) == 1
    assert _bearers(server).count("Bearer token-1") == 8


def _run_in_threads(config: Any, clock: FakeClock, sleeper: Sleeper, *, threads: int) -> list[BaseException]:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    client = LinkedInAdsClient(config, sleep=sleeper, clock=clock)

    def worker() -> None:
        barrier.wait()
        try:
            client.get("adAnalytics", [("q", "analytics")])
        except BaseException as err:
            errors.append(err)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(10)
    client.close()
    return errors


def test_introspect_posts_the_current_token(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(TOKEN_PATH, token_reply("live-token"))
    server.script(
        INTROSPECT_PATH, Reply(200, {"active": True, "status": "active", "expires_at": 1_800_000_000})
    )
    with LinkedInAdsClient(_refresh_config(server), sleep=sleeper, clock=clock) as client:
        assert client.introspect() == {"active": True, "status": "active", "expires_at": 1_800_000_000}
    [seen] = server.requests_to(INTROSPECT_PATH)
    assert seen.method == "POST"
    assert seen.form() == {"client_id": "client-id", "client_secret": "client-secret", "token": "live-token"}
    assert seen.query == ""


def test_introspect_needs_client_credentials(server: ScriptedServer, clock: FakeClock) -> None:
    with (
        LinkedInAdsClient(make_config(server), clock=clock) as client,
        pytest.raises(ConfigurationError) as raised,
    ):
        client.introspect()
    assert raised.value.argument == "client_id"
