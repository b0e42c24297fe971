"""``LinkedInAdsEntitiesOperator`` against the emulator on 127.0.0.1, without a DAG run.

Landed tables equal the emulator's ground truth (``testing.entity_truth``) byte for byte, bad input
fails when the DAG is parsed or before any call, and the Airflow side (asset extra, OpenLineage,
daily quota) matches the report operators'. The DAG-run tests are in
``tests/integration/test_entities_e2e.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import TYPE_CHECKING

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

from airflow_provider_linkedin_ads.client.writers import write_rows
from airflow_provider_linkedin_ads.entity_tables import EntityType, entity_columns
from airflow_provider_linkedin_ads.errors import ConfigurationError, DailyQuotaExceededError
from airflow_provider_linkedin_ads.operators import _base
from airflow_provider_linkedin_ads.operators.entities import LinkedInAdsEntitiesOperator
from airflow_provider_linkedin_ads.testing.emulator import DEFAULT_MEMBER
from airflow_provider_linkedin_ads.testing.entity_truth import expected_entity_rows
from tests.unit.operators.test_ad_analytics import openlineage  # noqa: F401 - a fixture

if TYPE_CHECKING:
    from pathlib import Path

TYPES = [item.value for item in EntityType]


@pytest.fixture
def emulator(linkedin_ads_emulator, linkedin_ads_connection, monkeypatch):
    monkeypatch.setattr(_base, "utcnow", linkedin_ads_emulator.clock.now)
    return linkedin_ads_emulator


def entities(**overrides) -> LinkedInAdsEntitiesOperator:
    kwargs = {"task_id": "table", "entity_type": "campaigns", "output_path": "file:///tmp/unused.jsonl"}
    return LinkedInAdsEntitiesOperator(**{**kwargs, **overrides})


def truth_bytes(rows, entity_type: str, output_format: str = "jsonl") -> bytes:
    target = io.BytesIO()
    write_rows(rows, target, entity_columns(entity_type), output_format=output_format)
    return target.getvalue()


def api_calls(emulator) -> list:
    return [record for record in emulator.requests if record.path.startswith("/rest/")]


# ── each table equals the ground truth ───────────────────────────────────────────────────────────


@pytest.mark.parametrize("entity_type", TYPES)
@pytest.mark.parametrize("output_format", ["jsonl", "csv", "parquet"])
def test_each_table_lands_the_ground_truth(emulator, tmp_path, entity_type, output_format):
    target = tmp_path / f"{entity_type}.{output_format}"
    op = entities(entity_type=entity_type, output_path=f"file://{target}", output_format=output_format)
    summary = op.execute({})
    expected = expected_entity_rows(emulator.world, entity_type)
    assert expected
    assert target.read_bytes() == truth_bytes(expected, entity_type, output_format)
    assert summary["entity_type"] == entity_type
    assert summary["rows_written"] == len(expected)
    assert summary["accounts"] == 0  # every ACTIVE account the token sees
    assert summary["output_path"] == f"file://{target}"
    assert summary["output_format"] == output_format
    assert summary["bytes_written"] == target.stat().st_size
    assert summary["columns"] == [column.name for column in entity_columns(entity_type)]
    assert summary["calls_made"] >= 1
    assert sorted(path.name for path in tmp_path.iterdir()) == [target.name]


def test_explicit_accounts_and_modified_since_narrow_the_table(emulator, tmp_path):
    account = sorted(emulator.world.accounts_for_member(DEFAULT_MEMBER))[0]
    everything = expected_entity_rows(emulator.world, "campaigns", [account])
    changes = sorted(row["last_modified_at"] for row in everything)
    since = changes[len(changes) // 2]
    target = tmp_path / "campaigns.jsonl"
    op = entities(
        accounts=f"['urn:li:sponsoredAccount:{account}']",  # as Jinja renders a list
        modified_since=since.isoformat(),
        output_path=f"file://{target}",
    )
    summary = op.execute({})
    expected = expected_entity_rows(emulator.world, "campaigns", [account], modified_since=since)
    assert 0 < len(expected) < len(everything)
    assert target.read_bytes() == truth_bytes(expected, "campaigns")
    assert summary["accounts"] == 1
    assert summary["modified_since"] == since.isoformat()


# ── bad input: at parse time, or before any call ─────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        pytest.param({"entity_type": "ads"}, "entity_type", id="unknown-entity-type"),
        pytest.param({"entity_type": None}, "entity_type", id="no-entity-type"),
        pytest.param({"accounts": ["not-an-account"]}, "accounts", id="bad-account"),
        pytest.param({"accounts": ["urn:li:sponsoredCampaign:1"]}, "accounts", id="campaign-urn-as-account"),
        pytest.param({"modified_since": "2999-01-01"}, "modified_since", id="future"),
        pytest.param({"modified_since": "last tuesday"}, "modified_since", id="not-iso"),
        pytest.param({"output_path": None}, "output_path", id="no-output-path"),
        pytest.param({"output_path": "file:///data/../etc/x.jsonl"}, "output_path", id="parent-segment"),
        pytest.param({"output_format": "xlsx"}, "output_format", id="bad-format"),
        pytest.param({"page_size": 0}, "page_size", id="page-size-0"),
        pytest.param({"page_size": 5000}, "page_size", id="page-size-too-big"),
        pytest.param({"deferrable": "yes"}, "deferrable", id="deferrable-not-bool"),
    ],
)
def test_bad_input_fails_when_the_dag_is_parsed(overrides, argument):
    with pytest.raises(ConfigurationError) as info:
        entities(**overrides)
    assert info.value.argument == argument


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        pytest.param({"accounts": "['not-an-account']"}, "accounts", id="bad-account"),
        pytest.param({"modified_since": "2026-12-01T00:00:00Z"}, "modified_since", id="future"),
        pytest.param({"modified_since": "yesterday"}, "modified_since", id="not-iso"),
        pytest.param({"output_path": ""}, "output_path", id="empty-output-path"),
    ],
)
def test_bad_rendered_input_fails_before_any_call(emulator, tmp_path, overrides, argument):
    # Values as they arrive after rendering (templated arguments are only checked in execute).
    op = entities(output_path="{{ params.path }}")
    for name, value in {"output_path": f"file://{tmp_path}/c.jsonl", **overrides}.items():
        setattr(op, name, value)
    with pytest.raises(ConfigurationError) as info:
        op.execute({})
    assert info.value.argument == argument
    assert api_calls(emulator) == []
    assert list(tmp_path.iterdir()) == []


def test_templated_arguments_are_not_checked_at_parse_time():
    op = entities(
        accounts="{{ params.accounts }}",
        modified_since="{{ prev_data_interval_start_success }}",
        output_path="file:///data/{{ ds }}/campaigns.jsonl",
    )
    assert op.accounts == "{{ params.accounts }}"
    assert op.entity_type is EntityType.CAMPAIGNS
    assert set(op.template_fields) == {
        "linkedin_ads_conn_id",
        "accounts",
        "modified_since",
        "output_path",
        "output_conn_id",
    }


def test_an_account_the_token_cannot_see_fails_the_ad_accounts_table(emulator, tmp_path):
    op = entities(entity_type="ad_accounts", accounts=[999999999], output_path=f"file://{tmp_path}/a.jsonl")
    with pytest.raises(ConfigurationError) as info:
        op.execute({})
    assert info.value.argument == "accounts"
    assert list(tmp_path.iterdir()) == []


# ── the Airflow side: asset, lineage, quota ──────────────────────────────────────────────────────


def test_a_literal_path_is_the_tasks_asset_and_its_event_says_which_table(emulator, tmp_path):
    target = tmp_path / "groups.jsonl"
    op = entities(entity_type="campaign_groups", output_path=f"file://{target}")
    assert [outlet.uri for outlet in op.outlets] == [f"file://{target}"]

    class Event:
        extra: dict | None = None

    events = {op.asset: Event()}
    summary = op.execute({"outlet_events": events})
    assert events[op.asset].extra == {
        "entity_type": "campaign_groups",
        "modified_since": None,
        "rows_written": summary["rows_written"],
        "output_path": f"file://{target}",
    }


def test_a_templated_path_declares_the_tasks_alias():
    op = entities(output_path="file:///data/{{ ds }}/campaigns.jsonl")
    assert op.output_alias is not None
    assert op.output_alias.name == "linkedin_ads:table"
    assert op.output_alias in op.outlets


def test_openlineage_names_the_entity_collection_and_the_landed_schema(
    emulator,
    tmp_path,
    openlineage,  # noqa: F811 - the fixture
):
    target = tmp_path / "creatives.csv"
    op = entities(entity_type="creatives", output_path=f"file://{target}", output_format="csv")
    summary = op.execute({})
    lineage = op.get_openlineage_facets_on_complete(None)
    facet = openlineage.facet
    (source,) = lineage.kwargs["inputs"]
    assert source == facet.InputDataset(namespace=emulator.url, name="rest/creatives?q=criteria")
    (output,) = lineage.kwargs["outputs"]
    assert output.kwargs["name"] == str(target)
    fields = output.kwargs["facets"]["schema"].kwargs["fields"]
    assert [field.kwargs["name"] for field in fields] == summary["columns"]
    assert output.kwargs["outputFacets"]["outputStatistics"] == facet.OutputStatisticsOutputDatasetFacet(
        rowCount=summary["rows_written"], size=summary["bytes_written"]
    )


@pytest.fixture
def daily_quota(emulator):
    quota = emulator.emulator.quota
    quota.limit = 0  # the first listing call gets 429 naming the DAY window
    yield quota
    quota.limit = None


def test_a_spent_daily_quota_fails_saying_when_it_resets(emulator, daily_quota, tmp_path):
    op = entities(output_path=f"file://{tmp_path}/c.jsonl", deferrable=False)
    with pytest.raises(AirflowFailException) as info:
        op.execute({})
    assert isinstance(info.value.__cause__, DailyQuotaExceededError)
    assert "deferrable=True" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_spent_daily_quota_defers_and_the_resume_lands_the_table(emulator, daily_quota, tmp_path: Path):
    target = tmp_path / "c.jsonl"
    op = entities(output_path=f"file://{target}", deferrable=True)
    with pytest.raises(TaskDeferred) as info:
        op.execute({})
    assert info.value.method_name == "execute_complete"
    assert list(tmp_path.iterdir()) == []
    daily_quota.limit = None  # midnight: the quota is reset
    summary = op.execute_complete({}, event=None)
    assert target.read_bytes() == truth_bytes(expected_entity_rows(emulator.world, "campaigns"), "campaigns")
    assert json.loads(json.dumps(summary)) == summary  # plain JSON for XCom


def test_modified_since_accepts_dates_and_aware_datetimes(emulator, tmp_path):
    moment = dt.datetime(2026, 11, 1, 6, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    op = entities(modified_since=moment, output_path=f"file://{tmp_path}/c.jsonl")
    assert op.execute({})["modified_since"] == "2026-11-01T04:00:00+00:00"
    op = entities(modified_since=dt.date(2026, 11, 1), output_path=f"file://{tmp_path}/c.jsonl")
    assert op.execute({})["modified_since"] == "2026-11-01T00:00:00+00:00"
