"""What the API endpoints may read and change: the emulator's state, as one leaf dataclass.

The request flow runs one way: :mod:`.server` (sockets) -> :mod:`.emulator` (tunnelling, latency,
faults, the request log, error capture) -> :mod:`.app` (gates and the route table) -> the endpoint
modules (:mod:`.analytics`, :mod:`.entity_api`, :mod:`.lookup_api`, :mod:`.oauth`) -> this module.
Endpoints get an :class:`ApiState`, never the emulator, so their signatures say what they touch:
the world, the clock, the limits and the tokens -- not the log, the fault plan or error capture.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.throttle import DEFAULT_METRIC_VALUE_BUDGET

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.clock import Clock
    from airflow_provider_linkedin_ads.testing.oauth import TokenStore
    from airflow_provider_linkedin_ads.testing.throttle import DailyQuota, MetricValueBudget
    from airflow_provider_linkedin_ads.testing.world import World

__all__ = ["DEFAULT_MAX_ELEMENTS", "DEFAULT_MEMBER", "ApiState", "EmulatorConfig"]

#: LinkedIn's cap on one ``adAnalytics`` response; anything beyond is dropped without notice. The
#: emulator's cap is ``EmulatorConfig.max_elements``, which defaults to this.
DEFAULT_MAX_ELEMENTS = 15_000
#: The member every emulator token acts for unless a test mints one for another member.
DEFAULT_MEMBER = "urn:li:person:emulator"


@dataclass(frozen=True)
class EmulatorConfig:
    """Credentials, limits and fault settings of one emulator (secrets hidden from ``repr``).

    :param client_id: OAuth client id accepted by the token endpoint.
    :param client_secret: the matching client secret.
    :param refresh_token: the pre-provisioned refresh token.
    :param access_token_ttl: seconds an access token lives (LinkedIn: 60 days).
    :param refresh_token_ttl: seconds a refresh token lives (LinkedIn: 365 days).
    :param metric_value_budget: metric values per rolling 5 minutes before the data throttle.
    :param daily_quota: calls per resource per UTC day; ``None`` means unlimited.
    :param retry_after: seconds sent as ``Retry-After`` on throttles; ``None`` sends no header.
    :param latency_ms: milliseconds every request waits (and the ``latency`` fault adds).
    :param fault_rate: probability of a random fault per API call.
    :param fault_seed: seed of the random faults.
    :param member: the member the tokens act for.
    :param max_elements: rows at which every ``adAnalytics`` answer is silently cut (LinkedIn:
        15,000); lower it so a small world produces reports many times the cap.
    :param page_size: most elements an entity finder page holds, whatever ``pageSize``/``count`` asks
        (``None``: as asked, LinkedIn's default 100, at most 1,000); a small value makes paging split
        in a small world.
    """

    client_id: str = "emulator-client"
    client_secret: str = field(default="emulator-secret", repr=False)
    refresh_token: str = field(default="emulator-refresh-token", repr=False)
    access_token_ttl: int = 5_184_000
    refresh_token_ttl: int = 31_536_000
    metric_value_budget: int = DEFAULT_METRIC_VALUE_BUDGET
    daily_quota: int | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_seed: int = 0
    member: str = DEFAULT_MEMBER
    max_elements: int = DEFAULT_MAX_ELEMENTS
    page_size: int | None = None

    def __post_init__(self) -> None:
        for name in ("access_token_ttl", "refresh_token_ttl", "metric_value_budget", "latency_ms"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"{name} must not be negative", argument=name)
        if self.daily_quota is not None and self.daily_quota < 0:
            raise ConfigurationError("daily_quota must not be negative", argument="daily_quota")
        if self.max_elements < 1:
            raise ConfigurationError("max_elements must be at least 1", argument="max_elements")
        if self.page_size is not None and self.page_size < 1:
            raise ConfigurationError("page_size must be at least 1", argument="page_size")


@dataclass
class ApiState:
    """The state every endpoint works on (the emulator owns it and replaces ``tokens`` on reset).

    :param world: the synthetic data.
    :param clock: the emulator clock.
    :param config: credentials, limits and fault settings.
    :param budget: the rolling 5-minute metric-value budget (data throttle).
    :param quota: calls per resource per UTC day.
    :param tokens: the OAuth token store.
    :param world_lock: serialises answers from the world (its caches are not thread-safe).

    .. code-block:: python

        response = analytics_endpoint(emulator.state, request, token, "202611")
    """

    world: World
    clock: Clock
    config: EmulatorConfig
    budget: MetricValueBudget
    quota: DailyQuota
    tokens: TokenStore
    world_lock: threading.Lock = field(default_factory=threading.Lock)
