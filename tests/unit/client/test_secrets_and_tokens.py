"""Secrets that must never reach a header, a URL or a message; 401s of any body; short token lives."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
from airflow_provider_linkedin_ads.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ServerError,
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
CANARY = "canary-secret-7f3a"
REFRESH: dict[str, Any] = {
    "access_token": None,
    "client_id": "client-id",
    "client_secret": "client-secret",
    "refresh_token": "refresh-token",
}


@pytest.mark.parametrize("field", ["access_token", "refresh_token", "client_secret", "client_id"])
@pytest.mark.parametrize("bad", ["\r\nX-Evil: 1", "\n", " inner space", "\x00", "caf\u00e9"])
def test_header_unsafe_credentials_are_refused_without_echoing_them(field: str, bad: str) -> None:
    values: dict[str, Any] = {**REFRESH, "access_token": "fine-token", field: CANARY + bad}
    with pytest.raises(ConfigurationError) as raised:
        ClientConfig(**values)
    assert raised.value.argument == field
    assert CANARY not in str(raised.value)
    assert CANARY not in repr(raised.value)


def test_a_header_unsafe_token_from_the_endpoint_is_refused_without_echoing_it(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    seen: list[str] = []
    server.default(TOKEN_PATH, token_reply(CANARY + "\r\nX-Evil: 1"))
    config = make_config(server, **REFRESH)
    with (
        LinkedInAdsClient(config, sleep=sleeper, clock=clock, on_new_token=seen.append) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert type(raised.value) is AuthenticationError
    assert CANARY not in str(raised.value)
    assert seen == [CANARY + "\r\nX-Evil: 1"]  # registered with the masker before being refused
    assert server.requests_to(ANALYTICS) == []  # never sent


@pytest.mark.parametrize("field", ["api_base_url", "token_url"])
@pytest.mark.parametrize(
    "url",
    [
        "http://user:{pw}@127.0.0.1:9/rest",
        "https://{pw}@api.example.com/rest",
        "https://user:{pw}@evil.example.com",
    ],
)
def test_user_info_in_urls_is_refused_without_the_password(field: str, url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ClientConfig(access_token="token", **{field: url.format(pw=CANARY)})
    assert raised.value.argument == field
    assert "user info" in str(raised.value)
    assert CANARY not in str(raised.value)


def test_a_401_with_an_html_body_refreshes_once_then_fails_as_unauthorized(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    html = Reply(
        401, "<html><body>401 Authorization Required</body></html>", headers={"Content-Type": "text/html"}
    )
    server.default(ANALYTICS, html)
    server.default(TOKEN_PATH, token_reply("fresh-token"))
    config = make_config(server, **{**REFRESH, "access_token": "old-token"})
    with (
        LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
        pytest.raises(UnauthorizedError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    error = raised.value
    assert isinstance(error, APIError)
    assert isinstance(error, AuthenticationError)
    assert not isinstance(error, ServerError)
    assert error.status == 401
    assert len(server.requests_to(TOKEN_PATH)) == 1  # refreshed once
    # old token, fresh token, and the after-refresh pause's one retry: never 8 server-error retries
    assert len(server.requests_to(ANALYTICS)) == 3
    assert sleeper.waits == [config.retry.after_refresh_wait]


def test_except_api_error_catches_a_401(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    server.default(
        ANALYTICS, Reply(401, {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN"})
    )
    with LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client:
        try:
            client.get("adAnalytics", [("q", "analytics")])
        except APIError as err:
            caught: APIError = err
    assert isinstance(caught, UnauthorizedError)
    assert (caught.status, caught.service_error_code) == (401, 65601)


@pytest.mark.parametrize(
    ("expires_in", "step", "expected_token_calls"),
    [
        pytest.param(60, 0.0, 1, id="60s-no-time-passes"),
        pytest.param(60, 1.0, 1, id="60s-20-calls-over-20s"),
        pytest.param(60, 2.0, 2, id="60s-20-calls-over-40s-one-more"),
        pytest.param(0, 0.0, 1, id="zero-lifetime-has-a-floor"),
        pytest.param(5_184_000, 1.0, 1, id="normal-lifetime"),
    ],
)
def test_a_short_token_lifetime_refreshes_at_most_once_per_lifetime(
    server: ScriptedServer,
    clock: FakeClock,
    sleeper: Sleeper,
    expires_in: int,
    step: float,
    expected_token_calls: int,
) -> None:
    server.default(TOKEN_PATH, token_reply("short-lived", expires_in=expires_in))
    server.default(ANALYTICS, Reply(200, {"elements": []}))
    with LinkedInAdsClient(make_config(server, **REFRESH), sleep=sleeper, clock=clock) as client:
        for _ in range(20):
            client.get("adAnalytics", [("q", "analytics")])
            clock.now += step
    assert len(server.requests_to(ANALYTICS)) == 20
    assert len(server.requests_to(TOKEN_PATH)) == expected_token_calls
