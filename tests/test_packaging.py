"""What ships in the wheel, and that the entry points a user relies on resolve."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DIST = "airflow-provider-linkedin-ads"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_ships_typed_package_and_emulator(wheel_names):
    assert "airflow_provider_linkedin_ads/py.typed" in wheel_names
    assert "airflow_provider_linkedin_ads/testing/__init__.py" in wheel_names
    assert "airflow_provider_linkedin_ads/restli.py" in wheel_names


def test_wheel_leaves_out_tests_and_examples(wheel_names):
    assert not any(name.startswith(("tests/", "dags_examples/", "benchmarks/")) for name in wheel_names)


def test_wheel_carries_licence(wheel_names):
    assert any(name.endswith("licenses/LICENSE") for name in wheel_names)


def _entry_point(group: str, name: str) -> importlib.metadata.EntryPoint:
    (point,) = [
        ep
        for ep in importlib.metadata.distribution(DIST).entry_points
        if ep.group == group and ep.name == name
    ]
    return point


def test_provider_entry_point_resolves():
    get_info = _entry_point("apache_airflow_provider", "provider_info").load()
    assert get_info()["package-name"] == DIST


def test_emulator_console_script_resolves():
    main = _entry_point("console_scripts", "linkedin-ads-emulator").load()
    assert callable(main)
