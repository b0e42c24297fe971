"""Shared fixtures of the emulator tests: servers on loopback and a tiny stdlib HTTP client.

``urllib`` on purpose: the emulator must work without ``requests``, and ``urllib`` sends the URL
exactly as written (Rest.li structure characters included).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.headers import latest_version

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Reply:
    """Status, body and headers of one answer."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> tuple[int, str | None, str]:
        """``(status, code, message)`` of an error body."""
        body = self.json
        return self.status, body.get("code"), body["message"]

    @property
    def field_path(self) -> str:
        """The parameter named by the first ``errorDetails.inputErrors`` entry."""
        return str(self.json["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"])


def send(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None
) -> Reply:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=60) as response:
            return Reply(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, err.read(), dict(err.headers))


class Api:
    """LinkedIn's three headers, plus plain and tunnelled GETs against one emulator."""

    def __init__(self, server: EmulatorServer, token: str | None = None, version: str | None = None) -> None:
        self.server = server
        self.token = token if token is not None else server.issue_access_token()
        self.version = version or latest_version(server.clock.today())

    def headers(self, **overrides: str | None) -> dict[str, str]:
        base: dict[str, str | None] = {
            "Authorization": f"Bearer {self.token}",
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        base.update({name.replace("_", "-"): value for name, value in overrides.items()})
        return {name: value for name, value in base.items() if value is not None}

    def get(self, path: str, query: str = "", **overrides: str | None) -> Reply:
        url = self.server.url + path + ("?" + query if query else "")
        return send(url, headers=self.headers(**overrides))

    def tunnel(self, path: str, query: str, **overrides: str | None) -> Reply:
        tunnel: dict[str, str | None] = {
            "X_HTTP_Method_Override": "GET",
            "Content_Type": "application/x-www-form-urlencoded",
        }
        headers = self.headers(**{**tunnel, **overrides})
        return send(self.server.url + path, method="POST", headers=headers, body=query.encode())

    def post(self, path: str, body: bytes, **overrides: str | None) -> Reply:
        return send(self.server.url + path, method="POST", headers=self.headers(**overrides), body=body)

    def analytics(self, query: str, **overrides: str | None) -> Reply:
        return self.get("/rest/adAnalytics", query, **overrides)


@pytest.fixture(scope="session")
def shared_world() -> World:
    """The default world (seed 7, 3 accounts x 20 campaigns x 3 creatives, today 2026-11-28)."""
    return World()


@pytest.fixture(scope="session")
def default_server(shared_world: World) -> Iterator[EmulatorServer]:
    with EmulatorServer(shared_world) as server:
        yield server


@pytest.fixture
def server(default_server: EmulatorServer) -> Iterator[EmulatorServer]:
    """The shared emulator, reset for this test and checked after it."""
    default_server.reset()
    yield default_server
    default_server.check()


@pytest.fixture
def api(server: EmulatorServer) -> Api:
    return Api(server)


@pytest.fixture
def make_server(shared_world: World) -> Iterator[Callable[..., EmulatorServer]]:
    """Start extra emulators with other settings (same world); they stop after the test."""
    started: list[EmulatorServer] = []

    def make(**settings: Any) -> EmulatorServer:
        settings.setdefault("world", shared_world)
        server = EmulatorServer(settings.pop("world"), **settings).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
        server.check()


@pytest.fixture
def accounts(shared_world: World) -> dict[str, int]:
    """``visible``: an account the default member sees; ``hidden``: one it does not."""
    visible = sorted(shared_world.accounts_for_member("urn:li:person:emulator"))
    hidden = sorted(set(shared_world.accounts) - set(visible))
    return {"visible": visible[0], "second": visible[1], "hidden": hidden[0]}


@pytest.fixture
def make_api() -> type[Api]:
    return Api
