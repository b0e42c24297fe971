"""Benchmark the report engine against the bundled emulator, side by side with a naive peer strategy.

Run from the repository root (see benchmarks/README.md)::

    .venv/af3/bin/python benchmarks/run.py

The emulator runs in a separate process with an injected latency per API call (default 100 ms); each
engine run is a fresh child process too, so its peak RSS (``VmHWM``) is the engine's alone. The
"perfect packing" minimum is computed from the emulator's ground truth: for each field chunk, the
rows of every day (month for MONTHLY reports) packed greedily, in order, into windows of at most
15,000 rows; the sum over the chunks is what a planner that knew every day's row count in advance
would need (no probe). Workloads:

* W1: 3 accounts x 200 campaigns, 180 days, DAILY, CAMPAIGN pivot, 40 metrics;
* W2: one account with 300 creatives, MEMBER_JOB_TITLE pivot, 90 days, DAILY, 15 metrics (far more
  rows than the 15,000-row cap: truncation pressure);
* W3: about 1,000,000 CREATIVE rows (JSON Lines, or ``--format parquet``), for the memory figure;
* W4: ``q=statistics``, CAMPAIGN x SERVING_LOCATION x PLACEMENT_NAME, MONTHLY over 24 months, 25 metrics.

The naive strategy is modelled on what peers do (one call per campaign x 30-day window x 18-metric
chunk, sequential, rows merged by key). It would take many minutes at 100 ms per call, so by default
it runs on a sample of the campaigns and its calls and time are extrapolated linearly; the output
says so. The exit status is 1 when the engine's rows differ from the ground truth or an answer was
truncated: a figure from a wrong report is no figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import logging
import math
import multiprocessing
import sys
import time
import tracemalloc
from collections import Counter
from typing import IO, TYPE_CHECKING, Any, cast

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
from airflow_provider_linkedin_ads.client.planning import (
    ROW_CAP,
    bucket_start,
    call_params,
    chunk_metrics,
    initial_scopes,
)
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.client.writers import FORMATS
from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from multiprocessing.connection import Connection

MIB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class WorldShape:
    accounts: int
    campaigns_per_account: int
    creatives_per_campaign: int = 3
    seed: int = 7


@dataclasses.dataclass(frozen=True)
class EmulatorInfo:
    api_base_url: str
    token_url: str
    today: dt.date
    accounts: tuple[int, ...]
    campaigns: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    description: str
    world: WorldShape
    build: Callable[[EmulatorInfo], ReportRequest]
    naive: bool = True


@dataclasses.dataclass
class Result:
    workload: str
    strategy: str
    calls: int
    minimum: int
    seconds: float
    rows: int
    rows_per_second: float
    peak_bytes: int
    output_bytes: int = 0
    truncated: int = 0
    note: str = ""
    probes: int = 0
    resplits: int = 0
    memory: str = "RSS"
    theoretical: int = 0


@dataclasses.dataclass(frozen=True)
class Packing:
    """The perfect-packing minimum of a report: per chunk, and with one scope per account."""

    calls: int
    per_account: int
    rows: int


# ── the emulator, in its own process ────────────────────────────────────────────────────────────


def _serve(conn: Connection, shape: WorldShape, latency_ms: int) -> None:
    from airflow_provider_linkedin_ads.testing import EmulatorServer, World
    from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER

    sizes = dataclasses.asdict(shape)
    ids = list(World(**sizes).accounts)
    world = World(**sizes, members={DEFAULT_MEMBER: ids})  # the default member sees every account
    with EmulatorServer(world=world, latency_ms=latency_ms) as server:
        campaigns = tuple(sorted(world.campaigns))
        conn.send(EmulatorInfo(server.api_base_url, server.token_url, world.today, tuple(ids), campaigns))
        while (message := conn.recv()) != "stop":
            if isinstance(message, tuple) and message[0] == "packing":
                info = EmulatorInfo(server.api_base_url, server.token_url, world.today, tuple(ids), campaigns)
                request = WORKLOADS[message[1]].build(info)
                conn.send(perfect_packing(world, request, now=server.clock.now()))
                continue
            server.reset()  # fresh throttles between runs
            conn.send("ok")


def _bucket_rows(
    world: Any,
    request: ReportRequest,
    fields: tuple[str, ...],
    facets: Any,
    now: Any,
    keys: set[tuple[Any, ...]] | None = None,
) -> Counter[Any]:
    from airflow_provider_linkedin_ads.enums import Pivot
    from airflow_provider_linkedin_ads.testing.query import ReportQuery

    query = ReportQuery(
        finder=request.finder,
        pivots=tuple(Pivot(pivot) for pivot in request.pivots),
        granularity=request.time_granularity,
        start=request.date_range.start,
        end=request.date_range.end,
        facets=facets,
        fields=fields,
        visible_accounts=frozenset(world.accounts),
        campaign_type=request.campaign_type,
    )
    granularity = request.time_granularity
    counts: Counter[Any] = Counter()
    for row in world.answer(query, now=now):
        start = row["dateRange"]["start"]
        day = dt.date(start["year"], start["month"], start["day"])
        counts[bucket_start(day, granularity) if granularity is not None else day] += 1
        if keys is not None:  # the report's rows are the union of the chunks' rows
            keys.add((day, tuple(row["pivotValues"])))
    return counts


def _windows_needed(counts: Counter[Any], cap: int = ROW_CAP) -> int:
    windows, load = 0, 0
    for bucket in sorted(counts):
        if windows and load + counts[bucket] <= cap:
            load += counts[bucket]
        else:
            windows, load = windows + 1, counts[bucket]
    return windows


def perfect_packing(world: Any, request: ReportRequest, *, now: Any) -> Packing:
    """Fewest calls if every bucket's rows were known: buckets packed to <= 15,000 rows, per chunk."""
    facets = {name: tuple(values) for name, values in request.facets.items()}
    accounts = facets.get("accounts", ())
    calls = per_account = 0
    chunks = chunk_metrics(request)
    keys: set[tuple[Any, ...]] = set()
    for chunk in chunks:
        whole = _bucket_rows(world, request, chunk.fields, facets, now, keys if len(chunks) > 1 else None)
        calls += _windows_needed(whole)
        rows = len(keys) if len(chunks) > 1 else sum(whole.values())
        if len(accounts) > 1:
            per_account += sum(
                _windows_needed(_bucket_rows(world, request, chunk.fields, {**facets, "accounts": (a,)}, now))
                for a in accounts
            )
    return Packing(calls, per_account or calls, rows)


