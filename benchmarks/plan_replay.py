"""Replay the report planner on the emulator's ground truth: calls, fills and estimate errors in seconds.

Run from the repository root (see benchmarks/README.md)::

    .venv/af3/bin/python benchmarks/plan_replay.py                    # W3
    .venv/af3/bin/python benchmarks/plan_replay.py --workloads W1,W2,W3,W4 --no-shared-tails

The engine's own ``PlanRunner`` plans and re-plans exactly as in a real run, on a thread pool, but
its calls go to a fake fetcher instead of HTTP: probes are answered by the emulator's world (real
rows), data calls by the number of rows the world holds for the call's accounts and days (the ground
truth, computed once per account and field chunk), so no row is built, parsed or written. The
answer order of a real run (100 ms latency, four workers) can differ, so a real run may differ by a
call; ``benchmarks/run.py`` gives the real figures. Prints per workload: calls, probes, data calls,
capped answers, re-splits, the emptiest and fullest data answer, and the worst answered rows over
the planner's estimate (above 1: the estimate was too low).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import WORKLOADS, EmulatorInfo

from airflow_provider_linkedin_ads.client import execution
from airflow_provider_linkedin_ads.client.planning import ROW_CAP, call_params, chunk_metrics
from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.testing import World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.query import ReportQuery

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from airflow_provider_linkedin_ads.models import ReportRequest


def _query(
    world: World, request: ReportRequest, fields: Sequence[str], accounts: tuple[str, ...], **kw: Any
) -> Any:
    return ReportQuery(
        finder=request.finder,
        pivots=tuple(Pivot(pivot) for pivot in request.pivots),
        granularity=kw.get("granularity", request.time_granularity),
        start=kw.get("start", request.date_range.start),
        end=kw.get("end", request.date_range.end),
        facets={"accounts": accounts},
        fields=tuple(fields),
        visible_accounts=frozenset(world.accounts),
        campaign_type=request.campaign_type,
    )


class TruthFetcher:
    """Answers probes from the world and data calls with as many placeholders as the world has rows."""

    row_cap = ROW_CAP

    def __init__(self, world: World, request: ReportRequest, now: dt.datetime) -> None:
        self.world, self.request, self.now = world, request, now
        self.counts: dict[tuple[tuple[str, ...], str], Counter[dt.date]] = {}
        for chunk in chunk_metrics(request):
            for account in request.facets["accounts"]:
                rows = world.answer(_query(world, request, chunk.fields, (account,)), now=now)
                self.counts[(chunk.fields, account)] = Counter(_day(row) for row in rows)
        self.calls = self.probes = 0
        self.answers: list[tuple[int, int]] = []  # data calls: (rows, estimate)
        self._lock = threading.Lock()

    def read(
        self, params: Sequence[tuple[str, Any]], read: Callable[[Any], Any], *, fields: int, **kw: Any
    ) -> Any:
        """A data probe (MONTHLY/YEARLY reports): the world's real rows, parsed by the engine's parser."""
        return read(iter([self.fetch(params, fields=fields, **kw)]))

    def fetch(
        self, params: Sequence[tuple[str, Any]], *, fields: int, estimate_rows: int, **kw: Any
    ) -> list[Any]:
        values = dict(params)
        window = values["dateRange"]
        start, end = dt.date(**window["start"]), dt.date(**window["end"])
        accounts, names = tuple(values["accounts"]), tuple(values["fields"])
        granularity = values.get("timeGranularity")
        with self._lock:
            self.calls += 1
            self.probes += int(kw.get("probe", False))
        if kw.get("probe") or granularity != self.request.time_granularity:
            query = _query(
                self.world, self.request, names, accounts, start=start, end=end, granularity=granularity
            )
            return self.world.answer(query, now=self.now)[:ROW_CAP]
        rows = sum(
            count
            for account in accounts
            for day, count in self.counts[(names, account)].items()
            if start <= day <= end
        )
        with self._lock:
            self.answers.append((rows, estimate_rows))
        return [None] * min(rows, ROW_CAP)


def _day(row: dict[str, Any]) -> dt.date:
    start = row["dateRange"]["start"]
    return dt.date(start["year"], start["month"], start["day"])


class CountingRunner(execution.PlanRunner):
    """The engine's runner with row parsing and merging left out (only the counts matter here)."""

    def _call(self, task: execution.Task) -> Any:
        params = call_params(self.request, task.chunk.fields, task.window, task.scope)
        elements = self._fetcher.fetch(
            params, fields=len(task.chunk.fields), estimate_rows=task.estimate_rows
        )
        key = (task.window.start, task.window.start, ())
        rows = [(key, ())] * len(elements)
        turn = self._gate.turn()  # never taken: nothing is parsed here
        return execution._Outcome(rows, capped=len(elements) >= self._cap, turn=turn)

    def _merge(self, task: execution.Task, parsed: Any, *, complete: bool = True) -> None:
        return None


def replay(name: str) -> str:
    workload = WORKLOADS[name]
    sizes = dataclasses.asdict(workload.world)
    ids = list(World(**sizes).accounts)
    world = World(**sizes, members={DEFAULT_MEMBER: ids})
    info = EmulatorInfo("-", "-", world.today, tuple(ids), tuple(sorted(world.campaigns)))
    request = workload.build(info)
    now = dt.datetime.combine(world.today, dt.time(12), tzinfo=dt.UTC)
    started = time.perf_counter()
    fetcher = TruthFetcher(world, request, now)
    runner = CountingRunner(request, fetcher, max_concurrency=4, on_truncation="fail")  # type: ignore[arg-type]
    for _ in runner.rows():
        pass
    rows = [answer for answer, _ in fetcher.answers]
    worst = max((answer / estimate for answer, estimate in fetcher.answers if estimate), default=0.0)
    return (
        f"| {name} | {fetcher.calls} | {fetcher.probes} | {len(rows)} | {sum(r >= ROW_CAP for r in rows)} "
        f"| {runner.windows_split} | {min(rows):,} | {max(rows):,} | {worst:.4f} | {time.perf_counter() - started:.1f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W3", help="comma-separated, from W1,W2,W3,W4,S1,S2,S3")
    parser.add_argument("--no-shared-tails", action="store_true", help="plan without shared tails")
    args = parser.parse_args(argv)
    if args.no_shared_tails:
        execution.share_tails = lambda loads, starts, *, target: []  # type: ignore[assignment]
    print(
        "| workload | calls | probes | data calls | capped | re-splits | min rows | max rows | worst rows / estimate | s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.workloads.split(","):
        print(replay(name.strip()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
