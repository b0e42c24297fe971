"""Fixtures for the hook tests: connections as ``AIRFLOW_CONN_*`` JSON, canary secrets, the emulator."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from airflow_provider_linkedin_ads.testing import EmulatorServer

ConnectionSetter = Callable[..., None]


@pytest.fixture
def canary() -> Callable[[str], str]:
    """Make unique, long secrets, so process-wide masker state from other tests cannot make a test pass."""
    return lambda kind: f"canary-{kind}-{uuid.uuid4().hex}"


@pytest.fixture
def set_connection(monkeypatch: pytest.MonkeyPatch) -> ConnectionSetter:
    """Define a ``linkedin_ads`` connection through its environment variable (JSON form, no database)."""

    def setter(
        conn_id: str = "linkedin_ads_default",
        *,
        login: str | None = "client-id-1",
        password: str | None = None,
        extra: dict[str, Any] | str | None = None,
    ) -> None:
        payload: dict[str, Any] = {"conn_type": "linkedin_ads"}
        if login is not None:
            payload["login"] = login
        if password is not None:
            payload["password"] = password
        if extra is not None:
            payload["extra"] = extra
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(payload))

    return setter


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    """The module's emulator, reset before the test and checked for handler errors after it."""
    emulator_server.reset()
    yield emulator_server
    emulator_server.check()


@pytest.fixture
def emulator_connection(emulator: EmulatorServer, set_connection: ConnectionSetter) -> EmulatorServer:
    """Point ``linkedin_ads_default`` at the emulator in refresh-token mode."""
    config = emulator.config
    set_connection(
        login=config.client_id,
        password=config.client_secret,
        extra={
            "refresh_token": config.refresh_token,
            "api_base_url": emulator.api_base_url,
            "oauth_url": emulator.token_url,
        },
    )
    return emulator