class _Child:
    """A spawned child process and the parent's end of its pipe.

    The parent closes its copy of the child's end at once, so a child that dies makes :meth:`receive`
    raise instead of waiting on the pipe forever.
    """

    def __init__(self, target: Any, *args: Any, daemon: bool = False) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(child, *args), daemon=daemon)
        self.process.start()
        child.close()

    def receive(self, what: str) -> Any:
        """The child's next message; :class:`RuntimeError` when it ended without sending one."""
        try:
            return self.conn.recv()
        except EOFError:
            self.process.join()
            raise RuntimeError(f"{what}: the process ended with code {self.process.exitcode}") from None


class Emulator:
    """The emulator in a child process; ``reset()`` between runs, ``close()`` at the end."""

    def __init__(self, shape: WorldShape, latency_ms: int) -> None:
        self._child = _Child(_serve, shape, latency_ms, daemon=True)
        self.info: EmulatorInfo = self._child.receive("emulator")

    def reset(self) -> None:
        self._child.conn.send("reset")
        self._child.receive("emulator")

    def packing(self, workload: str) -> Packing:
        self._child.conn.send(("packing", workload))
        packing: Packing = self._child.receive("emulator")
        return packing

    def close(self) -> None:
        self._child.conn.send("stop")
        self._child.process.join(30)

    def client(self) -> LinkedInAdsClient:
        config = ClientConfig(
            client_id="emulator-client",
            client_secret="emulator-secret",
            refresh_token="emulator-refresh-token",
            api_base_url=self.info.api_base_url,
            token_url=self.info.token_url,
        )
        return LinkedInAdsClient(config)


