"""The non-deferrable sensor's ``confirm_with_api`` against the emulator, in poke and reschedule modes.

The emulator's clock is the sensor's clock, and every sleep (Airflow's poke loop, the reschedule
pair of reads) moves it forward instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from airflow.providers.common.compat.sdk import PokeReturnValue

from airflow_provider_linkedin_ads.sensors import ad_analytics as sensor_module
from airflow_provider_linkedin_ads.sensors.ad_analytics import LinkedInAdsMetricsMaturitySensor

DAY_END = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)  # end of 2026-11-27, the report's day
H = dt.timedelta(hours=1)


@pytest.fixture
def emulator_time(monkeypatch, linkedin_ads_connection, linkedin_ads_emulator):
    """The emulator clock drives the sensor; sleeping advances it. Returns the recorded sleeps."""
    sleeps: list[float] = []

    def advance(seconds: float) -> None:
        sleeps.append(seconds)
        linkedin_ads_emulator.clock.advance(dt.timedelta(seconds=seconds))

    monkeypatch.setattr(sensor_module, "utcnow", linkedin_ads_emulator.clock.now)
    monkeypatch.setattr(sensor_module, "blocking_sleep", advance)
    monkeypatch.setattr(time, "sleep", advance)  # Airflow's poke loop
    return sleeps


def make(emulator, **overrides) -> LinkedInAdsMetricsMaturitySensor:
    kwargs = {
        "task_id": "wait_for_demographics",
        "pivots": ["MEMBER_JOB_TITLE"],
        "metrics": ["impressions", "clicks"],
        "date_range_end": "2026-11-27",
        "accounts": [min(emulator.world.accounts)],
        "confirm_with_api": True,
        "deferrable": False,
        "poke_interval": 3 * 3600,
        **overrides,
    }
    return LinkedInAdsMetricsMaturitySensor(**kwargs)


def analytics_calls(emulator) -> int:
    return emulator.counters.calls.get("adAnalytics", 0)


def test_poke_mode_confirms_across_consecutive_pokes(emulator_time, linkedin_ads_emulator):
    linkedin_ads_emulator.clock.set(DAY_END + 20 * H)
    result = make(linkedin_ads_emulator, mode="poke").execute({})
    # 20 h and 23 h: not mature, no call; 26 h: first read; 29 h: the same totals.
    assert result == {
        "moment": (DAY_END + 24 * H).isoformat(),
        "date_range_start": "2026-11-27",
        "date_range_end": "2026-11-27",
        "confirmed_with_api": True,
    }
    assert emulator_time == [3 * 3600.0] * 3
    assert analytics_calls(linkedin_ads_emulator) == 2


def test_poke_mode_does_not_succeed_on_changed_totals(emulator_time, linkedin_ads_emulator):
    linkedin_ads_emulator.clock.set(DAY_END + 30 * H)
    sensor = make(linkedin_ads_emulator, mode="poke")
    sensor._previous_totals = {"impressions": Decimal(1)}  # what an earlier poke saw
    assert sensor.poke({}) is False  # the totals moved since
    assert sensor.poke({}).is_done  # and now they agree
    assert analytics_calls(linkedin_ads_emulator) == 2


def test_reschedule_mode_takes_both_reads_in_one_poke(emulator_time, linkedin_ads_emulator):
    linkedin_ads_emulator.clock.set(DAY_END + 30 * H)
    sensor = make(linkedin_ads_emulator, mode="reschedule")
    result = sensor.poke({})
    assert isinstance(result, PokeReturnValue)
    assert result.is_done
    assert emulator_time == [3 * 3600.0]
    assert analytics_calls(linkedin_ads_emulator) == 2


def test_not_mature_makes_no_call(emulator_time, linkedin_ads_emulator):
    linkedin_ads_emulator.clock.set(DAY_END + 23 * H)
    assert make(linkedin_ads_emulator, mode="reschedule").poke({}) is False
    assert analytics_calls(linkedin_ads_emulator) == 0
