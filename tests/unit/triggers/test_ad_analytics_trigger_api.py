"""The trigger's totals check against the emulator: settling, deadlines, errors, a free event loop.

The emulator's clock is the trigger's clock: the trigger's ``sleep`` moves it forward, so a wait of
hours takes no time and the emulator's demographic values mature as the trigger "sleeps".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.testing import EmulatorServer
from airflow_provider_linkedin_ads.testing.pytest_plugin import CONN_ENV_VAR, connection_json
from airflow_provider_linkedin_ads.triggers import ad_analytics
from airflow_provider_linkedin_ads.triggers._report_totals import read_report_totals
from airflow_provider_linkedin_ads.triggers.ad_analytics import LinkedInAdsMetricsMaturityTrigger

DAY_END = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)  # end of 2026-11-27, the report's day
H = dt.timedelta(hours=1)


def use_emulator_clock(monkeypatch, emulator: EmulatorServer, start: dt.datetime) -> list[float]:
    """Make the emulator's clock the trigger's; its sleep advances that clock. Return the sleeps."""
    sleeps: list[float] = []

    async def advance(seconds: float) -> None:
        sleeps.append(seconds)
        emulator.clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    emulator.clock.set(start)
    monkeypatch.setattr(ad_analytics, "utcnow", emulator.clock.now)
    monkeypatch.setattr(ad_analytics, "sleep", advance)
    return sleeps


def make(emulator: EmulatorServer, **overrides) -> LinkedInAdsMetricsMaturityTrigger:
    account = min(emulator.world.accounts)
    kwargs = {
        "moment": (DAY_END + 24 * H).isoformat(),
        "pivots": ["MEMBER_JOB_TITLE"],
        "metrics": ["impressions", "clicks", "costInLocalCurrency"],
        "date_range_start": "2026-11-27",
        "date_range_end": "2026-11-27",
        "facets": {"accounts": [f"urn:li:sponsoredAccount:{account}"]},
        "poke_interval": 3 * 3600,
        "confirm_with_api": True,
        **overrides,
    }
    return LinkedInAdsMetricsMaturityTrigger(**kwargs)


def analytics_calls(emulator: EmulatorServer) -> int:
    return emulator.counters.calls.get("adAnalytics", 0)


@pytest.mark.asyncio
async def test_confirm_waits_until_two_reads_agree(
    monkeypatch, linkedin_ads_connection, linkedin_ads_emulator
):
    # A moment set too early on purpose: demographic values still grow until 24 h after the day.
    use_emulator_clock(monkeypatch, linkedin_ads_emulator, DAY_END)
    trigger = make(linkedin_ads_emulator, moment=(DAY_END + 13 * H).isoformat())
    events = [event async for event in trigger.run()]

    assert [event.payload["status"] for event in events] == ["success"]
    # Reads at 13, 16, 19, 22 h differ (still maturing); 25 h and 28 h agree.
    assert linkedin_ads_emulator.clock.now() == DAY_END + 28 * H
    assert analytics_calls(linkedin_ads_emulator) == 6


@pytest.mark.asyncio
async def test_confirm_after_maturity_needs_one_pair(
    monkeypatch, linkedin_ads_connection, linkedin_ads_emulator
):
    sleeps = use_emulator_clock(monkeypatch, linkedin_ads_emulator, DAY_END + 30 * H)
    event = await make(linkedin_ads_emulator).run().asend(None)
    assert event.payload["status"] == "success"
    assert event.payload["message"] == "data for 2026-11-27..2026-11-27 matured and its totals are stable"
    assert analytics_calls(linkedin_ads_emulator) == 2
    assert sum(sleeps) == 3 * 3600


@pytest.mark.asyncio
async def test_totals_still_changing_at_the_deadline(
    monkeypatch, linkedin_ads_connection, linkedin_ads_emulator
):
    use_emulator_clock(monkeypatch, linkedin_ads_emulator, DAY_END)
    trigger = make(
        linkedin_ads_emulator,
        moment=(DAY_END + 13 * H).isoformat(),
        timeout_at=(DAY_END + 18 * H).isoformat(),
    )
    events = [event async for event in trigger.run()]
    assert [event.payload["status"] for event in events] == ["timeout"]
    assert linkedin_ads_emulator.clock.now() == DAY_END + 18 * H
    assert analytics_calls(linkedin_ads_emulator) == 2  # 13 h and 16 h; 19 h is past the deadline


@pytest.mark.asyncio
async def test_refused_credentials_become_one_error_event_without_the_secret(
    monkeypatch, linkedin_ads_emulator
):
    connection = json.loads(connection_json(linkedin_ads_emulator))
    connection["password"] = "not-the-emulator-secret"
    monkeypatch.setenv(CONN_ENV_VAR, json.dumps(connection))
    use_emulator_clock(monkeypatch, linkedin_ads_emulator, DAY_END + 30 * H)
    events = [event async for event in make(linkedin_ads_emulator).run()]
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "error"
    assert payload["message"].startswith("AuthenticationError")
    assert "not-the-emulator-secret" not in payload["message"]


# -- the event loop is never blocked ---------------------------------------------------------------

# Twice the triggerer's default blocked_main_thread_warning_threshold (0.2 s), and half the emulator's
# latency: a blocking API call is always flagged, while a loaded CI machine's scheduling jitter is not.
SLOW_CALLBACK = 0.4


def run_in_debug_loop(coroutine_factory, caplog) -> list[str]:
    """Run a coroutine with asyncio's slow-callback detection; return its 'Executing ... took' warnings."""

    async def main():
        asyncio.get_running_loop().slow_callback_duration = SLOW_CALLBACK
        return await coroutine_factory()

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        asyncio.run(main(), debug=True)
    return [record.getMessage() for record in caplog.records if "took" in record.getMessage()]


