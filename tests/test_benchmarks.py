"""The benchmark scripts still run and still say what they claim: README figures come from them.

Each script runs as a user runs it (a subprocess from the repository root, on the smallest
workload, without the emulator's added latency), so a change to the engine that breaks a script,
or makes the planner's replay disagree with the real run, fails here rather than on the day the
figures are refreshed. Timings are printed by the scripts and never asserted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO_ROOT / "benchmarks"


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _table(stdout: str) -> list[dict[str, str]]:
    """The Markdown table's rows as dicts keyed by its header."""
    lines = [line for line in stdout.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def _number(cell: str) -> int:
    return int(cell.replace(",", ""))


@pytest.fixture(scope="module")
def w1_run() -> subprocess.CompletedProcess[str]:
    return _run("run.py", "--workloads", "W1", "--naive-campaigns", "1", "--latency-ms", "0", "--verbose")


def test_engine_run_is_exact_and_near_perfect_packing(w1_run: subprocess.CompletedProcess[str]) -> None:
    assert w1_run.returncode == 0, w1_run.stderr
    engine, naive = _table(w1_run.stdout)
    assert (engine["strategy"], naive["strategy"]) == ("engine", "naive (peers)")
    assert engine["truncation events"] == "0"
    assert engine["re-splits"] == "0"
    perfect = _number(engine["perfect packing"])
    # One probe above what a planner knowing every day's rows would need (benchmarks/README.md).
    assert perfect <= _number(engine["calls"]) <= perfect + 1
    assert _number(naive["calls"]) > 100 * _number(engine["calls"])
    assert engine["peak memory (MiB)"].endswith("(RSS)")


def test_verbose_shows_the_engine_log_of_the_child_process(w1_run: subprocess.CompletedProcess[str]) -> None:
    assert re.search(r"LinkedIn Ads report finished: (\d+)/\1 calls done", w1_run.stderr), w1_run.stderr


def test_plan_replay_makes_the_calls_of_the_real_run(w1_run: subprocess.CompletedProcess[str]) -> None:
    replay = _run("plan_replay.py", "--workloads", "W1")
    assert replay.returncode == 0, replay.stderr
    (row,) = _table(replay.stdout)
    (engine, _) = _table(w1_run.stdout)
    assert (row["calls"], row["probes"], row["capped"]) == (engine["calls"], engine["probes"], "0")


def test_short_reports_are_fetched_with_perfect_packing_and_replayed_alike() -> None:
    # S1 (7 days DAILY) starts with its first field chunk as data, S3 (6 months MONTHLY) with a probe
    # that is that chunk's data: neither spends a call on learning sizes.
    run = _run("run.py", "--workloads", "S1,S3", "--naive-campaigns", "-1", "--latency-ms", "0")
    assert run.returncode == 0, run.stderr
    engines = _table(run.stdout)
    assert [row["workload"] for row in engines] == ["S1", "S3"]
    for engine in engines:
        assert engine["calls"] == engine["perfect packing"] == "2", engine
    replay = _run("plan_replay.py", "--workloads", "S1,S3")
    assert replay.returncode == 0, replay.stderr
    assert [(row["calls"], row["probes"]) for row in _table(replay.stdout)] == [
        (row["calls"], row["probes"]) for row in engines
    ]


def test_row_path_replay_outputs_are_identical() -> None:
    replay = _run("replay.py", "--cases", "A15K", "--repeat", "1")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    (row,) = _table(replay.stdout)
    assert row["identical"] == "yes"
    assert _number(row["rows"]) == 15_000
