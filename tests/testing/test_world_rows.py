"""The synthetic world's rows: fields, wire types, sparsity, presence rules and ratio metrics."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from airflow_provider_linkedin_ads.enums import Pivot, TimeGranularity
from airflow_provider_linkedin_ads.testing.entities import CreativeKind
from airflow_provider_linkedin_ads.testing.world import World
from tests.testing.world_support import (
    NOV_10,
    NOW,
    account_facet,
    day,
    query,
    urns,
)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


class TestRowsAndFields:
    def test_without_fields_default_metrics_with_range_and_pivot_values(self, world: World) -> None:
        rows = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.DAILY, fields=None, accounts=account_facet(world, 0)),
            now=NOW,
        )
        assert rows
        assert all(list(row) == ["dateRange", "pivotValues", "impressions", "clicks"] for row in rows)

    def test_exactly_the_requested_fields_in_request_order(self, world: World) -> None:
        fields = ("costInUsd", "pivotValues", "impressions")
        rows = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.MONTHLY, fields=fields, accounts=account_facet(world, 0)),
            now=NOW,
        )
        assert [list(row) for row in rows] == [list(fields)] * len(rows)

    def test_wire_types(self, world: World) -> None:
        fields = ("impressions", "costInLocalCurrency", "averageDwellTime", "jobApplications")
        (row,) = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.ALL, fields=fields, accounts=account_facet(world, 0)),
            now=NOW,
        )
        assert isinstance(row["impressions"], int)
        assert isinstance(row["averageDwellTime"], float)
        assert Decimal(row["costInLocalCurrency"]) > 0
        assert Decimal(row["jobApplications"]) % Decimal("0.5") == 0

    def test_pivot_values_follow_pivot_order(self, world: World) -> None:
        pivots = (Pivot.CAMPAIGN, Pivot.IMPRESSION_DEVICE_TYPE, Pivot.ACCOUNT)
        rows = world.answer(query(pivots, TimeGranularity.ALL, accounts=account_facet(world, 0)), now=NOW)
        assert rows
        for row in rows:
            campaign, device, account = row["pivotValues"]
            assert campaign.startswith("urn:li:sponsoredCampaign:")
            assert device in {"DESKTOP_WEB", "MOBILE_APP", "MOBILE_WEB", "TABLET_APP"}
            assert account == account_facet(world, 0)[0]

    def test_rows_are_sorted_by_start_then_pivot_values(self, world: World) -> None:
        rows = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.DAILY, accounts=account_facet(world, 0, 1)), now=NOW
        )
        keys = [
            (day(row["dateRange"]["start"]), int(row["pivotValues"][0].rsplit(":", 1)[1])) for row in rows
        ]
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)

    def test_sparse_rows_only_on_delivering_days(self, world: World) -> None:
        campaign = world.campaigns_of(next(iter(world.accounts)))[0]  # the long-running campaign
        start = dt.date(2026, 6, 1)
        rows = world.answer(
            query(
                (Pivot.CREATIVE,),
                TimeGranularity.DAILY,
                start,
                dt.date(2026, 11, 27),
                campaigns=urns("sponsoredCampaign", [campaign.id]),
            ),
            now=NOW,
        )
        per_creative: dict[str, int] = defaultdict(int)
        for row in rows:
            per_creative[row["pivotValues"][0]] += 1
            assert row["impressions"] > 0
        days = (dt.date(2026, 11, 27) - start).days + 1
        assert len(per_creative) == len(world.creatives_of(campaign.id))
        assert all(days * 0.7 < count < days for count in per_creative.values())  # some idle days, not many

    def test_no_rows_outside_a_campaign_run(self, world: World) -> None:
        campaign = next(
            c for c in world.campaigns.values() if c.end is not None and c.end < dt.date(2026, 6, 1)
        )
        facet = urns("sponsoredCampaign", [campaign.id])
        end = campaign.end
        assert end is not None
        after = world.answer(
            query(
                (Pivot.CAMPAIGN,),
                TimeGranularity.DAILY,
                end + dt.timedelta(days=1),
                end + dt.timedelta(days=60),
                campaigns=facet,
            ),
            now=NOW,
        )
        during = world.answer(
            query((Pivot.CAMPAIGN,), TimeGranularity.ALL, campaign.start, end, campaigns=facet),
            now=NOW,
        )
        assert after == []
        assert len(during) == 1

    def test_format_metrics_absent_without_that_format(self, world: World) -> None:
        fields = (
            "pivotValues",
            "impressions",
            "videoViews",
            "cardClicks",
            "opens",
            "externalWebsiteConversions",
        )
        rows = world.answer(
            query(
                (Pivot.CREATIVE,), TimeGranularity.ALL, fields=fields, accounts=account_facet(world, 0, 1, 2)
            ),
            now=NOW,
        )
        for row in rows:
            creative = world.creatives[int(row["pivotValues"][0].rsplit(":", 1)[1])]
            tracked = bool(world.campaigns[creative.campaign_id].conversion_ids)
            assert ("videoViews" in row) == (creative.kind is CreativeKind.VIDEO)
            assert ("cardClicks" in row) == (creative.kind is CreativeKind.CAROUSEL)
            assert ("opens" in row) == (creative.kind is CreativeKind.MESSAGE)
            assert ("externalWebsiteConversions" in row) == tracked

    def test_visible_accounts_restrict_silently(self, world: World) -> None:
        first, _, third = list(world.accounts)
        base = query((Pivot.ACCOUNT,), TimeGranularity.ALL, accounts=urns("sponsoredAccount", [first, third]))
        only_first = world.answer(dataclasses.replace(base, visible_accounts=frozenset({first})), now=NOW)
        nothing = world.answer(dataclasses.replace(base, visible_accounts=frozenset()), now=NOW)
        assert [row["pivotValues"] for row in only_first] == [list(urns("sponsoredAccount", [first]))]
        assert nothing == []

    def test_campaign_type_filter(self, world: World) -> None:
        base = query((Pivot.CAMPAIGN,), TimeGranularity.ALL, accounts=account_facet(world, 0, 1, 2))
        rows = world.answer(dataclasses.replace(base, campaign_type="SPONSORED_INMAILS"), now=NOW)
        assert rows
        for row in rows:
            assert (
                world.campaigns[int(row["pivotValues"][0].rsplit(":", 1)[1])].campaign_type
                == "SPONSORED_INMAILS"
            )

    def test_conversion_values_keep_long_tails_and_signs(self, world: World) -> None:
        fields = ("conversionValueInLocalCurrency",)
        rows = world.answer(
            query(
                (Pivot.CREATIVE,),
                TimeGranularity.DAILY,
                dt.date(2025, 1, 1),
                NOV_10,
                fields=fields,
                accounts=account_facet(world, 0, 1, 2),
            ),
            now=NOW,
        )
        values = [row[fields[0]] for row in rows if fields[0] in row]
        assert any(len(value.split(".")[1]) > 10 for value in values)
        assert any(value.startswith("-") for value in values)
        assert all(re.fullmatch(r"-?[0-9]+\.(0|[0-9]*[1-9])", value) for value in values)


class TestNonAdditiveMetrics:
    def test_reach_only_up_to_92_days(self, world: World) -> None:
        fields = ("approximateMemberReach", "impressions")
        facet = account_facet(world, 0)
        short = world.answer(
            query(
                (Pivot.ACCOUNT,),
                TimeGranularity.ALL,
                dt.date(2026, 9, 1),
                dt.date(2026, 12, 1) - dt.timedelta(days=1),
                fields=fields,
                accounts=facet,
            ),
            now=NOW,
        )
        long = world.answer(
            query(
                (Pivot.ACCOUNT,),
                TimeGranularity.ALL,
                dt.date(2026, 8, 1),
                dt.date(2026, 11, 27),
                fields=fields,
                accounts=facet,
            ),
            now=NOW,
        )
        assert 0 < short[0]["approximateMemberReach"] < short[0]["impressions"]
        assert "approximateMemberReach" not in long[0]

    def test_reach_is_not_the_sum_of_daily_reach(self, world: World) -> None:
        fields = ("approximateMemberReach",)
        facet = account_facet(world, 0)
        daily = world.answer(
            query(
                (Pivot.ACCOUNT,),
                TimeGranularity.DAILY,
                dt.date(2026, 10, 1),
                dt.date(2026, 10, 31),
                fields=fields,
                accounts=facet,
            ),
            now=NOW,
        )
        (whole,) = world.answer(
            query(
                (Pivot.ACCOUNT,),
                TimeGranularity.ALL,
                dt.date(2026, 10, 1),
                dt.date(2026, 10, 31),
                fields=fields,
                accounts=facet,
            ),
            now=NOW,
        )
        assert whole["approximateMemberReach"] < sum(row["approximateMemberReach"] for row in daily)

    @pytest.mark.parametrize(
        ("pivots", "present"),
        [
            pytest.param((Pivot.CAMPAIGN,), True, id="campaign"),
            pytest.param((Pivot.CREATIVE,), False, id="creative-only"),
            pytest.param((Pivot.CREATIVE, Pivot.ACCOUNT), True, id="creative-and-account"),
        ],
    )
    def test_audience_penetration_needs_an_entity_pivot(
        self, world: World, pivots: tuple[Pivot, ...], present: bool
    ) -> None:
        rows = world.answer(
            query(
                pivots, TimeGranularity.ALL, fields=("audiencePenetration",), accounts=account_facet(world, 0)
            ),
            now=NOW,
        )
        assert rows
        assert all(("audiencePenetration" in row) is present for row in rows)
        assert all(0.0 <= row.get("audiencePenetration", 0.0) <= 1.0 for row in rows)

    def test_device_pivot_drops_reach_and_conversions(self, world: World) -> None:
        fields = (
            "impressions",
            "approximateMemberReach",
            "externalWebsiteConversions",
            "conversionValueInLocalCurrency",
        )
        rows = world.answer(
            query(
                (Pivot.IMPRESSION_DEVICE_TYPE,),
                TimeGranularity.ALL,
                fields=fields,
                accounts=account_facet(world, 0),
            ),
            now=NOW,
        )
        assert rows
        assert all(list(row) == ["impressions"] for row in rows)

    def test_ratios_follow_the_row_sums(self, world: World) -> None:
        fields = (
            "costInLocalCurrency",
            "qualifiedLeads",
            "costPerQualifiedLead",
            "videoWatchTime",
            "videoViews",
            "averageVideoWatchTime",
            "costPerEventView",
            "eventViews",
        )
        (row,) = world.answer(
            query((Pivot.ACCOUNT,), TimeGranularity.ALL, fields=fields, accounts=account_facet(world, 0)),
            now=NOW,
        )
        cost = Decimal(row["costInLocalCurrency"])
        assert Decimal(row["costPerQualifiedLead"]) == (cost / row["qualifiedLeads"]).quantize(
            Decimal("0.000001"), ROUND_HALF_UP
        )
        assert row["averageVideoWatchTime"] == round(row["videoWatchTime"] / row["videoViews"], 3)
        assert row["costPerEventView"] == pytest.approx(float(cost) / row["eventViews"], rel=1e-6)
