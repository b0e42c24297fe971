"""``airflow providers list/hooks/widgets/triggers`` show this provider, run through the real CLI.

The commands run with the ``airflow`` executable of the interpreter running pytest (so the suite
checks whichever Airflow line its virtualenv holds) in a throw-away ``AIRFLOW_HOME``. None of them
needs the metadata database. They run concurrently to keep the module fast.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from airflow_provider_linkedin_ads.version_compat import DECLARATIVE_CONNECTION_FORM
from tests.airflow_home import AIRFLOW

pytestmark = pytest.mark.integration

DIST = "airflow-provider-linkedin-ads"
HOOK_CLASS = "airflow_provider_linkedin_ads.hooks.linkedin_ads.LinkedInAdsHook"
COMMANDS = ("list", "hooks", "widgets", "triggers")
FIELDS = (
    "refresh_token",
    "access_token",
    "api_version",
    "api_base_url",
    "oauth_url",
    "attempt_timeout",
    "max_response_bytes",
)
SECRET_FIELDS = {"refresh_token", "access_token"}


@pytest.fixture(scope="module")
def cli_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        # Airflow 2.11 warns at import unless the 3.x metric timer units are switched on.
        "AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY": "True",
    }
    env.pop("AIRFLOW_CONFIG", None)
    processes = {
        command: subprocess.Popen(
            [str(AIRFLOW), "providers", command, "--output", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in COMMANDS
    }
    outputs: dict[str, list[dict[str, Any]]] = {}
    try:
        for command, process in processes.items():
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, f"airflow providers {command} failed:\n{stderr}"
            outputs[command] = json.loads(stdout)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return outputs


def _rows(output: list[dict[str, Any]], **match: str) -> list[dict[str, Any]]:
    return [row for row in output if all(row.get(key) == value for key, value in match.items())]


def test_providers_list_shows_the_package(cli_output):
    (row,) = _rows(cli_output["list"], package_name=DIST)
    assert "LinkedIn Ads" in row["description"]
    assert row["version"]


def test_providers_hooks_shows_the_hook(cli_output):
    (row,) = _rows(cli_output["hooks"], connection_type="linkedin_ads")
    assert row == {
        "connection_type": "linkedin_ads",
        "class": HOOK_CLASS,
        "conn_id_attribute_name": "linkedin_ads_conn_id",
        "package_name": DIST,
        "hook_name": "LinkedIn Ads",
    }


def test_providers_widgets_shows_every_extra_field(cli_output):
    rows = {
        row["connection_parameter_name"]: row
        for row in cli_output["widgets"]
        if row["connection_parameter_name"].startswith("extra__linkedin_ads__")
    }
    assert set(rows) == {f"extra__linkedin_ads__{name}" for name in FIELDS}
    assert {row["package_name"] for row in rows.values()} == {DIST}


def test_providers_widgets_field_types_follow_the_form_in_use(cli_output):
    types = {
        row["connection_parameter_name"].removeprefix("extra__linkedin_ads__"): row["field_type"]
        for row in cli_output["widgets"]
        if row["connection_parameter_name"].startswith("extra__linkedin_ads__")
    }
    if DECLARATIVE_CONNECTION_FORM:
        # Airflow 3.2+: built from conn-fields, reported as JSON-schema types.
        assert set(map(tuple, types.values())) == {("string", "null")}
    else:
        # Airflow 2.11-3.1: built from the hook's legacy wtforms widgets.
        assert types == {name: "PasswordField" if name in SECRET_FIELDS else "StringField" for name in FIELDS}


def test_providers_triggers_lists_the_trigger_module(cli_output):
    (row,) = _rows(cli_output["triggers"], package_name=DIST)
    assert row["class"] == "airflow_provider_linkedin_ads.triggers.ad_analytics"
    assert row["integration_name"] == "LinkedIn Ads"
