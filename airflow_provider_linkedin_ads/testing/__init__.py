"""A faithful local emulator of the LinkedIn Ads reporting API, for tests, the demo and CI.

Standard library plus the package's pure core only: no Airflow, no ``requests``, no web framework.
Use it three ways:

1. in-process: :class:`EmulatorServer` as a context manager (request log, counters, faults, clock);
2. from pytest: ``pytest_plugins = ["airflow_provider_linkedin_ads.testing.pytest_plugin"]``;
3. as a process: ``linkedin-ads-emulator --port 8080``.

.. code-block:: python

    from airflow_provider_linkedin_ads.testing import EmulatorServer

    with EmulatorServer() as emulator:
        print(emulator.api_base_url, emulator.token_url)

The names below are loaded on first use, so importing one submodule (``testing.world``, say) does
not start importing the HTTP server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_linkedin_ads.testing.clock import Clock
    from airflow_provider_linkedin_ads.testing.emulator import Emulator
    from airflow_provider_linkedin_ads.testing.faults import FAULT_KINDS, FaultPlan
    from airflow_provider_linkedin_ads.testing.log import Counters, RequestRecord
    from airflow_provider_linkedin_ads.testing.oauth import AUTH_CODE
    from airflow_provider_linkedin_ads.testing.query import ReportQuery
    from airflow_provider_linkedin_ads.testing.request import Request
    from airflow_provider_linkedin_ads.testing.responses import Response
    from airflow_provider_linkedin_ads.testing.server import EmulatorServer
    from airflow_provider_linkedin_ads.testing.state import DEFAULT_MEMBER, EmulatorConfig
    from airflow_provider_linkedin_ads.testing.world import World

__all__ = [
    "AUTH_CODE",
    "DEFAULT_MEMBER",
    "FAULT_KINDS",
    "Clock",
    "Counters",
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "FaultPlan",
    "ReportQuery",
    "Request",
    "RequestRecord",
    "Response",
    "World",
]

_HOMES = {
    "AUTH_CODE": "oauth",
    "DEFAULT_MEMBER": "state",
    "FAULT_KINDS": "faults",
    "Clock": "clock",
    "Counters": "log",
    "Emulator": "emulator",
    "EmulatorConfig": "state",
    "EmulatorServer": "server",
    "FaultPlan": "faults",
    "ReportQuery": "query",
    "Request": "request",
    "RequestRecord": "log",
    "Response": "responses",
    "World": "world",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
