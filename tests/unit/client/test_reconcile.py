"""client/reconcile.py against the emulator on 127.0.0.1: what is compared, tolerated, skipped, inconclusive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from airflow_provider_linkedin_ads.client.client import LinkedInAdsClient
from airflow_provider_linkedin_ads.client.config import ClientConfig
from airflow_provider_linkedin_ads.client.reconcile import (
    DECIMAL_TOLERANCE,
    LandedTotals,
    Reconciler,
    check_request,
)
from airflow_provider_linkedin_ads.client.reporting import ReportEngine
from airflow_provider_linkedin_ads.enums import Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError, ReconciliationError
from airflow_provider_linkedin_ads.models import DateRange, ReportRequest
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER


def build(**overrides: object) -> ReportRequest:
    arguments: dict[str, object] = {
        "finder": "analytics",
        "pivots": "CREATIVE",
        "time_granularity": "DAILY",
        "date_range": ("2026-11-01", "2026-11-20"),
        "facets": {"accounts": [1]},
        "metrics": ["impressions", "clicks", "costInUsd", "approximateMemberReach", "newMetric"],
        "allow_unknown_names": True,
    }
    arguments.update(overrides)
    return ReportRequest.build(**arguments)  # type: ignore[arg-type]


def test_the_totals_request_is_account_all_with_the_additive_metrics() -> None:
    totals, reason, not_compared = check_request(build())
    assert reason is None
    assert totals is not None
    assert totals.pivots == (Pivot.ACCOUNT,)
    assert totals.time_granularity is TimeGranularity.ALL
    assert totals.metrics == ("impressions", "clicks", "costInUsd")
    assert totals.facets == build().facets
    assert totals.date_range == build().date_range
    assert set(not_compared) == {"approximateMemberReach", "newMetric"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        pytest.param({"pivots": "MEMBER_COUNTRY_V2"}, "top 100", id="demographic"),
        pytest.param({"pivots": "CARD_INDEX"}, "CARD_INDEX", id="card-index"),
        pytest.param({"metrics": ["approximateMemberReach"]}, "additive", id="nothing-additive"),
        pytest.param(
            {
                "finder": "attributedRevenueMetrics",
                "time_granularity": None,
                "facets": {"account": [1]},
                "metrics": [],
            },
            "attributed revenue",
            id="revenue",
        ),
    ],
)
def test_what_does_not_add_up_has_no_totals_request(overrides: dict[str, object], reason: str) -> None:
    totals, why, _ = check_request(build(**overrides))
    assert totals is None
    assert why is not None
    assert reason in why


def test_landed_totals_sum_exactly_while_rows_pass_through() -> None:
    totals = LandedTotals(["clicks", "costInUsd"])
    rows = [
        {"clicks": 3, "costInUsd": Decimal("0.1")},
        {"clicks": None, "costInUsd": Decimal("0.2")},
        {"clicks": 4},
    ]
    assert list(totals.observe(iter(rows))) == rows
    assert totals.sums == {"clicks": 7, "costInUsd": Decimal("0.3")}
    assert totals.rows == 3


def test_an_unknown_mode_names_the_argument() -> None:
    with pytest.raises(ConfigurationError) as info:
        Reconciler(object(), build(), mode="ignore")  # type: ignore[arg-type]
    assert info.value.argument == "reconcile_mode"


# ── against the emulator ─────────────────────────────────────────────────────────────────────────


@pytest.fixture
def engine(linkedin_ads_emulator):
    server = linkedin_ads_emulator
    config = ClientConfig(
        client_id=server.config.client_id,
        client_secret=server.config.client_secret,
        refresh_token=server.config.refresh_token,
        api_base_url=server.api_base_url,
        token_url=server.token_url,
        api_version="202608",
    )
    with LinkedInAdsClient(config) as client:
        yield ReportEngine(client, today=server.clock.today)


@pytest.fixture
def accounts(linkedin_ads_emulator) -> list[int]:
    return sorted(linkedin_ads_emulator.world.accounts_for_member(DEFAULT_MEMBER))


def land(engine: ReportEngine, request: ReportRequest, reconciler: Reconciler) -> DateRange | None:
    """Stream the report past the landed totals (as the operator does on its way to the writer)."""
    run = engine.run(request)
    for _row in reconciler.totals.observe(run):
        pass
    return run.summary.date_range_covered


def test_a_correct_report_passes(engine, accounts) -> None:
    request = build(
        facets={"accounts": accounts}, allow_unknown_names=False, metrics=["impressions", "costInUsd"]
    )
    reconciler = Reconciler(engine, request)
    result = reconciler.check(covered=land(engine, request, reconciler))
    assert result.status == "passed"
    assert {check.name for check in result.metrics} == {"impressions", "costInUsd"}


def test_a_cent_of_float_noise_is_tolerated_but_not_more(engine, accounts) -> None:
    request = build(facets={"accounts": accounts}, allow_unknown_names=False, metrics=["costInUsd"])
    within = Reconciler(engine, request)
    land(engine, request, within)
    within.totals.sums["costInUsd"] += DECIMAL_TOLERANCE
    assert within.check().status == "passed"
    beyond = Reconciler(engine, request)
    land(engine, request, beyond)
    beyond.totals.sums["costInUsd"] += DECIMAL_TOLERANCE + Decimal("0.0001")
    with pytest.raises(ReconciliationError) as info:
        beyond.check()
    assert info.value.metric == "costInUsd"


def test_totals_that_move_while_checking_are_inconclusive_not_a_failure(
    engine, accounts, linkedin_ads_emulator
) -> None:
    request = build(facets={"accounts": accounts}, allow_unknown_names=False, metrics=["impressions"])
    reconciler = Reconciler(engine, request)
    land(engine, request, reconciler)
    reconciler.totals.sums["impressions"] += 1  # as if LinkedIn's numbers had moved since the report
    fetch = reconciler._fetch
    answers = iter([0, 7])  # the second totals query sees 7 more impressions

    def moving(totals_request):
        sums, answered, calls = fetch(totals_request)
        return {**sums, "impressions": sums["impressions"] + next(answers)}, answered, calls

    reconciler._fetch = moving  # type: ignore[method-assign]
    result = reconciler.check()
    assert result.status == "inconclusive"
    assert "changed" in (result.reason or "")
    assert result.calls_made == 2


def test_the_day_after_retention_the_totals_range_is_read_from_the_answer(engine, accounts) -> None:
    request = build(
        facets={"accounts": accounts},
        allow_unknown_names=False,
        metrics=["impressions"],
        date_range=(dt.date(2026, 3, 10), dt.date(2026, 3, 20)),
    )
    reconciler = Reconciler(engine, request)
    land(engine, request, reconciler)
    result = reconciler.check()
    assert result.status == "skipped"
    assert "2026-03-01..2026-03-31" in (result.reason or "")
    assert result.calls_made == 0  # predicted from LinkedIn's documented rule: no call wasted
