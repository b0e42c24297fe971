"""LinkedIn Ads API client: requests + tenacity over the pure core, never Airflow.

The public names are loaded lazily, so importing ``client.config`` (a pure value object) does not
import ``requests`` or ``tenacity``.

.. code-block:: python

    from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient

    with LinkedInAdsClient(ClientConfig(access_token="...")) as client:
        client.finder("adAnalytics", "analytics", [("pivot", "CAMPAIGN")])
        summary = ReportEngine(client).write(request, target)  # a whole report, any size
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.client.client import BatchResult, LinkedInAdsClient
    from airflow_provider_linkedin_ads.client.config import ClientConfig, RetryPolicy
    from airflow_provider_linkedin_ads.client.reporting import ReportEngine, ReportRun
    from airflow_provider_linkedin_ads.client.resolver import NameResolver
    from airflow_provider_linkedin_ads.client.stats import ClientStats

__all__ = [
    "BatchResult",
    "ClientConfig",
    "ClientStats",
    "LinkedInAdsClient",
    "NameResolver",
    "ReportEngine",
    "ReportRun",
    "RetryPolicy",
]

_HOMES = {
    "BatchResult": "client",
    "ClientConfig": "config",
    "ClientStats": "stats",
    "LinkedInAdsClient": "client",
    "NameResolver": "resolver",
    "ReportEngine": "reporting",
    "ReportRun": "reporting",
    "RetryPolicy": "config",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