class CountingSink(io.RawIOBase):
    """A binary target that counts bytes and keeps none (the data size without holding the data)."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


# ── workloads ───────────────────────────────────────────────────────────────────────────────────


def _metrics(count: int, *, demographic: bool = False) -> list[str]:
    names = [
        metric.name
        for metric in METRICS.values()
        if metric.additive and not (demographic and metric.non_demographic) and not metric.needs_entity_pivot
    ]
    return names[:count]


def _days(info: EmulatorInfo, days: int, *, lag: int = 1) -> tuple[dt.date, dt.date]:
    end = info.today - dt.timedelta(days=lag)
    return end - dt.timedelta(days=days - 1), end


def _report(
    info: EmulatorInfo,
    pivots: str | list[str],
    granularity: str,
    date_range: tuple[dt.date, dt.date],
    metrics: list[str],
    *,
    finder: str = "analytics",
) -> ReportRequest:
    """A report of every account of the world (the ``accounts`` facet)."""
    return ReportRequest.build(
        finder=finder,
        pivots=pivots,
        time_granularity=granularity,
        date_range=date_range,
        facets={"accounts": list(info.accounts)},
        metrics=metrics,
    )


def _last_months(info: EmulatorInfo, months: int) -> tuple[dt.date, dt.date]:
    """The ``months`` complete months before the world's current one."""
    end = info.today.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, end


def _w1(info: EmulatorInfo) -> ReportRequest:
    return _report(info, "CAMPAIGN", "DAILY", _days(info, 180), _metrics(40))


def _w2(info: EmulatorInfo) -> ReportRequest:
    # Demographic values settle after 24 h: the range ends the day before yesterday.
    return _report(info, "MEMBER_JOB_TITLE", "DAILY", _days(info, 90, lag=2), _metrics(15, demographic=True))


def _w3(info: EmulatorInfo) -> ReportRequest:
    metrics = ["impressions", "clicks", "costInLocalCurrency", "costInUsd", "landingPageClicks"]
    return _report(info, "CREATIVE", "DAILY", _days(info, 220), metrics)


def _w4(info: EmulatorInfo) -> ReportRequest:
    pivots = ["CAMPAIGN", "SERVING_LOCATION", "PLACEMENT_NAME"]
    return _report(info, pivots, "MONTHLY", _last_months(info, 24), _metrics(25), finder="statistics")


def _s1(info: EmulatorInfo) -> ReportRequest:
    return _report(info, "CAMPAIGN", "DAILY", _days(info, 7), _metrics(25))


def _s2(info: EmulatorInfo) -> ReportRequest:
    return _report(info, "MEMBER_JOB_TITLE", "DAILY", _days(info, 31, lag=2), _metrics(15, demographic=True))


def _s3(info: EmulatorInfo) -> ReportRequest:
    return _report(info, "CAMPAIGN", "MONTHLY", _last_months(info, 6), _metrics(25))


WORKLOADS = {
    "W1": Workload(
        "W1", "3 accounts x 200 campaigns, 180 d DAILY, CAMPAIGN, 40 metrics", WorldShape(3, 200), _w1
    ),
    "W2": Workload(
        "W2", "1 account, 300 creatives, MEMBER_JOB_TITLE, 90 d DAILY, 15 metrics", WorldShape(1, 100), _w2
    ),
    "W3": Workload("W3", "~1,000,000 CREATIVE rows", WorldShape(5, 1000), _w3, naive=False),
    "W4": Workload(
        "W4",
        "q=statistics, CAMPAIGN x SERVING_LOCATION x PLACEMENT_NAME, 24 months MONTHLY, 25 metrics",
        WorldShape(3, 200),
        _w4,
        naive=False,
    ),
    # Short reports, the everyday run: a weekly restatement (S1), a month of job titles too dense for
    # one answer (S2, the cost of starting with data), six months by month (S3).
    "S1": Workload(
        "S1", "2 accounts x 50 campaigns, 7 d DAILY, CAMPAIGN, 25 metrics", WorldShape(2, 50), _s1
    ),
    "S2": Workload(
        "S2",
        "1 account, 300 creatives, MEMBER_JOB_TITLE, 31 d DAILY, 15 metrics",
        WorldShape(1, 100),
        _s2,
        naive=False,
    ),
    "S3": Workload(
        "S3",
        "2 accounts x 50 campaigns, 6 months MONTHLY, CAMPAIGN, 25 metrics",
        WorldShape(2, 50),
        _s3,
        naive=False,
    ),
}


