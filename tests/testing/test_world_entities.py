"""The synthetic world's entities: determinism, ids, datasets, lookups, access and entity JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import pytest

from airflow_provider_linkedin_ads.enums import Finder, Pivot, TimeGranularity
from airflow_provider_linkedin_ads.errors import ConfigurationError
from airflow_provider_linkedin_ads.testing.entities import CreativeKind
from airflow_provider_linkedin_ads.testing.query import ReportQuery
from airflow_provider_linkedin_ads.testing.world import World

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


def campaign_report(world: World) -> ReportQuery:
    return ReportQuery(
        Finder.STATISTICS,
        (Pivot.CAMPAIGN, Pivot.CREATIVE),
        TimeGranularity.DAILY,
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 28),
        facets={"accounts": tuple(f"urn:li:sponsoredAccount:{account}" for account in world.accounts)},
        fields=(
            "dateRange",
            "pivotValues",
            "impressions",
            "costInUsd",
            "conversionValueInLocalCurrency",
            "videoViews",
        ),
    )


class TestDeterminism:
    def test_same_seed_same_world_and_answers(self, world: World) -> None:
        again = World(seed=7)
        assert again.to_dict() == world.to_dict()
        assert again.answer(campaign_report(again), now=NOW) == world.answer(campaign_report(world), now=NOW)

    def test_other_seed_other_world(self, world: World) -> None:
        other = World(seed=8)
        assert set(other.campaigns).isdisjoint(world.campaigns)
        assert other.answer(campaign_report(other), now=NOW) != world.answer(campaign_report(world), now=NOW)

    def test_realistic_ids(self, world: World) -> None:
        for table in (world.accounts, world.campaign_groups, world.campaigns, world.creatives):
            assert all(100_000_000 <= entity_id < 1_000_000_000 for entity_id in table)
        assert all(len(str(creative.share_id)) == 19 for creative in world.creatives.values())

    def test_every_format_and_campaign_type_is_present(self, world: World) -> None:
        assert set(Counter(creative.kind for creative in world.creatives.values())) == set(CreativeKind)
        assert {c.campaign_type for c in world.campaigns.values()} == {
            "SPONSORED_UPDATES",
            "TEXT_AD",
            "SPONSORED_INMAILS",
            "DYNAMIC",
        }
        assert any(c.conversion_ids for c in world.campaigns.values())
        assert any(not c.conversion_ids for c in world.campaigns.values())
        assert [a.crm_connected for a in world.accounts.values()] == [True, False, True]

    def test_large_world_builds_from_entities_only(self) -> None:
        large = World(seed=1, accounts=5, campaigns_per_account=1000, history_days=730)
        assert (len(large.accounts), len(large.campaigns), len(large.creatives)) == (5, 5000, 15000)


class TestDataset:
    def test_round_trip_through_json(self, world: World) -> None:
        data = json.loads(json.dumps(world.to_dict()))
        loaded = World.from_dict(data)
        assert loaded.to_dict() == world.to_dict()
        assert loaded.answer(campaign_report(loaded), now=NOW) == world.answer(
            campaign_report(world), now=NOW
        )

    def test_parameters_form(self) -> None:
        loaded = World.from_dict(
            {"seed": 3, "accounts": 2, "campaigns_per_account": 5, "today": "2026-01-31"}
        )
        built = World(seed=3, accounts=2, campaigns_per_account=5, today=dt.date(2026, 1, 31))
        assert loaded.to_dict() == built.to_dict()
        assert loaded.today == dt.date(2026, 1, 31)

    def test_explicit_entities_form(self) -> None:
        data = {
            "seed": 5,
            "today": "2026-03-01",
            "accounts": [
                {
                    "id": 511111111,
                    "name": "Acme",
                    "currency": "EUR",
                    "organization_id": 123,
                    "crm_connected": True,
                }
            ],
            "campaign_groups": [{"id": 611111111, "account_id": 511111111, "name": "Brand"}],
            "campaigns": [
                {
                    "id": 311111111,
                    "account_id": 511111111,
                    "group_id": 611111111,
                    "name": "Launch",
                    "start": "2026-01-01",
                    "end": None,
                    "conversion_ids": [44],
                }
            ],
            "creatives": [
                {
                    "id": 111111111,
                    "account_id": 511111111,
                    "campaign_id": 311111111,
                    "kind": "VIDEO",
                    "share_id": 9,
                }
            ],
            "members": {"alice": [511111111]},
        }
        loaded = World.from_dict(data)
        query = ReportQuery(
            Finder.ANALYTICS, (Pivot.CONVERSION,), TimeGranularity.ALL, dt.date(2026, 1, 1), dt.date(2026, 2, 28),
            facets={"companies": ("urn:li:organization:123",)}, fields=("pivotValues", "videoViews"),
        )  # fmt: skip
        rows = loaded.answer(query, now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
        assert [row["pivotValues"] for row in rows] == [["urn:lla:llaPartnerConversion:44"]]
        assert rows[0]["videoViews"] > 0
        assert loaded.accounts_for_member("alice") == frozenset({511111111})
        assert World.from_dict(loaded.to_dict()).to_dict() == loaded.to_dict()

    @pytest.mark.parametrize(
        ("change", "argument"),
        [
            pytest.param({"acounts": 2}, "acounts", id="unknown-parameter"),
            pytest.param({"accounts": 0}, "accounts", id="accounts-out-of-range"),
            pytest.param({"seed": "7"}, "seed", id="seed-not-int"),
            pytest.param({"today": "yesterday"}, "today", id="bad-today"),
            pytest.param({"members": {"bob": "all"}}, "members", id="bad-members"),
        ],
    )
    def test_bad_parameters(self, change: dict[str, Any], argument: str) -> None:
        with pytest.raises(ConfigurationError) as caught:
            World.from_dict({"seed": 7, **change})
        assert caught.value.argument == argument

    @pytest.mark.parametrize(
        ("path", "value", "argument"),
        [
            pytest.param(("creatives", 0, "kind"), "HOLOGRAM", "creatives[0].kind", id="unknown-kind"),
            pytest.param(("campaigns", 0, "start"), "soon", "campaigns[0].start", id="bad-date"),
            pytest.param(("accounts", 0, "id"), "1", "accounts[0].id", id="id-not-int"),
            pytest.param(("creatives", 0, "campaign_id"), 1, "creatives.campaign_id", id="dangling-campaign"),
            pytest.param(("campaigns", 1, "id"), None, "campaigns", id="duplicate-id"),
        ],
    )
    def test_bad_entities(self, world: World, path: tuple[Any, ...], value: Any, argument: str) -> None:
        data = world.to_dict()
        table, index, key = path
        if key == "id" and value is None:  # duplicate the previous entity's id
            value = data[table][index - 1]["id"]
        data[table][index][key] = value
        with pytest.raises(ConfigurationError) as caught:
            World.from_dict(data)
        assert caught.value.argument == argument

    def test_not_an_object(self) -> None:
        with pytest.raises(ConfigurationError):
            World.from_dict([])  # type: ignore[arg-type]


class TestLookupsAndAccess:
    @pytest.mark.parametrize(
        ("kind", "minimum"),
        [
            pytest.param("geo", 300, id="geo"),
            pytest.param("title", 1000, id="title"),
            pytest.param("function", 26, id="function"),
            pytest.param("seniority", 10, id="seniority"),
            pytest.param("industry", 50, id="industry"),
            pytest.param("organization", 1500, id="organization"),
        ],
    )
    def test_name_tables(self, world: World, kind: str, minimum: int) -> None:
        names = world.names(kind)
        assert len(names) >= minimum
        assert all(key.isdigit() and value for key, value in names.items())

    def test_organizations_include_the_advertisers(self, world: World) -> None:
        organizations = world.names("organization")
        for account in world.accounts.values():
            assert organizations[str(account.organization_id)] == account.name

    def test_unknown_lookup_kind(self, world: World) -> None:
        with pytest.raises(ConfigurationError) as caught:
            world.names("planets")
        assert caught.value.argument == "kind"

    def test_default_member_sees_all_but_the_last_account(self, world: World) -> None:
        ids = list(world.accounts)
        assert world.accounts_for_member("anyone") == frozenset(ids[:-1])

    def test_members_from_the_dataset(self, world: World) -> None:
        ids = list(world.accounts)
        data = {**world.to_dict(), "members": {"carol": [ids[2], 42]}}
        assert World.from_dict(data).accounts_for_member("carol") == frozenset({ids[2]})


class TestEntityJson:
    def test_account(self, world: World) -> None:
        account = next(iter(world.accounts.values()))
        body = world.account_json(account.id)
        assert body["id"] == account.id
        assert (body["currency"], body["type"], body["status"]) == ("USD", "BUSINESS", "ACTIVE")
        assert body["reference"] == f"urn:li:organization:{account.organization_id}"

    def test_campaign_and_group(self, world: World) -> None:
        campaign = next(c for c in world.campaigns.values() if c.end is not None)
        assert campaign.end is not None
        body = world.campaign_json(campaign.id)
        assert body["account"] == f"urn:li:sponsoredAccount:{campaign.account_id}"
        assert body["campaignGroup"] == f"urn:li:sponsoredCampaignGroup:{campaign.group_id}"
        start = dt.datetime.fromtimestamp(body["runSchedule"]["start"] / 1000, tz=dt.UTC).date()
        end = dt.datetime.fromtimestamp(body["runSchedule"]["end"] / 1000, tz=dt.UTC).date()
        assert (start, end) == (campaign.start, campaign.end + dt.timedelta(days=1))
        assert (body["type"], body["objectiveType"]) == (campaign.campaign_type, campaign.objective_type)
        group = world.campaign_group_json(campaign.group_id)
        assert group["account"] == body["account"]
        assert group["runSchedule"]["start"] <= body["runSchedule"]["start"]

    def test_creative(self, world: World) -> None:
        creative = next(c for c in world.creatives.values() if c.kind is CreativeKind.VIDEO)
        body = world.creative_json(creative.id)
        assert body["id"] == f"urn:li:sponsoredCreative:{creative.id}"
        assert body["campaign"] == f"urn:li:sponsoredCampaign:{creative.campaign_id}"
        assert body["content"] == {"reference": f"urn:li:share:{creative.share_id}"}

    def test_unknown_ids(self, world: World) -> None:
        with pytest.raises(KeyError):
            world.campaign_json(1)
