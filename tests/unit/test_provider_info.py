"""Provider metadata: Airflow's own schemas, distribution name, entry point, and the two form definitions."""

from __future__ import annotations

import copy
import importlib.metadata
import importlib.resources
import json
import os
import re
import subprocess
import sys
from typing import Any

import jsonschema
import pytest

import airflow_provider_linkedin_ads
from airflow_provider_linkedin_ads.client import config as client_config
from airflow_provider_linkedin_ads.get_provider_info import get_provider_info
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook

DIST = "airflow-provider-linkedin-ads"
ROLES = ("hooks", "operators", "sensors", "triggers")


def _schema(name: str) -> dict[str, Any]:
    # Both files ship inside the ``airflow`` package (apache-airflow-core on 3.x, apache-airflow on 2.11).
    return json.loads((importlib.resources.files("airflow") / name).read_text(encoding="utf-8"))


def _validate(instance: dict[str, Any], schema: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema).validate(instance)


def _connection_type() -> dict[str, Any]:
    (conn,) = get_provider_info()["connection-types"]
    return conn


def test_valid_against_runtime_schema():
    _validate(get_provider_info(), _schema("provider_info.schema.json"))


def test_valid_against_strict_provider_yaml_schema():
    schema = _schema("provider.yaml.schema.json")
    info = copy.deepcopy(get_provider_info())
    # Keys only the release tooling of official providers fills; 2.11's schema also requires "dependencies".
    fillers: dict[str, Any] = {
        "state": "ready",
        "source-date-epoch": 0,
        "versions": [airflow_provider_linkedin_ads.__version__],
        "dependencies": ["apache-airflow>=2.11.0"],
    }
    for key in schema["required"]:
        if key not in info:
            info[key] = fillers[key]
    _validate(info, schema)


def test_strict_schema_rejects_a_conn_field_without_schema():
    # Proves the strict validation above really inspects conn-fields on the lines that describe them.
    schema = _schema("provider.yaml.schema.json")
    conn_schema = schema["properties"]["connection-types"]["items"]["properties"]
    if "conn-fields" not in conn_schema:
        pytest.skip("this Airflow's provider.yaml schema predates conn-fields (added in 3.2)")
    broken = {
        "connection-type": "linkedin_ads",
        "hook-class-name": "x.Y",
        "conn-fields": {"a": {"label": "A"}},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema["properties"]["connection-types"]["items"])


def _our_entry_point() -> importlib.metadata.EntryPoint:
    (point,) = [
        point
        for point in importlib.metadata.entry_points(group="apache_airflow_provider")
        if point.value == "airflow_provider_linkedin_ads.get_provider_info:get_provider_info"
    ]
    return point


def test_package_name_is_the_distribution_that_declares_the_entry_point():
    # Airflow's discovery compares package-name with the name of the distribution owning the entry point.
    dist = _our_entry_point().dist
    assert dist is not None
    assert get_provider_info()["package-name"] == dist.metadata["Name"] == DIST
    assert importlib.metadata.distribution(DIST).version == airflow_provider_linkedin_ads.__version__


def test_entry_point_resolves_to_get_provider_info():
    assert _our_entry_point().load() is get_provider_info


def test_returns_a_fresh_dict_each_call():
    first = get_provider_info()
    first["connection-types"][0]["conn-fields"].clear()
    assert get_provider_info()["connection-types"][0]["conn-fields"]


@pytest.mark.parametrize("role", ROLES)
def test_every_module_entry_names_a_declared_integration(role):
    info = get_provider_info()
    integrations = {item["integration-name"] for item in info["integrations"]}
    for entry in info[role]:
        assert entry["integration-name"] in integrations
        assert all(module.startswith("airflow_provider_linkedin_ads.") for module in entry["python-modules"])


def test_connection_type_matches_the_hook_class():
    conn = _connection_type()
    module_name, _, class_name = conn["hook-class-name"].rpartition(".")
    hook_class = getattr(importlib.import_module(module_name), class_name)
    assert hook_class is LinkedInAdsHook
    assert conn["connection-type"] == LinkedInAdsHook.conn_type == "linkedin_ads"
    assert conn["hook-name"] == LinkedInAdsHook.hook_name == "LinkedIn Ads"
    assert LinkedInAdsHook.default_conn_name == "linkedin_ads_default"
    assert LinkedInAdsHook.conn_name_attr == "linkedin_ads_conn_id"


def test_placeholders_show_the_client_defaults():
    placeholders = _connection_type()["ui-field-behaviour"]["placeholders"]
    assert placeholders["api_base_url"] == client_config.DEFAULT_API_BASE_URL
    assert placeholders["oauth_url"] == client_config.DEFAULT_TOKEN_URL


def test_the_declarative_form_suggests_the_client_defaults_as_examples():
    # Airflow 3.2+ ignores extra-field placeholders but shows schema "examples" as suggestions.
    fields = _connection_type()["conn-fields"]
    assert fields["api_version"]["schema"]["examples"] == [client_config.DEFAULT_API_VERSION]
    assert fields["api_base_url"]["schema"]["examples"] == [client_config.DEFAULT_API_BASE_URL]
    assert fields["oauth_url"]["schema"]["examples"] == [client_config.DEFAULT_TOKEN_URL]


