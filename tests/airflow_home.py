"""Metadata databases and CLI commands for tests that start Airflow: one migration per session.

Every ``airflow`` command imports Airflow first: about 6 s on Airflow 3.3 and 3 s on 2.11 on a
2-core machine, most of ``airflow db migrate`` itself. So the session migrates one pristine SQLite
database (the ``migrated_database`` fixture of ``tests/conftest.py``) and every home that needs one
gets a copy (:func:`copy_database`); a test's own commands run in one interpreter
(:func:`airflow_cli`).

.. code-block:: python

    copy_database(migrated_database, home / "airflow.db")
    airflow_cli(env, ["dags", "reserialize"], ["dags", "trigger", "my_dag"])
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["AIRFLOW", "airflow_cli", "copy_database", "is_migrated", "migrate"]

#: The ``airflow`` command of the interpreter running the tests.
AIRFLOW = Path(sys.executable).parent / "airflow"

_CLI_SCRIPT = """
import json, sys
from airflow.cli import cli_parser

parser = cli_parser.get_parser()
for argv in json.loads(sys.argv[1]):
    print(">> airflow " + " ".join(argv), flush=True)
    arguments = parser.parse_args(argv)
    arguments.func(arguments)
"""


def airflow_cli(env: Mapping[str, str], *commands: list[str], timeout: float = 300) -> str:
    """Run ``airflow <command>`` for each command, in order, in one Python process; return its output.

    Each command goes through Airflow's own CLI parser, as ``airflow`` would run it; one import of
    Airflow instead of one per command.
    """
    result = subprocess.run(
        [sys.executable, "-c", _CLI_SCRIPT, json.dumps(commands)],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{commands} failed:\n{output[-4000:]}"
    return output


def migrate(home: Path) -> Path:
    """``airflow db migrate`` into a new SQLite database in ``home``; return the database's path.

    Run with this session's settings (``tests/conftest.py``), the home and database aside.
    """
    database = home / "airflow.db"
    airflow_cli(
        {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{database}",
        },
        ["db", "migrate"],
    )
    return database


def copy_database(template: Path, target: Path) -> None:
    """Copy the SQLite database ``template`` to ``target`` with SQLite's backup API.

    The backup API, not a file copy: ``target`` may already be open in this process (the session's
    database, which Airflow may have connected to before the first test that needs it migrated).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(template)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def is_migrated(database: Path) -> bool:
    """Whether ``database`` exists and has been migrated (it records an Alembic revision)."""
    if not database.exists():
        return False
    with contextlib.closing(sqlite3.connect(database)) as connection:
        try:
            return bool(connection.execute("SELECT count(*) FROM alembic_version").fetchone()[0])
        except sqlite3.Error:
            return False
