"""The entity tables' column kinds (TIMESTAMP, BOOLEAN, JSON) in all three writers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airflow_provider_linkedin_ads.client.writers import timestamp_text, write_rows
from airflow_provider_linkedin_ads.entity_tables import entity_columns, entity_row
from airflow_provider_linkedin_ads.results import Column, ColumnKind, ReportRow

#: Every test here runs on the standard library encoder and, when installed, on orjson.
pytestmark = pytest.mark.usefixtures("json_encoder")

COLUMNS = (
    Column("id", ColumnKind.LONG),
    Column("name", ColumnKind.STRING),
    Column("test", ColumnKind.BOOLEAN),
    Column("amount", ColumnKind.DECIMAL),
    Column("created_at", ColumnKind.TIMESTAMP),
    Column("entity_json", ColumnKind.JSON),
)
CREATED = dt.datetime(2026, 1, 31, 9, 30, tzinfo=dt.UTC)
ROWS: list[ReportRow] = [
    {
        "id": 1,
        "name": "=HYPERLINK(1)",
        "test": False,
        "amount": Decimal("12.50"),
        "created_at": CREATED,
        "entity_json": '{"a":1}',
    },
    {
        "id": 2,
        "name": None,
        "test": True,
        "amount": None,
        "created_at": dt.datetime(2026, 2, 1, 0, 0, 0, 5_000, tzinfo=dt.UTC),
        "entity_json": None,
    },
]


def _write(output_format: str, rows: list[ReportRow] = ROWS, columns: tuple[Column, ...] = COLUMNS) -> bytes:
    target = io.BytesIO()
    assert write_rows(rows, target, columns, output_format=output_format) == len(rows)
    return target.getvalue()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(CREATED, "2026-01-31T09:30:00Z", id="seconds"),
        pytest.param(CREATED.replace(microsecond=123_000), "2026-01-31T09:30:00.123Z", id="millis"),
        pytest.param(CREATED.replace(microsecond=7), "2026-01-31T09:30:00.000007Z", id="micros"),
        pytest.param(
            dt.datetime(2026, 1, 31, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2026-01-31T09:30:00Z",
            id="offset-to-utc",
        ),
        pytest.param(dt.datetime(2026, 1, 31, 9, 30), "2026-01-31T09:30:00Z", id="naive-is-utc"),  # noqa: DTZ001
    ],
)
def test_timestamp_text_is_iso_utc_with_z(value: dt.datetime, expected: str) -> None:
    assert timestamp_text(value) == expected


def test_json_lines_writes_timestamps_as_z_text_booleans_as_json_and_json_as_a_string() -> None:
    lines = [json.loads(line) for line in _write("jsonl").decode().splitlines()]

    assert lines == [
        {
            "id": 1,
            "name": "=HYPERLINK(1)",
            "test": False,
            "amount": "12.50",
            "created_at": "2026-01-31T09:30:00Z",
            "entity_json": '{"a":1}',
        },
        {
            "id": 2,
            "name": None,
            "test": True,
            "amount": None,
            "created_at": "2026-02-01T00:00:00.005Z",
            "entity_json": None,
        },
    ]


def test_csv_writes_true_false_and_z_timestamps() -> None:
    text = _write("csv").decode()
    rows = list(csv.reader(io.StringIO(text)))

    assert rows == [
        ["id", "name", "test", "amount", "created_at", "entity_json"],
        ["1", "'=HYPERLINK(1)", "false", "12.50", "2026-01-31T09:30:00Z", '{"a":1}'],
        ["2", "", "true", "", "2026-02-01T00:00:00.005Z", ""],
    ]


def test_parquet_types_timestamps_booleans_and_json_text() -> None:
    table = pq.read_table(io.BytesIO(_write("parquet")))

    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("test").type == pa.bool_()
    assert table.schema.field("entity_json").type == pa.string()
    assert table.column("created_at").to_pylist()[0] == CREATED
    assert table.column("test").to_pylist() == [False, True]
    assert table.column("entity_json").to_pylist() == ['{"a":1}', None]


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "parquet"])
def test_a_whole_entity_row_round_trips_in_every_format(output_format: str) -> None:
    entity = {
        "id": "urn:li:sponsoredCreative:789",
        "intendedStatus": "ACTIVE",
        "isServing": True,
        "isTest": False,
        "campaign": "urn:li:sponsoredCampaign:1",
        "createdAt": 1_767_225_600_000,
    }
    columns = entity_columns("creatives")
    row = entity_row("creatives", entity)

    data = _write(output_format, [row], columns)

    if output_format == "parquet":
        landed = pq.read_table(io.BytesIO(data)).to_pylist()[0]
        assert landed == row
    elif output_format == "jsonl":
        landed = json.loads(data)
        assert landed["created_at"] == "2026-01-01T00:00:00Z"
        assert landed["is_serving"] is True
        assert json.loads(landed["entity_json"]) == entity
    else:
        header, values = list(csv.reader(io.StringIO(data.decode())))
        landed = dict(zip(header, values, strict=True))
        assert (landed["is_serving"], landed["test"], landed["id"]) == ("true", "false", "789")
        assert json.loads(landed["entity_json"]) == entity
