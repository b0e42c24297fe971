"""The synthetic world's ground truth: every granularity, pivot and facet sums the same facts exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from airflow_provider_linkedin_ads.enums import Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing.entities import CreativeKind
from airflow_provider_linkedin_ads.testing.world import World
from tests.testing.world_support import (
    ADDITIVE,
    NOW,
    account_facet,
    query,
    totals,
    urns,
)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


class TestExactAggregation:
    @pytest.mark.parametrize(
        "coarse",
        [
            pytest.param(TimeGranularity.MONTHLY, id="monthly"),
            pytest.param(TimeGranularity.YEARLY, id="yearly"),
            pytest.param(TimeGranularity.ALL, id="all"),
        ],
    )
    def test_daily_sums_equal_coarser_granularities(self, world: World, coarse: TimeGranularity) -> None:
        accounts = account_facet(world, 0, 1, 2)
        daily = world.answer(query((Pivot.ACCOUNT,), TimeGranularity.DAILY, accounts=accounts), now=NOW)
        other = world.answer(query((Pivot.ACCOUNT,), coarse, accounts=accounts), now=NOW)
        assert len(daily) > len(other) > 0
        assert totals(daily) == totals(other)
        assert isinstance(totals(daily)["costInUsd"], Decimal)

    def test_every_additive_metric_agrees_between_daily_and_all(self, world: World) -> None:
        facet = account_facet(world, 1)
        fields = ("pivotValues", *ADDITIVE)
        start, end = dt.date(2026, 10, 20), dt.date(2026, 11, 5)
        daily = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.DAILY, start, end, fields=fields, accounts=facet),
            now=NOW,
        )
        whole = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.ALL, start, end, fields=fields, accounts=facet), now=NOW
        )
        assert totals(daily, ADDITIVE) == totals(whole, ADDITIVE)
        present = set(totals(whole, ADDITIVE))
        assert {"videoWatchTime", "cardClicks", "jobApplications", "eventWatchTime"} <= present

    @pytest.mark.parametrize(
        "pivots",
        [
            pytest.param((Pivot.CAMPAIGN,), id="campaign"),
            pytest.param((Pivot.CREATIVE,), id="creative"),
            pytest.param((Pivot.CAMPAIGN_GROUP, Pivot.CAMPAIGN), id="group-campaign"),
            pytest.param((Pivot.IMPRESSION_DEVICE_TYPE,), id="device"),
            pytest.param((Pivot.SERVING_LOCATION, Pivot.CAMPAIGN), id="serving-location"),
            pytest.param((Pivot.PLACEMENT_NAME,), id="placement"),
            pytest.param((Pivot.OBJECTIVE_TYPE,), id="objective"),
            pytest.param((Pivot.SHARE,), id="share"),
            pytest.param((Pivot.COMPANY,), id="company"),
        ],
    )
    def test_finer_pivots_sum_to_the_account(self, world: World, pivots: tuple[Pivot, ...]) -> None:
        names = ("impressions", "clicks", "costInLocalCurrency", "videoViews", "jobApplications")
        fields = ("pivotValues", *names)
        facet = account_facet(world, 0)
        account = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.ALL, fields=fields, accounts=facet), now=NOW
        )
        finer = world.answer(query(pivots, TimeGranularity.ALL, fields=fields, accounts=facet), now=NOW)
        assert len(account) == 1 <= len(finer)
        assert totals(finer, names) == totals(account, names)

    @pytest.mark.parametrize(
        ("pivot", "kind"),
        [
            pytest.param(Pivot.CARD_INDEX, CreativeKind.CAROUSEL, id="card-index"),
            pytest.param(Pivot.EVENT_STAGE, CreativeKind.EVENT, id="event-stage"),
            pytest.param(Pivot.CONVERSATION_NODE, CreativeKind.MESSAGE, id="conversation-node"),
            pytest.param(Pivot.CONVERSATION_NODE_OPTION_INDEX, CreativeKind.MESSAGE, id="option-index"),
        ],
    )
    def test_format_pivots_split_only_their_creatives_exactly(
        self, world: World, pivot: Pivot, kind: CreativeKind
    ) -> None:
        creatives = urns("sponsoredCreative", [c.id for c in world.creatives.values() if c.kind is kind])
        names = ("impressions", "clicks", "costInUsd")
        fields = ("pivotValues", *names)
        split = world.answer(
            query((pivot,), TimeGranularity.ALL, fields=fields, accounts=account_facet(world, 0, 1, 2)),
            now=NOW,
        )
        whole = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.ALL, fields=fields, creatives=creatives), now=NOW
        )
        assert totals(split, names) == totals(whole, names)
        assert len(split) > 1

    def test_conversion_pivot_splits_tracked_campaigns(self, world: World) -> None:
        tracked = [c for c in world.campaigns.values() if c.conversion_ids]
        facet = urns("sponsoredCampaign", [c.id for c in tracked])
        names = ("impressions", "externalWebsiteConversions", "conversionValueInLocalCurrency")
        fields = ("pivotValues", *names)
        split = world.answer(
            query((Pivot.CONVERSION,), TimeGranularity.ALL, fields=fields, campaigns=facet), now=NOW
        )
        whole = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.ALL, fields=fields, campaigns=facet), now=NOW
        )
        assert totals(split, names) == totals(whole, names)
        assert all(row["pivotValues"][0].startswith("urn:lla:llaPartnerConversion:") for row in split)

    def test_account_facet_equals_facet_on_its_campaigns(self, world: World) -> None:
        account_id = list(world.accounts)[2]
        campaigns = urns("sponsoredCampaign", [c.id for c in world.campaigns_of(account_id)])
        by_account = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.DAILY, accounts=account_facet(world, 2)), now=NOW
        )
        by_campaigns = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.DAILY, campaigns=campaigns), now=NOW
        )
        assert by_account == by_campaigns

    def test_facets_combine_with_and(self, world: World) -> None:
        first, second = list(world.accounts)[:2]
        campaign = world.campaigns_of(first)[0]
        both = query(
            (Pivot.CAMPAIGN,),
            TimeGranularity.ALL,
            accounts=urns("sponsoredAccount", [second]),
            campaigns=urns("sponsoredCampaign", [campaign.id]),
        )
        assert world.answer(both, now=NOW) == []
