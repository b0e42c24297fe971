"""The production-shaped stack, read from ``docker-compose.yaml``: one description for both.

``tests/e2e`` starts the compose file's Airflow services as real processes on loopback instead of
containers. It takes every service's ``command:`` and ``environment:`` from the compose file and
changes only what a container network provides and a single host must do differently:

* **host names** (container DNS) become loopback addresses: ``@postgres/`` ->
  ``@127.0.0.1:<port>/`` and so on (:func:`loopback`);
* **mounted paths** (``/opt/airflow/data`` ...) become folders of the test's temporary directory;
* :data:`OVERRIDES`: settings whose compose value cannot work here (fresh secrets instead of
  placeholders, an auth manager the test environment has);
* :data:`TUNING`: settings the compose file leaves at Airflow's defaults and the test shortens so
  one run takes seconds, not minutes, on a 2-core machine (heartbeats, zombie detection, parsing);
* :data:`EXTRA_ARGS`: arguments a container does not need (bind to loopback, a distinct Celery
  hostname for each worker on one host, no log server ports on all interfaces).

``tests/test_docker_compose.py`` checks that this module and the compose file stay one description
(same services, same commands, every compose setting carried over). Only PyYAML and the standard
library here: the compose tests import it on both Airflow lines.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "AIRFLOW_PROCESSES",
    "COMPOSE_FILE",
    "EXTRA_ARGS",
    "OVERRIDES",
    "TUNING",
    "Endpoints",
    "command",
    "compose",
    "environment",
    "init_commands",
    "interpolate",
    "loopback",
]

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"

#: The long-running Airflow services of the compose file's default profile, in start order, and the
#: processes the e2e test runs for each (``airflow-worker`` twice: the compose file scales it).
AIRFLOW_PROCESSES: dict[str, tuple[str, ...]] = {
    "airflow-apiserver": ("apiserver",),
    "airflow-scheduler": ("scheduler",),
    "airflow-dag-processor": ("dag-processor",),
    "airflow-triggerer": ("triggerer",),
    "airflow-worker": ("worker-a", "worker-b"),
}

#: Compose values that cannot work on one host, and why (the value is filled in by :func:`environment`).
OVERRIDES: dict[str, str] = {
    "AIRFLOW__API_AUTH__JWT_SECRET": "a fresh random secret instead of the compose file's placeholder",
    "AIRFLOW__API__SECRET_KEY": "a fresh random secret instead of the compose file's placeholder",
    "AIRFLOW__CORE__AUTH_MANAGER": (
        "SimpleAuthManager: the apache/airflow image ships the FAB provider, the test environment "
        "does not (the e2e test uses no UI login)"
    ),
}

#: Settings the compose file leaves at Airflow's defaults, shortened for a run of seconds.
TUNING: dict[str, str] = {
    # Scheduling loops and heartbeats: seconds instead of Airflow's 5-30 s defaults.
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
    "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
    "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
    "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
    # A task whose worker died is failed (and retried) after 20 s without a heartbeat, not 300 s;
    # a live task heartbeats every 2 s, well inside that.
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
    "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "2",
    # Not shortened: [scheduler] task_queued_timeout is also the lifetime of the token a queued task
    # presents to the execution API; at 60 s a task that waited for a busy worker on a loaded
    # machine was refused ("Invalid auth token") and failed.
    # Parse the (two) DAG files once a minute with one process; the test serialises them up front.
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "60",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "60",
    "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
    # One api-server worker process instead of four.
    "AIRFLOW__API__WORKERS": "1",
    # Three task slots per worker: six in all, more than the pool's four, so the pool is what caps
    # the LinkedIn tasks (and the sensor can run beside them).
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "3",
    # The scheduler's health-check server (ENABLE_HEALTH_CHECK in the compose file) on loopback.
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
}

#: Arguments appended to a compose ``command:`` for one host: what the container network or a
#: container's own hostname provides otherwise.
EXTRA_ARGS: dict[str, str] = {
    "airflow-apiserver": "--host 127.0.0.1 --port {api_port}",
    # Each worker needs its own Celery node name on one host; the log server would bind every
    # interface on a fixed port, and the task logs are on the shared local folder anyway.
    "airflow-worker": "--celery-hostname {name}@%h --skip-serve-logs",
    "airflow-triggerer": "--skip-serve-logs",
}

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:+alt}, ${NAME+alt}, ${NAME:?err}, $NAME and $$.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Substitute variables in every string of a loaded Compose document, as Compose does."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: _substitute(match, variables), value)
    return value


def _substitute(match: re.Match[str], variables: dict[str, str]) -> str:
    if match["escaped"]:
        return "$"
    name = match["braced"] or match["named"]
    op, arg = match["op"], match["arg"] or ""
    present = name in variables and (variables[name] != "" or not (op or "").startswith(":"))
    if op in (":-", "-"):
        return variables[name] if present else arg
    if op in (":+", "+"):
        return arg if present else ""
    if op in (":?", "?") and not present:
        raise AssertionError(f"required variable {name} is unset: {arg}")
    return variables.get(name, "")


def compose(variables: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose document as Compose resolves it (no variable set: the emulator defaults)."""
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    resolved = interpolate(document, variables or {})
    assert isinstance(resolved, dict)
    return resolved


