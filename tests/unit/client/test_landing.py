"""The one landing path (``client/landing.py``) without Airflow: emulator on 127.0.0.1, local files.

What the operators rely on is pinned here at the client level: the landed bytes equal the engine's
own writer, a stop or a failed check lands nothing and leaves the previous file, an unreachable
destination or a refused request costs no report call, and empty facets become every ACTIVE account.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from typing import IO, TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient
from airflow_provider_linkedin_ads.client.destination import LocalFile
from airflow_provider_linkedin_ads.client.landing import (
    FileOptions,
    ReportOptions,
    collect_report,
    land_report,
    with_active_accounts,
)
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.errors import ConfigurationError, LinkedInAdsError, ReportValidationError
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import EmulatorServer, World

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

VERSION = "202609"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=World(seed=5, accounts=2, campaigns_per_account=3)) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: EmulatorServer) -> Iterator[EmulatorServer]:
    server.reset()
    yield server
    server.check()


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[LinkedInAdsClient]:
    config = ClientConfig(
        client_id="emulator-client",
        client_secret="emulator-secret",
        refresh_token="emulator-refresh-token",
        api_base_url=emulator.api_base_url,
        token_url=emulator.token_url,
        api_version=VERSION,
    )
    with LinkedInAdsClient(config, sleep=lambda seconds: None) as api:
        yield api


def request(emulator: EmulatorServer, **changes: Any) -> ReportRequest:
    values: dict[str, Any] = {
        "finder": "analytics",
        "pivots": "CAMPAIGN",
        "time_granularity": "DAILY",
        "date_range": ("2026-11-01", "2026-11-20"),
        "metrics": ["impressions", "clicks", "costInLocalCurrency"],
        "facets": {"accounts": [next(iter(emulator.world.accounts))]},
    }
    values.update(changes)
    return ReportRequest.build(**values)


def report_calls(emulator: EmulatorServer) -> int:
    return sum(1 for record in emulator.requests if "adAnalytics" in record.path)


def today() -> dt.date:
    return TODAY


def test_a_landed_report_is_byte_identical_to_the_engines_own_writer(emulator, client, tmp_path):
    report = land_report(client, request(emulator), LocalFile(tmp_path / "r.jsonl"), today=today)
    expected = io.BytesIO()
    ReportEngine(client, today=today).write(request(emulator), expected)
    assert (tmp_path / "r.jsonl").read_bytes() == expected.getvalue()
    assert report.output is not None
    assert report.output.rows == report.summary.rows_written == len(expected.getvalue().splitlines()) > 0
    assert report.output.size == len(expected.getvalue())
    assert report.output.uri == (tmp_path / "r.jsonl").as_uri()
    assert [column.name for column in report.columns][:2] == ["start_date", "end_date"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["r.jsonl"]


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_the_file_options_choose_the_writer(emulator, client, tmp_path, output_format):
    target = tmp_path / f"r.{output_format}"
    land_report(client, request(emulator), LocalFile(target), file=FileOptions(output_format), today=today)
    expected = b"PAR1" if output_format == "parquet" else b"star"  # Parquet magic / the CSV header
    assert target.read_bytes()[:4] == expected


def test_name_columns_come_from_the_options(emulator, client, tmp_path):
    target = tmp_path / "r.jsonl"
    report = land_report(
        client, request(emulator), LocalFile(target), options=ReportOptions(resolve_names=True), today=today
    )
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert "campaign_name" in [column.name for column in report.columns]
    assert rows
    assert all(row["campaign_name"] for row in rows)


def test_a_stop_lands_nothing_and_keeps_the_previous_file(emulator, client, tmp_path):
    target = tmp_path / "r.jsonl"
    target.write_bytes(b"previous\n")
    seen = []

    def stop() -> bool:
        seen.append(1)
        return len(seen) > 3  # stop at the fourth row

    with pytest.raises(LinkedInAdsError, match="stopped"):
        land_report(client, request(emulator), LocalFile(target), should_stop=stop, today=today)
    assert target.read_bytes() == b"previous\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["r.jsonl"]


def test_a_refused_request_fails_before_any_call_and_leaves_no_file(emulator, client, tmp_path):
    with pytest.raises(ReportValidationError):
        land_report(client, request(emulator, metrics=["clicks", "clicks"]), LocalFile(tmp_path / "r.jsonl"))
    assert report_calls(emulator) == 0
    assert list(tmp_path.iterdir()) == []


class Unreachable(LocalFile):
    def prepare(self) -> None:
        raise ConfigurationError("no filesystem", argument="output_path")


def test_an_unreachable_destination_fails_before_any_report_call(emulator, client, tmp_path):
    with pytest.raises(ConfigurationError):
        land_report(client, request(emulator), Unreachable(tmp_path / "r.jsonl"), today=today)
    assert report_calls(emulator) == 0


class Recording(LocalFile):
    """Records what has been fetched when the temporary target is opened."""

    def __init__(self, path: Path, emulator: EmulatorServer) -> None:
        super().__init__(path)
        self.emulator = emulator
        self.calls_at_open: int | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        self.calls_at_open = report_calls(self.emulator)
        with super().open() as handle:
            yield handle


def test_the_temporary_target_is_opened_after_the_first_rows_arrived(emulator, client, tmp_path):
    destination = Recording(tmp_path / "r.jsonl", emulator)
    land_report(client, request(emulator), destination, today=today)
    assert destination.calls_at_open is not None
    assert destination.calls_at_open >= 1


def test_collect_hands_the_rows_to_the_callable_and_reconciles(emulator, client):
    report = collect_report(
        client, request(emulator), list, options=ReportOptions(reconcile="warn"), today=today
    )
    assert report.output is None
    assert len(report.rows) == report.summary.rows_written > 0
    assert report.reconcile is not None
    assert report.reconcile["status"] == "passed"


def test_empty_facets_become_every_active_account(emulator, client):
    filled = with_active_accounts(client, request(emulator, facets={}), today=TODAY)
    listed = sorted(filled.facets["accounts"])
    assert listed
    assert all(urn.startswith("urn:li:sponsoredAccount:") for urn in listed)
    assert with_active_accounts(client, filled, today=TODAY) is filled  # facets given: unchanged


def test_a_broken_request_without_facets_fails_before_the_account_listing(emulator, client):
    with pytest.raises(ReportValidationError):
        with_active_accounts(client, request(emulator, facets={}, metrics=["clicks", "clicks"]), today=TODAY)
    assert [record for record in emulator.requests if record.path.startswith("/rest/")] == []


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_concurrency": True}, "max_concurrency"),
        ({"on_truncation": "ignore"}, "on_truncation"),
        ({"reconcile": "maybe"}, "reconcile"),
    ],
)
def test_report_options_name_the_bad_field(options, argument):
    with pytest.raises(ConfigurationError) as info:
        ReportOptions(**options)
    assert info.value.argument == argument


def test_a_local_file_is_replaced_only_by_a_complete_write(tmp_path):
    target = tmp_path / "deep" / "r.jsonl"
    with LocalFile(target).open() as handle:
        handle.write(b"first\n")

    def fail_mid_write() -> None:
        with LocalFile(target).open() as handle:
            handle.write(b"half")
            raise RuntimeError("failed mid-write")

    with pytest.raises(RuntimeError):
        fail_mid_write()
    assert target.read_bytes() == b"first\n"
    assert sorted(path.name for path in target.parent.iterdir()) == ["r.jsonl"]
    assert LocalFile(target).size() == 6