# ── strategies ──────────────────────────────────────────────────────────────────────────────────


def theoretical_minimum(rows: int, chunks: int, cap: int = ROW_CAP) -> int:
    """Fewest calls that can return ``rows`` rows of ``chunks`` field chunks: full responses only."""
    return max(1, math.ceil(rows / cap)) * chunks


def run_engine(
    emulator: Emulator,
    workload: Workload,
    concurrency: int,
    packing: Packing,
    output_format: str = "jsonl",
    *,
    log_level: int = logging.WARNING,
) -> Result:
    """One run in a fresh child process: calls, wall time and the process's peak RSS (VmHWM).

    :param log_level: the child's logging level (a spawned process does not inherit this one's
        logging setup): ``logging.INFO`` shows the engine's progress log.
    :raises RuntimeError: when the child ends without a result (its traceback is on stderr).
    """
    request = workload.build(emulator.info)
    emulator.reset()
    engine = _Child(_engine_child, emulator.info, workload.name, concurrency, output_format, log_level)
    outcome: dict[str, Any] = engine.receive(f"{workload.name} engine")
    engine.process.join(60)
    note = f"{outcome['baseline_rss'] / MIB:.0f} MiB RSS before the run; concurrency {concurrency}"
    if output_format != "jsonl":
        note += f"; written as {output_format}"
    if packing.per_account != packing.calls:
        note += f"; perfect packing with one scope per account: {packing.per_account}"
    return Result(
        workload.name,
        "engine",
        outcome["calls"],
        packing.calls,
        outcome["seconds"],
        outcome["rows"],
        outcome["rows"] / outcome["seconds"] if outcome["seconds"] else 0.0,
        outcome["peak_rss"],
        outcome["output_bytes"],
        outcome["truncated"],
        note,
        probes=outcome["probes"],
        resplits=outcome["resplits"],
        theoretical=theoretical_minimum(packing.rows, len(chunk_metrics(request))),
    )


