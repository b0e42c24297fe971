"""The one retry policy: what is retried, how long it waits, when it stops, what it logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from airflow_provider_linkedin_ads.client import LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.retry import RETRYABLE_ERRORS, RetryRunner, backoff_wait
from airflow_provider_linkedin_ads.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    DailyQuotaExceededError,
    DataThrottleError,
    LinkedInAdsError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
    TransportError,
    VersionNotActiveError,
)
from tests.unit.client.conftest import FakeClock, Reply, ScriptedServer, Sleeper, make_config

ANALYTICS = "/rest/adAnalytics"
POLICY = RetryPolicy(max_attempts=4, initial_wait=1.0, max_wait=8.0, max_total_wait=1800.0)
DATA_THROTTLE = {
    "status": 429,
    "code": "TOO_MANY_REQUESTS",
    "message": "More than 45 million metric values were requested",
}
DAY_QUOTA = {
    "status": 429,
    "serviceErrorCode": 101,
    "code": "TOO_MANY_REQUESTS",
    "message": "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.",
}
SHORT_THROTTLE = {"status": 429, "code": "TOO_MANY_REQUESTS", "message": "APPLICATION MINUTE limit reached"}


def _client(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, policy: RetryPolicy = POLICY
) -> LinkedInAdsClient:
    return LinkedInAdsClient(make_config(server, retry=policy), sleep=sleeper, clock=clock)


# --- pure: the wait function -------------------------------------------------------------------


def _throttled(retry_after: float | None) -> ThrottledError:
    return ThrottledError("slow down", status=429, retry_after=retry_after)


@pytest.mark.parametrize(
    ("error", "attempt", "expected"),
    [
        pytest.param(ServerError("x", status=503), 1, 1.0, id="exponential-1"),
        pytest.param(ServerError("x", status=503), 3, 4.0, id="exponential-3"),
        pytest.param(TransportError("reset"), 4, 8.0, id="exponential-capped-by-max-wait"),
        pytest.param(TransportError("reset"), 10_000, 8.0, id="huge-attempt-does-not-overflow"),
        pytest.param(_throttled(3.0), 5, 3.0, id="retry-after-wins-over-backoff"),
        pytest.param(_throttled(600.0), 1, 8.0, id="retry-after-capped-by-max-wait"),
        pytest.param(_throttled(0.0), 1, 1.0, id="retry-after-zero-gets-the-backoff-floor"),
        pytest.param(_throttled(0.0), 3, 4.0, id="retry-after-zero-floor-grows"),
        pytest.param(DataThrottleError("x", status=429), 1, 330.0, id="data-throttle-floor"),
        pytest.param(
            DataThrottleError("x", status=429, retry_after=5.0),
            1,
            330.0,
            id="data-throttle-short-retry-after",
        ),
    ],
)
def test_backoff_wait_upper_bounds(error: BaseException, attempt: int, expected: float) -> None:
    assert backoff_wait(error, attempt, POLICY, jitter=lambda low, high: high) == expected


def test_backoff_is_full_jitter_from_zero() -> None:
    seen: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        seen.append((low, high))
        return low

    assert backoff_wait(ServerError("x", status=500), 2, POLICY, jitter=jitter) == 0.0
    assert seen == [(0.0, 2.0)]


def test_data_throttle_honours_a_longer_configured_wait() -> None:
    policy = RetryPolicy(data_throttle_wait=400.0, max_wait=500.0)
    error = DataThrottleError("x", status=429, retry_after=450.0)
    assert backoff_wait(error, 1, policy) == 450.0
    assert backoff_wait(DataThrottleError("x", status=429), 1, policy) == 400.0


# --- pure: the runner --------------------------------------------------------------------------


class _Flaky:
    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(TransportError("reset"), id="transport"),
        pytest.param(ServerError("x", status=502), id="server"),
        pytest.param(ThrottledError("x", status=429), id="throttled"),
        pytest.param(DataThrottleError("x", status=429), id="data-throttle"),
    ],
)
def test_runner_retries_transient_errors(error: LinkedInAdsError) -> None:
    sleeper = Sleeper()
    flaky = _Flaky(error)
    runner = RetryRunner(POLICY, sleep=sleeper, logger=logging.getLogger("test"))
    assert runner.call(flaky, describe="test") == "done"
    assert flaky.calls == 2
    assert len(sleeper.waits) == 1


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(DailyQuotaExceededError("x", status=429), id="daily-quota"),
        pytest.param(BadRequestError("x", status=400), id="400"),
        pytest.param(PermissionDeniedError("x", status=403), id="403"),
        pytest.param(NotFoundError("x", status=404), id="404"),
        pytest.param(VersionNotActiveError("x", status=426), id="426"),
        pytest.param(APIError("x", status=409), id="other-4xx"),
        pytest.param(AuthenticationError("x", status=401), id="auth"),
        pytest.param(ConfigurationError("x"), id="config"),
        pytest.param(ValueError("bug"), id="foreign-exception"),
    ],
)
def test_runner_never_retries_other_errors(error: Exception) -> None:
    sleeper = Sleeper()
    flaky = _Flaky(error)
    runner = RetryRunner(POLICY, sleep=sleeper, logger=logging.getLogger("test"))
    with pytest.raises(type(error)) as raised:
        runner.call(flaky, describe="test")
    assert raised.value is error
    assert flaky.calls == 1
    assert sleeper.waits == []


def test_retryable_types_are_exactly_the_transient_ones() -> None:
    assert set(RETRYABLE_ERRORS) == {TransportError, ServerError, ThrottledError, DataThrottleError}


def test_runner_reraises_the_last_error_unchanged_after_the_last_attempt() -> None:
    errors = [ServerError(f"attempt {number}", status=503) for number in range(1, 5)]
    sleeper = Sleeper()
    runner = RetryRunner(
        POLICY, sleep=sleeper, logger=logging.getLogger("test"), jitter=lambda low, high: high
    )
    with pytest.raises(ServerError) as raised:
        runner.call(_Flaky(*errors), describe="test")
    assert raised.value is errors[-1]
    assert sleeper.waits == [1.0, 2.0, 4.0]


def test_runner_stops_before_the_total_wait_is_exceeded() -> None:
    policy = RetryPolicy(max_attempts=10, max_total_wait=700.0)
    errors = [DataThrottleError(f"n{number}", status=429) for number in range(10)]
    sleeper = Sleeper()
    flaky = _Flaky(*errors)
    runner = RetryRunner(policy, sleep=sleeper, logger=logging.getLogger("test"))
    with pytest.raises(DataThrottleError) as raised:
        runner.call(flaky, describe="test")
    assert sleeper.waits == [330.0, 330.0]  # a third wait would make 990 s > 700 s
    assert flaky.calls == 3
    assert raised.value is errors[2]


def test_runner_counts_and_logs_every_retry(caplog: pytest.LogCaptureFixture) -> None:
    reasons: list[str] = []
    runner = RetryRunner(
        POLICY,
        sleep=Sleeper(),
        logger=logging.getLogger("retry-test"),
        on_retry=reasons.append,
        jitter=lambda low, high: high,
    )
    flaky = _Flaky(ServerError("bad gateway", status=502), TransportError("connection reset"))
    with caplog.at_level(logging.WARNING, logger="retry-test"):
        runner.call(flaky, describe="GET adAnalytics q=analytics")
    assert reasons == ["ServerError", "TransportError"]
    first, second = (record.getMessage() for record in caplog.records)
    assert first.startswith(
        "LinkedIn Ads GET adAnalytics q=analytics failed with ServerError (HTTP 502), attempt 1/4"
    )
    assert "retrying in 1.0 s" in first
    assert "TransportError (HTTP -), attempt 2/4; retrying in 2.0 s: connection reset" in second


# --- through the client, against the server ---------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        pytest.param(
            Reply(500, {"status": 500, "code": "INTERNAL_ERROR", "message": "x"}), "ServerError", id="500"
        ),
        pytest.param(
            Reply(502, "<html>Bad Gateway</html>", {"Content-Type": "text/html"}),
            "ServerError",
            id="502-html",
        ),
        pytest.param(
            Reply(503, {"status": 503, "code": "UNDER_MAINTENANCE", "message": "x"}), "ServerError", id="503"
        ),
        pytest.param(
            Reply(504, "<html>Gateway Timeout</html>", {"Content-Type": "text/html"}), "ServerError", id="504"
        ),
        pytest.param(Reply(429, SHORT_THROTTLE), "ThrottledError", id="429-short"),
        pytest.param(Reply(429, DATA_THROTTLE), "DataThrottleError", id="429-data"),
        pytest.param(Reply(action="reset"), "TransportError", id="reset"),
        pytest.param(
            Reply(200, {"elements": list(range(100))}, action="cut"), "TransportError", id="cut-body"
        ),
    ],
)
def test_transient_answers_are_retried(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, reply: Reply, reason: str
) -> None:
    server.script(ANALYTICS, reply, Reply(200, {"elements": []}))
    with _client(server, clock, sleeper) as client:
        assert client.get("adAnalytics", [("q", "analytics")]) == {"elements": []}
        stats = client.stats
    assert len(server.requests_to(ANALYTICS)) == 2
    assert len(sleeper.waits) == 1
    assert (stats.calls, stats.retries, dict(stats.retries_by_reason)) == (2, 1, {reason: 1})


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            Reply(400, {"status": 400, "code": "MISSING_FIELD", "message": "x"}), BadRequestError, id="400"
        ),
        pytest.param(
            Reply(403, {"status": 403, "code": "USER_NOT_AUTHORIZED", "message": "x"}),
            PermissionDeniedError,
            id="403",
        ),
        pytest.param(
            Reply(404, {"status": 404, "code": "NOT_FOUND", "message": "x"}), NotFoundError, id="404"
        ),
        pytest.param(
            Reply(426, {"status": 426, "code": "NONEXISTENT_VERSION", "message": "x"}),
            VersionNotActiveError,
            id="426",
        ),
        pytest.param(Reply(429, DAY_QUOTA), DailyQuotaExceededError, id="429-day"),
    ],
)
def test_permanent_answers_raise_at_once(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, reply: Reply, expected: type[Exception]
) -> None:
    server.default(ANALYTICS, reply)
    with _client(server, clock, sleeper) as client, pytest.raises(expected):
        client.get("adAnalytics", [("q", "analytics")])
    assert len(server.requests_to(ANALYTICS)) == 1
    assert sleeper.waits == []


def test_daily_quota_carries_the_reset_time(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.default(ANALYTICS, Reply(429, DAY_QUOTA))
    with _client(server, clock, sleeper) as client, pytest.raises(DailyQuotaExceededError) as raised:
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.resets_at == dt.datetime(2026, 3, 11, tzinfo=dt.UTC)
    assert raised.value.service_error_code == 101


@pytest.mark.parametrize(
    ("retry_after", "expected_wait"),
    [
        pytest.param("3", 3.0, id="seconds"),
        pytest.param("100", 8.0, id="capped-by-max-wait"),
        pytest.param("Tue, 10 Mar 2026 12:00:05 GMT", 5.0, id="http-date"),
    ],
)
def test_retry_after_is_honoured(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, retry_after: str, expected_wait: float
) -> None:
    server.script(ANALYTICS, Reply(429, SHORT_THROTTLE, {"Retry-After": retry_after}), Reply(200, {}))
    with _client(server, clock, sleeper) as client:
        client.get("adAnalytics", [("q", "analytics")])
    assert sleeper.waits == [expected_wait]


def test_data_throttle_waits_at_least_330_seconds(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(
        ANALYTICS, Reply(429, DATA_THROTTLE, {"Retry-After": "2"}), Reply(429, DATA_THROTTLE), Reply(200, {})
    )
    with _client(server, clock, sleeper) as client:
        client.get("adAnalytics", [("q", "analytics")])
    assert sleeper.waits == [330.0, 330.0]


def test_backoff_waits_grow_within_their_jitter_range(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, *[Reply(503, {"message": "x"})] * 3, Reply(200, {}))
    with _client(server, clock, sleeper) as client:
        client.get("adAnalytics", [("q", "analytics")])
    assert len(sleeper.waits) == 3
    for attempt, wait in enumerate(sleeper.waits, start=1):
        assert 0.0 <= wait <= min(8.0, 2.0 ** (attempt - 1))


def test_exhaustion_reraises_the_last_error(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(
        ANALYTICS,
        *[Reply(503, {"code": "UNDER_MAINTENANCE", "message": f"attempt {n}"}) for n in (1, 2, 3, 4)],
    )
    with _client(server, clock, sleeper) as client, pytest.raises(ServerError) as raised:
        client.get("adAnalytics", [("q", "analytics")])
    assert raised.value.message == "attempt 4"
    assert len(server.requests_to(ANALYTICS)) == 4
    assert len(sleeper.waits) == 3


def test_total_wait_bound_stops_data_throttle_retries(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    policy = RetryPolicy(max_attempts=8, max_total_wait=1800.0)
    server.default(ANALYTICS, Reply(429, DATA_THROTTLE))
    with _client(server, clock, sleeper, policy) as client, pytest.raises(DataThrottleError):
        client.get("adAnalytics", [("q", "analytics")])
    assert sleeper.waits == [330.0] * 5  # 5 x 330 = 1650 s; a sixth wait would pass 1800 s
    assert len(server.requests_to(ANALYTICS)) == 6


def test_every_retry_is_logged_with_its_reason(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(ANALYTICS, Reply(429, SHORT_THROTTLE, {"Retry-After": "2"}), Reply(200, {}))
    with caplog.at_level(logging.WARNING), _client(server, clock, sleeper) as client:
        client.finder("adAnalytics", "analytics", [("pivot", "CAMPAIGN")])
    [message] = [record.getMessage() for record in caplog.records if "retrying in" in record.getMessage()]
    assert "GET adAnalytics q=analytics" in message
    assert "ThrottledError (HTTP 429), attempt 1/4; retrying in 2.0 s" in message


@pytest.mark.parametrize(
    ("attempt_seconds", "max_total_wait", "expected_attempts"),
    [
        pytest.param(300.0, 1800.0, 6, id="silent-server-at-the-defaults-is-bounded"),
        pytest.param(60.0, 100.0, 2, id="attempts-count-toward-the-budget"),
        pytest.param(0.0, 1800.0, 8, id="fast-failures-use-every-attempt"),
    ],
)
def test_max_total_wait_counts_the_attempts_themselves(
    attempt_seconds: float, max_total_wait: float, expected_attempts: int
) -> None:
    monotonic = FakeClock(0.0)
    sleeper = Sleeper(monotonic)  # waits advance the same clock, as real sleeping would
    calls: list[float] = []

    def silent_attempt() -> None:
        calls.append(monotonic.now)
        monotonic.now += attempt_seconds  # the read timeout spent on a silent server
        raise TransportError("read timed out")

    policy = RetryPolicy(max_attempts=8, initial_wait=1.0, max_wait=4.0, max_total_wait=max_total_wait)
    runner = RetryRunner(
        policy,
        sleep=sleeper,
        logger=logging.getLogger("test"),
        jitter=lambda low, high: high,
        monotonic=monotonic,
    )
    with pytest.raises(TransportError):
        runner.call(silent_attempt, describe="GET adAnalytics")
    assert len(calls) == expected_attempts
    assert monotonic.now <= max_total_wait + attempt_seconds  # at most one attempt beyond the budget's start
