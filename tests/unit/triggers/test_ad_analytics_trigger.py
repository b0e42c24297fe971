"""LinkedInAdsMetricsMaturityTrigger: serialisation, run() on a controllable clock, restart safety.

No test really sleeps: the module's ``utcnow``/``sleep`` seam is replaced by a fake clock whose
sleep advances time. The totals check against a real (emulated) API lives in
``test_ad_analytics_trigger_api.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys

import pytest
from airflow.triggers.base import TriggerEvent

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.triggers import ad_analytics
from airflow_provider_linkedin_ads.triggers.ad_analytics import LinkedInAdsMetricsMaturityTrigger

CLASSPATH = "airflow_provider_linkedin_ads.triggers.ad_analytics.LinkedInAdsMetricsMaturityTrigger"
MOMENT = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
KWARGS = {
    "moment": "2026-11-29T00:00:00+00:00",
    "pivots": ["MEMBER_JOB_TITLE"],
    "metrics": ["impressions", "clicks"],
    "date_range_start": "2026-11-27",
    "date_range_end": "2026-11-27",
    "facets": {"accounts": ["urn:li:sponsoredAccount:508000000"]},
    "linkedin_ads_conn_id": "linkedin_ads_default",
    "api_version": "202608",
    "poke_interval": 600.0,
    "confirm_with_api": False,
    "timeout_at": None,
}


class FakeTime:
    """A clock whose sleep moves time forward instead of waiting."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def utcnow(self) -> dt.datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)  # still yield to the loop, as a real sleep would


@pytest.fixture
def fake_time(monkeypatch):
    clock = FakeTime(MOMENT - dt.timedelta(hours=30))
    monkeypatch.setattr(ad_analytics, "utcnow", clock.utcnow)
    monkeypatch.setattr(ad_analytics, "sleep", clock.sleep)
    return clock


def make(**overrides) -> LinkedInAdsMetricsMaturityTrigger:
    return LinkedInAdsMetricsMaturityTrigger(**{**KWARGS, **overrides})


def expected_event(status: str, message: str) -> TriggerEvent:
    return TriggerEvent(
        {
            "status": status,
            "message": message,
            "moment": "2026-11-29T00:00:00+00:00",
            "date_range_start": "2026-11-27",
            "date_range_end": "2026-11-27",
        }
    )


async def all_events(trigger: LinkedInAdsMetricsMaturityTrigger) -> list[TriggerEvent]:
    return [event async for event in trigger.run()]


# -- serialisation ---------------------------------------------------------------------------------


def test_serialize_exact_classpath_and_kwargs():
    classpath, kwargs = make().serialize()
    assert classpath == CLASSPATH
    assert kwargs == KWARGS


def test_serialize_round_trip_and_json():
    original = make(confirm_with_api=True, timeout_at="2026-12-01T00:00:00+00:00")
    classpath, kwargs = original.serialize()
    rebuilt = LinkedInAdsMetricsMaturityTrigger(**json.loads(json.dumps(kwargs)))
    assert rebuilt.serialize() == (classpath, kwargs)
    assert kwargs["timeout_at"] == "2026-12-01T00:00:00+00:00"


def test_serialized_kwargs_never_carry_a_credential():
    _, kwargs = make().serialize()
    text = json.dumps(kwargs).lower()
    assert not any(word in text for word in ("token", "secret", "password"))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param("2026-11-29T01:00:00+01:00", "2026-11-29T00:00:00+00:00", id="offset-normalised"),
        pytest.param(MOMENT, "2026-11-29T00:00:00+00:00", id="datetime-accepted"),
    ],
)
def test_moment_is_normalised_to_utc(moment, expected):
    assert make(moment=moment).serialize()[1]["moment"] == expected


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        pytest.param({"moment": "2026-11-29T00:00:00"}, "moment", id="naive-moment"),
        pytest.param({"moment": "tomorrow"}, "moment", id="garbage-moment"),
        pytest.param({"timeout_at": "2026-12-01T00:00:00"}, "timeout_at", id="naive-timeout"),
        pytest.param({"date_range_end": "2026-11-26"}, "date_range_end", id="end-before-start"),
        pytest.param({"date_range_start": "27/11/2026"}, "date_range_start", id="bad-start"),
    ],
)
def test_invalid_kwargs_name_the_argument(overrides, argument):
    with pytest.raises(ConfigurationError) as info:
        make(**overrides)
    assert info.value.argument == argument


# -- run() -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_run_sleeps_until_the_moment_then_succeeds(fake_time):
    event = await make().run().asend(None)
    assert event == expected_event(
        "success", "data for 2026-11-27..2026-11-27 matured at 2026-11-29T00:00:00+00:00"
    )
    assert fake_time.now == MOMENT
    # Long waits are cut into chunks so the wait is re-derived from the absolute moment regularly.
    assert max(fake_time.sleeps) <= ad_analytics.MAX_SLEEP_SECONDS
    assert sum(fake_time.sleeps) == pytest.approx(30 * 3600)