def _rss(field: str) -> int:
    """``VmHWM`` (peak) or ``VmRSS`` of this process in bytes, from ``/proc/self/status``."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    import resource  # not Linux: ru_maxrss (bytes on macOS)

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _engine_child(
    conn: Connection, info: EmulatorInfo, workload: str, concurrency: int, output_format: str, log_level: int
) -> None:
    logging.basicConfig(level=log_level, format="%(message)s", stream=sys.stderr)
    request = WORKLOADS[workload].build(info)
    config = ClientConfig(
        client_id="emulator-client",
        client_secret="emulator-secret",
        refresh_token="emulator-refresh-token",
        api_base_url=info.api_base_url,
        token_url=info.token_url,
    )
    baseline = _rss("VmRSS")
    sink = CountingSink()
    with LinkedInAdsClient(config) as client:
        engine = ReportEngine(client, max_concurrency=concurrency, today=lambda: info.today)
        started = time.perf_counter()
        summary = engine.write(request, cast("IO[bytes]", sink), output_format=output_format)
        seconds = time.perf_counter() - started
    conn.send(
        {
            "calls": summary.calls_made,
            "probes": summary.probe_calls,
            "resplits": summary.windows_split,
            "rows": summary.rows_written,
            "truncated": len(summary.truncation_events),
            "seconds": seconds,
            "output_bytes": sink.size,
            "peak_rss": _rss("VmHWM"),
            "baseline_rss": baseline,
        }
    )


def _windows(span: DateRange, days: int = 30) -> list[DateRange]:
    windows, start = [], span.start
    while start <= span.end:
        end = min(span.end, start + dt.timedelta(days=days - 1))
        windows.append(DateRange(start, end))
        start = end + dt.timedelta(days=1)
    return windows


def run_naive(emulator: Emulator, workload: Workload, sample: int) -> Result:
    """One call per campaign x 30-day window x 18-metric chunk, sequential, rows merged by key."""
    emulator.reset()
    base = workload.build(emulator.info)
    campaigns = emulator.info.campaigns
    step = max(1, len(campaigns) // sample) if sample else 1
    chosen = campaigns[::step][:sample] if sample else campaigns
    chunks = chunk_metrics(base)
    join = ChunkJoin(base)
    calls = truncated = 0
    with emulator.client() as client:
        tracemalloc.start()
        started = time.perf_counter()
        for campaign in chosen:
            request = dataclasses.replace(
                base, facets={"campaigns": (f"urn:li:sponsoredCampaign:{campaign}",)}
            )
            (scope,) = initial_scopes(request)
            for window in _windows(request.date_range):
                for chunk in chunks:
                    params = call_params(request, chunk.fields, window, scope)
                    elements = client.finder("adAnalytics", str(request.finder), params).get("elements", [])
                    calls += 1
                    truncated += len(elements) >= ROW_CAP
                    join.add(chunk, elements)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    factor = len(campaigns) / len(chosen)
    if factor == 1:
        note = "full run"
    else:
        note = f"measured on {len(chosen)} of {len(campaigns)} campaigns; calls and time extrapolated x{factor:g}"
    return Result(
        workload.name,
        "naive (peers)",
        round(calls * factor),
        0,
        seconds * factor,
        len(join),
        len(join) / seconds if seconds else 0.0,
        peak,
        truncated=round(truncated * factor),
        note=note + (f"; rows are the sample's ({len(join):,})" if factor != 1 else ""),
        memory="tracemalloc",
    )


# ── report ──────────────────────────────────────────────────────────────────────────────────────


def table(results: Sequence[Result], minimum: dict[str, int]) -> str:
    lines = [
        "| workload | strategy | calls | perfect packing | calls / perfect | ceil(rows / 15,000) x chunks | probes | re-splits | truncation events "
        "| rows | wall time (s) | rows/s | peak memory (MiB) | output (MiB) | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        least = minimum.get(result.workload) or result.minimum
        ratio = result.calls / least if least else float("nan")
        output = f"{result.output_bytes / MIB:.1f}" if result.output_bytes else "-"
        memory = f"{result.peak_bytes / MIB:.1f} ({result.memory})"
        lines.append(
            f"| {result.workload} | {result.strategy} | {result.calls:,} | {least:,} | {ratio:.2f} | "
            f"{result.theoretical or '-'} | "
            f"{result.probes} | {result.resplits} | {result.truncated} | {result.rows:,} | {result.seconds:,.1f} | "
            f"{result.rows_per_second:,.0f} | {memory} | {output} | {result.note} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=int, default=100, help="latency per API call (default 100)")
    parser.add_argument(
        "--workloads", default="W1,W2,W3,W4", help="comma list of W1, W2, W3, W4 (default), S1, S2, S3"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="engine max_concurrency (default 4)")
    parser.add_argument(
        "--naive-campaigns",
        type=int,
        default=20,
        help="campaigns the naive strategy runs on (0: all; default 20; -1: skip the naive strategy)",
    )
    parser.add_argument(
        "--format",
        default="jsonl",
        choices=FORMATS,
        help="output format the engine writes (default jsonl; parquet needs pyarrow)",
    )
    parser.add_argument("--verbose", action="store_true", help="show the engine's progress log")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    results: list[Result] = []
    minimum: dict[str, int] = {}
    status = 0
    for name in [item.strip().upper() for item in args.workloads.split(",") if item.strip()]:
        workload = WORKLOADS[name]
        print(
            f"{name}: {workload.description}, written as {args.format} (latency {args.latency_ms} ms) ...",
            file=sys.stderr,
            flush=True,
        )
        emulator = Emulator(workload.world, args.latency_ms)
        try:
            packing = emulator.packing(name)
            engine = run_engine(
                emulator,
                workload,
                args.concurrency,
                packing,
                args.format,
                log_level=logging.getLogger().level,
            )
            results.append(engine)
            minimum[name] = engine.minimum
            if engine.rows != packing.rows or engine.truncated:
                print(
                    f"{name}: {engine.rows:,} rows written, ground truth has {packing.rows:,}; "
                    f"{engine.truncated} truncation event(s)",
                    file=sys.stderr,
                )
                status = 1  # a lost row or a truncated answer is a failure, not a figure
            if workload.naive and args.naive_campaigns >= 0:
                results.append(run_naive(emulator, workload, args.naive_campaigns))
        finally:
            emulator.close()
    print(table(results, minimum))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
