"""``docker-compose.yaml`` is a valid Compose file whose every reference resolves in this repository.

Docker cannot run here, so the file is checked the way ``docker compose config`` would parse it plus
what a reviewer would verify by hand:

* it validates against the Compose Specification JSON schema (vendored in
  ``tests/fixtures/compose-spec.json``, Apache-2.0, see ``tests/fixtures/README.md``), before and
  after variable interpolation;
* the nine services of the production-shaped stack exist, each with a health check, and the
  workers can be scaled (no fixed container name or host port);
* the image is built from this checkout on the Airflow version the tests pin, copying files that
  exist;
* the emulator service runs the package's real console script with flags its parser accepts, on
  the port the preset connection and the health check use;
* the preset connection is a valid ``linkedin_ads`` connection for the emulator's demo credentials
  (and for real ones), Airflow settings name real options, Variables are the ones the DAGs read,
  Airflow subcommands exist, and the pool created at init is the one the DAGs use;
* the emulator belongs to the ``demo`` profile only, ``flower`` and ``airflow-cli`` follow the
  official file's profiles, the header states the Compose version, ``.dockerignore`` keeps the
  virtual environments out of the build context;
* ``tests/e2e`` (which runs this topology with real processes) describes the same services,
  commands and settings: it reads them from this file (``tests/e2e/stack.py``).
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from airflow_provider_linkedin_ads.client.config import HTTP_HOSTS_ENV, ClientConfig
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.get_provider_info import get_provider_info
from airflow_provider_linkedin_ads.hooks.linkedin_ads import LinkedInAdsHook
from airflow_provider_linkedin_ads.testing.__main__ import build_parser
from airflow_provider_linkedin_ads.testing.server import EmulatorServer
from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS
from tests.e2e import stack
from tests.e2e.stack import interpolate

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yaml"
SCHEMA_FILE = REPO / "tests" / "fixtures" / "compose-spec.json"
SERVICES = {
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
    "linkedin-ads-emulator",
    "airflow-cli",
    "flower",
}
AIRFLOW_SERVICES = {name for name in SERVICES if name.startswith("airflow-")} | {"flower"}
#: Run once and exit: no health check, dependents wait for successful completion (or none do).
ONE_SHOT = {"airflow-init", "airflow-cli"}
EMULATOR = "linkedin-ads-emulator"
REAL_API = {
    "LINKEDIN_ADS_CLIENT_ID": "my-client",
    "LINKEDIN_ADS_CLIENT_SECRET": "my-secret",
    "LINKEDIN_ADS_REFRESH_TOKEN": "my-refresh-token",
    "LINKEDIN_ADS_API_BASE_URL": "https://api.linkedin.com/rest",
    "LINKEDIN_ADS_TOKEN_URL": "https://www.linkedin.com/oauth/v2/accessToken",
    "LINKEDIN_ADS_ACCOUNTS": "508000000,508000001",
}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any]) -> dict[str, Any]:
    """The document as Compose resolves it with no variable set (the emulator defaults)."""
    return interpolate(raw, {})


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    assert isinstance(environment, dict), "environment is written as a mapping"
    return {str(key): str(value) for key, value in environment.items()}


def _connection(compose: dict[str, Any], service: str = "airflow-worker") -> dict[str, Any]:
    connection = json.loads(_environment(compose["services"][service])["AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT"])
    assert isinstance(connection, dict)
    return connection


# -- the specification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environment",
    [pytest.param({}, id="defaults"), pytest.param(REAL_API, id="real-api-variables")],
)
def test_the_file_validates_against_the_compose_specification(
    raw: dict[str, Any], validator: jsonschema.Draft7Validator, environment: dict[str, str]
) -> None:
    assert _errors(validator, raw) == []
    assert _errors(validator, interpolate(raw, environment)) == []


@pytest.mark.parametrize(
    ("broken", "path"),
    [
        pytest.param({"services": {"x": {"image": "a", "helthcheck": {}}}}, "services/x", id="misspelt-key"),
        pytest.param(
            {"services": {"x": {"depends_on": {"y": {"condition": "started"}}}}}, "services/x", id="bad-enum"
        ),
        pytest.param({"servicess": {}}, "", id="unknown-top-level"),
    ],
)
def test_the_vendored_schema_rejects_what_compose_rejects(
    validator: jsonschema.Draft7Validator, broken: dict[str, Any], path: str
) -> None:
    errors = _errors(validator, broken)
    assert errors
    assert any(error.startswith(path) for error in errors)


# -- the stack ------------------------------------------------------------------------------------


def test_the_stack_has_the_production_shaped_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == SERVICES
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES - ONE_SHOT}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
        "airflow-worker": "celery worker",
        "flower": "celery flower",
    }
    for name in AIRFLOW_SERVICES:
        environment = _environment(services[name])
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert environment["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
        assert "@postgres/" in environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith(
            "http://airflow-apiserver:8080/"
        )


def test_workers_scale_out(compose: dict[str, Any]) -> None:
    worker = compose["services"]["airflow-worker"]
    # `docker compose up --scale airflow-worker=N` needs neither a fixed name nor a host port.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"


def test_every_service_has_a_health_check_and_dependents_wait_for_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        if name in ONE_SHOT:
            # A one-shot job: its dependents wait for it to complete successfully instead.
            assert healthcheck == {"disable": True}
            continue
        assert healthcheck["test"][0] in ("CMD", "CMD-SHELL")
        assert healthcheck["interval"]
        assert healthcheck["retries"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            expected = "service_completed_successfully" if dependency == "airflow-init" else "service_healthy"
            assert rule["condition"] == expected, f"{name} -> {dependency}"
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"] == {"condition": "service_healthy"}
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert EMULATOR in services[name]["depends_on"]


def test_the_emulator_is_a_dependency_of_the_demo_profile_only(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services[EMULATOR]["profiles"] == ["demo"]
    for name, service in services.items():
        rule = service.get("depends_on", {}).get(EMULATOR)
        if rule is not None:
            # Without --profile demo the emulator is not part of the stack; `required: false` lets a
            # stack pointed at the real API start without waiting for it.
            assert rule == {"condition": "service_healthy", "required": False}, name
    assert EMULATOR not in services["airflow-init"]["depends_on"]
    # Everything else starts without a profile, except the official file's optional extras.
    assert {
        name: service.get("profiles") for name, service in services.items() if service.get("profiles")
    } == {
        EMULATOR: ["demo"],
        "flower": ["flower"],
        "airflow-cli": ["debug"],
    }


def test_flower_and_the_cli_follow_the_official_compose_file(compose: dict[str, Any]) -> None:
    flower = compose["services"]["flower"]
    assert flower["ports"] == ["5555:5555"]
    assert flower["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
    cli = compose["services"]["airflow-cli"]
    assert cli["command"] == ["bash", "-c", "airflow"]
    assert cli["environment"]["CONNECTION_CHECK_MAX_COUNT"] == "0"
    if not AIRFLOW_V_3_0_PLUS:
        return
    pytest.importorskip("airflow.providers.celery", reason="apache-airflow-providers-celery is not installed")
    from airflow.cli.cli_parser import get_parser

    arguments = get_parser().parse_args(["celery", "flower"])  # exits on an unknown subcommand
    assert arguments.subcommand == "flower"


def test_the_file_states_the_compose_version_it_needs() -> None:
    header = COMPOSE_FILE.read_text(encoding="utf-8").split("\nname:", 1)[0]
    # `name` and build.dockerfile_inline need 2.17, depends_on.required 2.20.
    assert "Docker Compose v2.20 or later" in header
    assert "Docker Compose v2.20 or later" in (REPO / "README.md").read_text(encoding="utf-8")
    uses_required = any(
        "required" in rule
        for service in yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"].values()
        for rule in (service.get("depends_on") or {}).values()
        if isinstance(rule, dict)
    )
    assert uses_required


def test_the_build_context_leaves_out_virtual_environments_and_local_state() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for entry in (".git", ".venv/", ".airflow/", "demo-output/", "**/__pycache__/", ".mypy_cache/", ".env"):
        assert entry in ignored
    # ... but not what the image copies.
    copied = {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "airflow_provider_linkedin_ads"}
    assert not copied & set(ignored)


def test_health_checks_use_real_airflow_job_types_and_commands(compose: dict[str, Any]) -> None:
    if not AIRFLOW_V_3_0_PLUS:
        pytest.skip("the stack runs Airflow 3; its CLI is checked on the Airflow 3 line")
    from airflow.cli import cli_config

    commands = {command.name: command for command in cli_config.core_commands}
    for name in ("api-server", "scheduler", "dag-processor", "triggerer", "pools", "version"):
        assert name in commands
    assert {sub.name for sub in commands["pools"].subcommands} >= {"set"}
    check = next(sub for sub in commands["jobs"].subcommands if sub.name == "check")
    job_types = next(arg for arg in check.args if arg.flags == ("--job-type",)).kwargs["choices"]
    for name in ("airflow-dag-processor", "airflow-triggerer"):
        test = compose["services"][name]["healthcheck"]["test"][1]
        words = shlex.split(test)
        assert words[:4] == ["airflow", "jobs", "check", "--job-type"]
        assert words[4] in job_types
        assert '"${HOSTNAME}"' in test  # written $${HOSTNAME}: the container's shell expands it


# -- the image ------------------------------------------------------------------------------------


def _pinned_airflow_version() -> str:
    for line in (REPO / "requirements" / "airflow-3.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^apache-airflow==([0-9.]+)\b", line.strip())
        if match:
            return match[1]
    raise AssertionError("requirements/airflow-3.txt pins no apache-airflow")


def test_the_image_is_built_from_this_checkout_on_the_pinned_airflow(compose: dict[str, Any]) -> None:
    version = _pinned_airflow_version()
    build = compose["x-provider-build"]
    assert (REPO / build["context"]).resolve() == REPO
    lines = [line.split() for line in build["dockerfile_inline"].strip().splitlines()]
    assert lines[0] == ["FROM", f"apache/airflow:{version}"]
    copies = [line for line in lines if line[0] == "COPY"]
    assert copies
    destinations = set()
    for copy in copies:
        *sources, destination = [word for word in copy[1:] if not word.startswith("--")]
        for source in sources:
            assert (REPO / build["context"] / source).exists(), (
                f"COPY source {source} is not in the repository"
            )
        destinations.add(destination.rstrip("/").split("/airflow_provider_linkedin_ads")[0])
    (install,) = [line for line in lines if line[0] == "RUN"]
    assert install[1:4] == ["pip", "install", "--no-cache-dir"]
    assert f'"apache-airflow=={version}"' in install
    # Airflow's constraints for that version, for the image's own Python (as Airflow's docs install).
    constraint = install.index("--constraint")
    assert install[constraint - 1] in destinations
    assert install[constraint + 1].startswith(
        f'"https://raw.githubusercontent.com/apache/airflow/constraints-{version}/constraints-$(python'
    )
    # pyproject.toml needs README.md (readme) and LICENSE (license-files) to build the wheel.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    copied = {word for copy in copies for word in copy[1:-1]}
    assert {
        project["readme"],
        *project["license-files"],
        "pyproject.toml",
        "airflow_provider_linkedin_ads",
    } <= copied
    for name in AIRFLOW_SERVICES | {EMULATOR}:
        service = compose["services"][name]
        assert service["build"] == build
        assert service["image"] == compose["x-airflow-common"]["image"]


# -- the emulator ---------------------------------------------------------------------------------


def test_the_emulator_service_runs_the_packaged_console_script(compose: dict[str, Any]) -> None:
    service = compose["services"][EMULATOR]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    (script,) = service["entrypoint"]
    assert scripts[script] == "airflow_provider_linkedin_ads.testing.__main__:main"
    arguments = build_parser().parse_args(service["command"])  # exits (SystemExit) on an unknown flag
    assert arguments.host == "0.0.0.0"  # reachable from the other containers
    assert str(arguments.port) in {str(port) for port in service["expose"]}
    connection = _connection(compose)
    for url in (connection["extra"]["api_base_url"], connection["extra"]["oauth_url"]):
        assert url.startswith(f"http://{EMULATOR}:{arguments.port}/")
    assert f"http://localhost:{arguments.port}/rest/" in service["healthcheck"]["test"][1]


def test_the_preset_connection_is_the_emulator_with_its_demo_credentials(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = _connection(compose)
    assert connection["conn_type"] == LinkedInAdsHook.conn_type
    defaults = EmulatorServer().config  # not started: only its credentials are read
    assert (connection["login"], connection["password"], connection["extra"]["refresh_token"]) == (
        defaults.client_id,
        defaults.client_secret,
        defaults.refresh_token,
    )
    known_extras = {field.removeprefix("extra__linkedin_ads__") for field in _connection_fields()}
    assert set(connection["extra"]) <= known_extras
    environment = _environment(compose["services"]["airflow-worker"])
    assert environment[HTTP_HOSTS_ENV] == EMULATOR
    monkeypatch.setenv(HTTP_HOSTS_ENV, environment[HTTP_HOSTS_ENV])
    config = _client_config(connection)
    assert config.api_base_url == f"http://{EMULATOR}:8080/rest"
    # The allowance is what makes it work: without it the cleartext URL to another host is refused.
    monkeypatch.delenv(HTTP_HOSTS_ENV)
    with pytest.raises(ConfigurationError) as raised:
        _client_config(connection)
    assert raised.value.argument == "api_base_url"


def test_the_connection_switches_to_the_real_api_with_the_documented_variables(
    raw: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = interpolate(raw, REAL_API)
    connection = _connection(compose)
    assert connection["login"] == REAL_API["LINKEDIN_ADS_CLIENT_ID"]
    assert connection["password"] == REAL_API["LINKEDIN_ADS_CLIENT_SECRET"]
    assert connection["extra"]["refresh_token"] == REAL_API["LINKEDIN_ADS_REFRESH_TOKEN"]
    monkeypatch.delenv(HTTP_HOSTS_ENV, raising=False)
    config = _client_config(connection)
    assert config.api_base_url == REAL_API["LINKEDIN_ADS_API_BASE_URL"]
    assert config.token_url == REAL_API["LINKEDIN_ADS_TOKEN_URL"]
    variables = _environment(compose["services"]["airflow-worker"])
    assert json.loads(variables["AIRFLOW_VAR_LINKEDIN_ADS_ACCOUNTS"]) == [508000000, 508000001]


def _connection_fields() -> set[str]:
    (connection_type,) = get_provider_info()["connection-types"]
    return set(connection_type["conn-fields"])


def _client_config(connection: dict[str, Any]) -> ClientConfig:
    extra = connection["extra"]
    return ClientConfig(
        client_id=connection["login"],
        client_secret=connection["password"],
        refresh_token=extra["refresh_token"],
        api_version=extra["api_version"],
        api_base_url=extra["api_base_url"],
        token_url=extra["oauth_url"],
    )


# -- settings, variables, paths, pool --------------------------------------------------------------


def test_airflow_settings_name_real_configuration_options(compose: dict[str, Any]) -> None:
    if not AIRFLOW_V_3_0_PLUS:
        pytest.skip("the stack runs Airflow 3; its options are checked on the Airflow 3 line")
    from airflow.configuration import conf

    description = conf.configuration_description
    for name in AIRFLOW_SERVICES:
        for key in _environment(compose["services"][name]):
            if not key.startswith("AIRFLOW__"):
                continue
            section, option = key.removeprefix("AIRFLOW__").lower().split("__", 1)
            if section == "celery":
                continue  # defined by apache-airflow-providers-celery, which the image ships
            assert option in description[section]["options"], f"{key} is not an Airflow option"


def test_variables_and_connection_ids_are_the_ones_the_dags_read(compose: dict[str, Any]) -> None:
    environment = _environment(compose["services"]["airflow-worker"])
    dag_sources = "\n".join(
        path.read_text(encoding="utf-8") for path in (REPO / "dags_examples").glob("*.py")
    )
    variables = [
        key.removeprefix("AIRFLOW_VAR_").lower() for key in environment if key.startswith("AIRFLOW_VAR_")
    ]
    assert variables
    for variable in variables:
        assert f"'{variable}'" in dag_sources, f"no example DAG reads the Variable {variable}"
    connections = [
        key.removeprefix("AIRFLOW_CONN_").lower() for key in environment if key.startswith("AIRFLOW_CONN_")
    ]
    assert connections == [LinkedInAdsHook.default_conn_name]
    assert json.loads(environment["AIRFLOW_VAR_LINKEDIN_ADS_ACCOUNTS"]) == []
    output_base = environment["AIRFLOW_VAR_LINKEDIN_ADS_OUTPUT_BASE"]
    assert output_base.startswith("file:///opt/airflow/data/")


def test_mounted_paths_exist_or_are_ignored_by_git(compose: dict[str, Any]) -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    volumes = compose["x-airflow-common"]["volumes"]
    mounts = {target: source for source, target, *_ in (volume.split(":") for volume in volumes)}
    assert mounts["/opt/airflow/dags"] == "./dags_examples"
    assert sorted(path.name for path in (REPO / "dags_examples").glob("*.py"))
    assert "/opt/airflow/data" in mounts
    assert "/opt/airflow/logs" in mounts
    for target, source in mounts.items():
        if source == "./dags_examples":
            assert volumes[list(mounts).index(target)].endswith(":ro")
            continue
        first = Path(source).parts[0]
        assert f"{first}/" in ignored, f"{source} would put runtime files into git"
    environment = _environment(compose["services"]["airflow-worker"])
    assert (
        environment["AIRFLOW_VAR_LINKEDIN_ADS_OUTPUT_BASE"]
        .removeprefix("file://")
        .startswith("/opt/airflow/data/")
    )


def test_the_init_job_creates_the_pool_the_dags_use(compose: dict[str, Any]) -> None:
    init = compose["services"]["airflow-init"]
    script = init["command"][-1]
    assert "/entrypoint airflow version" in script
    environment = _environment(init)
    assert environment["_AIRFLOW_DB_MIGRATE"] == "true"
    assert environment["_AIRFLOW_WWW_USER_CREATE"] == "true"
    (pool_line,) = [line for line in script.splitlines() if line.strip().startswith("airflow pools set")]
    words = shlex.split(pool_line)
    assert words[3] == "linkedin_ads"
    assert int(words[4]) > 0
    multi_account = (REPO / "dags_examples" / "linkedin_ads_multi_account.py").read_text(encoding="utf-8")
    assert f'POOL = "{words[3]}"' in multi_account


# -- one description: the compose file and the e2e test ---------------------------------------------


def test_the_e2e_test_runs_the_compose_services_with_their_commands_and_settings(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    long_running = {
        name
        for name, service in services.items()
        if name.startswith("airflow-") and not service.get("profiles") and name not in ONE_SHOT
    }
    assert set(stack.AIRFLOW_PROCESSES) == long_running
    assert len(stack.AIRFLOW_PROCESSES["airflow-worker"]) == 2  # scaled out: two workers
    endpoints = stack.Endpoints(15432, 16379, 18080, "127.0.0.1:19090", Path("/tmp/e2e"))
    overrides = dict.fromkeys(stack.OVERRIDES, "set-by-the-test")
    containers = (
        "@postgres/",
        "redis:6379",
        "airflow-apiserver:",
        "linkedin-ads-emulator:8080",
        "/opt/airflow/",
    )
    for name in long_running:
        words = shlex.split(services[name]["command"])
        assert stack.command(name, endpoints, name="worker-a")[: len(words)] == words
        expected = _environment(services[name])
        settings = stack.environment(name, endpoints, overrides)
        for key, value in expected.items():
            wanted = overrides[key] if key in stack.OVERRIDES else stack.loopback(value, endpoints)
            assert settings[key] == wanted, key
        mounts = {"AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__LOGGING__BASE_LOG_FOLDER"}
        assert set(settings) - set(expected) == set(stack.TUNING) | mounts
        for key, value in settings.items():
            if key != "LINKEDIN_ADS_ALLOW_HTTP_HOSTS":
                assert not any(container in value for container in containers), (key, value)
    assert set(stack.OVERRIDES) <= set(_environment(services["airflow-scheduler"]))
    # The init commands are airflow-init's: migrate (what its entrypoint does), then its pool.
    assert stack.init_commands()[0] == ["db", "migrate"]
    assert stack.init_commands()[1][:3] == ["pools", "set", "linkedin_ads"]
    # And the e2e test starts exactly these, with these settings.
    source = (REPO / "tests" / "e2e" / "test_celery_stack.py").read_text(encoding="utf-8")
    for use in ("stack.AIRFLOW_PROCESSES", "stack.command(", "stack.environment(", "stack.init_commands()"):
        assert use in source


def test_the_e2e_settings_and_arguments_are_real_airflow_options() -> None:
    if not AIRFLOW_V_3_0_PLUS:
        pytest.skip("the e2e stack runs Airflow 3; its options are checked on the Airflow 3 line")
    pytest.importorskip("airflow.providers.celery", reason="apache-airflow-providers-celery is not installed")
    from airflow.cli.cli_parser import get_parser
    from airflow.configuration import conf

    for key in (*stack.TUNING, *stack.OVERRIDES):
        section, option = key.removeprefix("AIRFLOW__").lower().split("__", 1)
        assert conf.has_option(section, option), key
    endpoints = stack.Endpoints(15432, 16379, 18080, "127.0.0.1:19090", Path("/tmp/e2e"))
    parser = get_parser()
    for name in stack.AIRFLOW_PROCESSES:
        parser.parse_args(stack.command(name, endpoints, name="worker-a"))  # exits on an unknown flag
