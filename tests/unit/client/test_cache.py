"""The process-wide client cache: one client and one access token per connection and configuration."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from airflow_provider_linkedin_ads.client.cache import ClientCache, config_fingerprint
from airflow_provider_linkedin_ads.client.config import ClientConfig, RetryPolicy

SECRET = "cache-test-client-secret"


def config(**changes: object) -> ClientConfig:
    base = ClientConfig(client_id="id", client_secret=SECRET, refresh_token="refresh-cache-test")
    return base.replace(**changes) if changes else base


def test_fingerprint_covers_every_setting_and_never_shows_a_secret():
    base = config_fingerprint(config())
    assert base == config_fingerprint(config())
    assert SECRET not in base
    assert "refresh-cache-test" not in base
    for changes in (
        {"client_secret": "another-secret"},
        {"refresh_token": "another-refresh"},
        {"api_version": "202605"},
        {"api_base_url": "https://api.example.com/rest"},
        {"token_url": "https://auth.example.com/token"},
        {"attempt_timeout": 5.0},
        {"read_timeout": 5.0},
        {"retry": RetryPolicy(max_attempts=2)},
    ):
        assert config_fingerprint(config(**changes)) != base, changes


def test_same_connection_and_config_share_one_client_built_once():
    built: list[ClientConfig] = []

    def factory(cfg, *, on_new_token=None):
        built.append(cfg)
        return object()

    cache = ClientCache(factory=factory)
    start = threading.Barrier(16)

    def get(_: int) -> object:
        start.wait()  # all threads ask at the same moment
        return cache.get("conn", config())

    with ThreadPoolExecutor(16) as pool:
        clients = set(map(id, pool.map(get, range(16))))
    assert len(clients) == 1
    assert len(built) == 1
    assert cache.get("other_conn", config()) is not cache.get("conn", config())
    assert cache.get("conn", config(api_version="202605")) is not cache.get("conn", config())
    assert len(built) == 3


def test_bounded_and_least_recently_used_first():
    cache = ClientCache(max_clients=2, factory=lambda cfg, on_new_token=None: object())
    a = cache.get("a", config())
    cache.get("b", config())
    assert cache.get("a", config()) is a  # a is now the most recently used
    cache.get("c", config())  # evicts b
    assert len(cache) == 2
    assert cache.get("a", config()) is a


def test_clear_closes_every_client():
    class Closable:
        closed = False

        def close(self) -> None:
            self.closed = True

    cache = ClientCache(factory=lambda cfg, on_new_token=None: Closable())
    clients = [cache.get(name, config()) for name in ("a", "b")]
    cache.clear()
    assert all(client.closed for client in clients)
    assert len(cache) == 0


def test_one_token_for_many_threads_against_the_emulator(linkedin_ads_emulator):
    server = linkedin_ads_emulator
    cfg = ClientConfig(
        client_id=server.config.client_id,
        client_secret=server.config.client_secret,
        refresh_token=server.config.refresh_token,
        api_base_url=server.api_base_url,
        token_url=server.token_url,
    )
    masked: list[str] = []
    cache = ClientCache()
    try:

        def call(_: int) -> None:
            client = cache.get("linkedin_ads_default", cfg, on_new_token=masked.append)
            client.get("adAccounts", [("q", "search"), ("pageSize", 1)])

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(call, range(40)))
    finally:
        cache.clear()
    assert server.counters.calls["oauth/accessToken"] == 1
    assert len(masked) == 1  # the one new token went to the masker once