@dataclass(frozen=True)
class Endpoints:
    """Where the e2e test's services listen, and its folders for the compose file's mounts."""

    postgres_port: int
    redis_port: int
    api_port: int
    emulator: str  # host:port
    root: Path  # the temporary directory: dags/, logs/, data/ below it

    def hosts(self) -> dict[str, str]:
        """Container address -> loopback address, longest first (``host:port`` before ``host``)."""
        return {
            "linkedin-ads-emulator:8080": self.emulator,
            "airflow-apiserver:8080": f"127.0.0.1:{self.api_port}",
            "redis:6379": f"127.0.0.1:{self.redis_port}",
            "@postgres/": f"@127.0.0.1:{self.postgres_port}/",
        }

    def mounts(self) -> dict[str, str]:
        """Container path -> host folder, for the compose file's volumes."""
        return {f"/opt/airflow/{name}": str(self.root / name) for name in ("dags", "logs", "data")}


def loopback(value: str, endpoints: Endpoints) -> str:
    """Rewrite a compose value for one host: container addresses and mounted paths."""
    for container, local in (*endpoints.hosts().items(), *endpoints.mounts().items()):
        value = value.replace(container, local)
    return value


def command(service: str, endpoints: Endpoints, *, name: str = "") -> list[str]:
    """The ``airflow`` arguments of ``service``: its compose ``command:`` plus :data:`EXTRA_ARGS`."""
    base = compose()["services"][service]["command"]
    words = shlex.split(base) if isinstance(base, str) else list(base)
    extra = EXTRA_ARGS.get(service, "").format(api_port=endpoints.api_port, name=name)
    return [*words, *shlex.split(extra)]


def environment(service: str, endpoints: Endpoints, overrides: dict[str, str]) -> dict[str, str]:
    """The settings of ``service``: compose ``environment:`` made local, then overrides and tuning.

    :param overrides: a value for every key of :data:`OVERRIDES`.
    """
    assert set(overrides) == set(OVERRIDES), "give a value for every documented override"
    values = compose()["services"][service].get("environment", {})
    settings = {str(key): loopback(str(value), endpoints) for key, value in values.items()}
    settings.update(overrides)
    settings.update(TUNING)
    # What the compose file's volumes provide: Airflow's default folders under /opt/airflow, shared.
    settings["AIRFLOW__CORE__DAGS_FOLDER"] = endpoints.mounts()["/opt/airflow/dags"]
    settings["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = endpoints.mounts()["/opt/airflow/logs"]
    return settings


def init_commands() -> list[list[str]]:
    """The ``airflow`` commands ``airflow-init`` runs: migrate (the image's entrypoint), the pool."""
    init = compose()["services"]["airflow-init"]
    assert init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"
    script = init["command"][-1]
    pools = [
        shlex.split(line)[1:] for line in script.splitlines() if line.strip().startswith("airflow pools")
    ]
    return [["db", "migrate"], *pools]
