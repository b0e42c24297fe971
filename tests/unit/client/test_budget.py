from __future__ import annotations

import threading

import pytest

from airflow_provider_linkedin_ads.client.budget import (
    BUDGET_WINDOW_SECONDS,
    DEFAULT_METRIC_VALUE_BUDGET,
    MetricValueBudget,
)
from airflow_provider_linkedin_ads.errors import ConfigurationError


class FakeTime:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def budget_for(fake: FakeTime, limit: int = 1_000) -> MetricValueBudget:
    return MetricValueBudget(limit, clock=fake.time, sleep=fake.sleep)


def test_defaults_stay_under_linkedins_limit() -> None:
    assert DEFAULT_METRIC_VALUE_BUDGET < 45_000_000
    assert BUDGET_WINDOW_SECONDS == 300


def test_calls_that_fit_do_not_wait(fake: FakeTime) -> None:
    budget = budget_for(fake)
    ticket = budget.acquire(400)
    assert not ticket.waited
    budget.settle(ticket, 400)
    budget.acquire(500)
    assert fake.sleeps == []
    assert budget.in_window() == 900
    assert budget.waits == 0


def test_waits_until_old_costs_leave_the_window(fake: FakeTime) -> None:
    budget = budget_for(fake)
    budget.settle(budget.acquire(600), 600)
    fake.advance(100)
    ticket = budget.acquire(600)
    budget.settle(ticket, 600)
    assert fake.sleeps == [pytest.approx(200)]
    assert ticket.waited
    assert ticket.wait_seconds == pytest.approx(200)
    assert budget.waits == 1
    assert budget.wait_seconds == pytest.approx(200)
    assert budget.in_window() == 600
    assert budget.consumed == 1_200


def test_settling_to_the_actual_cost_frees_the_over_reservation(fake: FakeTime) -> None:
    budget = budget_for(fake)
    budget.settle(budget.acquire(900), 100)
    budget.acquire(800)
    assert fake.sleeps == []
    assert budget.in_window() == 900


def test_costs_are_stamped_when_settled_not_when_reserved(fake: FakeTime) -> None:
    budget = budget_for(fake)
    ticket = budget.acquire(1_000)
    fake.advance(50)  # the call takes 50 s; LinkedIn counted it somewhere in between
    budget.settle(ticket, 1_000)
    fake.advance(270)  # 320 s after the reservation, 270 s after completion
    budget.acquire(1)
    assert fake.sleeps == [pytest.approx(30)]


def test_estimate_above_the_budget_is_clamped(fake: FakeTime) -> None:
    budget = budget_for(fake)
    ticket = budget.acquire(50_000)
    assert ticket.amount == 1_000
    assert fake.sleeps == []


def test_settling_twice_counts_once(fake: FakeTime) -> None:
    budget = budget_for(fake)
    ticket = budget.acquire(300)
    budget.settle(ticket, 300)
    budget.settle(ticket, 300)
    assert budget.in_window() == 300
    assert budget.consumed == 300


def test_zero_cost_leaves_nothing_in_the_window(fake: FakeTime) -> None:
    budget = budget_for(fake)
    budget.settle(budget.acquire(700), 0)
    assert budget.in_window() == 0


def test_a_call_waits_for_calls_in_flight_without_sleeping(fake: FakeTime) -> None:
    budget = budget_for(fake)
    first = budget.acquire(800)
    acquired = threading.Event()

    tickets = []

    def second_call() -> None:
        ticket = budget.acquire(500)
        tickets.append(ticket)
        budget.settle(ticket, 500)
        acquired.set()

    worker = threading.Thread(target=second_call)
    worker.start()
    assert not acquired.wait(0.2)  # blocked: 800 in flight + 500 > 1,000
    budget.settle(first, 400)
    assert acquired.wait(5)
    worker.join(5)
    assert fake.sleeps == []
    assert budget.in_window() == 900
    assert budget.waits == 1
    assert tickets[0].waited


@pytest.mark.parametrize(
    ("limit", "window"),
    [
        pytest.param(0, 300.0, id="zero-limit"),
        pytest.param(True, 300.0, id="bool"),
        pytest.param(10, 0.0, id="zero-window"),
    ],
)
def test_invalid_configuration(limit: object, window: float) -> None:
    with pytest.raises(ConfigurationError):
        MetricValueBudget(limit, window=window)  # type: ignore[arg-type]
