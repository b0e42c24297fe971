"""Benchmark N maturity triggers in one asyncio loop, as Airflow's triggerer runs them.

Run from the repository root (see benchmarks/README.md)::

    .venv/af3/bin/python benchmarks/triggers.py            # 1,000 triggers, both scenarios

Scenarios, each in a fresh process (so its memory, CPU and token cache are its own):

* ``waiting``: every trigger waits a few seconds for its maturity moment, then fires (no API call);
* ``confirm``: the data is already mature and ``confirm_with_api=True``: every trigger reads the
  report's totals twice, ``--poke`` seconds apart, against the bundled emulator.

The emulator runs in its own process (its CPU and memory are not counted) and reports the token and
API calls it received. A 10 ms heartbeat coroutine measures the event loop's lag (how late it
wakes); the RSS is sampled with it. CPU seconds are the trigger process's user + system time,
all threads included. The triggers log at INFO to ``--log-file`` (default: discarded after
formatting), as a triggerer would log them.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import logging
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from multiprocessing.connection import Connection

MIB = 1024 * 1024
CONN_ID = "linkedin_ads_default"
HEARTBEAT = 0.01


@dataclasses.dataclass(frozen=True)
class Result:
    scenario: str
    triggers: int
    statuses: dict[str, int]
    rss_start_mib: float
    rss_growth_mib: float
    cpu_seconds: float
    wall_seconds: float
    lag_median_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    token_calls: int
    api_calls: int


# -- the emulator, in its own process -----------------------------------------------------------------


def _serve(conn: Connection, latency_ms: int) -> None:
    from airflow_provider_linkedin_ads.testing import EmulatorServer, World
    from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json

    world = World()
    with EmulatorServer(world=world, latency_ms=latency_ms) as server:
        account = min(world.accounts)
        conn.send((connection_json(server), account, server.clock.today().isoformat()))
        while (command := conn.recv()) != "stop":
            if command == "counters":
                conn.send(dict(server.counters.calls))
            else:
                server.reset()
                conn.send("ok")


# -- one scenario, in its own process --------------------------------------------------------------------


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _run_triggers(triggers: list[Any]) -> tuple[list[str], list[float], int]:
    """Run every trigger to its event under a 10 ms heartbeat; return statuses, lags, peak RSS."""
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    peak = _rss_bytes()
    done = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal peak
        beats = 0
        while not done.is_set():
            planned = loop.time() + HEARTBEAT
            await asyncio.sleep(HEARTBEAT)
            lags.append(max(0.0, loop.time() - planned))
            beats += 1
            if beats % 10 == 0:
                peak = max(peak, _rss_bytes())

    async def one(trigger: Any) -> str:
        async for event in trigger.run():
            return str(event.payload["status"])
        return "no event"

    beat = asyncio.create_task(heartbeat())
    statuses = await asyncio.gather(*(one(trigger) for trigger in triggers))
    done.set()
    await beat
    return list(statuses), lags, max(peak, _rss_bytes())


def _import_what_a_triggerer_has_loaded() -> None:
    # A running triggerer has imported its own machinery long before a trigger asks for a connection;
    # importing it here keeps that one-off cost out of the first trigger's loop lag. The provider's own
    # modules (hook, client, requests) are NOT pre-imported: their first import is part of the figures.
    import importlib

    for name in ("asgiref.sync", "airflow.sdk.execution_time.supervisor"):
        try:
            importlib.import_module(name)
        except ImportError:  # Airflow 2.11 has no Task SDK
            return
    # ...and has loaded its secrets backends (Airflow does it once, synchronously, on the loop).
    from airflow.sdk.execution_time.supervisor import ensure_secrets_backend_loaded

    ensure_secrets_backend_loaded()


def _scenario(args: dict[str, Any], home: str) -> dict[str, Any]:
    os.environ.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT": args["connection"],
        }
    )
    # The triggers' log lines are formatted as Airflow configures them, then written to --log-file.
    with open(args["log_file"], "a") as log:
        os.dup2(log.fileno(), sys.stdout.fileno())
        os.dup2(log.fileno(), sys.stderr.fileno())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _import_what_a_triggerer_has_loaded()
    from airflow_provider_linkedin_ads.triggers.ad_analytics import LinkedInAdsMetricsMaturityTrigger

    now = dt.datetime.now(tz=dt.UTC)
    confirm = args["scenario"] == "confirm"
    moment = now - dt.timedelta(hours=1) if confirm else now + dt.timedelta(seconds=args["wait"])
    day = (dt.date.fromisoformat(args["today"]) - dt.timedelta(days=5)).isoformat()
    rss_start = _rss_bytes()
    cpu_start, wall_start = time.process_time(), time.monotonic()
    triggers = [
        LinkedInAdsMetricsMaturityTrigger(
            moment=moment.isoformat(),
            pivots=["MEMBER_JOB_TITLE"],
            metrics=["impressions", "clicks", "costInLocalCurrency"],
            date_range_start=day,
            date_range_end=day,
            facets={"accounts": [f"urn:li:sponsoredAccount:{args['account']}"]},
            linkedin_ads_conn_id=CONN_ID,
            poke_interval=args["poke"],
            confirm_with_api=confirm,
        )
        for _ in range(args["triggers"])
    ]
    statuses, lags, peak = asyncio.run(_run_triggers(triggers))
    cpu, wall = time.process_time() - cpu_start, time.monotonic() - wall_start
    ordered = sorted(lags) or [0.0]
    return {
        "statuses": {status: statuses.count(status) for status in sorted(set(statuses))},
        "rss_start_mib": rss_start / MIB,
        "rss_growth_mib": (peak - rss_start) / MIB,
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "lag_median_ms": statistics.median(ordered) * 1000,
        "lag_p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "lag_max_ms": ordered[-1] * 1000,
    }


def _scenario_child(conn: Connection, args: dict[str, Any]) -> None:
    home = tempfile.mkdtemp(prefix="linkedin-ads-bench-home-")  # its SQLite database, removed after
    try:
        conn.send(_scenario(args, home))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(
    scenario: str, emulator: Connection, setup: tuple[str, int, str], options: argparse.Namespace
) -> Result:
    emulator.send("reset")
    emulator.recv()
    connection, account, today = setup
    args = {
        "scenario": scenario,
        "connection": connection,
        "account": account,
        "today": today,
        "triggers": options.triggers,
        "poke": options.poke,
        "wait": options.wait,
        "log_file": options.log_file,
    }
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_scenario_child, args=(child, args))
    process.start()
    figures = parent.recv()
    process.join()
    emulator.send("counters")
    calls = emulator.recv()
    return Result(
        scenario=scenario,
        triggers=options.triggers,
        token_calls=calls.get("oauth/accessToken", 0),
        api_calls=sum(count for name, count in calls.items() if not name.startswith("oauth/")),
        **figures,
    )


def table(results: Sequence[Result]) -> str:
    lines = [
        "| scenario | triggers | events | RSS start -> growth | CPU s | wall s | loop lag median / p99 / max "
        "| token calls | API calls |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        events = ", ".join(f"{count} {status}" for status, count in r.statuses.items())
        lines.append(
            f"| {r.scenario} | {r.triggers:,} | {events} | {r.rss_start_mib:.0f} MiB -> +{r.rss_growth_mib:.1f} MiB "
            f"| {r.cpu_seconds:.1f} | {r.wall_seconds:.1f} | {r.lag_median_ms:.1f} / {r.lag_p99_ms:.1f} / "
            f"{r.lag_max_ms:.0f} ms | {r.token_calls} | {r.api_calls:,} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triggers", type=int, default=1000, help="triggers in the loop (default 1000)")
    parser.add_argument("--scenarios", default="waiting,confirm", help="comma list of waiting, confirm")
    parser.add_argument("--poke", type=float, default=2.0, help="confirm: seconds between the two reads")
    parser.add_argument("--wait", type=float, default=3.0, help="waiting: seconds until the moment")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency the emulator adds per call")
    parser.add_argument("--log-file", default=os.devnull, help="where the triggers' INFO log goes")
    options = parser.parse_args(argv)
    # An installed package has bytecode; without it every first import compiles source while holding
    # the GIL, which shows up as loop lag. Let Python write it (the first run of a new venv does).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"load average before: {json.dumps(os.getloadavg())}", file=sys.stderr)
    context = multiprocessing.get_context("spawn")
    emulator, child = context.Pipe()
    server = context.Process(target=_serve, args=(child, options.latency_ms), daemon=True)
    server.start()
    setup = emulator.recv()
    results = []
    try:
        for scenario in [name.strip() for name in options.scenarios.split(",") if name.strip()]:
            print(f"{scenario}: {options.triggers} triggers ...", file=sys.stderr, flush=True)
            results.append(run(scenario, emulator, setup, options))
    finally:
        emulator.send("stop")
        server.join(30)
    print(f"load average after: {json.dumps(os.getloadavg())}", file=sys.stderr)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
