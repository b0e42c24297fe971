"""Test-session hygiene: an isolated AIRFLOW_HOME with SQLite, no proxies, no example DAGs.

This runs before any test module imports Airflow, so every Airflow setting below takes effect.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_home = Path(tempfile.mkdtemp(prefix="linkedin-ads-airflow-home-"))
# Removed at the end of the session (pytest_unconfigure), and at exit when pytest stops before
# configuring (a usage error, e.g. an unknown option), which calls no unconfigure hook.
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["AIRFLOW_HOME"] = str(_home)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_home / 'airflow.db'}"
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO_ROOT / "dags_examples")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", "")
# Airflow 2.11 raises RemovedInAirflow3Warning when airflow.metrics.protocols is first imported (via
# BaseOperator, ObjectStoragePath, connection lookups ...) unless the 3.x timer units are switched on;
# switching them on is the setting the warning asks for, so no warning needs to be filtered.
os.environ["AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY"] = "True"
# Only loopback is ever contacted; make sure no proxy setting reroutes it.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"

# The emulator fixtures (linkedin_ads_emulator, linkedin_ads_connection, linkedin_ads_world); the
# plugin is opt-in, and pytest only honours pytest_plugins in the root conftest.
pytest_plugins = ["airflow_provider_linkedin_ads.testing.pytest_plugin"]


import pytest  # noqa: E402  (after the environment above, as Airflow must not be imported first)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this session's AIRFLOW_HOME (its SQLite database and logs): nothing is left in /tmp."""
    shutil.rmtree(_home, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine SQLite metadata database, migrated once per session: copy it, never write to it.

    Tests that start Airflow processes put a copy in their own home (``tests.airflow_home``).
    """
    from tests.airflow_home import migrate

    return migrate(tmp_path_factory.mktemp("migrated-airflow-home"))


@pytest.fixture(scope="session")
def airflow_db(migrated_database: Path) -> None:
    """This session's own metadata database (in its AIRFLOW_HOME), migrated: for ``dag.test()`` runs."""
    from tests.airflow_home import copy_database, is_migrated

    database = _home / "airflow.db"
    if not is_migrated(database):
        copy_database(migrated_database, database)


@pytest.fixture(autouse=True)
def _fresh_client_cache():
    """Each test starts with an empty process-wide client cache: no token or session leaks across tests."""
    from airflow_provider_linkedin_ads.client.cache import CLIENTS

    CLIENTS.clear()
    yield
    CLIENTS.clear()
