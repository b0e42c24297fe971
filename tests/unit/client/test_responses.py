"""Answers -> typed errors, over a real socket; plus the golden tables of the pure helpers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from airflow_provider_linkedin_ads.client import LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.config import DEFAULT_API_VERSION
from airflow_provider_linkedin_ads.client.responses import (
    classify_429,
    decode_json,
    error_from_answer,
    next_utc_midnight,
    parse_retry_after,
)
from airflow_provider_linkedin_ads.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DailyQuotaExceededError,
    DataThrottleError,
    LinkedInAdsError,
    NotFoundError,
    PermissionDeniedError,
    RequestSummary,
    ServerError,
    ThrottledError,
    TransportError,
    VersionNotActiveError,
)
from tests.unit.client.conftest import FakeClock, Reply, ScriptedServer, Sleeper, make_config

ANALYTICS = "/rest/adAnalytics"
NOW = 1_773_144_000.0  # 2026-03-10 12:00:00 UTC, the FakeClock default
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 1000 + "</body></html>"
DATA_THROTTLE = (
    "The data request limit has been exceeded. More than 45 million metric values were requested in a "
    "5-minute window."
)
DAY_QUOTA = "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached."
SUMMARY = RequestSummary(
    resource="adAnalytics",
    finder="analytics",
    pivots=("CAMPAIGN",),
    date_range="2025-01-01..2025-01-31",
    facet_counts={"accounts": 2},
)


def _json(status: int, code: str | None, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "message": message, **extra}
    if code is not None:
        body["code"] = code
    return body


ERROR_TABLE = [
    pytest.param(
        Reply(
            400,
            _json(
                400,
                None,
                "Multiple errors occurred during the input validation.",
                errorDetails={
                    "inputErrors": [
                        {
                            "description": "sortBy.field is not allowed",
                            "input": {"inputPath": {"fieldPath": "sortBy.field"}},
                            "code": "QUERY_PARAM_NOT_ALLOWED",
                        }
                    ]
                },
            ),
        ),
        BadRequestError,
        None,
        id="400-input-errors",
    ),
    pytest.param(
        Reply(400, _json(400, "DATE_TOO_EARLY", "too early")),
        BadRequestError,
        "DATE_TOO_EARLY",
        id="400-code",
    ),
    pytest.param(
        Reply(403, _json(403, "USER_NOT_AUTHORIZED", "Not enough permissions", serviceErrorCode=100)),
        PermissionDeniedError,
        "USER_NOT_AUTHORIZED",
        id="403",
    ),
    pytest.param(
        Reply(404, _json(404, "NOT_FOUND", "no such account")), NotFoundError, "NOT_FOUND", id="404"
    ),
    pytest.param(Reply(409, _json(409, "CONFLICT", "conflict")), APIError, "CONFLICT", id="409-generic"),
    pytest.param(
        Reply(426, _json(426, "NONEXISTENT_VERSION", "Requested version 20240401 is not active")),
        VersionNotActiveError,
        "NONEXISTENT_VERSION",
        id="426",
    ),
    pytest.param(
        Reply(429, _json(429, "TOO_MANY_REQUESTS", "Too many requests", serviceErrorCode=101)),
        ThrottledError,
        "TOO_MANY_REQUESTS",
        id="429-short",
    ),
    pytest.param(
        Reply(429, _json(429, "TOO_MANY_REQUESTS", DATA_THROTTLE)),
        DataThrottleError,
        "TOO_MANY_REQUESTS",
        id="429-data",
    ),
    pytest.param(
        Reply(429, _json(429, "TOO_MANY_REQUESTS", DAY_QUOTA, serviceErrorCode=101)),
        DailyQuotaExceededError,
        "TOO_MANY_REQUESTS",
        id="429-day",
    ),
    pytest.param(
        Reply(429, DATA_THROTTLE, {"Content-Type": "text/plain"}),
        DataThrottleError,
        None,
        id="429-plain-text",
    ),
    pytest.param(Reply(500, _json(500, "INTERNAL_ERROR", "boom")), ServerError, "INTERNAL_ERROR", id="500"),
    pytest.param(Reply(502, HTML_502, {"Content-Type": "text/html"}), ServerError, None, id="502-html"),
    pytest.param(
        Reply(503, _json(503, "UNDER_MAINTENANCE", "maintenance")), ServerError, "UNDER_MAINTENANCE", id="503"
    ),
    pytest.param(Reply(504, "", {"Content-Type": "text/html"}), ServerError, None, id="504-empty"),
    pytest.param(
        Reply(404, "<html>Not Found</html>", {"Content-Type": "text/html"}), ServerError, None, id="404-html"
    ),
]


@pytest.mark.parametrize(("reply", "expected_type", "code"), ERROR_TABLE)
def test_error_answers_become_typed_errors(
    server: ScriptedServer,
    clock: FakeClock,
    sleeper: Sleeper,
    reply: Reply,
    expected_type: type[APIError],
    code: str | None,
) -> None:
    server.script(ANALYTICS, reply)
    config = make_config(server, retry=RetryPolicy(max_attempts=1))
    with (
        LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
        pytest.raises(LinkedInAdsError) as raised,
    ):
        client.finder("adAnalytics", "analytics", [("pivot", "CAMPAIGN")], summary=SUMMARY)
    error = raised.value
    assert type(error) is expected_type
    assert isinstance(error, APIError)
    assert error.status == reply.status
    assert error.code == code
    assert error.request_summary == SUMMARY
    assert "q=analytics" in str(error)
    assert "accounts=2 value(s)" in str(error)


def test_400_carries_every_input_error(server: ScriptedServer, clock: FakeClock, sleeper: Sleeper) -> None:
    items = [
        {"description": "missing", "input": {"inputPath": {"fieldPath": "pivot"}}, "code": "MISSING_FIELD"},
        {
            "description": "bad",
            "input": {"inputPath": {"fieldPath": "timeGranularity"}},
            "code": "INVALID_VALUE_FOR_FIELD",
        },
    ]
    server.script(
        ANALYTICS, Reply(400, {"status": 400, "message": "invalid", "errorDetails": {"inputErrors": items}})
    )
    with (
        LinkedInAdsClient(make_config(server), sleep=sleeper, clock=clock) as client,
        pytest.raises(BadRequestError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert [(item.code, item.field_path) for item in raised.value.input_errors] == [
        ("MISSING_FIELD", "pivot"),
        ("INVALID_VALUE_FOR_FIELD", "timeGranularity"),
    ]
    assert "MISSING_FIELD at pivot" in str(raised.value)
    assert sleeper.waits == []


def test_426_names_the_version_and_the_fix(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(
        ANALYTICS, Reply(426, _json(426, "NONEXISTENT_VERSION", "Requested version 20240101 is not active"))
    )
    config = make_config(server, api_version="202401")
    with (
        LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client,
        pytest.raises(VersionNotActiveError) as raised,
    ):
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.requested_version == "202401"
    assert raised.value.message.startswith(
        "LinkedIn-Version 202401 is no longer active; set api_version (connection extra or operator argument) "
        f"to a current version such as {DEFAULT_API_VERSION}"
    )
    assert len(server.received) == 1


def test_non_json_error_keeps_the_start_of_the_body() -> None:
    error = error_from_answer(502, HTML_502.encode(), {}, requested_version="202603", summary=None, now=NOW)
    assert isinstance(error, ServerError)
    assert "502 Bad Gateway" in str(error)
    assert len(error.message) < 400


def test_daily_quota_resets_at_next_utc_midnight() -> None:
    body = _json(429, "TOO_MANY_REQUESTS", DAY_QUOTA)
    error = error_from_answer(
        429, json.dumps(body).encode(), {}, requested_version="202603", summary=None, now=NOW
    )
    assert isinstance(error, DailyQuotaExceededError)
    assert error.resets_at == dt.datetime(2026, 3, 11, tzinfo=dt.UTC)


def test_401_is_an_authentication_error_with_codes() -> None:
    body = b'{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"revoked"}'
    error = error_from_answer(401, body, {}, requested_version="202603", summary=None, now=NOW)
    assert isinstance(error, AuthenticationError)
    assert (error.status, error.code, error.service_error_code) == (401, "REVOKED_ACCESS_TOKEN", 65601)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            _json(429, "TOO_MANY_REQUESTS", DATA_THROTTLE), DataThrottleError, id="data-throttle-official"
        ),
        pytest.param(
            {"message": "The data request limit has been exceeded."},
            DataThrottleError,
            id="data-request-limit",
        ),
        pytest.param(
            {"message": "More than 45 MILLION metric values"}, DataThrottleError, id="45-million-any-case"
        ),
        pytest.param(
            {"message": "45 million metric values; APPLICATION DAY limit"},
            DataThrottleError,
            id="data-throttle-wins-over-day",
        ),
        pytest.param(
            _json(429, "TOO_MANY_REQUESTS", DAY_QUOTA),
            DailyQuotaExceededError,
            id="application-and-member-day",
        ),
        pytest.param(
            {
                "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
            },
            DailyQuotaExceededError,
            id="application-day",
        ),
        pytest.param(
            {"message": "throttle MEMBER_DAY limit reached"}, DailyQuotaExceededError, id="underscore-day"
        ),
        pytest.param(
            {
                "message": "Resource level throttle APPLICATION MINUTE limit for calls to this resource is reached."
            },
            ThrottledError,
            id="minute",
        ),
        pytest.param({"message": "APPLICATION SECOND limit"}, ThrottledError, id="second"),
        pytest.param(
            {"message": "Try again in a day or so"}, ThrottledError, id="lowercase-day-is-not-the-token"
        ),
        pytest.param({"message": "THURSDAY maintenance"}, ThrottledError, id="day-inside-a-word"),
        pytest.param({"status": 429}, ThrottledError, id="no-message"),
        pytest.param("Too Many Requests", ThrottledError, id="plain-text"),
        pytest.param(DAY_QUOTA, DailyQuotaExceededError, id="plain-text-day"),
        pytest.param(None, ThrottledError, id="no-body"),
    ],
)
def test_classify_429_golden(body: dict[str, Any] | str | None, expected: type[Exception]) -> None:
    assert classify_429(429, body, {}) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty"),
        pytest.param("7", 7.0, id="seconds"),
        pytest.param(" 2.5 ", 2.5, id="fractional"),
        pytest.param("-3", 0.0, id="negative-clamped"),
        pytest.param("nan", None, id="nan"),
        pytest.param("Tue, 10 Mar 2026 12:00:30 GMT", 30.0, id="http-date"),
        pytest.param("Tue, 10 Mar 2026 11:00:00 GMT", 0.0, id="http-date-in-the-past"),
        pytest.param("soon", None, id="garbage"),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_header_is_read_case_insensitively() -> None:
    error = error_from_answer(
        429,
        b'{"message":"slow down"}',
        {"retry-after": "12"},
        requested_version="202603",
        summary=None,
        now=NOW,
    )
    assert isinstance(error, ThrottledError)
    assert error.retry_after == 12.0


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(NOW, dt.datetime(2026, 3, 11, tzinfo=dt.UTC), id="midday"),
        pytest.param(
            dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp(),
            dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            id="new-year",
        ),
        pytest.param(
            dt.datetime(2026, 3, 10, tzinfo=dt.UTC).timestamp(),
            dt.datetime(2026, 3, 11, tzinfo=dt.UTC),
            id="at-midnight",
        ),
    ],
)
def test_next_utc_midnight(now: float, expected: dt.datetime) -> None:
    assert next_utc_midnight(now) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", {}, id="empty"),
        pytest.param(b'{"a": 1}', {"a": 1}, id="object"),
    ],
)
def test_decode_json(content: bytes, expected: dict[str, Any]) -> None:
    assert decode_json(content, 200) == expected


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"a": ', id="cut"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
    ],
)
def test_decode_json_rejects_non_objects(content: bytes) -> None:
    with pytest.raises(TransportError):
        decode_json(content, 200)
