"""A report stopped by a long data-throttle wait resumes the same plan: answers replayed, none asked twice.

The engine runs against the bundled emulator on 127.0.0.1, whose data throttle is scripted to fire
mid-report (``budget.throttle_after``); the client is told to hand waits over 1 s to the caller, so
the first run stops with :class:`WaitDeferredError` instead of sleeping. A second engine with the same
checkpoint then finishes the report: its rows equal an unthrottled run's, and the emulator's request
log shows no ``adAnalytics`` request answered twice.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_linkedin_ads.client import ClientConfig, LinkedInAdsClient, RetryPolicy
from airflow_provider_linkedin_ads.client.checkpoint import MemoryCheckpoint
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.errors import DataThrottleError, WaitDeferredError
from airflow_provider_linkedin_ads.metrics import METRICS, MetricKind
from airflow_provider_linkedin_ads.models import ReportRequest
from airflow_provider_linkedin_ads.testing import EmulatorServer, World
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.utils.checkpoint import PathCheckpoint

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CAP = 60
RETRY_AFTER = 7


def _world() -> World:
    shape: dict[str, Any] = {"seed": 5, "accounts": 2, "campaigns_per_account": 6, "history_days": 200}
    ids = list(World(**shape).accounts)
    return World(**shape, members={DEFAULT_MEMBER: ids})


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(world=_world(), max_elements=CAP, retry_after=RETRY_AFTER) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: EmulatorServer) -> Iterator[EmulatorServer]:
    server.reset()
    yield server
    server.check()


def _client(server: EmulatorServer, defer: float | None, slept: list[float]) -> LinkedInAdsClient:
    config = ClientConfig(
        access_token=server.emulator.issue_access_token(),
        api_base_url=server.api_base_url,
        api_version="202609",
        retry=RetryPolicy(data_throttle_wait=2.0),
        defer_waits_longer_than=defer,
    )
    return LinkedInAdsClient(config, sleep=slept.append, clock=lambda: server.clock.now().timestamp())


def _request(server: EmulatorServer) -> ReportRequest:
    numeric = [
        metric.name
        for metric in METRICS.values()
        if metric.kind in (MetricKind.LONG, MetricKind.DECIMAL)
        and metric.additive
        and metric.max_range_days is None
        and metric.min_version is None
    ]
    return ReportRequest.build(
        finder="analytics",
        pivots="CAMPAIGN",
        time_granularity="DAILY",
        date_range=(server.clock.today().replace(day=1).isoformat(), server.clock.today().isoformat()),
        facets={"accounts": [f"urn:li:sponsoredAccount:{account}" for account in server.world.accounts]},
        metrics=sorted(numeric)[:24],  # two field chunks
    )


def _write(engine: ReportEngine, request: ReportRequest) -> tuple[bytes, Any]:
    target = io.BytesIO()
    summary = engine.write(request, target)
    return target.getvalue(), summary


def _engine(client: LinkedInAdsClient, server: EmulatorServer, **options: Any) -> ReportEngine:
    options.setdefault("max_concurrency", 1)
    return ReportEngine(client, row_cap=CAP, today=server.clock.today, **options)


def _analytics_queries(server: EmulatorServer, *, answered: bool) -> list[str]:
    return [
        record.query
        for record in server.requests
        if record.path.endswith("/adAnalytics") and (record.status == 200) == answered
    ]


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("throttle_after", [1, 4])
def test_a_deferred_report_resumes_the_same_plan_and_asks_nothing_twice(
    emulator: EmulatorServer, throttle_after: int, concurrency: int
) -> None:
    request = _request(emulator)
    slept: list[float] = []
    with _client(emulator, None, slept) as client:
        expected, plain = _write(_engine(client, emulator, max_concurrency=concurrency), request)
    assert plain.calls_made > throttle_after + 1, "the report must have calls left after the throttle"
    emulator.reset()

    emulator.emulator.budget.throttle_after(throttle_after)
    checkpoint = MemoryCheckpoint()
    with _client(emulator, 1.0, slept) as client:
        with pytest.raises(WaitDeferredError) as caught:
            _write(_engine(client, emulator, checkpoint=checkpoint, max_concurrency=concurrency), request)
        assert isinstance(caught.value.cause, DataThrottleError)
        assert caught.value.wait == RETRY_AFTER
        # Every answer received before the throttle, and those of the calls then in flight.
        stored = len(checkpoint)
        assert stored >= throttle_after
        resumed, summary = _write(
            _engine(client, emulator, checkpoint=checkpoint, max_concurrency=concurrency), request
        )

    assert slept == []  # the throttle was never waited in-process
    assert resumed == expected  # byte-identical to the run that was never throttled
    answered = _analytics_queries(emulator, answered=True)
    assert [query for query, n in Counter(answered).items() if n > 1] == []
    assert len(answered) == plain.calls_made  # the same plan: every call once, none more
    assert summary.calls_replayed == stored
    assert summary.calls_made == plain.calls_made - stored  # the throttled call is among them


def test_without_a_checkpoint_the_resume_asks_again_and_is_still_right(emulator: EmulatorServer) -> None:
    request = _request(emulator)
    slept: list[float] = []
    with _client(emulator, None, slept) as client:
        expected, _ = _write(_engine(client, emulator), request)
    emulator.reset()
    emulator.emulator.budget.throttle_after(2)
    with _client(emulator, 1.0, slept) as client:
        with pytest.raises(WaitDeferredError):
            _write(_engine(client, emulator), request)
        resumed, summary = _write(_engine(client, emulator), request)
    assert resumed == expected
    assert summary.calls_replayed == 0


def test_a_file_checkpoint_holds_the_answers_and_no_secret(emulator: EmulatorServer, tmp_path: Path) -> None:
    request = _request(emulator)
    emulator.emulator.budget.throttle_after(3)
    checkpoint = PathCheckpoint((tmp_path / "checkpoint").as_uri())
    slept: list[float] = []
    with _client(emulator, 1.0, slept) as client:
        token = client.config.access_token
        with pytest.raises(WaitDeferredError):
            _write(_engine(client, emulator, checkpoint=checkpoint), request)
    stored = list((tmp_path / "checkpoint").iterdir())
    assert len(stored) == len(checkpoint) == 3
    assert token
    for path in stored:
        text = path.read_text()
        assert '"elements"' in text
        assert token not in text
        assert "emulator-secret" not in text
        assert "Bearer" not in text


class _DamagedInStorage(MemoryCheckpoint):
    """Gives back every stored body damaged (same length, no longer JSON), once ``damaged`` is set."""

    damaged = False

    def get(self, key: str) -> list[bytes] | None:
        body = super().get(key)
        if body is None or not self.damaged:
            return body
        return [b"{" + b" " * (sum(map(len, body)) - 1)]


def test_a_stored_body_that_no_longer_reads_is_asked_again(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    request = _request(emulator)
    checkpoint = _DamagedInStorage()
    slept: list[float] = []
    with _client(emulator, None, slept) as client:
        expected, first = _write(_engine(client, emulator, checkpoint=checkpoint), request)
        assert len(checkpoint) == first.calls_made
        checkpoint.damaged = True
        with caplog.at_level("WARNING"):
            again, summary = _write(_engine(client, emulator, checkpoint=checkpoint), request)
    assert again == expected
    assert (summary.calls_replayed, summary.calls_made) == (0, first.calls_made)
    assert "could not be read again" in caplog.text


class _ElementsCheckpoint(MemoryCheckpoint):
    """A checkpoint of one's own that gives back decoded elements, not the body's pieces."""

    def get(self, key: str) -> Any:
        return None if super().get(key) is None else [{"pivotValues": ["urn:li:sponsoredCampaign:1"]}]


def test_a_checkpoint_giving_anything_but_body_pieces_is_a_miss(
    emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    request = _request(emulator)
    checkpoint = _ElementsCheckpoint()
    with _client(emulator, None, []) as client:
        expected, first = _write(_engine(client, emulator, checkpoint=checkpoint), request)
        with caplog.at_level("WARNING"):
            again, summary = _write(_engine(client, emulator, checkpoint=checkpoint), request)
    assert again == expected
    assert (summary.calls_replayed, summary.calls_made) == (0, first.calls_made)
    assert "something else than body pieces" in caplog.text