@pytest.fixture
def slow_emulator(linkedin_ads_world, monkeypatch):
    """An emulator whose every API call takes 0.8 s: long enough to be caught blocking the loop."""
    with EmulatorServer(linkedin_ads_world, latency_ms=800) as server:
        monkeypatch.setenv(CONN_ENV_VAR, connection_json(server))
        # Airflow masks a connection's whole extra the first time it is fetched, on the loop, by
        # recompiling one regex of every secret the process has seen (hundreds late in the suite):
        # Airflow's one-off cost per new connection value, not the trigger's, so it is paid here.
        asyncio.run(ad_analytics.get_async_connection("linkedin_ads_default"))
        yield server


def test_trigger_never_blocks_the_event_loop(monkeypatch, slow_emulator, caplog):
    use_emulator_clock(monkeypatch, slow_emulator, DAY_END + 30 * H)
    trigger = make(slow_emulator)

    async def run_trigger():
        return [event async for event in trigger.run()]

    slow = run_in_debug_loop(run_trigger, caplog)
    assert analytics_calls(slow_emulator) == 2  # two slow calls did happen...
    assert slow == []  # ...but never on the loop


def test_the_probe_catches_a_blocking_call(monkeypatch, slow_emulator, caplog):
    # Control: the same detection flags the totals read when it is (wrongly) made on the loop.
    use_emulator_clock(monkeypatch, slow_emulator, DAY_END + 30 * H)
    trigger = make(slow_emulator)

    async def read_on_the_loop():
        hook = LinkedInAdsHook()  # the connection env var points at the slow emulator
        return read_report_totals(
            hook,
            pivots=trigger.pivots,
            metrics=trigger.metrics,
            date_range=trigger.date_range,
            facets=trigger.facets,
        )

    slow = run_in_debug_loop(read_on_the_loop, caplog)
    assert slow, "asyncio debug mode did not flag a 0.8 s blocking call"


def test_many_confirming_triggers_share_one_token_and_never_block_the_loop(
    monkeypatch, slow_emulator, caplog
):
    # At scale: 24 triggers confirm at once through the small API pool; the loop stays free and the
    # process-wide client cache makes one token call for all of them.
    use_emulator_clock(monkeypatch, slow_emulator, DAY_END + 30 * H)
    lookups: list[str] = []
    real_lookup = ad_analytics.get_async_connection

    async def counting_lookup(conn_id, **kwargs):
        lookups.append(conn_id)
        return await real_lookup(conn_id, **kwargs)

    monkeypatch.setattr(ad_analytics, "get_async_connection", counting_lookup)
    triggers = [make(slow_emulator) for _ in range(24)]
    statuses: list[str] = []

    async def run_all():
        async def one(trigger):
            statuses.extend([event.payload["status"] async for event in trigger.run()])

        await asyncio.gather(*(one(trigger) for trigger in triggers))

    slow = run_in_debug_loop(run_all, caplog)
    assert slow == []
    assert statuses == ["success"] * len(triggers)
    assert slow_emulator.counters.calls["oauth/accessToken"] == 1
    assert analytics_calls(slow_emulator) == 2 * len(triggers)
    assert lookups == ["linkedin_ads_default"]  # one connection lookup shared by the burst


