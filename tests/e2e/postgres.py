"""A throw-away PostgreSQL cluster on 127.0.0.1, for the tests that run Airflow as users deploy it.

The cluster comes from Debian's ``postgresql`` package, which ``scripts/test`` installs when it is
missing. PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user
that package creates, and its folder must be one that user can reach. The compose file's
credentials (user and password ``airflow``, database ``airflow``) are real here too
(scram-sha-256), so its connection URLs work with only the host changed. The server is started
through :class:`tests.e2e.processes.Processes`, so it is stopped by its process group with the rest.

Example::

    reason = postgres_missing()
    if reason is None:
        address = start_postgres(folder, processes)  # "127.0.0.1:<port>", database "airflow"
        rows = query(airflow_dsn(address), "SELECT count(*) FROM dag_run WHERE dag_id = %s", "daily")
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.e2e.processes import free_port

if TYPE_CHECKING:
    from tests.e2e.processes import Processes

__all__ = ["airflow_dsn", "postgres_missing", "query", "start_postgres"]


def postgres_missing() -> str | None:
    """Why a cluster cannot be started here (naming the package to install), or None."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "Python package psycopg2-binary is not installed (requirements/airflow-3.txt pins it)"
    if not _postgres_bin():
        return "Debian package postgresql is not installed (scripts/test installs it as root)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "PostgreSQL refuses root and there is no postgres user (Debian package postgresql)"
    return None


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def start_postgres(folder: Path, processes: Processes) -> str:
    """Create a cluster in ``folder`` (which must not exist), start it and create database ``airflow``.

    Returns the server's ``host:port``. ``folder``'s parent must be reachable by the ``postgres``
    user when running as root (mode 0755).
    """
    binaries = _postgres_bin()
    assert binaries is not None, postgres_missing()
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
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


def airflow_dsn(address: str) -> str:
    """The libpq URL of database ``airflow`` on the cluster at ``address`` (``host:port``)."""
    return f"postgresql://airflow:airflow@{address}/airflow"


def query(dsn: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Run one statement (``%s`` placeholders) on its own connection and return its rows."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(dsn)) as connection, connection.cursor() as cursor:
        cursor.execute(sql, args)
        return list(cursor.fetchall())


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
