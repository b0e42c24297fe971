"""Long waits handed to the caller: ``defer_waits_longer_than`` makes the client raise instead of sleeping.

Against the scripted server on 127.0.0.1, with an injected clock and sleep: nothing really sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_linkedin_ads.client import LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.budget import MetricValueBudget
from airflow_provider_linkedin_ads.errors import (
    ConfigurationError,
    DataThrottleError,
    LinkedInAdsError,
    ThrottledError,
    WaitDeferredError,
)
from tests.unit.client.conftest import FakeClock, Reply, ScriptedServer, Sleeper, make_config

ANALYTICS = "/rest/adAnalytics"
DATA_THROTTLE = {
    "status": 429,
    "code": "TOO_MANY_REQUESTS",
    "message": "More than 45 million metric values were requested",
}
SHORT_THROTTLE = {"status": 429, "code": "TOO_MANY_REQUESTS", "message": "APPLICATION MINUTE limit reached"}
POLICY = RetryPolicy(max_attempts=4, initial_wait=1.0, max_wait=120.0, max_total_wait=1800.0)


def _client(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper, defer: float | None
) -> LinkedInAdsClient:
    config = make_config(server, retry=POLICY, defer_waits_longer_than=defer)
    return LinkedInAdsClient(config, sleep=sleeper, clock=clock)


def _utc(posix: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(posix, tz=dt.UTC)


def test_data_throttle_is_not_slept_but_raised_with_an_absolute_resume_moment(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(429, DATA_THROTTLE, {"Retry-After": "400"}), Reply(200, {"elements": []}))
    started = clock.now
    with _client(server, clock, sleeper, defer=60.0) as client, pytest.raises(WaitDeferredError) as caught:
        client.get("adAnalytics", [("q", "analytics")])
    err = caught.value
    assert sleeper.waits == []  # nothing slept in-process
    assert len(server.requests_to(ANALYTICS)) == 1  # and no retry sent
    assert err.wait == 330.0  # the data-throttle floor; Retry-After 400 is capped by max_wait (120)
    assert err.resume_at == _utc(started + 330.0)
    assert isinstance(err.cause, DataThrottleError)
    assert err.__cause__ is err.cause
    assert isinstance(err, LinkedInAdsError)
    assert client.stats.retries == 0  # a retry this process will not make is not counted


def test_the_data_throttle_floor_defers_without_retry_after(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(429, DATA_THROTTLE))
    with _client(server, clock, sleeper, defer=60.0) as client, pytest.raises(WaitDeferredError) as caught:
        client.get("adAnalytics", [("q", "analytics")])
    assert caught.value.wait == 330.0
    assert caught.value.resume_at == _utc(clock.now + 330.0)


def test_a_long_retry_after_is_deferred_and_a_short_one_slept(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(
        ANALYTICS,
        Reply(429, SHORT_THROTTLE, {"Retry-After": "5"}),
        Reply(200, {"elements": []}),
        Reply(429, SHORT_THROTTLE, {"Retry-After": "90"}),
    )
    with _client(server, clock, sleeper, defer=60.0) as client:
        assert client.get("adAnalytics", [("q", "analytics")]) == {"elements": []}
        assert sleeper.waits == [5.0]  # under the threshold: waited in-process, as before
        with pytest.raises(WaitDeferredError) as caught:
            client.get("adAnalytics", [("q", "analytics")])
    assert caught.value.wait == 90.0
    assert isinstance(caught.value.cause, ThrottledError)
    assert sleeper.waits == [5.0]


def test_without_a_threshold_the_data_throttle_is_waited_in_process(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(429, DATA_THROTTLE), Reply(200, {"elements": [{"a": 1}]}))
    with _client(server, clock, sleeper, defer=None) as client:
        assert client.get("adAnalytics", [("q", "analytics")]) == {"elements": [{"a": 1}]}
    assert sleeper.waits == [330.0]
    assert len(server.requests_to(ANALYTICS)) == 2


def test_a_retry_the_policy_would_not_make_re_raises_the_error_not_a_deferral(
    server: ScriptedServer, clock: FakeClock, sleeper: Sleeper
) -> None:
    server.script(ANALYTICS, Reply(429, DATA_THROTTLE))
    config = make_config(server, retry=RetryPolicy(max_attempts=1), defer_waits_longer_than=60.0)
    with LinkedInAdsClient(config, sleep=sleeper, clock=clock) as client, pytest.raises(DataThrottleError):
        client.get("adAnalytics", [("q", "analytics")])


@pytest.mark.parametrize("value", [0, -1.0, float("inf"), True, "60"])
def test_threshold_must_be_a_positive_number(server: ScriptedServer, value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        make_config(server, defer_waits_longer_than=value)
    assert caught.value.argument == "defer_waits_longer_than"


# --- the metric-value budget ----------------------------------------------------------------------


class _Time:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_budget_defers_a_long_wait_until_the_whole_window_aged_out() -> None:
    fake = _Time()
    budget = MetricValueBudget(
        1_000, window=300.0, clock=fake.time, sleep=fake.sleep, defer_longer_than=60.0, wall_clock=lambda: 5e8
    )
    budget.settle(budget.acquire(600), 600)  # stamped at 1000
    fake.now += 100.0
    budget.settle(budget.acquire(300), 300)  # stamped at 1100
    with pytest.raises(WaitDeferredError) as caught:
        budget.acquire(400)  # needs the first cost gone: 200 s away, more than 60
    assert fake.slept == []
    # The resumed report starts with an empty budget, so it comes back when LinkedIn's window is clear.
    assert caught.value.wait == 300.0
    assert caught.value.resume_at == _utc(5e8 + 300.0)
    assert caught.value.cause is None


def test_budget_sleeps_a_wait_under_the_threshold() -> None:
    fake = _Time()
    budget = MetricValueBudget(1_000, window=300.0, clock=fake.time, sleep=fake.sleep, defer_longer_than=60.0)
    budget.settle(budget.acquire(900), 900)
    fake.now += 250.0  # the cost leaves the window in 50 s
    ticket = budget.acquire(400)
    assert fake.slept == [50.0]
    assert ticket.waited
