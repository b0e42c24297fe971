"""Reading connection extras: bare keys, the legacy ``extra__linkedin_ads__`` fallback, malformed input."""

from __future__ import annotations

import json
import warnings
from types import SimpleNamespace

import pytest

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.utils.connection import (
    KNOWN_EXTRA_FIELDS,
    ConflictingExtraWarning,
    ConnectionExtras,
    parse_extra,
)

CANARY = "canary-secret-7f3a9c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, {}, id="none"),
        pytest.param("", {}, id="empty-text"),
        pytest.param('{"api_version": "202608"}', {"api_version": "202608"}, id="json-object"),
        pytest.param({"api_version": "202608"}, {"api_version": "202608"}, id="mapping"),
    ],
)
def test_parse_extra_accepts(raw, expected):
    assert parse_extra(raw, conn_id="c") == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(f'{{"refresh_token": "{CANARY}"', id="truncated-json"),
        pytest.param(f"refresh_token={CANARY}", id="not-json"),
        pytest.param(json.dumps([CANARY]), id="json-list"),
        pytest.param('"just text"', id="json-string"),
        pytest.param("42", id="json-number"),
        pytest.param(42, id="int"),
    ],
)
def test_parse_extra_rejects_non_objects_without_echoing_the_text(raw):
    with pytest.raises(ConfigurationError) as info:
        parse_extra(raw, conn_id="my_conn")
    assert info.value.argument == "extra"
    assert "my_conn" in str(info.value)
    assert CANARY not in str(info.value)
    assert info.value.__cause__ is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param({"api_version": "202608"}, "202608", id="bare"),
        pytest.param({"extra__linkedin_ads__api_version": "202608"}, "202608", id="legacy"),
        pytest.param(
            {"api_version": "", "extra__linkedin_ads__api_version": "202608"}, "202608", id="blank-bare"
        ),
        pytest.param(
            {"api_version": None, "extra__linkedin_ads__api_version": "202608"}, "202608", id="null-bare"
        ),
        pytest.param({"api_version": "  202608\n"}, "202608", id="stripped"),
        pytest.param({"api_version": "   "}, None, id="whitespace-only"),
        pytest.param({"extra__linkedin_ads__api_version": ""}, None, id="blank-legacy-from-old-ui"),
        pytest.param({}, None, id="absent"),
        pytest.param({"extra__other_type__api_version": "202608"}, None, id="other-type-prefix"),
    ],
)
def test_get_str(extra, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ConnectionExtras(extra, conn_id="c").get_str("api_version") == expected


def test_bare_key_wins_over_legacy_with_a_warning():
    extras = ConnectionExtras(
        {"refresh_token": "bare-token-value", "extra__linkedin_ads__refresh_token": "legacy-token-value"},
        conn_id="my_conn",
    )
    with pytest.warns(ConflictingExtraWarning) as record:
        assert extras.get_str("refresh_token") == "bare-token-value"
    (warning,) = record
    message = str(warning.message)
    assert "extra__linkedin_ads__refresh_token" in message
    assert "my_conn" in message
    assert "token-value" not in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("refresh_token", 12345, id="int"),
        pytest.param("access_token", [CANARY], id="list"),
        pytest.param("extra__linkedin_ads__access_token", {"value": CANARY}, id="legacy-dict"),
        pytest.param("api_version", 202608, id="unquoted-version"),
        pytest.param("oauth_url", True, id="bool"),
    ],
)
def test_wrong_type_names_the_field_not_the_value(key, value):
    field = key.removeprefix("extra__linkedin_ads__")
    with pytest.raises(ConfigurationError) as info:
        ConnectionExtras({key: value}, conn_id="c").get_str(field)
    assert info.value.argument == field
    assert key in str(info.value)
    assert CANARY not in str(info.value)


def test_unknown_keys_lists_only_foreign_keys():
    extras = ConnectionExtras(
        {
            "refresh_token": "x",
            "extra__linkedin_ads__api_version": "202608",
            "refreshtoken": "typo",
            "extra__http__timeout": 3,
        }
    )
    assert extras.unknown_keys() == ["extra__http__timeout", "refreshtoken"]


def test_known_fields_are_the_declared_conn_fields():
    from airflow_provider_linkedin_ads.get_provider_info import CONN_FIELDS

    assert set(KNOWN_EXTRA_FIELDS) == set(CONN_FIELDS)


def test_from_connection_parses_the_raw_extra_text():
    connection = SimpleNamespace(
        conn_id="from_raw", extra='{"extra__linkedin_ads__oauth_url": "https://t.test/x"}'
    )
    extras = ConnectionExtras.from_connection(connection)
    assert extras.conn_id == "from_raw"
    assert extras.get_str("oauth_url") == "https://t.test/x"


def test_from_connection_refuses_malformed_text_that_extra_dejson_would_swallow():
    connection = SimpleNamespace(conn_id="broken", extra="{not json")
    with pytest.raises(ConfigurationError) as info:
        ConnectionExtras.from_connection(connection)
    assert info.value.argument == "extra"
