"""OAuth 2.0 as LinkedIn runs it: token endpoint grants and errors, introspection, token lifetimes."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import pytest

from airflow_provider_linkedin_ads.testing import AUTH_CODE, EmulatorServer

CLIENT = {"client_id": "emulator-client", "client_secret": "emulator-secret"}
FORM = {"Content_Type": "application/x-www-form-urlencoded"}


def token_call(api: Any, path: str = "/oauth/v2/accessToken", **fields: str) -> Any:
    body = urllib.parse.urlencode(fields).encode()
    return api.post(
        path, body, Authorization=None, LinkedIn_Version=None, X_Restli_Protocol_Version=None, **FORM
    )


def refresh(api: Any, refresh_token: str = "emulator-refresh-token", **overrides: str) -> Any:
    return token_call(api, grant_type="refresh_token", refresh_token=refresh_token, **{**CLIENT, **overrides})


def test_refresh_grant_mints_a_working_access_token(server: EmulatorServer, api: Any) -> None:
    reply = refresh(api)

    body = reply.json
    assert reply.status == 200
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "scope"}
    assert (body["expires_in"], body["refresh_token_expires_in"]) == (5_184_000, 31_536_000)
    assert body["refresh_token"] == "emulator-refresh-token"
    api.token = body["access_token"]
    assert api.get("/rest/adAccounts", "q=search").status == 200


def test_refreshing_does_not_extend_the_refresh_token(server: EmulatorServer, api: Any) -> None:
    server.clock.advance(dt.timedelta(days=59))

    body = refresh(api).json

    assert body["expires_in"] == 5_184_000
    assert body["refresh_token_expires_in"] == 31_536_000 - 59 * 86_400


def test_authorization_code_grant_issues_a_new_refresh_token(api: Any) -> None:
    reply = token_call(
        api, grant_type="authorization_code", code=AUTH_CODE, redirect_uri="http://localhost/cb", **CLIENT
    )

    body = reply.json
    assert reply.status == 200
    assert body["refresh_token"] != "emulator-refresh-token"
    assert refresh(api, body["refresh_token"]).status == 200


@pytest.mark.parametrize(
    ("fields", "status", "error", "fragment"),
    [
        pytest.param({**CLIENT}, 400, "invalid_request", '"grant_type" is missing', id="no-grant"),
        pytest.param(
            {"grant_type": "password", **CLIENT},
            400,
            "unsupported_grant_type",
            "password",
            id="unsupported-grant",
        ),
        pytest.param(
            {"grant_type": "client_credentials", **CLIENT},
            400,
            "access_denied",
            "not allowed to create application tokens",
            id="two-legged",
        ),
        pytest.param(
            {
                "grant_type": "refresh_token",
                "refresh_token": "emulator-refresh-token",
                "client_id": "emulator-client",
                "client_secret": "wrong",
            },
            401,
            "invalid_client",
            "Client authentication failed",
            id="wrong-secret",
        ),
        pytest.param(
            {"grant_type": "refresh_token", **CLIENT},
            400,
            "invalid_request",
            '"refresh_token" is missing',
            id="no-refresh-token",
        ),
        pytest.param(
            {"grant_type": "refresh_token", "refresh_token": "nope", **CLIENT},
            400,
            "invalid_grant",
            "invalid, expired or revoked",
            id="unknown-refresh-token",
        ),
        pytest.param(
            {"grant_type": "authorization_code", "code": "nope", **CLIENT},
            400,
            "invalid_grant",
            "invalid, expired or revoked",
            id="wrong-code",
        ),
        pytest.param(
            {"grant_type": "authorization_code", **CLIENT},
            400,
            "invalid_request",
            '"code" is missing',
            id="no-code",
        ),
    ],
)
def test_token_endpoint_errors_are_oauth_style(
    api: Any, fields: dict[str, str], status: int, error: str, fragment: str
) -> None:
    reply = token_call(api, **fields)

    assert (reply.status, reply.json["error"]) == (status, error)
    assert fragment in reply.json["error_description"]


@pytest.mark.parametrize("spoil", ["revoke", "expire", "clock"])
def test_revoked_or_expired_refresh_token_is_invalid_grant(
    server: EmulatorServer, api: Any, spoil: str
) -> None:
    if spoil == "clock":
        server.clock.advance(dt.timedelta(days=365))
    else:
        getattr(server, spoil)("emulator-refresh-token")

    reply = refresh(api)

    assert (reply.status, reply.json["error"]) == (400, "invalid_grant")


def test_token_endpoint_is_post_only(api: Any) -> None:
    reply = api.get("/oauth/v2/accessToken")

    assert (reply.status, reply.json["error"]) == (405, "invalid_request")


@pytest.mark.parametrize(
    ("spoil", "active", "status"),
    [
        pytest.param(None, True, "active", id="active"),
        pytest.param("revoke", False, "revoked", id="revoked"),
        pytest.param("expire", False, "expired", id="expired"),
    ],
)
def test_introspection(
    server: EmulatorServer, api: Any, spoil: str | None, active: bool, status: str
) -> None:
    token = server.issue_access_token(expires_in=600)
    if spoil:
        getattr(server, spoil)(token)

    body = token_call(api, "/oauth/v2/introspectToken", token=token, **CLIENT).json

    assert (body["active"], body["status"], body["auth_type"]) == (active, status, "3L")
    assert body["client_id"] == "emulator-client"
    if spoil is None:
        assert body["expires_at"] == server.clock.timestamp() + 600


def test_introspection_of_unknown_token_and_bad_client(api: Any) -> None:
    unknown = token_call(api, "/oauth/v2/introspectToken", token="nope", **CLIENT)
    bad_client = token_call(api, "/oauth/v2/introspectToken", token="nope", client_id="x", client_secret="y")

    assert (unknown.status, unknown.json) == (200, {"active": False})
    assert (bad_client.status, bad_client.json["error"]) == (401, "invalid_client")


def test_oauth_secrets_never_reach_the_request_log(server: EmulatorServer, api: Any) -> None:
    access = refresh(api).json["access_token"]
    api.token = access
    api.get("/rest/adAccounts", "q=search")

    printed = repr(server.requests) + str(server.requests)

    for secret in ("emulator-secret", "emulator-refresh-token", access):
        assert secret not in printed
    assert server.requests[-1].headers["authorization"] == "REDACTED"
