"""Replay captured ``adAnalytics`` answers (no HTTP) through the row path, against plain stdlib ``json``.

Run from the repository root::

    .venv/af3/bin/python benchmarks/replay.py                 # W1, W3S and the 15,000 x 20 answer
    .venv/af3/bin/python benchmarks/replay.py --cases W1,W3   # W3 is the full million rows (slow capture)

Capture: the emulator's world (the same ``World`` as ``benchmarks/run.py``) answers each field chunk
over the report's whole range; the rows are packed, day by day, into windows of at most 15,000 rows
(the way a perfectly packing planner calls) and each window's answer is serialised exactly as the
emulator sends it (``testing.responses.encode_json``). Only the bytes are kept. Cases:

* ``W1``: ``benchmarks/run.py`` W1 (3 accounts x 200 campaigns, 180 days DAILY, 40 metrics in 3 chunks);
* ``W3``: W3 (about 1,000,000 CREATIVE rows, 5 metrics); ``W3S`` is the same report over 1 account
  (about 200,000 rows), captured in seconds instead of minutes;
* ``A15K``: one answer of 15,000 rows x 20 fields (W1's first 18 metrics).

Then both pipelines turn the bytes into JSON Lines:

* provider: ``read_elements`` (the elements decoded a batch at a time) -> ``ChunkJoin.read`` (every
  row check) -> ``ChunkJoin.merge`` -> ``ChunkJoin.rows`` -> ``JsonLinesWriter`` (one join per
  window, as the engine);
* plain: ``json.loads`` -> flatten (ISO dates, pivot columns) -> join on key (zeros for a row a chunk
  left out) -> sort (numeric URN ids) -> ``json.dumps`` per row: no checks, no types.

Each is timed ``--repeat`` times (best run kept: the machine is shared); the output gives rows per
second of both, the ratio provider / plain, and whether the two outputs are byte-identical.

With ``orjson`` installed (the ``[fast]`` extra) the provider path runs twice, the ``JsonLinesWriter``
forced to the standard library (``fast=False``) and with orjson; the table adds the orjson rows per
second, its gain over the standard library, and ``identical`` then covers all three outputs.
``--no-orjson`` leaves the orjson run out.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import io
import json
import os
import sys
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.config import BODY_PIECE_BYTES as PIECE
from airflow_provider_linkedin_ads.client.planning import ROW_CAP, FieldChunk, chunk_metrics
from airflow_provider_linkedin_ads.client.responses import read_elements
from airflow_provider_linkedin_ads.client.rows import ChunkJoin
from airflow_provider_linkedin_ads.client.writers import FAST_JSON, JsonLinesWriter
from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.results import ColumnKind, report_columns
from airflow_provider_linkedin_ads.testing import World
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.responses import encode_json

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import WORKLOADS, EmulatorInfo, WorldShape  # the workloads of benchmarks/run.py


@dataclasses.dataclass(frozen=True)
class Window:
    """One planning window: its range and one captured answer (bytes) per field chunk."""

    span: DateRange
    answers: tuple[tuple[FieldChunk, bytes], ...]


@dataclasses.dataclass(frozen=True)
class Capture:
    name: str
    request: ReportRequest
    windows: tuple[Window, ...]

    @property
    def size(self) -> int:
        return sum(len(body) for window in self.windows for _, body in window.answers)


# ── capture ─────────────────────────────────────────────────────────────────────────────────────


def _world(shape: WorldShape) -> tuple[World, EmulatorInfo]:
    sizes = dataclasses.asdict(shape)
    world = World(**sizes)
    info = EmulatorInfo("", "", world.today, tuple(world.accounts), tuple(sorted(world.campaigns)))
    return world, info


def _answer(world: World, request: ReportRequest, chunk: FieldChunk) -> list[dict[str, Any]]:
    query = ReportQuery(
        finder=request.finder,
        pivots=tuple(Pivot(pivot) for pivot in request.pivots),
        granularity=request.time_granularity,
        start=request.date_range.start,
        end=request.date_range.end,
        facets={name: tuple(values) for name, values in request.facets.items()},
        fields=chunk.fields,
        visible_accounts=frozenset(world.accounts),
        campaign_type=request.campaign_type,
    )
    now = dt.datetime.combine(world.today, dt.time(12), tzinfo=dt.UTC)  # the emulator's default clock
    return world.answer(query, now=now)


def _day(element: dict[str, Any]) -> dt.date:
    start = element["dateRange"]["start"]
    return dt.date(start["year"], start["month"], start["day"])


def _pack(request: ReportRequest, days: dict[dt.date, int]) -> list[DateRange]:
    """Consecutive days packed greedily into windows whose every chunk stays <= 15,000 rows."""
    spans: list[DateRange] = []
    day, load = request.date_range.start, 0
    first = day
    while day <= request.date_range.end:
        rows = days.get(day, 0)
        if load and load + rows > ROW_CAP:
            spans.append(DateRange(first, day - dt.timedelta(days=1)))
            first, load = day, 0
        load += rows
        day += dt.timedelta(days=1)
    spans.append(DateRange(first, request.date_range.end))
    return spans


def capture(name: str, request: ReportRequest, world: World) -> Capture:
    """Serialise the world's answers to ``request``, window by window, chunk by chunk."""
    chunks = chunk_metrics(request)
    by_chunk = {chunk: _answer(world, request, chunk) for chunk in chunks}
    busiest: dict[dt.date, int] = defaultdict(int)
    for elements in by_chunk.values():
        counts: dict[dt.date, int] = defaultdict(int)
        for element in elements:
            counts[_day(element)] += 1
        for day, rows in counts.items():
            busiest[day] = max(busiest[day], rows)
    windows = []
    for span in _pack(request, busiest):
        answers = []
        for chunk, elements in by_chunk.items():
            part = [element for element in elements if span.start <= _day(element) <= span.end]
            answers.append((chunk, encode_json({"elements": part, "paging": {"start": 0, "count": 10}})))
        windows.append(Window(span, tuple(answers)))
    return Capture(name, request, tuple(windows))


