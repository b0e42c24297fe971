"""The hook's new settings (attempt deadline, answer cap) and ``test_connection``'s short policy."""

from __future__ import annotations

import socket

import pytest

from airflow_provider_linkedin_ads.client.config import DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.hooks.linkedin_ads import (
    TEST_CONNECTION_POLICY,
    LinkedInAdsHook,
    quick_check_config,
)
from tests.unit.client.raw_server import Counter, head, raw_server


def _unavailable(connection: socket.socket, counter: Counter) -> None:
    connection.sendall(head("503 Service Unavailable", length=2) + b"{}")


def test_defaults_apply_without_extras(set_connection, canary):
    set_connection(extra={"access_token": canary("access")})
    config = LinkedInAdsHook().client_config
    assert (config.attempt_timeout, config.max_response_bytes) == (
        DEFAULT_ATTEMPT_TIMEOUT,
        DEFAULT_MAX_RESPONSE_BYTES,
    )


@pytest.mark.parametrize(
    ("extra", "argument", "expected"),
    [
        pytest.param({"attempt_timeout": "45.5"}, None, 45.5, id="extra-as-text"),
        pytest.param({"attempt_timeout": 30}, None, 30.0, id="extra-as-number"),
        pytest.param({"attempt_timeout": "30"}, 12.0, 12.0, id="argument-wins"),
        pytest.param({"extra__linkedin_ads__attempt_timeout": "20"}, None, 20.0, id="legacy-key"),
    ],
)
def test_attempt_timeout_resolution(set_connection, canary, extra, argument, expected):
    set_connection(extra={"access_token": canary("access"), **extra})
    assert LinkedInAdsHook(attempt_timeout=argument).client_config.attempt_timeout == expected


def test_max_response_bytes_from_the_extra(set_connection, canary):
    set_connection(extra={"access_token": canary("access"), "max_response_bytes": "1048576"})
    assert LinkedInAdsHook().client_config.max_response_bytes == 1_048_576


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        pytest.param({"attempt_timeout": "soon"}, "attempt_timeout", id="attempt-timeout-text"),
        pytest.param({"attempt_timeout": "0"}, "attempt_timeout", id="attempt-timeout-zero"),
        pytest.param({"max_response_bytes": "1.5"}, "max_response_bytes", id="cap-fraction"),
        pytest.param({"max_response_bytes": True}, "max_response_bytes", id="cap-boolean"),
        pytest.param({"max_response_bytes": "-1"}, "max_response_bytes", id="cap-negative"),
    ],
)
def test_bad_values_name_the_extra(set_connection, canary, extra, named):
    set_connection(extra={"access_token": canary("access"), **extra})
    with pytest.raises(ConfigurationError) as raised:
        LinkedInAdsHook().client_config  # noqa: B018 -- resolving is the point
    assert raised.value.argument == named


def test_test_connection_policy_is_short(set_connection, canary):
    set_connection(extra={"access_token": canary("access")})
    quick = quick_check_config(LinkedInAdsHook().client_config)
    assert quick.retry == TEST_CONNECTION_POLICY
    assert quick.retry.max_attempts == 1
    assert quick.retry.after_refresh_wait == 0
    # At most four attempts (token, call, and after a 401 one more of each), each under its deadline.
    assert 4 * quick.attempt_timeout < 10
    assert quick.connect_timeout <= quick.attempt_timeout
    assert quick.read_timeout <= quick.attempt_timeout


def test_test_connection_makes_one_attempt_and_says_so(set_connection, canary):
    with raw_server(_unavailable) as server:
        set_connection(extra={"access_token": canary("access"), "api_base_url": f"{server.url}/rest"})
        ok, message = LinkedInAdsHook().test_connection()  # the connection's full policy would try 8 times
        assert server.counter.connections == 1
    assert ok is False
    assert message.startswith("LinkedIn API error")
    assert "quick check: one attempt per step, no retries" in message


def test_test_connection_to_a_closed_port_fails_with_the_quick_check_message(set_connection, canary):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    set_connection(extra={"access_token": canary("access"), "api_base_url": f"http://127.0.0.1:{port}/rest"})
    ok, message = LinkedInAdsHook().test_connection()
    assert ok is False
    assert message.startswith("Could not reach the LinkedIn API")
    assert "quick check" in message


def _redirect(connection: socket.socket, counter: Counter) -> None:
    connection.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: https://sso.example.com/login?ticket=ST-9\r\n"
        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )


def test_test_connection_names_a_redirect(set_connection, canary):
    with raw_server(_redirect) as server:
        set_connection(extra={"access_token": canary("access"), "api_base_url": f"{server.url}/rest"})
        ok, message = LinkedInAdsHook().test_connection()
    assert ok is False
    assert message.startswith("Redirected: a proxy or sign-on page answered instead of LinkedIn")
    assert "sso.example.com" in message
    assert "ST-9" not in message


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"access_token": "{canary}\r\nX-Injected: 1"}, id="crlf-access-token"),
        pytest.param(
            {"access_token": "ok-access-token", "api_base_url": "http://user:{canary}@127.0.0.1:9/rest"},
            id="user-info",
        ),
    ],
)
def test_test_connection_never_shows_a_refused_secret(set_connection, canary, extra):
    secret = canary("secret")
    set_connection(extra={key: value.format(canary=secret) for key, value in extra.items()})
    ok, message = LinkedInAdsHook().test_connection()
    assert ok is False
    assert message.startswith("Configuration error")
    assert secret not in message
    assert secret.encode("unicode_escape").decode() not in message
