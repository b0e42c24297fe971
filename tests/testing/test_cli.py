"""The ``linkedin-ads-emulator`` console script: start on port 0, print the URL, serve, stop on SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import re
import select
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.testing import World

if TYPE_CHECKING:
    from collections.abc import Iterator

SCRIPT = Path(sys.executable).with_name("linkedin-ads-emulator")
URL_LINE = re.compile(r"^LinkedIn Ads emulator listening on (http://127\.0\.0\.1:\d+)$")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def read_banner(process: subprocess.Popen[str], timeout: float = 60) -> list[str]:
    """The banner lines, up to "Stop with ..." (printed and flushed in one go)."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the emulator printed nothing in time"
    lines = [process.stdout.readline().rstrip("\n")]
    while lines[-1] and not lines[-1].startswith("Stop with"):
        lines.append(process.stdout.readline().rstrip("\n"))
    return lines


@pytest.fixture
def start() -> Iterator[Any]:
    processes: list[subprocess.Popen[str]] = []

    def run(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
        process = subprocess.Popen(
            [str(SCRIPT), "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        processes.append(process)
        return process, read_banner(process)

    yield run
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def refresh_then_search(base_url: str) -> tuple[int, list[int]]:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "emulator-refresh-token",
        "client_id": "emulator-client",
        "client_secret": "emulator-secret",
    }
    token_request = urllib.request.Request(
        base_url + "/oauth/v2/accessToken", data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    with _OPENER.open(token_request, timeout=30) as response:
        token = json.loads(response.read())["access_token"]
    headers = {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": "202608",
        "X-Restli-Protocol-Version": "2.0.0",
    }
    with _OPENER.open(
        urllib.request.Request(base_url + "/rest/adAccounts?q=search", headers=headers), timeout=30
    ) as response:
        return response.status, [element["id"] for element in json.loads(response.read())["elements"]]


def test_console_script_serves_until_sigterm(start: Any) -> None:
    process, banner = start("--today", "2026-11-28", "--accounts", "2", "--campaigns-per-account", "3")

    match = URL_LINE.match(banner[0])
    assert match, banner
    status, _ = refresh_then_search(match.group(1))
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=30)

    assert status == 200
    assert process.returncode == 0
    assert "  client_secret: emulator-secret" in banner
    assert "  today:         2026-11-28 (clock ticking)" in banner
    assert "stopped" in stdout


def test_console_script_loads_a_dataset_file(start: Any, tmp_path: Path) -> None:
    world = World(seed=3, accounts=2, campaigns_per_account=2)
    data = world.to_dict()
    data["members"] = {"urn:li:person:emulator": sorted(world.accounts)}
    dataset = tmp_path / "world.json"
    dataset.write_text(json.dumps(data), encoding="utf-8")

    process, banner = start("--data", str(dataset), "--today", "2026-11-28")
    match = URL_LINE.match(banner[0])
    assert match, banner
    status, ids = refresh_then_search(match.group(1))
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)

    assert (status, ids) == (200, sorted(world.accounts))
    assert process.returncode == 0
    listed = [line for line in banner if line.startswith("  account:")]
    assert [int(line.split()[1]) for line in listed] == sorted(world.accounts)
    assert all("(readable by the demo token" in line for line in listed)


def test_banner_lists_the_account_ids_readable_ones_first(start: Any) -> None:
    process, banner = start("--today", "2026-11-28", "--accounts", "3", "--campaigns-per-account", "1")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)

    world = World(seed=7, accounts=3, campaigns_per_account=1, today=dt.date(2026, 11, 28))
    visible = world.accounts_for_member("urn:li:person:emulator")
    listed = [line for line in banner if line.startswith("  account:")]
    ids = [int(line.split()[1]) for line in listed]
    assert ids == sorted(visible) + sorted(set(world.accounts) - visible)
    assert all(("not readable" in line) is (int(line.split()[1]) not in visible) for line in listed)


def test_console_script_rejects_a_bad_day() -> None:
    result = subprocess.run(
        [str(SCRIPT), "--today", "28/11/2026"], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 2
    assert "--today must be YYYY-MM-DD" in result.stderr
