"""Opt-in pytest fixtures: a LinkedIn Ads API emulator per session and a connection pointing at it.

Enable it in your ``conftest.py`` (there is deliberately no ``pytest11`` entry point, so it never
loads into test sessions that did not ask for it)::

    pytest_plugins = ["airflow_provider_linkedin_ads.testing.pytest_plugin"]

Fixtures:

* ``linkedin_ads_emulator``: the running :class:`~.server.EmulatorServer`, reset before each test
  (log, counters, faults, throttles, tokens, clock) and checked after it (a handler error fails the
  test). One server serves the whole session.
* ``linkedin_ads_connection``: sets ``AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT`` to a ``linkedin_ads``
  connection aimed at the emulator and returns the conn id ``"linkedin_ads_default"``.
* ``linkedin_ads_world``: the session's world; override it (session scope) for another dataset.

Airflow is not imported here: the connection is a JSON environment variable that Airflow reads.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from airflow_provider_linkedin_ads.testing.headers import is_active, latest_version
from airflow_provider_linkedin_ads.testing.server import EmulatorServer
from airflow_provider_linkedin_ads.testing.world import World

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "CONN_ENV_VAR",
    "CONN_ID",
    "connection_json",
    "linkedin_ads_connection",
    "linkedin_ads_emulator",
    "linkedin_ads_emulator_session",
    "linkedin_ads_world",
]

CONN_ID = "linkedin_ads_default"
CONN_ENV_VAR = "AIRFLOW_CONN_LINKEDIN_ADS_DEFAULT"
#: The ``api_version`` the connection carries while it is active on the emulator's clock.
API_VERSION = "202608"


def connection_json(server: EmulatorServer) -> str:
    """Return the ``AIRFLOW_CONN_*`` JSON of a ``linkedin_ads`` connection aimed at ``server``.

    :param server: a running emulator.
    """
    today = server.clock.today()
    version = API_VERSION if is_active(API_VERSION, today) else latest_version(today)
    config = server.config
    connection = {
        "conn_type": "linkedin_ads",
        "login": config.client_id,
        "password": config.client_secret,
        "extra": {
            "refresh_token": config.refresh_token,
            "api_version": version,
            "api_base_url": server.api_base_url,
            "oauth_url": server.token_url,
        },
    }
    return json.dumps(connection)


@pytest.fixture(scope="session")
def linkedin_ads_world() -> World:
    """Provide the synthetic world of the session's emulator (override to load your own dataset)."""
    return World()


@pytest.fixture(scope="session")
def linkedin_ads_emulator_session(linkedin_ads_world: World) -> Iterator[EmulatorServer]:
    """One emulator for the whole session; use ``linkedin_ads_emulator`` in tests instead."""
    server = EmulatorServer(linkedin_ads_world)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def linkedin_ads_emulator(linkedin_ads_emulator_session: EmulatorServer) -> Iterator[EmulatorServer]:
    """Provide the session's emulator, reset for this test; a handler error fails the test at teardown."""
    server = linkedin_ads_emulator_session
    server.reset()
    yield server
    server.check()


@pytest.fixture
def linkedin_ads_connection(linkedin_ads_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point ``linkedin_ads_default`` at the emulator for this test and return the conn id."""
    monkeypatch.setenv(CONN_ENV_VAR, connection_json(linkedin_ads_emulator))
    return CONN_ID
