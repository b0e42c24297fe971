"""``linkedin-ads-emulator`` / ``python -m airflow_provider_linkedin_ads.testing``: run the emulator.

For the demo and docker-compose. Binds loopback unless ``--host`` says otherwise, prints its URL
(first line: ``LinkedIn Ads emulator listening on http://HOST:PORT``), the demo credentials and the
world's account ids (those the demo token can read first, up to ten), and serves until SIGTERM or SIGINT. Its clock ticks in real time, starting at noon UTC of ``--today``
(or of the dataset's day with ``--data``; otherwise now).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.clock import Clock
from airflow_provider_linkedin_ads.testing.server import EmulatorServer
from airflow_provider_linkedin_ads.testing.world import World

__all__ = ["build_parser", "main"]


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--today must be YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """Build the command-line interface."""
    parser = argparse.ArgumentParser(
        prog="linkedin-ads-emulator", description="Run the bundled LinkedIn Ads API emulator (offline)."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: any free port)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic world (default 7)")
    parser.add_argument("--accounts", type=int, default=3, help="ad accounts to generate (default 3)")
    parser.add_argument(
        "--campaigns-per-account", type=int, default=20, help="campaigns per account (default 20)"
    )
    parser.add_argument(
        "--today", type=_day, default=None, help="the emulator's today, YYYY-MM-DD (clock starts at noon UTC)"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="JSON dataset file (World.from_dict) instead of generating"
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="milliseconds every API call waits")
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="probability of a random fault per API call"
    )
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the random faults")
    parser.add_argument(
        "--retry-after", type=int, default=None, help="send Retry-After (seconds) on throttles"
    )
    parser.add_argument(
        "--metric-value-budget", type=int, default=45_000_000, help="metric values per 5 minutes"
    )
    parser.add_argument("--daily-quota", type=int, default=None, help="calls per resource per UTC day")
    return parser


def _world(args: argparse.Namespace, today: dt.date) -> World:
    if args.data is not None:
        data: Any = json.loads(args.data.read_text(encoding="utf-8"))
        return World.from_dict(data)
    return World(
        seed=args.seed, accounts=args.accounts, campaigns_per_account=args.campaigns_per_account, today=today
    )


def _clock(args: argparse.Namespace, world: World) -> Clock:
    if args.today is None and args.data is None:
        return Clock(ticking=True)
    day = args.today if args.today is not None else world.today
    return Clock(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), ticking=True)


#: Accounts listed one per line in the banner; a larger world lists this many and counts the rest.
_LISTED_ACCOUNTS = 10


def _account_lines(server: EmulatorServer) -> list[str]:
    # The ids to put in a DAG or a README example: the ones the demo token can read come first.
    world = server.world
    visible = world.accounts_for_member(server.config.member)
    ordered = sorted(world.accounts, key=lambda account_id: (account_id not in visible, account_id))
    lines = []
    for account_id in ordered[:_LISTED_ACCOUNTS]:
        account = world.accounts[account_id]
        access = "readable by the demo token" if account_id in visible else "not readable by the demo token"
        crm = ", CRM connected" if account.crm_connected else ""
        lines.append(f"  account:       {account_id} {account.currency} {account.name!r} ({access}{crm})")
    if len(ordered) > _LISTED_ACCOUNTS:
        lines.append(f"  account:       ... and {len(ordered) - _LISTED_ACCOUNTS} more")
    return lines


def _banner(server: EmulatorServer) -> str:
    config = server.config
    world = server.world
    return "\n".join(
        [
            f"LinkedIn Ads emulator listening on {server.url}",
            f"  api_base_url:  {server.api_base_url}",
            f"  token_url:     {server.token_url}",
            f"  client_id:     {config.client_id}",
            f"  client_secret: {config.client_secret}",
            f"  refresh_token: {config.refresh_token}",
            f"  today:         {server.clock.today().isoformat()} (clock ticking)",
            f"  world:         {len(world.accounts)} accounts, {len(world.campaigns)} campaigns, "
            f"{len(world.creatives)} creatives",
            *_account_lines(server),
            "Stop with Ctrl+C or SIGTERM.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until SIGTERM/SIGINT; returns the exit status.

    :param argv: arguments without the program name (default ``sys.argv[1:]``).
    """
    args = build_parser().parse_args(argv)
    try:
        world = _world(args, args.today or dt.datetime.now(dt.UTC).date())
        server = EmulatorServer(
            world,
            host=args.host,
            port=args.port,
            clock=_clock(args, world),
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            fault_seed=args.fault_seed,
            retry_after=args.retry_after,
            metric_value_budget=args.metric_value_budget,
            daily_quota=args.daily_quota,
        )
        server.start()
    except (ConfigurationError, OSError, ValueError) as err:
        print(f"linkedin-ads-emulator: {err}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(_banner(server), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    print("LinkedIn Ads emulator stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
