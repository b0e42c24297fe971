"""One shared :class:`LinkedInAdsClient` per connection and configuration, per process.

A triggerer runs hundreds of maturity triggers in one process, and a worker process may run a task's
threads side by side. Built one per trigger or per hook, every client refreshes its own access token
and hands it to the secret masker (whose cost grows with every new pattern): 1,000 triggers meant
1,000 token calls and a masker of 1,000 patterns. Shared, a connection costs one client, one pooled
session and one access token for the life of the process.

The client is thread-safe (its token provider refreshes under a lock, once for all threads), so a
cached one is shared as is. The key is the connection id plus a SHA-256 fingerprint of the whole
:class:`~airflow_provider_linkedin_ads.client.config.ClientConfig` (credentials, API version, URLs,
timeouts, retry policy, ...): a changed secret or a different ``api_version`` gets its own client,
and no secret is ever part of a key that could be printed.

Ownership: the cache owns its clients. Users (hooks, triggers) never close a cached client; the cache
closes them in :meth:`ClientCache.clear` (tests, or a process that wants its sockets back). A forked
child forgets the parent's clients (their sockets belong to the parent) and builds its own.

.. code-block:: python

    from airflow_provider_linkedin_ads.client.cache import CLIENTS

    client = CLIENTS.get("linkedin_ads_default", config)  # the same object on every call
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_linkedin_ads.client.config import ClientConfig

__all__ = ["CLIENTS", "DEFAULT_MAX_CLIENTS", "ClientCache", "config_fingerprint"]

#: Distinct (connection, configuration) pairs kept; the least recently used beyond it is dropped.
DEFAULT_MAX_CLIENTS = 64


def config_fingerprint(config: ClientConfig) -> str:
    """Return a SHA-256 hex digest of every field of ``config`` (secrets included, never revealed).

    .. code-block:: python

        config_fingerprint(config) == config_fingerprint(config.replace())  # True
    """
    digest = hashlib.sha256()
    for field in dataclasses.fields(config):
        # repr of str/float/int/RetryPolicy is exact and stable; the NUL keeps fields apart.
        digest.update(f"{field.name}={getattr(config, field.name)!r}\0".encode())
    return digest.hexdigest()


class ClientCache:
    """A thread-safe, bounded map ``(connection id, config fingerprint) -> LinkedInAdsClient``.

    .. code-block:: python

        cache = ClientCache()
        client = cache.get("linkedin_ads_default", config, on_new_token=mask)
        assert cache.get("linkedin_ads_default", config) is client

    :param max_clients: entries kept; the least recently used one beyond it is dropped (not closed:
        a thread may still be using it; its session is released when the last user lets it go).
    :param factory: builds a client from a config and an ``on_new_token`` callback (tests inject one).
    """

    def __init__(
        self,
        *,
        max_clients: int = DEFAULT_MAX_CLIENTS,
        factory: Callable[..., LinkedInAdsClient] = LinkedInAdsClient,
    ) -> None:
        self._max_clients = max_clients
        self._factory = factory
        self._lock = threading.Lock()
        self._clients: OrderedDict[tuple[str, str], LinkedInAdsClient] = OrderedDict()

    def __len__(self) -> int:
        return len(self._clients)

    def get(
        self, conn_id: str, config: ClientConfig, *, on_new_token: Callable[[str], None] | None = None
    ) -> LinkedInAdsClient:
        """Return the shared client of ``conn_id`` with ``config``, building it on first use.

        :param on_new_token: used only when the client is built (the first caller's callback serves
            every later caller, so pass the same process-wide function each time).
        """
        key = (conn_id, config_fingerprint(config))
        with self._lock:  # built under the lock: two first users never make two clients
            client = self._clients.get(key)
            if client is None:
                client = self._factory(config, on_new_token=on_new_token)
                self._clients[key] = client
                while len(self._clients) > self._max_clients:
                    self._clients.popitem(last=False)
            else:
                self._clients.move_to_end(key)
            return client

    def clear(self) -> None:
        """Close and forget every cached client (tests; a process that wants its sockets back)."""
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()

    def _forget_after_fork(self) -> None:
        # The parent's sockets must not be shared with a child: forget (never close) its clients.
        self._lock = threading.Lock()
        self._clients = OrderedDict()


#: The process-wide cache used by :class:`~airflow_provider_linkedin_ads.hooks.linkedin_ads.LinkedInAdsHook`.
CLIENTS = ClientCache()
os.register_at_fork(after_in_child=CLIENTS._forget_after_fork)