@pytest.mark.asyncio
async def test_run_yields_exactly_one_event(fake_time):
    events = await all_events(make())
    assert [event.payload["status"] for event in events] == ["success"]


@pytest.mark.asyncio
async def test_already_mature_fires_without_sleeping(fake_time):
    fake_time.now = MOMENT + dt.timedelta(minutes=5)
    event = await make().run().asend(None)
    assert event.payload["status"] == "success"
    assert fake_time.sleeps == []


@pytest.mark.asyncio
async def test_deadline_before_the_moment_yields_timeout(fake_time):
    deadline = MOMENT - dt.timedelta(hours=6)
    events = await all_events(make(timeout_at=deadline.isoformat()))
    assert events == [
        expected_event(
            "timeout",
            "gave up at 2026-11-28T18:00:00+00:00 before the data matured at 2026-11-29T00:00:00+00:00",
        )
    ]
    assert fake_time.now == deadline


@pytest.mark.asyncio
async def test_mature_data_wins_over_a_passed_deadline(fake_time):
    # Restarted after both moments: the data is final, so report success rather than a timeout.
    fake_time.now = MOMENT + dt.timedelta(hours=2)
    event = await make(timeout_at=(MOMENT + dt.timedelta(hours=1)).isoformat()).run().asend(None)
    assert event.payload["status"] == "success"


@pytest.mark.asyncio
async def test_restart_resumes_from_the_absolute_moment(fake_time, monkeypatch):
    """A triggerer restart rebuilds the trigger from its kwargs; it waits only what is left."""
    threshold = MOMENT - dt.timedelta(hours=10)
    down = asyncio.Event()

    async def sleep_until_the_triggerer_dies(seconds: float) -> None:
        await FakeTime.sleep(fake_time, seconds)
        if fake_time.now >= threshold:  # 20 of the 30 hours have passed
            down.set()
            await asyncio.Event().wait()  # mid-sleep when the process goes away

    monkeypatch.setattr(ad_analytics, "sleep", sleep_until_the_triggerer_dies)
    first = make()
    task = asyncio.ensure_future(first.run().asend(None))
    await down.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.setattr(ad_analytics, "sleep", fake_time.sleep)
    slept_before_restart = sum(fake_time.sleeps)
    fake_time.now += dt.timedelta(hours=1)  # downtime passes on the real clock too
    fake_time.sleeps.clear()

    rebuilt = LinkedInAdsMetricsMaturityTrigger(**first.serialize()[1])
    event = await rebuilt.run().asend(None)

    assert event.payload["status"] == "success"
    assert fake_time.now == MOMENT
    assert slept_before_restart >= 20 * 3600
    assert sum(fake_time.sleeps) == pytest.approx((30 - slept_before_restart / 3600 - 1) * 3600)


@pytest.mark.asyncio
async def test_restart_after_the_moment_fires_at_once(fake_time):
    fake_time.now = MOMENT + dt.timedelta(hours=3)  # the triggerer was down across the moment
    rebuilt = LinkedInAdsMetricsMaturityTrigger(**make().serialize()[1])
    event = await rebuilt.run().asend(None)
    assert event.payload["status"] == "success"
    assert fake_time.sleeps == []


@pytest.mark.asyncio
async def test_clock_stepped_back_is_corrected(fake_time, monkeypatch):
    # If the wall clock is stepped back mid-wait, the next chunk re-derives the remaining time.
    original_sleep = fake_time.sleep
    stepped = False

    async def sleep_with_step(seconds: float) -> None:
        nonlocal stepped
        await original_sleep(seconds)
        if not stepped:
            stepped = True
            fake_time.now -= dt.timedelta(hours=2)

    monkeypatch.setattr(ad_analytics, "sleep", sleep_with_step)
    event = await make().run().asend(None)
    assert event.payload["status"] == "success"
    assert fake_time.now == MOMENT
    assert sum(fake_time.sleeps) == pytest.approx(32 * 3600)


@pytest.mark.asyncio
async def test_confirm_with_missing_connection_yields_one_error_event(fake_time, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_NO_SUCH_CONNECTION", raising=False)
    fake_time.now = MOMENT
    events = await all_events(make(confirm_with_api=True, linkedin_ads_conn_id="no_such_connection"))
    assert len(events) == 1
    assert events[0].payload["status"] == "error"
    assert "no_such_connection" in events[0].payload["message"]


def test_trigger_module_stays_light_for_the_triggerer():
    # The triggerer imports a trigger's module on its event loop: the hook (requests, the client)
    # must only be imported, off the loop, when a totals check runs.
    code = (
        "import sys, airflow_provider_linkedin_ads.triggers.ad_analytics; "
        "print(sorted(m for m in sys.modules if m.startswith('airflow_provider_linkedin_ads.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = result.stdout.strip().splitlines()[-1]
    assert "hooks.linkedin_ads" not in loaded
    assert "client.client" not in loaded
    assert "triggers._report_totals" not in loaded
