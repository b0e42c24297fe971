"""The report the fault scenarios run, and helpers to run it through the engine against an emulator.

The report: CREATIVE x DAILY over 148 days of 12 campaigns, 40 metrics (three field chunks). With the
emulator's response cap lowered to :data:`CAP` rows and one campaign per call, the engine needs more
than 200 ``adAnalytics`` calls for it (probes, windows x campaigns x chunks), in well under a second.
(Each campaign packs its own windows, so the range is long enough to keep the call count up.)
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.enums import Pivot
from airflow_provider_linkedin_ads.metrics import METRICS
from airflow_provider_linkedin_ads.models import ReportRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from airflow_provider_linkedin_ads.client.config import ClientConfig
    from airflow_provider_linkedin_ads.client.fetching import FinderClient
    from airflow_provider_linkedin_ads.client.stats import ClientStats
    from airflow_provider_linkedin_ads.errors import RequestSummary
    from airflow_provider_linkedin_ads.restli import Value
    from airflow_provider_linkedin_ads.results import ReportSummary
    from airflow_provider_linkedin_ads.testing import EmulatorServer

__all__ = ["CAP", "FIRST_DAY", "LAST_DAY", "METRIC_NAMES", "CallHook", "big_request", "land"]

#: The emulator's (and the engine's) row cap in these scenarios.
CAP = 20
#: The report's days, relative to the emulator's 2026-11-28: complete, mature days.
FIRST_DAY = dt.date(2026, 7, 1)
LAST_DAY = dt.date(2026, 11, 25)
#: 40 metrics any CREATIVE DAILY report may ask for (three field chunks of 18, 18 and 4).
METRIC_NAMES: tuple[str, ...] = tuple(
    metric.name
    for metric in METRICS.values()
    if not metric.needs_entity_pivot
    and metric.max_range_days is None
    and metric.min_version is None
    and not metric.name.startswith("approximate")
)[:40]


def big_request(server: EmulatorServer, *, pivot: Pivot = Pivot.CREATIVE) -> ReportRequest:
    """The >= 200-call report over every campaign of the server's world."""
    return ReportRequest.build(
        finder="analytics",
        pivots=pivot,
        time_granularity="DAILY",
        date_range=(FIRST_DAY, LAST_DAY),
        facets={"campaigns": sorted(server.world.campaigns)},
        metrics=METRIC_NAMES,
    )


def land(
    server: EmulatorServer, client: FinderClient, request: ReportRequest, **options: Any
) -> tuple[bytes, ReportSummary]:
    """Run ``request`` through the engine into JSON Lines; return the bytes and the summary."""
    options.setdefault("row_cap", CAP)
    options.setdefault("facet_batch_size", 1)
    engine = ReportEngine(client, today=server.clock.today, **options)
    target = io.BytesIO()
    summary = engine.write(request, target)
    return target.getvalue(), summary


class CallHook:
    """A :class:`FinderClient` that runs ``action`` once, just before its ``after``-th call is sent.

    :param client: the real client.
    :param after: the call number (1-based) before which ``action`` runs.
    :param action: e.g. script a data throttle, expire the access token.

    .. code-block:: python

        hooked = CallHook(client, 50, lambda: server.faults.script("429-data"))
    """

    def __init__(self, client: FinderClient, after: int, action: Any) -> None:
        self._client = client
        self._after = after
        self._action = action
        self._lock = threading.Lock()
        self.calls = 0

    @property
    def config(self) -> ClientConfig:
        return self._client.config

    @property
    def stats(self) -> ClientStats:
        return self._client.stats

    def finder(
        self,
        resource: str,
        finder: str,
        params: Sequence[tuple[str, Value | None]],
        *,
        summary: RequestSummary | None = None,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            if self.calls == self._after:
                self._action()
        return self._client.finder(resource, finder, params, summary=summary, on_retry=on_retry)
