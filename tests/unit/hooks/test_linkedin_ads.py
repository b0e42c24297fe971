"""``LinkedInAdsHook``: configuration precedence, connection parsing, secret masking, API calls.

Connections come from ``AIRFLOW_CONN_*`` environment variables in JSON form (no metadata database);
API calls go to the bundled emulator on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import redact

from airflow_provider_linkedin_ads.client import LinkedInAdsClient
from airflow_provider_linkedin_ads.client.config import (
    DEFAULT_API_BASE_URL,
    DEFAULT_API_VERSION,
    DEFAULT_TOKEN_URL,
    RetryPolicy,
)
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.hooks import linkedin_ads as hook_module
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.utils.connection import ConflictingExtraWarning
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS

CONN_ID = "linkedin_ads_default"
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


def airflow2_extra_warning() -> contextlib.AbstractContextManager[Any]:
    """Airflow 2.11 itself warns about a non-object ``extra`` while building the Connection."""
    if AIRFLOW_V_3_0_PLUS:
        return contextlib.nullcontext()
    from airflow.exceptions import RemovedInAirflow3Warning

    return pytest.warns(RemovedInAirflow3Warning)


def closed_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- construction ------------------------------------------------------------------------------------


def test_init_reads_no_connection_and_builds_no_client():
    hook = LinkedInAdsHook("a_connection_that_does_not_exist", api_version="202601")
    assert hook.linkedin_ads_conn_id == "a_connection_that_does_not_exist"
    assert getattr(hook, hook.conn_name_attr) == "a_connection_that_does_not_exist"
    assert "client_config" not in vars(hook)
    assert "client" not in vars(hook)


def test_default_connection_id():
    assert LinkedInAdsHook().linkedin_ads_conn_id == "linkedin_ads_default"


# -- configuration precedence ------------------------------------------------------------------------

EXTRAS = {
    "api_version": "202601",
    "api_base_url": "https://extra.test/rest",
    "oauth_url": "https://extra.test/token",
}
#: The extra oauth_url sets the client's token_url (the extra was renamed; the client field was not).
CONFIG_FIELD = {"oauth_url": "token_url"}
KWARGS = {
    "api_version": "202607",
    "api_base_url": "https://kwarg.test/rest",
    "token_url": "https://kwarg.test/token",
}
DEFAULTS = {
    "api_version": DEFAULT_API_VERSION,
    "api_base_url": DEFAULT_API_BASE_URL,
    "token_url": DEFAULT_TOKEN_URL,
}
LEGACY = {f"extra__linkedin_ads__{key}": value for key, value in EXTRAS.items()}


@pytest.mark.parametrize(
    ("kwargs", "extra", "expected"),
    [
        pytest.param({}, {}, DEFAULTS, id="defaults"),
        pytest.param({}, EXTRAS, EXTRAS, id="extras-over-defaults"),
        pytest.param(KWARGS, EXTRAS, KWARGS, id="kwargs-over-extras"),
        pytest.param(KWARGS, {}, KWARGS, id="kwargs-over-defaults"),
        pytest.param(dict.fromkeys(KWARGS), EXTRAS, EXTRAS, id="none-kwargs-dropped"),
        pytest.param(dict.fromkeys(KWARGS), {}, DEFAULTS, id="none-everywhere-gives-defaults"),
        pytest.param({}, LEGACY, EXTRAS, id="legacy-prefixed-extras"),
        pytest.param(KWARGS, LEGACY, KWARGS, id="kwargs-over-legacy-extras"),
        pytest.param(
            {"api_version": "202607"}, EXTRAS, {**EXTRAS, "api_version": "202607"}, id="partial-kwargs"
        ),
        pytest.param(
            {}, {"api_version": "", "api_base_url": "  ", "oauth_url": None}, DEFAULTS, id="blank-extras"
        ),
        pytest.param(
            {},
            {"api_base_url": "https://extra.test/rest/"},
            {"api_base_url": "https://extra.test/rest"},
            id="slash",
        ),
        pytest.param(
            {"api_base_url": "http://127.0.0.1:8080/rest", "token_url": "http://localhost:8080/token"},
            {},
            {"api_base_url": "http://127.0.0.1:8080/rest", "token_url": "http://localhost:8080/token"},
            id="http-loopback-allowed",
        ),
    ],
)
def test_configuration_precedence(set_connection, canary, kwargs, extra, expected):
    set_connection(extra={"access_token": canary("access"), **extra})
    config = LinkedInAdsHook(**kwargs).client_config
    assert {key: getattr(config, CONFIG_FIELD.get(key, key)) for key in expected} == expected


def test_credentials_come_from_login_password_and_extras(set_connection, canary):
    secret, refresh, access = canary("secret"), canary("refresh"), canary("access")
    set_connection(
        login="  my-client-id ", password=secret, extra={"refresh_token": refresh, "access_token": access}
    )
    config = LinkedInAdsHook().client_config
    assert (config.client_id, config.client_secret, config.refresh_token, config.access_token) == (
        "my-client-id",
        secret,
        refresh,
        access,
    )
    assert config.can_refresh


def test_retry_policy_argument_reaches_the_config(set_connection, canary):
    set_connection(extra={"access_token": canary("access")})
    policy = RetryPolicy(max_attempts=2, max_total_wait=10.0)
    assert LinkedInAdsHook(retry_policy=policy).client_config.retry is policy
    assert LinkedInAdsHook().client_config.retry == RetryPolicy()


def test_bare_extra_wins_over_legacy_key_with_a_warning(set_connection, canary):
    set_connection(
        extra={
            "access_token": canary("access"),
            "api_version": "202605",
            "extra__linkedin_ads__api_version": "202601",
        },
    )
    with pytest.warns(ConflictingExtraWarning, match="extra__linkedin_ads__api_version"):
        config = LinkedInAdsHook().client_config
    assert config.api_version == "202605"


def test_connection_is_read_once(set_connection, canary):
    set_connection(extra={"access_token": canary("access"), "api_version": "202601"})
    hook = LinkedInAdsHook()
    first = hook.client_config
    set_connection(extra={"access_token": canary("access"), "api_version": "202602"})
    assert hook.client_config is first
    assert hook.client_config.api_version == "202601"


def test_named_connection_from_environment(set_connection, canary):
    set_connection("my_linkedin", extra={"access_token": canary("access"), "api_version": "202603"})
    assert LinkedInAdsHook(linkedin_ads_conn_id="my_linkedin").client_config.api_version == "202603"


# -- invalid connections -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "argument"),
    [
        pytest.param({"refresh_token": 123456789}, "refresh_token", id="refresh-token-int"),
        pytest.param(
            {"access_token": ["token-part-one", "token-part-two"]}, "access_token", id="access-token-list"
        ),
        pytest.param(
            {"extra__linkedin_ads__access_token": {"t": 1}}, "access_token", id="legacy-access-token-dict"
        ),
        pytest.param(
            {"access_token": "t0ken-abcdef", "api_version": 202601}, "api_version", id="version-unquoted"
        ),
        pytest.param(
            {"access_token": "t0ken-abcdef", "api_version": "2026-01"}, "api_version", id="version-format"
        ),
        pytest.param({"access_token": "t0ken-abcdef", "api_base_url": False}, "api_base_url", id="url-bool"),
    ],
)
def test_malformed_extras_name_the_field(set_connection, canary, extra, argument):
    set_connection(extra=extra)
    with pytest.raises(ConfigurationError) as info:
        _ = LinkedInAdsHook().client_config
    assert info.value.argument == argument


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param('{"refresh_token": "canary-not-json-secret"', id="not-json"),
        pytest.param('["canary-not-json-secret"]', id="json-list"),
        pytest.param('"canary-not-json-secret"', id="json-string"),
    ],
)
def test_extra_that_is_not_a_json_object(set_connection, canary, extra):
    set_connection(extra=extra)
    hook = LinkedInAdsHook()
    with pytest.raises(ConfigurationError) as info, airflow2_extra_warning():
        _ = hook.client_config
    assert info.value.argument == "extra"
    assert "canary-not-json-secret" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        pytest.param({"api_base_url": "http://api.linkedin.com/rest"}, "api_base_url", id="http-api"),
        pytest.param(
            {"token_url": "http://www.linkedin.com/oauth/v2/accessToken"}, "token_url", id="http-token"
        ),
        pytest.param({"api_base_url": "http://10.0.0.5:8080/rest"}, "api_base_url", id="http-private-ip"),
        pytest.param({"api_base_url": "ftp://127.0.0.1/rest"}, "api_base_url", id="other-scheme"),
    ],
)
def test_cleartext_urls_to_non_loopback_hosts_are_refused(set_connection, canary, kwargs, argument):
    set_connection(extra={"access_token": canary("access")})
    with pytest.raises(ConfigurationError) as info:
        _ = LinkedInAdsHook(**kwargs).client_config
    assert info.value.argument == argument


def test_cleartext_url_in_extras_is_refused_too(set_connection, canary):
    set_connection(extra={"access_token": canary("access"), "oauth_url": "http://example.com/token"})
    with pytest.raises(ConfigurationError) as info:
        _ = LinkedInAdsHook().client_config
    assert info.value.argument == "oauth_url"  # the extra to fix, not the client's field name
    assert "oauth_url" in str(info.value)


def test_the_old_token_url_extra_is_still_read_with_a_deprecation_warning(set_connection, canary):
    from airflow.exceptions import AirflowProviderDeprecationWarning

    set_connection(extra={"access_token": canary("access"), "token_url": "https://old.test/token"})
    with pytest.warns(AirflowProviderDeprecationWarning, match="'token_url' is deprecated.*'oauth_url'"):
        config = LinkedInAdsHook().client_config
    assert config.token_url == "https://old.test/token"


def test_oauth_url_wins_over_the_old_token_url_extra(set_connection, canary):
    from airflow.exceptions import AirflowProviderDeprecationWarning

    extra = {"oauth_url": "https://new.test/token", "token_url": "https://old.test/token"}
    set_connection(extra={"access_token": canary("access"), **extra})
    with pytest.warns(AirflowProviderDeprecationWarning, match="ignored: oauth_url is set"):
        config = LinkedInAdsHook().client_config
    assert config.token_url == "https://new.test/token"


def test_airflow_does_not_mask_the_oauth_url_extra_but_did_mask_token_url():
    from airflow.providers.common.compat.sdk import redact

    url = "https://www.linkedin.com/oauth/v2/accessToken"
    assert redact(url, name="oauth_url") == url  # shown in the form and in error messages
    assert redact(url, name="token_url") == "***"  # why the extra was renamed


@pytest.mark.parametrize(
    ("login", "password", "extra"),
    [
        pytest.param(None, None, {}, id="nothing"),
        pytest.param("client-id", "client-secret-1", {}, id="no-refresh-token"),
        pytest.param("client-id", None, {"refresh_token": "refresh-token-1"}, id="no-client-secret"),
        pytest.param(None, "client-secret-1", {"refresh_token": "refresh-token-1"}, id="no-client-id"),
        pytest.param("client-id", "client-secret-1", {"access_token": "   "}, id="blank-access-token"),
    ],
)
def test_missing_credentials(set_connection, login, password, extra):
    set_connection(login=login, password=password, extra=extra)
    with pytest.raises(ConfigurationError) as info:
        _ = LinkedInAdsHook().client_config
    assert info.value.argument == "access_token"
    assert "refresh_token" in str(info.value)


# -- secret masking ------------------------------------------------------------------------------------


def test_secrets_are_redacted_by_airflows_masker(set_connection, canary):
    secret, refresh, access, legacy_refresh = (
        canary("secret"),
        canary("refresh"),
        canary("access"),
        canary("legacy"),
    )
    set_connection(password=secret, extra={"refresh_token": refresh, "access_token": access})
    _ = LinkedInAdsHook().client_config
    set_connection(
        "legacy_conn", password=secret, extra={"extra__linkedin_ads__refresh_token": legacy_refresh}
    )
    _ = LinkedInAdsHook("legacy_conn").client_config
    for value in (secret, refresh, access, legacy_refresh):
        # Other tests' masks are process-wide too, so assert on the canary, not on the whole text.
        redacted = redact(f"before {value} after")
        assert value not in redacted
        assert "***" in redacted


def test_each_secret_is_registered_by_the_hook(monkeypatch, set_connection, canary):
    # Airflow masks some values on its own (the password); this pins what the hook registers itself.
    registered: list[tuple[str, str | None]] = []
    monkeypatch.setattr(hook_module, "mask_secret", lambda value, name=None: registered.append((value, name)))
    secret, refresh, access = canary("secret"), canary("refresh"), canary("access")
    set_connection(
        password=secret, extra={"extra__linkedin_ads__refresh_token": refresh, "access_token": access}
    )
    _ = LinkedInAdsHook().client_config
    assert sorted(registered) == sorted(
        [(secret, "client_secret"), (refresh, "refresh_token"), (access, "access_token")]
    )


def test_configuration_errors_do_not_leak_secrets(set_connection, canary):
    secret, access = canary("secret"), canary("access")
    set_connection(password=secret, extra={"access_token": access, "api_version": "bad"})
    with pytest.raises(ConfigurationError) as info:
        _ = LinkedInAdsHook().client_config
    assert secret not in str(info.value)
    assert access not in str(info.value)
    assert access not in repr(LinkedInAdsHook().__dict__)


# -- client lifecycle ------------------------------------------------------------------------------------


def test_client_is_built_once_from_the_config(set_connection, canary):
    set_connection(extra={"access_token": canary("access"), "api_version": "202604"})
    hook = LinkedInAdsHook()
    client = hook.client
    assert isinstance(client, LinkedInAdsClient)
    assert hook.client is client
    assert hook.get_conn() is client
    assert client.config is hook.client_config


def test_close_lets_go_of_the_shared_client_without_closing_it(set_connection, canary, monkeypatch):
    set_connection(extra={"access_token": canary("access")})
    hook = LinkedInAdsHook()
    hook.close()  # nothing built yet: a no-op
    first = hook.client
    closed: list[bool] = []
    monkeypatch.setattr(first, "close", lambda: closed.append(True))
    hook.close()
    assert "client" not in vars(hook)
    assert closed == []  # other hooks and triggers of the process may be using it
    # The process owns the client: the next use (or another hook) gets the same one.
    assert hook.client is first
    assert LinkedInAdsHook().client is first


def test_hooks_share_a_client_only_for_the_same_connection_and_config(set_connection, canary):
    set_connection(extra={"access_token": canary("access"), "api_version": "202604"})
    shared = LinkedInAdsHook().client
    assert LinkedInAdsHook().client is shared
    assert LinkedInAdsHook(api_version="202605").client is not shared
    assert LinkedInAdsHook(attempt_timeout=5).client is not shared


# -- test_connection without a server ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "extra", "expected_start", "named"),
    [
        pytest.param(
            {"api_base_url": "http://example.com/rest"}, {}, "Configuration error", "api_base_url", id="http"
        ),
        pytest.param(
            {}, {"access_token": None}, "Configuration error", "no credentials", id="no-credentials"
        ),
        pytest.param({}, {"api_version": 1}, "Configuration error", "api_version", id="bad-extra"),
    ],
)
def test_test_connection_reports_configuration_problems(
    set_connection, canary, kwargs, extra, expected_start, named
):
    access = canary("access")
    set_connection(extra={"access_token": access, **extra})
    ok, message = LinkedInAdsHook(**kwargs).test_connection()
    assert ok is False
    assert message.startswith(expected_start)
    assert named in message
    assert access not in message


def test_test_connection_reports_a_missing_connection(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_NO_SUCH_LINKEDIN_CONN", raising=False)
    ok, message = LinkedInAdsHook("no_such_linkedin_conn").test_connection()
    assert ok is False
    assert message.startswith("Connection not found")
    assert "no_such_linkedin_conn" in message


def test_test_connection_reports_an_unreachable_server(set_connection, canary):
    port = closed_loopback_port()
    set_connection(extra={"access_token": canary("access"), "api_base_url": f"http://127.0.0.1:{port}/rest"})
    ok, message = LinkedInAdsHook(retry_policy=ONE_ATTEMPT).test_connection()
    assert ok is False
    assert message.startswith("Could not reach the LinkedIn API")
