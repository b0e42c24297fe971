"""The dimension-table schemas (``entity_tables.py``): stable columns, exact types, loud errors."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from airflow_provider_linkedin_ads import entity_tables
from airflow_provider_linkedin_ads.entity_tables import (
    SCHEMAS,
    EntityType,
    canonical_json,
    entity_columns,
    entity_id,
    entity_row,
    entity_type,
    last_modified,
)
from airflow_provider_linkedin_ads.errors import ConfigurationError, EntityFieldError
from airflow_provider_linkedin_ads.results import ColumnKind
from airflow_provider_linkedin_ads.testing import World
from airflow_provider_linkedin_ads.testing.entity_truth import expected_entities

CAMPAIGN: dict[str, Any] = {
    "id": 300000001,
    "name": "Launch",
    "account": "urn:li:sponsoredAccount:508000001",
    "campaignGroup": "urn:li:sponsoredCampaignGroup:600000001",
    "status": "ACTIVE",
    "type": "SPONSORED_UPDATES",
    "objectiveType": "WEBSITE_VISIT",
    "costType": "CPM",
    "unitCost": {"amount": "12.3400000000000000001", "currencyCode": "EUR"},
    "dailyBudget": {"amount": "50", "currencyCode": "EUR"},
    "runSchedule": {"start": 1_767_225_600_000},
    "changeAuditStamps": {
        "created": {"time": 1_764_547_200_123},
        "lastModified": {"time": 1_767_225_600_000},
    },
    "targetingCriteria": {
        "include": {"and": [{"or": {"urn:li:adTargetingFacet:locations": ["urn:li:geo:1"]}}]}
    },
    "bidAdjustment": Decimal("1.50"),
}


def test_the_four_types_are_named_exactly() -> None:
    assert [item.value for item in EntityType] == ["ad_accounts", "campaign_groups", "campaigns", "creatives"]
    assert entity_type(" Campaigns ") is EntityType.CAMPAIGNS
    with pytest.raises(ConfigurationError) as caught:
        entity_type("adCampaigns")
    assert caught.value.argument == "entity_type"


@pytest.mark.parametrize("kind", list(EntityType))
def test_every_table_starts_with_id_and_urn_and_ends_with_the_entity_json(kind: EntityType) -> None:
    names = [column.name for column in entity_columns(kind)]
    assert names[:2] == ["id", "urn"]
    assert names[-1] == "entity_json"
    assert len(set(names)) == len(names)
    assert "created_at" in names
    assert "last_modified_at" in names


@pytest.mark.parametrize("kind", list(EntityType))
def test_the_module_docstring_documents_every_column_with_its_type_and_source(kind: EntityType) -> None:
    doc = entity_tables.__doc__ or ""
    section = doc.split(f"``{kind.value}``", 1)[1]
    for spec in SCHEMAS[kind]:
        source = spec.source or r"\(the whole entity\)"
        pattern = rf"^{spec.name}\s+{spec.kind.value}\s+{source}\s"
        assert re.search(pattern, section, re.MULTILINE), spec.name


def test_a_campaign_row_is_typed_exactly() -> None:
    row = entity_row("campaigns", CAMPAIGN)

    assert row["id"] == 300000001
    assert row["urn"] == "urn:li:sponsoredCampaign:300000001"
    assert row["campaign_group_urn"] == "urn:li:sponsoredCampaignGroup:600000001"
    assert row["unit_cost_amount"] == Decimal("12.3400000000000000001")  # every digit, no float
    assert type(row["unit_cost_amount"]) is Decimal
    assert (row["unit_cost_currency"], row["daily_budget_amount"]) == ("EUR", Decimal("50"))
    assert row["run_schedule_start"] == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert row["created_at"] == dt.datetime(2025, 12, 1, 0, 0, 0, 123_000, tzinfo=dt.UTC)
    assert last_modified("campaigns", CAMPAIGN) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_missing_optional_fields_are_null_never_missing_columns() -> None:
    row = entity_row("campaigns", {"id": 7})

    assert list(row) == [column.name for column in entity_columns("campaigns")]
    assert row["id"] == 7
    assert all(row[name] is None for name in row if name not in ("id", "urn", "entity_json"))
    assert row["entity_json"] == '{"id":7}'


def test_the_entity_json_keeps_everything_sorted_and_exact() -> None:
    text = entity_row("campaigns", CAMPAIGN)["entity_json"]

    assert isinstance(text, str)
    assert json.loads(text, parse_float=Decimal) == CAMPAIGN
    assert '"bidAdjustment":1.50' in text  # a decimal number keeps its digits
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert (
        canonical_json({"b": [1, {"d": None, "c": True}], "a": "é"})
        == '{"a":"é","b":[1,{"c":true,"d":null}]}'
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(
            {"unitCost": {"amount": 12.34, "currencyCode": "EUR"}}, "unitCost.amount", id="float-amount"
        ),
        pytest.param({"dailyBudget": {"amount": "1e3"}}, "dailyBudget.amount", id="exponent-text"),
        pytest.param({"dailyBudget": {"amount": Decimal("5")}}, "dailyBudget.amount", id="number-amount"),
        pytest.param({"runSchedule": {"start": "2026-01-01"}}, "runSchedule.start", id="text-time"),
        pytest.param({"runSchedule": {"start": True}}, "runSchedule.start", id="bool-time"),
        pytest.param({"changeAuditStamps": {"created": 5}}, "changeAuditStamps.created", id="not-an-object"),
        pytest.param({"name": 5}, "name", id="number-name"),
        pytest.param({"test": "false"}, "test", id="text-boolean"),
        pytest.param({"runSchedule": {"start": 10**18}}, "runSchedule.start", id="out-of-range"),
    ],
)
def test_a_present_field_of_the_wrong_type_names_type_id_and_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(EntityFieldError) as caught:
        entity_row("campaigns", {**CAMPAIGN, **change})

    assert (caught.value.entity_type, caught.value.entity_id, caught.value.field) == (
        "campaigns",
        300000001,
        field,
    )
    assert "campaigns 300000001" in str(caught.value)
    assert field in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        pytest.param("creatives", "urn:li:sponsoredCreative:789", 789, id="creative-urn"),
        pytest.param("creatives", 789, 789, id="creative-number"),
        pytest.param("campaigns", 42, 42, id="campaign-number"),
    ],
)
def test_ids_are_numbers_or_urns_of_the_tables_type(kind: str, raw: Any, expected: int) -> None:
    assert entity_id(kind, {"id": raw}) == expected


@pytest.mark.parametrize("raw", ["urn:li:sponsoredCampaign:1", "abc", None, True, 1.5])
def test_any_other_id_is_an_error(raw: Any) -> None:
    with pytest.raises(EntityFieldError) as caught:
        entity_row("creatives", {"id": raw})
    assert caught.value.field == "id"


def test_non_finite_numbers_have_no_json_form() -> None:
    with pytest.raises(EntityFieldError) as caught:
        entity_row("campaigns", {"id": 1, "bidAdjustment": float("nan")})
    assert caught.value.field == "entity"


@pytest.mark.parametrize("kind", list(EntityType))
def test_every_emulator_entity_converts_and_fills_the_typed_columns(kind: EntityType) -> None:
    world = World(accounts=3, campaigns_per_account=6, creatives_per_campaign=2)
    rows = [entity_row(kind, entity) for entity in expected_entities(world, kind)]

    assert rows
    for spec in SCHEMAS[kind]:
        values = [row[spec.name] for row in rows]
        if spec.kind is ColumnKind.TIMESTAMP and spec.name != "run_schedule_end":
            assert all(isinstance(value, dt.datetime) for value in values), spec.name
        if spec.kind is ColumnKind.DECIMAL:  # budgets: some present, some optional ones absent
            assert any(isinstance(value, Decimal) for value in values), spec.name
            assert all(value is None or isinstance(value, Decimal) for value in values), spec.name
    last = [row["last_modified_at"] for row in rows]
    assert len(set(last)) > 1  # modified_since has something to tell apart