def capture_single(world: World, info: EmulatorInfo) -> Capture:
    """One answer of 15,000 rows x 20 fields: W1's first chunk (18 metrics), its first 15,000 rows."""
    request = WORKLOADS["W1"].build(info)
    request = dataclasses.replace(request, metrics=request.metrics[:18])
    (chunk,) = chunk_metrics(request)
    elements = _answer(world, request, chunk)[:ROW_CAP]
    span = DateRange(_day(elements[0]), _day(elements[-1]))
    request = dataclasses.replace(request, date_range=span)
    body = encode_json({"elements": elements, "paging": {"start": 0, "count": 10}})
    return Capture("A15K", request, (Window(span, ((chunk, body),)),))


def captures(names: Sequence[str]) -> list[Capture]:
    made = []
    for name in names:
        started = time.perf_counter()
        if name == "W3S":
            world, info = _world(dataclasses.replace(WORKLOADS["W3"].world, accounts=1))
            made.append(capture(name, WORKLOADS["W3"].build(info), world))
        elif name == "A15K":
            made.append(capture_single(*_world(WORKLOADS["W1"].world)))
        else:
            world, info = _world(WORKLOADS[name].world)
            made.append(capture(name, WORKLOADS[name].build(info), world))
        print(f"captured {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return made


# ── the two pipelines ───────────────────────────────────────────────────────────────────────────


def provider(data: Capture, *, fast: bool = False) -> bytes:
    """The provider's row path: decode, parse with every check, join, sort, write JSON Lines.

    :param fast: let the writer encode with orjson (when installed); ``False`` forces ``json``.
    """
    target = io.BytesIO()
    with JsonLinesWriter(target, report_columns(data.request), fast=fast) as writer:
        for window in data.windows:
            join = ChunkJoin(data.request)
            for chunk, body in window.answers:  # as the engine reads an answer: in batches of elements
                read = functools.partial(join.read, chunk, window=window.span)
                # from the pieces the transport reads (64 KiB at most), as the engine gets them
                pieces = [body[start : start + PIECE] for start in range(0, len(body), PIECE)]
                answer = read_elements(pieces, 200, read, resource="adAnalytics")
                join.merge(chunk, answer.rows())
            for row in join.rows():
                writer.write(row)
    return target.getvalue()


_PLAIN_ZERO = {ColumnKind.LONG: 0, ColumnKind.DOUBLE: 0.0, ColumnKind.DECIMAL: "0.0"}


def _natural(urn: str) -> tuple[str, int, int, str]:
    head, _, tail = urn.rpartition(":")
    return (head, 0, int(tail), "") if tail.isascii() and tail.isdigit() else (head, 1, 0, tail)


def _iso(record: dict[str, int]) -> str:
    return f"{record['year']:04d}-{record['month']:02d}-{record['day']:02d}"


def plain(data: Capture) -> bytes:
    """A plain stdlib pipeline producing the same rows: flatten, join on key, sort, ISO dates."""
    columns = report_columns(data.request)
    pivots = [column.name for column in columns if column.kind is ColumnKind.STRING]
    metrics = [column for column in columns if column.name in data.request.metrics]
    zeros = [(column.name, _PLAIN_ZERO.get(column.kind)) for column in metrics]
    lines: list[str] = []
    for window in data.windows:
        joined: dict[tuple[str, ...], dict[str, Any]] = {}
        for chunk, body in window.answers:
            for element in json.loads(body)["elements"]:
                span = element["dateRange"]
                key = (_iso(span["start"]), _iso(span["end"]), *element["pivotValues"])
                row = joined.get(key)
                if row is None:
                    row = joined[key] = {}
                for metric in chunk.metrics:
                    row[metric] = element.get(metric)
        for key in sorted(joined, key=lambda key: (key[0], key[1], *map(_natural, key[2:]))):
            row = joined[key]
            record = {"start_date": key[0], "end_date": key[1], **dict(zip(pivots, key[2:], strict=True))}
            for name, zero in zeros:
                record[name] = row.get(name, zero)
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def timed(function: Callable[[Capture], bytes], data: Capture) -> tuple[float, bytes]:
    started = time.perf_counter()
    output = function(data)
    return time.perf_counter() - started, output


@dataclasses.dataclass
class Lap:
    """Best time and last output of one pipeline."""

    seconds: float = float("inf")
    output: bytes = b""


def race(data: Capture, repeat: int, *, fast: bool) -> dict[str, Lap]:
    """Best time of each pipeline, runs interleaved so that a burst of load hits all alike."""
    pipelines: dict[str, Callable[[Capture], bytes]] = {"provider": provider, "plain": plain}
    if fast:
        pipelines["orjson"] = functools.partial(provider, fast=True)
    laps = {name: Lap() for name in pipelines}
    for _ in range(repeat):
        for name, pipeline in pipelines.items():
            seconds, laps[name].output = timed(pipeline, data)
            laps[name].seconds = min(laps[name].seconds, seconds)
    return laps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default="W1,W3S,A15K", help="comma list of W1, W3, W3S, A15K")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per pipeline (best kept)")
    parser.add_argument("--no-orjson", action="store_true", help="leave out the provider run with orjson")
    args = parser.parse_args(argv)
    names = [name.strip().upper() for name in args.cases.split(",") if name.strip()]
    fast = FAST_JSON is not None and not args.no_orjson
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared); best of {args.repeat} runs")
    extra = (" provider + orjson (rows/s) | orjson / json |", "---:|---:|") if fast else ("", "")
    print(
        "| case | answers | rows | input (MiB) | provider (rows/s) | plain json (rows/s) | provider / plain |"
        f"{extra[0]} identical |"
    )
    print(f"|---|---:|---:|---:|---:|---:|---:|{extra[1]}---|")
    identical = True
    for data in captures(names):
        laps = race(data, args.repeat, fast=fast)
        ours, theirs = laps["provider"], laps["plain"]
        rows = ours.output.count(b"\n")
        same = all(lap.output == theirs.output for lap in laps.values())
        identical &= same
        answers = sum(len(window.answers) for window in data.windows)
        with_orjson = ""
        if fast:
            quick = laps["orjson"]
            with_orjson = f" {rows / quick.seconds:,.0f} | {ours.seconds / quick.seconds:.2f} |"
        print(
            f"| {data.name} | {answers} | {rows:,} | {data.size / 2**20:.1f} | {rows / ours.seconds:,.0f} | "
            f"{rows / theirs.seconds:,.0f} | {theirs.seconds / ours.seconds:.2f} |{with_orjson} "
            f"{'yes' if same else 'NO'} |",
            flush=True,
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
