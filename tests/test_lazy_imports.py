"""DAG parsing stays cheap: importing the hook, operators or sensor does not import ``requests``.

The scheduler's DAG processor imports every DAG file again and again; ``requests`` (and the report
engine built on it) is only needed when a task runs. Each check runs in a fresh interpreter, so a
stray import anywhere in the graph is caught, not just a direct one.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
import airflow.providers.common.compat.sdk  # what every adapter module needs from Airflow itself
airflow_loaded = sorted(name for name in ("requests",) if name in sys.modules)
for module in {modules!r}:
    __import__("airflow_provider_linkedin_ads." + module)
print(json.dumps({{
    "airflow": airflow_loaded,
    "requests": "requests" in sys.modules,
    "engine": sorted(
        name for name in sys.modules
        if name.startswith("airflow_provider_linkedin_ads.client.")
        and name.rsplit(".", 1)[1] in ("client", "transport", "reporting", "execution", "planning", "fetching")
    ),
}}))
"""


def _imported(*modules: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(modules=modules)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_adapters_does_not_import_requests_or_the_engine() -> None:
    # One interpreter for all three: if together they import neither, none of them does alone.
    loaded = _imported("operators.ad_analytics", "hooks.linkedin_ads", "sensors.ad_analytics")
    if loaded["airflow"]:
        pytest.skip("this Airflow line imports requests itself; nothing for the provider to save")
    assert loaded["requests"] is False
    assert loaded["engine"] == []


def test_the_client_still_imports_requests_when_used() -> None:
    # The other side of the coin: the lazy import is real, the client module does need requests.
    loaded = _imported("client.client")
    assert loaded["requests"] is True
