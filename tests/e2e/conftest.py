"""Services of the e2e test: a PostgreSQL cluster and a Redis server, throw-away and on loopback.

Both come from Debian packages (``postgresql``, ``redis-server``) that ``scripts/test`` installs
when missing; where they cannot be had the test skips naming the package. PostgreSQL refuses to run
as root, so as root the cluster belongs to the ``postgres`` user the package creates. Everything
lives in one temporary directory, removed at the end; every process is stopped by its process group
(:mod:`tests.e2e.processes`), also when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS
from tests.e2e.postgres import postgres_missing, start_postgres
from tests.e2e.processes import Processes, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Figures of the run, printed at the end of the pytest session (and quoted in the README).
FIGURES: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: the production-shaped stack (CeleryExecutor, PostgreSQL, Redis); Airflow 3 line"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("E2E figures (CeleryExecutor on PostgreSQL and Redis)")
        for line in FIGURES:
            terminalreporter.write_line(f"- {line}")


def require_e2e_prerequisites() -> None:
    """Skip, naming what is missing, unless this line can run the production-shaped stack."""
    if not AIRFLOW_V_3_0_PLUS:
        pytest.skip("the e2e stack runs Airflow 3 (CeleryExecutor, api-server); run on the Airflow 3 line")
    try:
        import airflow.providers.celery  # noqa: F401
    except ImportError:
        pytest.skip(
            "Python package apache-airflow-providers-celery is not installed (requirements/airflow-3.txt pins it)"
        )
    reason = postgres_missing()
    if reason is not None:
        pytest.skip(reason)
    if not shutil.which("redis-server"):
        pytest.skip("Debian package redis-server is not installed (scripts/test installs it as root)")


@pytest.fixture(scope="module")
def e2e_root() -> Iterator[Path]:
    """A temporary directory the postgres user can reach (pytest's tmp_path is private to root)."""
    require_e2e_prerequisites()
    root = Path(tempfile.mkdtemp(prefix="linkedin-ads-e2e-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        if os.environ.get("LINKEDIN_ADS_E2E_KEEP"):  # to read the process logs after a failure
            print(f"e2e files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def processes(e2e_root: Path) -> Iterator[Processes]:
    """Every process the e2e test starts; all stopped at the end, whatever happened."""
    logs = e2e_root / "process-logs"
    logs.mkdir()
    started = Processes(logs)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def postgres(e2e_root: Path, processes: Processes) -> str:
    """A fresh PostgreSQL cluster on 127.0.0.1 (:func:`tests.e2e.postgres.start_postgres`): its host:port."""
    return start_postgres(e2e_root / "postgres", processes)


@pytest.fixture(scope="module")
def redis(e2e_root: Path, processes: Processes) -> str:
    """A Redis server on 127.0.0.1 without persistence: its host:port."""
    folder = e2e_root / "redis"
    folder.mkdir()
    port = free_port()
    server = shutil.which("redis-server")
    assert server is not None
    processes.start(
        "redis",
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--daemonize", "no"],
        {"PATH": os.environ.get("PATH", "")},
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return f"127.0.0.1:{port}"
        assert processes.by_name("redis").popen.poll() is None, processes.tails()
        assert time.monotonic() < deadline, processes.tails()
        time.sleep(0.1)
