"""Services of the e2e test: a PostgreSQL cluster and a Redis server, throw-away and on loopback.

Both come from Debian packages (``postgresql``, ``redis-server``) that ``scripts/test`` installs
when missing; where they cannot be had the test skips naming the package. PostgreSQL refuses to run
as root, so as root the cluster belongs to the ``postgres`` user the package creates. Everything
lives in one temporary directory, removed at the end; every process is stopped by its process group
(:mod:`tests.e2e.processes`), also when a test fails.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.version_compat import AIRFLOW_V_3_0_PLUS
from tests.e2e.processes import Processes

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_e2e_prerequisites() -> None:
    """Skip, naming what is missing, unless this line can run the production-shaped stack."""
    if not AIRFLOW_V_3_0_PLUS:
        pytest.skip("the e2e stack runs Airflow 3 (CeleryExecutor, api-server); run on the Airflow 3 line")
    for module, package in (
        ("airflow.providers.celery", "apache-airflow-providers-celery"),
        ("psycopg2", "psycopg2-binary"),
    ):
        try:
            __import__(module)
        except ImportError:
            pytest.skip(f"Python package {package} is not installed (requirements/airflow-3.txt pins it)")
    if not _postgres_bin():
        pytest.skip("Debian package postgresql is not installed (scripts/test installs it as root)")
    if not shutil.which("redis-server"):
        pytest.skip("Debian package redis-server is not installed (scripts/test installs it as root)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL refuses root and there is no postgres user (Debian package postgresql)")


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


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
    """A fresh PostgreSQL cluster on 127.0.0.1 (socket in the temporary directory): its host:port.

    The compose file's credentials (user and password ``airflow``, database ``airflow``) are real
    here too (scram-sha-256), so its connection URLs work with only the host changed.
    """
    binaries = _postgres_bin()
    assert binaries is not None
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    folder = e2e_root / "postgres"
    (folder / "socket").mkdir(parents=True)
    (folder / "password").write_text("airflow\n")
    if owner is not None:
        for path in (folder, folder / "socket", folder / "password"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    as_owner = {} if owner is None else {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    environment = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    initdb = subprocess.run(
        [
            str(binaries / "initdb"),
            "-D", str(folder / "data"),
            "-U", "airflow",
            f"--pwfile={folder / 'password'}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **as_owner,  # type: ignore[arg-type]
    )  # fmt: skip
    assert initdb.returncode == 0, initdb.stdout + initdb.stderr
    port = free_port()
    processes.start(
        "postgres",
        [
            str(binaries / "postgres"),
            "-D", str(folder / "data"),
            "-p", str(port),
            "-k", str(folder / "socket"),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=200",
            # A throw-away cluster: durability buys nothing and costs the shared disk time.
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ],
        environment,
        stop_signal=signal.SIGINT,  # "fast" shutdown: SIGTERM would wait for clients to disconnect
        **({} if owner is None else {"user": owner.pw_uid, "group": owner.pw_gid}),
    )  # fmt: skip
    _create_database(port, processes)
    return f"127.0.0.1:{port}"


def _create_database(port: int, processes: Processes) -> None:
    import psycopg2

    deadline = time.monotonic() + 60
    while True:
        try:
            connection = psycopg2.connect(
                host="127.0.0.1", port=port, user="airflow", password="airflow", dbname="postgres"
            )
            break
        except psycopg2.OperationalError:
            assert processes.by_name("postgres").popen.poll() is None, processes.tails()
            assert time.monotonic() < deadline, processes.tails()
            time.sleep(0.2)
    connection.autocommit = True
    with contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute("CREATE DATABASE airflow")


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