@pytest.mark.asyncio
async def test_a_failed_connection_lookup_is_not_reused(monkeypatch):
    attempts: list[int] = []

    async def flaky(conn_id, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("secrets backend unavailable")
        return "connection"

    first = ad_analytics._shared_lookup("conn", lambda: flaky("conn"))
    with pytest.raises(RuntimeError):
        await first
    second = ad_analytics._shared_lookup("conn", lambda: flaky("conn"))
    assert await second == "connection"
    assert ad_analytics._shared_lookup("conn", lambda: flaky("conn")) is second  # kept while fresh
    assert len(attempts) == 2


# -- bounded reads: a small pool, and a hard deadline -----------------------------------------------


def test_api_pool_size_comes_from_the_airflow_config(monkeypatch):
    monkeypatch.setattr(ad_analytics, "_pool", None)
    monkeypatch.setenv("AIRFLOW__LINKEDIN_ADS__TRIGGER_API_CONCURRENCY", "3")
    pool = ad_analytics.api_executor()
    try:
        assert pool._max_workers == 3
        assert ad_analytics.api_executor() is pool  # one pool per process
    finally:
        pool.shutdown(wait=False)


def test_api_pool_size_defaults_when_not_configured(monkeypatch):
    monkeypatch.setattr(ad_analytics, "_pool", None)
    monkeypatch.delenv("AIRFLOW__LINKEDIN_ADS__TRIGGER_API_CONCURRENCY", raising=False)
    pool = ad_analytics.api_executor()
    try:
        assert pool._max_workers == ad_analytics.DEFAULT_API_CONCURRENCY
    finally:
        pool.shutdown(wait=False)


class _HangingAPI(BaseHTTPRequestHandler):
    """Answers every API call after 20 s (or as soon as the test releases it)."""

    received = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:
        type(self).received.set()
        type(self).release.wait(20)
        body = b'{"elements": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hanging_api(monkeypatch):
    _HangingAPI.received = threading.Event()
    _HangingAPI.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HangingAPI)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = {
        "conn_type": "linkedin_ads",
        "extra": {
            "access_token": "hanging-api-access-token",
            "api_version": "202608",
            "api_base_url": f"http://127.0.0.1:{server.server_port}/rest",
        },
    }
    monkeypatch.setenv(CONN_ENV_VAR, json.dumps(connection))
    yield _HangingAPI
    _HangingAPI.release.set()  # the abandoned read gets its answer and its thread ends
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_hung_read_is_abandoned_and_the_timeout_fires_at_the_deadline(hanging_api):
    now = dt.datetime.now(tz=dt.UTC)
    trigger = LinkedInAdsMetricsMaturityTrigger(
        moment=(now - H).isoformat(),  # already mature: the trigger goes straight to the totals read
        pivots=["CAMPAIGN"],
        metrics=["impressions"],
        date_range_start="2026-11-27",
        date_range_end="2026-11-27",
        facets={"accounts": ["urn:li:sponsoredAccount:1"]},
        confirm_with_api=True,
        timeout_at=(now + dt.timedelta(seconds=2)).isoformat(),
    )

    async def first_event():
        # The guard is far below the server's 20 s: only an abandoned read lets the event come first.
        return await asyncio.wait_for(trigger.run().asend(None), timeout=12)

    event = asyncio.run(first_event())
    assert event.payload["status"] == "timeout"
    assert "while reading the totals" in event.payload["message"]
    assert hanging_api.received.is_set()  # the read was sent...
    assert not hanging_api.release.is_set()  # ...and was still unanswered when the trigger fired
    fired = dt.datetime.now(tz=dt.UTC)
    assert fired - trigger.timeout_at < dt.timedelta(seconds=2)  # the bound: within 2 s