@pytest.mark.parametrize(
    ("version", "valid"),
    [
        pytest.param("202608", True, id="yyyymm"),
        pytest.param("202608.01", True, id="revision"),
        pytest.param("2026-08", False, id="dash"),
        pytest.param("20268", False, id="short"),
        pytest.param("202608.1", False, id="short-revision"),
    ],
)
def test_api_version_pattern_agrees_with_the_client(version, valid):
    pattern = _connection_type()["conn-fields"]["api_version"]["schema"]["pattern"]
    assert (re.search(pattern, version) is not None) is valid
    if valid:
        assert (
            client_config.ClientConfig(access_token="canary-token-1", api_version=version).api_version
            == version
        )
    else:
        with pytest.raises(ValueError):
            client_config.ClientConfig(access_token="canary-token-1", api_version=version)


def test_legacy_ui_field_behaviour_matches_the_declarative_one():
    declared = _connection_type()["ui-field-behaviour"]
    legacy = LinkedInAdsHook.get_ui_field_behaviour()
    assert legacy == {
        "hidden_fields": declared["hidden-fields"],
        "relabeling": declared["relabeling"],
        "placeholders": declared["placeholders"],
    }
    assert set(declared["hidden-fields"]) == {"host", "port", "schema"}
    assert declared["relabeling"] == {"login": "Client ID", "password": "Client Secret"}


def test_legacy_ui_field_behaviour_passes_airflows_form_schema():
    _validate(
        LinkedInAdsHook.get_ui_field_behaviour(), _schema("customized_form_field_behaviours.schema.json")
    )


def test_secret_conn_fields_are_password_formatted():
    fields = _connection_type()["conn-fields"]
    secret = {name for name, spec in fields.items() if spec["schema"].get("format") == "password"}
    assert secret == {"refresh_token", "access_token"}


class TestLegacyWidgetsAgreeWithConnFields:
    """Airflow 2.11-3.1 build the form from the hook; 3.2+ from conn-fields: both must describe one form."""

    @pytest.fixture
    def widgets(self) -> dict[str, Any]:
        pytest.importorskip(
            "wtforms", reason="wtforms is not installed (plain Airflow 3): no legacy form to compare"
        )
        pytest.importorskip(
            "flask_appbuilder",
            reason="Flask-AppBuilder is not installed (plain Airflow 3): no legacy form to compare",
        )
        return LinkedInAdsHook.get_connection_form_widgets()

    def test_same_keys(self, widgets):
        assert set(widgets) == set(_connection_type()["conn-fields"])

    def test_same_password_fields(self, widgets):
        from wtforms import PasswordField, StringField

        for name, spec in _connection_type()["conn-fields"].items():
            expected = PasswordField if spec["schema"].get("format") == "password" else StringField
            assert widgets[name].field_class is expected, name

    def test_same_labels(self, widgets):
        for name, spec in _connection_type()["conn-fields"].items():
            assert str(widgets[name].args[0]) == spec["label"], name

    def test_pattern_becomes_a_regexp_validator(self, widgets):
        from wtforms.validators import Regexp

        for name, spec in _connection_type()["conn-fields"].items():
            regexps = [v for v in widgets[name].kwargs.get("validators", []) if isinstance(v, Regexp)]
            if "pattern" in spec["schema"]:
                assert [v.regex.pattern for v in regexps] == [spec["schema"]["pattern"]], name
            else:
                assert regexps == [], name


def test_get_provider_info_imports_without_airflow():
    code = (
        "import sys; sys.modules['airflow'] = None; sys.modules['requests'] = None\n"
        "from airflow_provider_linkedin_ads.get_provider_info import get_provider_info\n"
        "print(get_provider_info()['package-name'])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DIST


def test_config_options_are_declared_with_the_defaults_the_code_uses():
    from airflow_provider_linkedin_ads.operators._quota import DEFAULT_DEFER_WAITS_LONGER_THAN
    from airflow_provider_linkedin_ads.triggers.ad_analytics import DEFAULT_API_CONCURRENCY

    options = get_provider_info()["config"]["linkedin_ads"]["options"]
    assert options["trigger_api_concurrency"]["default"] == str(DEFAULT_API_CONCURRENCY)
    assert float(options["defer_waits_longer_than"]["default"]) == DEFAULT_DEFER_WAITS_LONGER_THAN


def test_airflow_sees_the_declared_defaults(tmp_path):
    """Airflow's configuration, once it loaded the providers' options as every component does, has the defaults."""
    script = (
        "from airflow.configuration import conf\n"
        "from airflow.providers_manager import ProvidersManager\n"
        "ProvidersManager().initialize_providers_configuration()\n"
        "print(conf.get('linkedin_ads', 'trigger_api_concurrency'))\n"
        "print(conf.getfloat('linkedin_ads', 'defer_waits_longer_than'))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW__LINKEDIN")}
    env["AIRFLOW_HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["8", "60.0"]
